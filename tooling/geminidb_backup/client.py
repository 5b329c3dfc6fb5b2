"""The facade: :class:`BackupClient` and :class:`AsyncBackupClient`.

Every call is validated against the spec before it is sent, answers come back as the generated
client's models, and failures as the exceptions of :mod:`geminidb_backup.errors`. The two classes
do the same things; what they share without I/O lives in :mod:`geminidb_backup._calls`.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, Self, TypeVar

import httpx

from geminidb_backup_client import Client
from geminidb_backup_client.api.backups import create_backup, delete_backup, list_backups
from geminidb_backup_client.api.jobs import list_jobs
from geminidb_backup_client.models import (
    Backup,
    CreateBackupRequest,
    CreateBackupResponse,
    DeleteBackupResponse,
    Job,
    ListJobsResponse,
)

from . import _calls
from ._calls import Call, Pace, RetryPolicy
from .errors import (
    APIError,
    ConfigurationError,
    GeminiDBError,
    JobFailed,
    NotFound,
    TransportError,
    ValidationError,
    WaitTimeout,
)
from .throttle import AdaptiveRate, ThrottledTransport

__all__ = [
    "AsyncBackupClient",
    "BackupClient",
    "CreatedBackup",
    "Paged",
    "ProgressCallback",
    "PrunePlan",
    "PruneResult",
    "PrunedBackup",
]

ProgressCallback = Callable[[Job], None]
USER_AGENT = "geminidb-backup"
# listJobs' largest page; listBackups' is read from the spec's default.
_JOB_PAGE = 50


T = TypeVar("T")


async def _sleep(seconds: float) -> None:
    # asyncio is imported by the async client only: the CLI and sync users do not pay for it.
    import asyncio

    await asyncio.sleep(seconds)


class Paged(Iterator[T], Generic[T]):
    """The items of every page of a list call, fetched as they are iterated. ``total_count`` is
    the API's count of all matching items (the ``total_count`` of the first page), None until a
    page has been read."""

    def __init__(self, pages: Iterator[Any], items: Callable[[Any], list[T]]) -> None:
        self.total_count: int | None = None
        self._items = self._walk(pages, items)

    def _walk(self, pages: Iterator[Any], items: Callable[[Any], list[T]]) -> Iterator[T]:
        for page in pages:
            if self.total_count is None:
                self.total_count = page.total_count
            yield from items(page)

    def __next__(self) -> T:
        return next(self._items)


@dataclass(frozen=True)
class CreatedBackup:
    """A backup whose creation was accepted. ``recovered`` is true when the create call failed
    ambiguously and the backup was found by its name instead; ``job_id`` is then the job that
    most likely made it, or None when none could be matched."""

    backup_id: str
    job_id: str | None
    recovered: bool = False


@dataclass(frozen=True)
class PrunePlan:
    """What :meth:`BackupClient.prune` will delete on ``instance_id``: ``to_delete`` (oldest
    first) and ``kept`` (newest first). Executing a plan deletes exactly these backups, never one
    made after it was drawn up."""

    instance_id: str
    to_delete: list[Backup]
    kept: list[Backup]


@dataclass(frozen=True)
class PrunedBackup:
    """A backup deleted by a prune, with its deletion job; ``job_id`` is None in a dry run, and
    when the backup was found gone already (deleted meanwhile, or by an attempt whose answer
    was lost)."""

    backup: Backup
    job_id: str | None


@dataclass(frozen=True)
class PruneResult:
    """The outcome of a prune: ``deleted`` (what would be deleted when ``dry_run``), ``kept``."""

    deleted: list[PrunedBackup]
    kept: list[Backup]
    dry_run: bool


class _Base:
    def __init__(
        self,
        endpoint: str,
        project_id: str,
        auth: httpx.Auth | None = None,
        *,
        verify: bool = True,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        transport: Any = None,
        throttle: AdaptiveRate | None = None,
    ) -> None:
        if "://" not in endpoint:
            endpoint = f"https://{endpoint}"
        if endpoint.split("://", 1)[0].lower() not in ("http", "https"):
            raise ConfigurationError(f"the endpoint {endpoint!r} is not an http:// or https:// URL")
        self.endpoint, self.project_id = endpoint.rstrip("/"), project_id
        self.retry = retry or RetryPolicy()
        self.throttle = throttle
        if throttle is not None:
            self.retry = dataclasses.replace(self.retry, statuses=self.retry.statuses - {429})
        self._auth = auth
        # What a twin of this client (another loop, a throttle) is made with.
        self._verify, self._timeout, self._transport = verify, timeout, transport
        self._generated = Client(base_url=self.endpoint, raise_on_unexpected_status=False)
        self._httpx_options: dict[str, Any] = {
            "base_url": self.endpoint,
            "auth": auth,
            "verify": verify,
            "timeout": timeout,
            "headers": {"User-Agent": USER_AGENT},
        }
        if transport is not None:
            self._httpx_options["transport"] = transport

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(endpoint={self.endpoint!r}, project_id={self.project_id!r}, "
            f"auth={self._auth!r})"
        )

    # Building calls: validation happens here, before anything is sent.

    def _project(self) -> dict[str, str]:
        return {"project_id": self.project_id}

    def _create_call(self, instance_id: str, name: str, description: str) -> Call:
        body = CreateBackupRequest(name=name, description=description)
        path = {**self._project(), "instance_id": instance_id}
        return _calls.build("createBackup", create_backup, path, body=body, idempotent=False)

    def _delete_call(self, backup_id: str) -> Call:
        path = {**self._project(), "backup_id": backup_id}
        return _calls.build("deleteBackup", delete_backup, path, idempotent=False)

    def _backups_call(self, **query: Any) -> Call:
        # The one rule not in a schema: the spec's description of listBackups says begin_time and
        # end_time go together (DBS.280416 otherwise), and a parameter schema cannot say it.
        if (query.get("begin_time") is None) != (query.get("end_time") is None):
            given = "begin_time" if query.get("begin_time") is not None else "end_time"
            other = "end_time" if given == "begin_time" else "begin_time"
            raise ValidationError(other, None, f"is required when {given} is given")
        return _calls.build("listBackups", list_backups, self._project(), query, idempotent=True)

    def _jobs_call(self, **query: Any) -> Call:
        return _calls.build("listJobs", list_jobs, self._project(), query, idempotent=True)

    @staticmethod
    def _plan(
        backups: list[Backup],
        instance_id: str,
        keep: int | None,
        older_than: timedelta | None,
        prefix: str | None,
        now: datetime | None,
    ) -> PrunePlan:
        to_delete, kept = _calls.select_for_pruning(
            backups, instance_id, keep=keep, older_than=older_than, prefix=prefix,
            now=now or datetime.now(UTC),
        )  # fmt: skip
        return PrunePlan(instance_id, to_delete, kept)

    @staticmethod
    def _busy_or_gone(exc: GeminiDBError) -> bool:
        """Whether a failed deletion of a prune is worth asking again once the instance is idle:
        the instance was busy (DBS.200019), or the answer was lost (asking again is then safe:
        the API answers busy while the first deletion runs, and "no such backup" after it)."""
        if isinstance(exc, APIError):
            return exc.error_code == _calls.BUSY
        return isinstance(exc, TransportError) and exc.sent


class BackupClient(_Base):
    """A synchronous client of the GeminiDB backup API for one project.

    ``endpoint`` is the regional host (``gaussdb-nosql.eu-de.otc.t-systems.com``) or a base URL;
    ``auth`` one of :mod:`geminidb_backup.auth`'s classes. Use it as a context manager, or call
    :meth:`close`.
    """

    def __init__(self, endpoint: str, project_id: str, auth: httpx.Auth | None = None, **kw: Any):
        super().__init__(endpoint, project_id, auth, **kw)
        self._http = httpx.Client(**self._httpx_options)

    @classmethod
    def from_env(cls, **overrides: Any) -> BackupClient:
        """A client configured from flags-like ``overrides``, ``GEMINIDB_*``/``OS_*`` variables
        and ``clouds.yaml``; see :func:`geminidb_backup.config.resolve`."""
        from .config import resolve

        settings = resolve(**overrides)
        settings.check()  # every missing setting at once, worded for Python
        auth = settings.auth()
        return cls(settings.base_url(), settings.require_project_id(auth), auth,
                   verify=settings.verify, timeout=settings.timeout)  # fmt: skip

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def async_twin(self, *, throttle: AdaptiveRate | None = None) -> AsyncBackupClient:
        """An :class:`AsyncBackupClient` of the same endpoint, project, credentials and settings
        (``throttle`` aside), for the library's async-inside calls (fleets). A custom transport
        must offer ``async_twin()`` (the emulator's do)."""
        transport = self._transport
        if transport is not None:
            twin = getattr(transport, "async_twin", None)
            if twin is None:
                raise ConfigurationError(
                    f"the transport {type(transport).__name__} has no async_twin(): make an "
                    "AsyncBackupClient with an async transport instead"
                )
            transport = twin()
        return AsyncBackupClient(self.endpoint, self.project_id, self._auth, verify=self._verify,
                                 timeout=self._timeout, retry=self.retry, transport=transport,
                                 throttle=throttle)  # fmt: skip

    def _send(self, call: Call) -> Any:
        try:
            response = self._http.request(**call.request_kwargs())
        except httpx.TransportError as exc:
            raise _calls.transport_error(exc) from exc
        return _calls.parse(call, response, self._generated)

    def _execute(self, call: Call) -> Any:
        for attempt in itertools.count(1):
            try:
                return self._send(call)
            except GeminiDBError as exc:
                if not self.retry.should_try_again(call, exc, attempt):
                    if attempt > 1:
                        self.retry.log_give_up(call, exc)
                    raise
                seconds = self.retry.delay(attempt, exc)
                self.retry.log_retry(attempt, exc, seconds)
                time.sleep(seconds)
        raise AssertionError("unreachable")  # pragma: no cover

    def _pages(self, page_call: Callable[[int], Call]) -> Iterator[Any]:
        """Every page of a list call, ``page_call(offset)`` building the call of each."""
        offset = 0
        while True:
            page = self._execute(page_call(offset))
            yield page
            offset += _calls.page_length(page)
            if _calls.is_last_page(page, offset):
                return

    # Operations.

    def create_backup(self, instance_id: str, name: str, description: str = "") -> CreatedBackup:
        """Start a manual backup. After an ambiguous failure (the request may have arrived) the
        backup is looked up by name before trying again, so one call never makes two backups."""
        call = self._create_call(instance_id, name, description)
        for attempt in range(1, self.retry.attempts + 1):
            try:
                accepted: CreateBackupResponse = self._execute(call)
                return CreatedBackup(accepted.backup_id, accepted.job_id)
            except (TransportError, APIError) as exc:
                if not _calls.create_may_have_happened(exc, attempt):
                    raise
                _calls.log.info("create of %r may have happened (%s): looking it up", name, exc)
                found = self._recover(instance_id, name)
                if found is not None:
                    return found
                if attempt == self.retry.attempts or _calls.is_duplicate(exc):
                    raise
        raise AssertionError("unreachable")  # the last attempt returns or raises

    def _recover(self, instance_id: str, name: str) -> CreatedBackup | None:
        for backup in self.iter_backups(instance_id=instance_id, backup_type="Manual"):
            if backup.name == name:
                jobs = list(self._job_page(name="BackupInstance"))
                job = _calls.job_of_backup(jobs, instance_id, backup)
                return CreatedBackup(backup.id, job.id if job else None, recovered=True)
        return None

    def iter_backups(self, *, page_size: int | None = None, **filters: Any) -> Paged[Backup]:
        """Every backup that matches ``filters`` (listBackups' query parameters: instance_id,
        datastore_type, backup_id, backup_type, type, begin_time, end_time), page after page;
        the iterator's ``total_count`` is the API's count of them all."""
        # Validated now, not at the first next(): a mistake shows where the call is written.
        first = self._backups_call(**filters, offset=0, limit=page_size)
        pages = self._pages(
            lambda offset: (
                first
                if offset == 0
                else self._backups_call(**filters, offset=offset, limit=page_size)
            )
        )
        return Paged(pages, lambda page: page.backups)

    def list_backups(self, **filters: Any) -> list[Backup]:
        """All backups that match ``filters``; see :meth:`iter_backups`."""
        return list(self.iter_backups(**filters))

    def get_backup(self, backup_id: str) -> Backup:
        for backup in self.iter_backups(backup_id=backup_id):
            if backup.id == backup_id:
                return backup
        raise NotFound(f"no backup of project {self.project_id} has the ID {backup_id!r}")

    def delete_backup(self, backup_id: str) -> str:
        """Start deleting a manual backup; returns the deletion job's ID."""
        accepted: DeleteBackupResponse = self._execute(self._delete_call(backup_id))
        return accepted.job_id

    def _job_page(self, **filters: Any) -> list[Job]:
        page: ListJobsResponse = self._execute(self._jobs_call(**filters, limit=_JOB_PAGE))
        return page.jobs

    def iter_jobs(self, **filters: Any) -> Paged[Job]:
        """Every job that matches ``filters`` (listJobs' query: status, name, start_time,
        end_time), newest first, page after page; ``total_count`` as for :meth:`iter_backups`."""
        first = self._jobs_call(**filters, offset=0, limit=_JOB_PAGE)
        pages = self._pages(
            lambda offset: (
                first if offset == 0 else self._jobs_call(**filters, offset=offset, limit=_JOB_PAGE)
            )
        )
        return Paged(pages, lambda page: page.jobs)

    def get_job(self, job_id: str) -> Job:
        for job in self._job_page(id=job_id):
            if job.id == job_id:
                return job
        raise NotFound(f"no job of project {self.project_id} has the ID {job_id!r}")

    def wait(
        self,
        job_id: str,
        *,
        timeout: float = 1800.0,
        interval: float = 2.0,
        max_interval: float = 15.0,
        backoff: float = 1.5,
        on_progress: ProgressCallback | None = None,
    ) -> Job:
        """Poll a job until it is Completed (returned) or Failed (:class:`JobFailed`), for at
        most ``timeout`` seconds (:class:`WaitTimeout`). ``on_progress`` sees every poll."""
        pace, deadline, job = (
            Pace(interval, max_interval, backoff),
            time.monotonic() + timeout,
            None,
        )
        while True:
            job = self.get_job(job_id)
            if on_progress is not None:
                on_progress(job)
            if job.status == "Completed":
                return job
            if job.status == "Failed":
                raise JobFailed(job)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WaitTimeout(job_id, timeout, job)
            time.sleep(pace.next_delay(remaining))

    # Retention.

    def plan_prune(
        self,
        instance_id: str,
        *,
        keep: int | None = None,
        older_than: timedelta | None = None,
        prefix: str | None = None,
        now: datetime | None = None,
    ) -> PrunePlan:
        """Which manual backups of ``instance_id`` a prune deletes: of the COMPLETED manual
        backups whose name starts with ``prefix``, all but the ``keep`` newest that began more
        than ``older_than`` ago (both conditions when both are given). Sends only listBackups."""
        backups = list(self.iter_backups(instance_id=instance_id, backup_type="Manual"))
        return self._plan(backups, instance_id, keep, older_than, prefix, now)

    def prune(
        self,
        instance_id: str,
        *,
        keep: int | None = None,
        older_than: timedelta | None = None,
        prefix: str | None = None,
        dry_run: bool = False,
        timeout: float = 1800.0,
        interval: float = 2.0,
        on_deleted: Callable[[PrunedBackup], None] | None = None,
    ) -> PruneResult:
        """Delete old manual backups of an instance (see :meth:`plan_prune`), one after the
        other, each deletion waited for (the instance is busy while one runs); nothing is sent
        but listBackups when ``dry_run``. See :meth:`execute_prune`."""
        plan = self.plan_prune(instance_id, keep=keep, older_than=older_than, prefix=prefix)
        if dry_run:
            return PruneResult([PrunedBackup(b, None) for b in plan.to_delete], plan.kept, True)
        return self.execute_prune(plan, timeout=timeout, interval=interval, on_deleted=on_deleted)

    def execute_prune(
        self,
        plan: PrunePlan,
        *,
        timeout: float = 1800.0,
        interval: float = 2.0,
        on_deleted: Callable[[PrunedBackup], None] | None = None,
    ) -> PruneResult:
        """Delete the backups of ``plan``, oldest first, within ``timeout`` seconds in all.

        While the instance is busy (a backup being made, another deletion), the running job is
        waited for and the deletion asked again; a lost answer is asked again the same way; a
        backup already gone is counted as deleted (``job_id`` None). ``on_deleted`` sees each
        deletion once its job has completed. Raises as :meth:`wait` does (:class:`JobFailed`,
        :class:`WaitTimeout`), or the API's refusal."""
        deadline, deleted = time.monotonic() + timeout, []
        for backup in plan.to_delete:
            job_id = self._delete_when_idle(plan.instance_id, backup.id, deadline, interval)
            if job_id is not None:
                self.wait(job_id, timeout=max(0.0, deadline - time.monotonic()), interval=interval)
            deleted.append(PrunedBackup(backup, job_id))
            if on_deleted is not None:
                on_deleted(deleted[-1])
        return PruneResult(deleted, plan.kept, dry_run=False)

    def _delete_when_idle(
        self, instance_id: str, backup_id: str, deadline: float, interval: float
    ) -> str | None:
        pace = Pace(interval, 15.0, 1.5)
        while True:
            try:
                return self.delete_backup(backup_id)
            except (APIError, TransportError) as exc:
                if isinstance(exc, APIError) and exc.error_code == _calls.NO_SUCH_BACKUP:
                    return None
                remaining = deadline - time.monotonic()
                if not self._busy_or_gone(exc) or remaining <= 0:
                    raise
                _calls.log.info("deleting %s: %s; waiting for the instance", backup_id, exc)
            running = [j for j in self.iter_jobs(status="Running") if j.instance.id == instance_id]
            try:
                if running:
                    self.wait(running[0].id, timeout=remaining, interval=interval)
                else:
                    time.sleep(pace.next_delay(remaining))
            except JobFailed:
                pass  # another job's failure: the instance is idle again all the same


class AsyncBackupClient(_Base):
    """The asyncio twin of :class:`BackupClient`: the same methods, awaited."""

    def __init__(self, endpoint: str, project_id: str, auth: httpx.Auth | None = None, **kw: Any):
        super().__init__(endpoint, project_id, auth, **kw)
        if self.throttle is not None:
            inner = self._transport or httpx.AsyncHTTPTransport(verify=self._verify)
            self._httpx_options["transport"] = ThrottledTransport(
                inner, self.throttle, owns_inner=self._transport is None
            )
        self._http = httpx.AsyncClient(**self._httpx_options)

    def with_throttle(self, throttle: AdaptiveRate) -> AsyncBackupClient:
        """A client like this one whose requests are paced by ``throttle`` (and sent again
        after a 429 until it gives up on them). Close it when done; this one stays open."""
        return AsyncBackupClient(self.endpoint, self.project_id, self._auth, verify=self._verify,
                                 timeout=self._timeout, retry=self.retry,
                                 transport=self._transport, throttle=throttle)  # fmt: skip

    @classmethod
    def from_env(cls, **overrides: Any) -> AsyncBackupClient:
        from .config import resolve

        settings = resolve(**overrides)
        settings.check()  # every missing setting at once, worded for Python
        auth = settings.auth()
        return cls(settings.base_url(), settings.require_project_id(auth), auth,
                   verify=settings.verify, timeout=settings.timeout)  # fmt: skip

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _send(self, call: Call) -> Any:
        try:
            response = await self._http.request(**call.request_kwargs())
        except httpx.TransportError as exc:
            raise _calls.transport_error(exc) from exc
        return _calls.parse(call, response, self._generated)

    async def _execute(self, call: Call) -> Any:
        for attempt in itertools.count(1):
            try:
                return await self._send(call)
            except GeminiDBError as exc:
                if not self.retry.should_try_again(call, exc, attempt):
                    if attempt > 1:
                        self.retry.log_give_up(call, exc)
                    raise
                seconds = self.retry.delay(attempt, exc)
                self.retry.log_retry(attempt, exc, seconds)
                await _sleep(seconds)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _pages(self, page_call: Callable[[int], Call]) -> AsyncIterator[Any]:
        offset = 0
        while True:
            page = await self._execute(page_call(offset))
            yield page
            offset += _calls.page_length(page)
            if _calls.is_last_page(page, offset):
                return

    async def create_backup(
        self, instance_id: str, name: str, description: str = ""
    ) -> CreatedBackup:
        call = self._create_call(instance_id, name, description)
        for attempt in range(1, self.retry.attempts + 1):
            try:
                accepted: CreateBackupResponse = await self._execute(call)
                return CreatedBackup(accepted.backup_id, accepted.job_id)
            except (TransportError, APIError) as exc:
                if not _calls.create_may_have_happened(exc, attempt):
                    raise
                _calls.log.info("create of %r may have happened (%s): looking it up", name, exc)
                found = await self._recover(instance_id, name)
                if found is not None:
                    return found
                if attempt == self.retry.attempts or _calls.is_duplicate(exc):
                    raise
        raise AssertionError("unreachable")  # the last attempt returns or raises

    async def _recover(self, instance_id: str, name: str) -> CreatedBackup | None:
        async for backup in self.iter_backups(instance_id=instance_id, backup_type="Manual"):
            if backup.name == name:
                jobs = await self._job_page(name="BackupInstance")
                job = _calls.job_of_backup(jobs, instance_id, backup)
                return CreatedBackup(backup.id, job.id if job else None, recovered=True)
        return None

    async def iter_backups(
        self, *, page_size: int | None = None, **filters: Any
    ) -> AsyncIterator[Backup]:
        pages = self._pages(
            lambda offset: self._backups_call(**filters, offset=offset, limit=page_size)
        )
        async for page in pages:
            for backup in page.backups:
                yield backup

    async def list_backups(self, **filters: Any) -> list[Backup]:
        return [backup async for backup in self.iter_backups(**filters)]

    async def get_backup(self, backup_id: str) -> Backup:
        async for backup in self.iter_backups(backup_id=backup_id):
            if backup.id == backup_id:
                return backup
        raise NotFound(f"no backup of project {self.project_id} has the ID {backup_id!r}")

    async def delete_backup(self, backup_id: str) -> str:
        accepted: DeleteBackupResponse = await self._execute(self._delete_call(backup_id))
        return accepted.job_id

    async def _job_page(self, **filters: Any) -> list[Job]:
        page: ListJobsResponse = await self._execute(self._jobs_call(**filters, limit=_JOB_PAGE))
        return page.jobs

    async def iter_jobs(self, **filters: Any) -> AsyncIterator[Job]:
        async for page in self._pages(
            lambda offset: self._jobs_call(**filters, offset=offset, limit=_JOB_PAGE)
        ):
            for job in page.jobs:
                yield job

    async def get_job(self, job_id: str) -> Job:
        for job in await self._job_page(id=job_id):
            if job.id == job_id:
                return job
        raise NotFound(f"no job of project {self.project_id} has the ID {job_id!r}")

    async def wait(
        self,
        job_id: str,
        *,
        timeout: float = 1800.0,
        interval: float = 2.0,
        max_interval: float = 15.0,
        backoff: float = 1.5,
        on_progress: Callable[[Job], None | Awaitable[None]] | None = None,
    ) -> Job:
        pace, deadline = Pace(interval, max_interval, backoff), time.monotonic() + timeout
        while True:
            job = await self.get_job(job_id)
            if on_progress is not None:
                result = on_progress(job)
                if result is not None:
                    await result
            if job.status == "Completed":
                return job
            if job.status == "Failed":
                raise JobFailed(job)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WaitTimeout(job_id, timeout, job)
            await _sleep(pace.next_delay(remaining))

    # Retention.

    async def plan_prune(
        self,
        instance_id: str,
        *,
        keep: int | None = None,
        older_than: timedelta | None = None,
        prefix: str | None = None,
        now: datetime | None = None,
    ) -> PrunePlan:
        """See :meth:`BackupClient.plan_prune`."""
        backups = [
            b async for b in self.iter_backups(instance_id=instance_id, backup_type="Manual")
        ]
        return self._plan(backups, instance_id, keep, older_than, prefix, now)

    async def prune(
        self,
        instance_id: str,
        *,
        keep: int | None = None,
        older_than: timedelta | None = None,
        prefix: str | None = None,
        dry_run: bool = False,
        timeout: float = 1800.0,
        interval: float = 2.0,
        on_deleted: Callable[[PrunedBackup], None] | None = None,
    ) -> PruneResult:
        """See :meth:`BackupClient.prune`."""
        plan = await self.plan_prune(instance_id, keep=keep, older_than=older_than, prefix=prefix)
        if dry_run:
            return PruneResult([PrunedBackup(b, None) for b in plan.to_delete], plan.kept, True)
        return await self.execute_prune(
            plan, timeout=timeout, interval=interval, on_deleted=on_deleted
        )

    async def execute_prune(
        self,
        plan: PrunePlan,
        *,
        timeout: float = 1800.0,
        interval: float = 2.0,
        on_deleted: Callable[[PrunedBackup], None] | None = None,
    ) -> PruneResult:
        """See :meth:`BackupClient.execute_prune`."""
        deadline, deleted = time.monotonic() + timeout, []
        for backup in plan.to_delete:
            job_id = await self._delete_when_idle(plan.instance_id, backup.id, deadline, interval)
            if job_id is not None:
                await self.wait(
                    job_id, timeout=max(0.0, deadline - time.monotonic()), interval=interval
                )
            deleted.append(PrunedBackup(backup, job_id))
            if on_deleted is not None:
                on_deleted(deleted[-1])
        return PruneResult(deleted, plan.kept, dry_run=False)

    async def _delete_when_idle(
        self, instance_id: str, backup_id: str, deadline: float, interval: float
    ) -> str | None:
        pace = Pace(interval, 15.0, 1.5)
        while True:
            try:
                return await self.delete_backup(backup_id)
            except (APIError, TransportError) as exc:
                if isinstance(exc, APIError) and exc.error_code == _calls.NO_SUCH_BACKUP:
                    return None
                remaining = deadline - time.monotonic()
                if not self._busy_or_gone(exc) or remaining <= 0:
                    raise
                _calls.log.info("deleting %s: %s; waiting for the instance", backup_id, exc)
            running = [
                j async for j in self.iter_jobs(status="Running") if j.instance.id == instance_id
            ]
            try:
                if running:
                    await self.wait(running[0].id, timeout=remaining, interval=interval)
                else:
                    await _sleep(pace.next_delay(remaining))
            except JobFailed:
                pass  # another job's failure: the instance is idle again all the same
