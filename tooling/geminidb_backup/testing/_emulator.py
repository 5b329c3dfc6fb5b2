"""The emulator: the reference server made for one test, with clients wired to it and its state
under the test's control."""

from __future__ import annotations

import dataclasses
import secrets
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from types import MappingProxyType
from typing import Any, Self, TypedDict, Unpack
from urllib.parse import parse_qs

import httpx
import uvicorn

from geminidb_backup import AsyncBackupClient, BackupClient, RetryPolicy, TokenAuth
from geminidb_backup.policy import BackupPolicy
from geminidb_backup.server.app import ReferenceServer
from geminidb_backup.server.config import (
    ServerConfig,
    example_instance,
    fleet_instances,
    parse_instance,
    parse_policy,
)
from geminidb_backup.server.control import Control
from geminidb_backup.server.faults import FaultConfig
from geminidb_backup.server.instances import Instance
from geminidb_backup.server.rate_limit import SERVICE_CODE, parse_rate_limit
from geminidb_backup.server.state import Clock
from geminidb_backup.server.transport import (
    DEFAULT_BODY_TIMEOUT_SECONDS,
    DEFAULT_HEADER_TIMEOUT_SECONDS,
    protocol_class,
)
from geminidb_backup.timing import Clock as LibraryClock
from geminidb_backup_client import AuthenticatedClient
from geminidb_backup_client.models import Backup, Job

from ._transport import EmulatorASGITransport, EmulatorTransport, PrivateLoop
from ._virtual import VirtualClock, VirtualTime

__all__ = ["FAST_RETRY", "IN_PROCESS_URL", "ClientOptions", "Emulator", "Snapshot"]

# The base URL of in-process clients: never resolved, no request leaves the process.
IN_PROCESS_URL = "http://geminidb-emulator.invalid"
# The library's retry policy (same attempts, same decisions) with waits too short to matter:
# what clients get with autojump off (their sleeps are real). With autojump on they get the
# library's own policy, whose back-off and Retry-After then pass in virtual time.
FAST_RETRY = RetryPolicy(initial=0.001, maximum=0.01)


def _policy_body(policy: Mapping[str, Any] | BackupPolicy | str | None) -> dict[str, Any] | None:
    """setBackupPolicy's ``backup_policy`` from any of the forms the emulator takes."""
    if policy is None:
        return None
    if isinstance(policy, BackupPolicy):
        return policy.to_api()
    if isinstance(policy, str):
        return parse_policy(policy)
    return dict(policy)


class ClientOptions(TypedDict, total=False):
    """What :meth:`Emulator.client` and :meth:`Emulator.async_client` pass on to the client."""

    auth: httpx.Auth | None
    retry: RetryPolicy | None
    timeout: float
    clock: LibraryClock | Callable[[], float] | None


@dataclass(frozen=True)
class Snapshot:
    """The whole state of an emulator at one moment (:meth:`Emulator.snapshot`): each part by
    the name it was registered under (``database``, ``clock``, ``faults``...)."""

    parts: Mapping[str, Any]


class _EmulatorApp:
    """The reference server as the emulator serves it: each request counted (virtual time jumps
    only between requests), the emulator's time in ``Date``, and with autojump, a poll that says
    it will wait (``Prefer: wait=N``) for a running job moves the clock to the job's end when
    nothing else is going on (no other request, no client sleeping). Not for async clients:
    another task may be about to wait for an earlier moment, and their sleeps tell (see
    ``_virtual``)."""

    def __init__(self, emulator: Emulator, *, poll_jumps: bool) -> None:
        self.emulator, self.app, self.poll_jumps = emulator, emulator.app, poll_jumps

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        emulator = self.emulator
        emulator.virtual_time.request_started()
        try:
            if emulator.autojump and self.poll_jumps:
                emulator._jump_for_poll(scope)

            async def send_with_date(message: Any) -> None:
                if message["type"] == "http.response.start":
                    date = formatdate(emulator.clock(), usegmt=True).encode()
                    headers = [(k, v) for k, v in message.get("headers", []) if k != b"date"]
                    message = {**message, "headers": [*headers, (b"date", date)]}
                await send(message)

            await self.app(scope, receive, send_with_date)
        finally:
            emulator.virtual_time.request_ended()


class Emulator:
    """The GeminiDB backup API in-process, with its state in the test's hands.

    ``instances`` exist from the start (``PROJECT_ID/INSTANCE_ID[/NAME]`` strings or
    :class:`Instance`; or a number: that many instances named ``cassandra-0001``... in the
    example's project, for fleet tests; default: the instance of the spec's example). A backup
    (and a deletion) takes ``backup_seconds`` of the emulator's clock, a restore to a new
    instance (or its creation) ``restore_seconds``: 0 by default, so every job has ended when it
    is first looked at; give it a duration and move the clock with :meth:`advance` to see
    ``BUILDING`` and ``Running``. The clock is frozen at ``start`` (default: now): only
    :meth:`advance` moves it, and, with ``autojump`` (the default), the clients' waits: where a
    client of the emulator would sleep (a :meth:`~geminidb_backup.BackupClient.wait`, a retry's
    back-off), the clock jumps instead, once every client is waiting, to the earliest moment one
    of them waits for. ``autojump=False`` keeps the clock still but for :meth:`advance` (clients
    then sleep in real time). ``seed`` makes the same backup, job, project and instance IDs in
    the same order on every run. State lives in memory unless ``path`` names an SQLite file,
    which keeps it from one emulator to the next; :meth:`snapshot` and
    :meth:`restore_snapshot` save and bring back all of it in memory.

    ``policy`` turns the automated backup policy of the seeded instances on (off by default, so
    that only the one automated backup of last night exists; the real service's default is on,
    keeping 7 days): then the clock makes an automated backup in the window of each chosen day
    and expires those older than ``keep_days``, however far :meth:`advance` moves it.

    Clients: :meth:`client` (sync), :meth:`async_client`, :meth:`generated_client`, all without
    a socket; :meth:`serve` puts the same emulator on a loopback port for code that takes a URL,
    and :meth:`environ` gives the variables ``BackupClient.from_env()`` reads. Use one emulator
    from one thread at a time (the loopback server serves any number of connections).

    ``rate_limit`` throttles each project as the API gateway does: ``N`` (or ``"N/s"``) requests a
    second, ``"N/min"`` a minute, measured on the emulator's clock; the requests beyond it are
    answered 429 with ``rate_limit_code`` (``DBS.280443``, or the gateway's ``APIGW.0308``) and a
    ``Retry-After`` of ``retry_after_seconds`` (None: no header). 503 and 429 faults carry the
    same ``Retry-After``.
    """

    def __init__(
        self,
        *,
        instances: Sequence[str | Instance] | int | None = None,
        backup_seconds: float = 0.0,
        restore_seconds: float = 0.0,
        backup_limit: int = 50,
        auto_backups: bool = True,
        path: str | Path | None = None,
        token: str | None = None,
        access_keys: Mapping[str, str] | None = None,
        start: float | None = None,
        retry_after_seconds: int | None = 0,
        policy: Mapping[str, Any] | BackupPolicy | str | None = None,
        autojump: bool = True,
        seed: int | None = None,
        rate_limit: float | str | None = None,
        rate_limit_code: str = SERVICE_CODE,
    ) -> None:
        if isinstance(instances, int):
            seeded = tuple(fleet_instances(example_instance().project_id, instances))
        else:
            seeded = tuple(
                parse_instance(item) if isinstance(item, str) else item
                for item in (instances if instances is not None else (example_instance(),))
            )
        if not seeded:
            raise ValueError("the emulator needs at least one instance")
        self.token = token if token is not None else secrets.token_urlsafe(16)
        self.clock = Clock(frozen_at=float(int(time.time() if start is None else start)))
        config = ServerConfig(
            tokens=frozenset({self.token}),
            access_keys=dict(access_keys or {}),
            instances=seeded,
            db_path=":memory:" if path is None else str(path),
            backup_seconds=backup_seconds,
            restore_seconds=restore_seconds,
            backup_limit=backup_limit,
            auto_backups=auto_backups,
            faults=FaultConfig(retry_after_seconds=retry_after_seconds),
            policy=_policy_body(policy),
            seed=seed,
            rate_limit=None
            if rate_limit is None
            else dataclasses.replace(
                parse_rate_limit(rate_limit), code=rate_limit_code, retry_after=retry_after_seconds
            ),
        )
        self.app = ReferenceServer(config, clock=self.clock)
        self.control = Control(self.app)
        saved = self.app.store.saved_time()
        if saved is not None and saved > self.clock():
            # A state file from an emulator whose clock was moved further: go on from there.
            self.clock.advance(saved - self.clock())
        self._loop: PrivateLoop | None = None
        self._server: uvicorn.Server | None = None
        self._url: str | None = None
        self._closed = False
        self.autojump = autojump
        self.virtual_time = VirtualTime(self.clock, self._advance_to)
        self._served_app = _EmulatorApp(self, poll_jumps=True)
        self._async_app = _EmulatorApp(self, poll_jumps=False)
        self._snapshot_parts: dict[str, tuple[Callable[[], Any], Callable[[Any], None]]] = {}
        self.register_snapshot_part("database", self.app.store.snapshot, self.app.store.restore)
        self.register_snapshot_part("clock", self.clock.state, self.clock.set_state)
        self.register_snapshot_part("faults", self._faults_state, self._restore_faults)
        limiter = self.app.rate_limiter
        if limiter is not None:  # each project's bucket, and the count of refusals
            self.register_snapshot_part("rate_limit", limiter.snapshot, limiter.restore)

    def __repr__(self) -> str:  # the token stays out of logs
        return (
            f"Emulator(project_id={self.project_id!r}, instance_id={self.instance_id!r}, "
            f"url={self._url!r})"
        )

    @property
    def project_id(self) -> str:
        """The project of the first instance: the one clients are made for."""
        return self.control.default_project

    @property
    def instance_id(self) -> str:
        """The first instance's ID."""
        return self.app.config.instances[0].id

    # Life cycle.

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the loopback server, if any, and the loop thread; close the state (a file keeps
        it)."""
        if self._closed:
            return
        self._closed = True
        if self._loop is not None:
            if self._server is not None:
                self._loop.run(self._stop_server(self._server))
            self._loop.close()
        self.app.close()

    def _private_loop(self) -> PrivateLoop:
        if self._closed:
            raise RuntimeError("the emulator is closed")
        if self._loop is None:
            self._loop = PrivateLoop()
        return self._loop

    def _on_loop(self, function: Any) -> Any:
        """Run a control call where requests run, so that none is handled at the same time."""
        if self._loop is None:
            if self._closed:
                raise RuntimeError("the emulator is closed")
            return function()
        return self._loop.call(function)

    # Clients without a socket.

    def transport(self) -> httpx.BaseTransport:
        """An ``httpx.Client`` transport to the emulator."""
        return EmulatorTransport(self._served_app, self._private_loop())

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """An ``httpx.AsyncClient`` transport: the application runs on the caller's event loop."""
        return EmulatorASGITransport(self._async_app)

    def library_clock(self) -> LibraryClock:
        """The clock the emulator's clients get: "now" is the emulator's, and their sleeps move
        it (virtual time; with ``autojump=False``, they wait in real time)."""
        return VirtualClock(self.clock, self.virtual_time, autojump=self.autojump)

    def client(
        self, *, project_id: str | None = None, **options: Unpack[ClientOptions]
    ) -> BackupClient:
        """A :class:`BackupClient` of the default project, authenticated, wired to the emulator,
        on the emulator's clock; ``options`` go to its constructor (``auth``, ``retry``,
        ``timeout``, ``clock``)."""
        project_id = project_id or self.project_id
        options.setdefault("auth", TokenAuth(self.token))
        options.setdefault("retry", RetryPolicy() if self.autojump else FAST_RETRY)
        options.setdefault("clock", self.library_clock())
        return BackupClient(IN_PROCESS_URL, project_id, transport=self.transport(), **options)

    def async_client(
        self, *, project_id: str | None = None, **options: Unpack[ClientOptions]
    ) -> AsyncBackupClient:
        """The :class:`AsyncBackupClient` twin of :meth:`client`."""
        project_id = project_id or self.project_id
        options.setdefault("auth", TokenAuth(self.token))
        options.setdefault("retry", RetryPolicy() if self.autojump else FAST_RETRY)
        options.setdefault("clock", self.library_clock())
        return AsyncBackupClient(
            IN_PROCESS_URL, project_id, transport=self.async_transport(), **options
        )

    def generated_client(self) -> AuthenticatedClient:
        """The generated client (``geminidb_backup_client``), with the token, wired to the
        emulator for its sync and its asyncio functions alike."""
        client = AuthenticatedClient(
            base_url=IN_PROCESS_URL, token=self.token, prefix="", auth_header_name="X-Auth-Token"
        )
        headers = {"X-Auth-Token": self.token}
        client.set_httpx_client(
            httpx.Client(base_url=IN_PROCESS_URL, headers=headers, transport=self.transport())
        )
        client.set_async_httpx_client(
            httpx.AsyncClient(
                base_url=IN_PROCESS_URL, headers=headers, transport=self.async_transport()
            )
        )
        return client

    # The same emulator on a loopback port.

    def serve(self) -> str:
        """Listen on a free port of 127.0.0.1 (once; later calls return the same URL)."""
        if self._url is None:
            loop = self._private_loop()
            loop.start_thread()  # the server serves between the test's calls
            self._url = loop.run(self._start_server())
        return self._url

    @property
    def url(self) -> str:
        """The loopback URL; the server is started on first use."""
        return self.serve()

    def environ(self) -> dict[str, str]:
        """The environment for code that builds its client with ``BackupClient.from_env()`` or
        runs the ``geminidb-backup`` CLI: endpoint (the loopback URL), project and token."""
        return {
            "GEMINIDB_ENDPOINT": self.url,
            "GEMINIDB_PROJECT_ID": self.project_id,
            "GEMINIDB_TOKEN": self.token,
        }

    async def _start_server(self) -> str:
        import asyncio

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        config = uvicorn.Config(
            self._served_app,
            # h11: the emulator runs in the test's own process, whatever loop it has. The
            # deadlines are serve's defaults; a test never trickles a request.
            http=protocol_class(
                "h11",
                header_timeout=DEFAULT_HEADER_TIMEOUT_SECONDS,
                body_timeout=DEFAULT_BODY_TIMEOUT_SECONDS,
            ),
            lifespan="off",
            date_header=False,  # the emulator's own time is sent instead (_EmulatorApp)
            access_log=False,
            log_level="warning",
        )
        server = uvicorn.Server(config)
        self._server = server
        self._serving = asyncio.get_running_loop().create_task(server.serve(sockets=[sock]))
        while not server.started:
            if self._serving.done():
                self._serving.result()  # raises why it stopped
                raise RuntimeError("the emulator's loopback server stopped at start-up")
            await asyncio.sleep(0.001)
        host, port = sock.getsockname()[:2]
        return f"http://{host}:{port}"

    async def _stop_server(self, server: uvicorn.Server) -> None:
        server.should_exit = True
        await self._serving

    # State control. Every call takes effect at once; see docs/testing.md.

    def now(self) -> float:
        """The emulator's time, in epoch seconds."""
        return self.clock()

    def advance(self, seconds: float) -> float:
        """Move the clock ``seconds`` forward: jobs due by then have ended. Returns the time."""
        result: float = self._on_loop(lambda: self.control.advance(seconds))
        return result

    def _advance_to(self, moment: float) -> None:
        self._on_loop(lambda: self.control.advance(max(0.0, moment - self.clock())))

    def _jump_for_poll(self, scope: Any) -> None:
        """On the emulator's loop: a poll of a running job by ID that says how long it will
        wait (``Prefer: wait=N``, sent by the library's ``wait()``), with nothing else going on,
        moves the clock to the job's end (at most N seconds on). Over loopback, where the
        client's sleeps are real, the CLI's ``create --wait`` then returns at once; in-process,
        a wait costs one poll however long the job."""
        if scope["method"] != "GET":
            return
        if self.virtual_time.requests_in_flight != 1 or self.virtual_time.sleeping:
            return
        parts = scope["path"].strip("/").split("/")
        if len(parts) != 3 or parts[0] != "v3" or parts[2] != "jobs":
            return
        prefer = dict(scope["headers"]).get(b"prefer", b"").decode("latin-1")
        patience = _prefer_wait(prefer)
        (job_id,) = parse_qs(scope["query_string"].decode("latin-1")).get("id", [None])
        if patience is None or job_id is None:
            return
        end = self.app.store.job_end(parts[1], job_id)
        now = self.clock()
        if end is not None and end > now:
            self.control.advance(min(end, now + patience) - now)

    def add_project(self, project_id: str | None = None) -> str:
        """A new project, with no instance; returns its ID (made up unless given)."""
        result: str = self._on_loop(lambda: self.control.add_project(project_id))
        return result

    def add_instance(
        self,
        instance_id: str | None = None,
        *,
        project_id: str | None = None,
        name: str | None = None,
        datastore_version: str = "3.11",
        status: str = "normal",
        auto_backup: bool | None = None,
    ) -> Instance:
        """A new instance (in the default project unless ``project_id``; a new project is made);
        its ID is made up, shaped like the service's, unless given."""
        result: Instance = self._on_loop(
            lambda: self.control.add_instance(
                instance_id,
                project_id=project_id,
                name=name,
                datastore_version=datastore_version,
                status=status,
                auto_backup=auto_backup,
            )
        )
        return result

    def set_backup_policy(
        self,
        policy: Mapping[str, Any] | BackupPolicy | str,
        instance_id: str | None = None,
        *,
        project_id: str | None = None,
    ) -> dict[str, Any]:
        """Set an instance's (default: the first's) automated backup policy directly, as
        setBackupPolicy would: ``{"keep_days": 7, "start_time": "01:00-02:00", "period": "1,2"}``,
        a :class:`~geminidb_backup.BackupPolicy`, or ``"7/01:00-02:00/mon-fri"``. Returns it as
        showBackupPolicy shows it."""
        body = _policy_body(policy) or {"keep_days": 0}
        result: dict[str, Any] = self._on_loop(
            lambda: self.control.set_policy(instance_id or self.instance_id, body, project_id)
        )
        return result

    def backup_policies(self, project_id: str | None = None) -> dict[str, dict[str, Any]]:
        """Each instance's policy (of the default project unless ``project_id``), by ID."""
        project = self.project_id if project_id is None else project_id
        result: dict[str, dict[str, Any]] = self._on_loop(lambda: self.control.policies(project))
        return result

    def instances(self, project_id: str | None = None) -> list[Instance]:
        """The instances (of ``project_id`` when given), with their status and failure reason."""
        result: list[Instance] = self._on_loop(lambda: self.app.store.instances(project_id))
        return result

    def backups(
        self, instance_id: str | None = None, *, project_id: str | None = None
    ) -> list[Backup]:
        """The backups of the default project (or ``project_id``) that are not deleted, newest
        first, as the API shows them, read without a request."""
        project = self.project_id if project_id is None else project_id
        rows = self._on_loop(lambda: self.app.store.all_backups(project, instance_id))
        return [
            Backup.from_dict({k: v for k, v in row.items() if k != "project_id"}) for row in rows
        ]

    def jobs(self, instance_id: str | None = None, *, project_id: str | None = None) -> list[Job]:
        """The jobs of the default project (or ``project_id``), newest first, as listJobs shows
        them, read without a request."""
        project = self.project_id if project_id is None else project_id
        rows = self._on_loop(lambda: self.app.store.all_jobs(project, instance_id))
        return [Job.from_dict({k: v for k, v in row.items() if k != "project_id"}) for row in rows]

    def fail_next_backup(
        self, reason: str, *, instance_id: str | None = None, project_id: str | None = None
    ) -> None:
        """The next backup accepted (of ``instance_id`` when given) ends ``FAILED``, its job
        ``Failed`` with ``fail_reason`` = ``reason``. Calls add up: two calls, two failures."""
        self._on_loop(
            lambda: self.control.fail_next_backup(
                reason, instance_id=instance_id, project_id=project_id
            )
        )

    def fail_next_restore(
        self, reason: str, *, instance_id: str | None = None, project_id: str | None = None
    ) -> None:
        """The next restore to a new instance accepted (from ``instance_id`` or its backups when
        given) fails: the new instance ends ``createfail``, its job ``Failed`` with ``reason``."""
        self._on_loop(
            lambda: self.control.fail_next_restore(
                reason, instance_id=instance_id, project_id=project_id
            )
        )

    def fail_every_backup(
        self, instance_id: str, reason: str | None, *, project_id: str | None = None
    ) -> None:
        """Every backup of the instance fails with ``reason`` from now on; None stops it."""
        self._on_loop(
            lambda: self.control.fail_every_backup(instance_id, reason, project_id=project_id)
        )

    def clear_failures(self) -> None:
        """No backup is made to fail any more."""
        self._on_loop(self.control.clear_failures)

    def set_instance_status(
        self,
        instance_id: str,
        status: str,
        *,
        seconds: float | None = None,
        project_id: str | None = None,
    ) -> Instance:
        """``busy`` or ``abnormal`` (backups and deletions refused with 403 ``DBS.200019``),
        ``frozen`` (403 ``DBS.201000``) or ``normal``; for ``seconds`` of the emulator's clock,
        or until changed."""
        result: Instance = self._on_loop(
            lambda: self.control.set_instance_status(
                instance_id, status, seconds=seconds, project_id=project_id
            )
        )
        return result

    def make_busy(
        self, instance_id: str | None = None, *, seconds: float | None = None
    ) -> Instance:
        """Another operation runs on the instance (default: the first) for ``seconds``, or until
        :meth:`set_instance_status` makes it ``normal``."""
        return self.set_instance_status(instance_id or self.instance_id, "busy", seconds=seconds)

    def arm_fault(self, fault: str, count: int = 1, *, operation: str | None = None) -> None:
        """The next ``count`` calls (of ``operation``, an operationId such as ``createBackup``,
        when given) meet ``fault``: ``"500"``, ``"503"``, ``"429"``, ``"drop"`` or
        ``"drop-after-commit"``."""
        self._on_loop(lambda: self.control.arm_fault(fault, count, operation))

    def disarm_faults(self) -> None:
        self._on_loop(self.control.disarm_faults)

    def reset(self) -> None:
        """Back to the start: only the configured instances, no backup of yours, no failure, no
        armed fault (the clock keeps its time)."""
        self._on_loop(self.control.reset)

    # Snapshots.

    def register_snapshot_part(
        self, name: str, take: Callable[[], Any], bring_back: Callable[[Any], None]
    ) -> None:
        """Add a part to the emulator's snapshots: ``take()`` returns it (a value that later
        changes must not alter: a copy), ``bring_back(value)`` puts it back. Both run between
        requests. Parts are taken and brought back in the order registered."""
        if name in self._snapshot_parts:
            raise ValueError(f"the snapshot already has a part named {name!r}")
        self._snapshot_parts[name] = (take, bring_back)

    def snapshot(self) -> Snapshot:
        """The whole state: every backup, job, instance and project, queued failures, armed
        faults, the clock and the IDs' generator (and any part registered). In memory; give it
        to :meth:`restore_snapshot`, of this emulator, as often as needed."""
        parts = self._on_loop(lambda: {n: take() for n, (take, _) in self._snapshot_parts.items()})
        return Snapshot(MappingProxyType(parts))

    def restore_snapshot(self, snapshot: Snapshot) -> None:
        """Back to the state of ``snapshot`` (the clock too: the one way it goes back)."""

        def bring_back() -> None:
            for name, (_, restore) in self._snapshot_parts.items():
                if name in snapshot.parts:
                    restore(snapshot.parts[name])

        self._on_loop(bring_back)

    def _faults_state(self) -> list[tuple[Any, int, str | None]]:
        return [(a.fault, a.remaining, a.operation) for a in self.app.faults.armed]

    def _restore_faults(self, armed: list[tuple[Any, int, str | None]]) -> None:
        self.app.faults.disarm()
        for fault, remaining, operation in armed:
            self.app.faults.arm(fault, remaining, operation)

    def state(self) -> dict[str, Any]:
        """Everything at once, as JSON-ready data (what the HTTP control API's ``/state`` shows)."""
        result: dict[str, Any] = self._on_loop(self.control.state)
        return result


def _prefer_wait(prefer: str) -> float | None:
    """The seconds of a ``Prefer: wait=N`` header (RFC 7240), None without one."""
    for preference in prefer.split(","):
        name, _, value = preference.strip().partition("=")
        if name.strip().lower() == "wait":
            try:
                return max(0.0, float(value.strip()))
            except ValueError:
                return None
    return None
