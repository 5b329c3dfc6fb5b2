"""The facade: :class:`BackupClient` and :class:`AsyncBackupClient`.

Every call is validated against the spec before it is sent, answers come back as the generated
client's models, and failures as the exceptions of :mod:`geminidb_backup.errors`.

How a call is written (read this before adding one): its logic is written once, as an
*operation* of :class:`_Operations`: a generator method named ``_the_call`` that does no I/O
but yields what it needs, and each client gets it with one line (:mod:`geminidb_backup._ops`):

    def _get_job(self, job_id: str) -> Op[Job]:
        page: ListJobsResponse = yield from self._execute(self._jobs_call(id=job_id, limit=1))
        ...                                   # no await, no time.sleep: yield Sleep(s) instead
        return job

    class BackupClient(_Operations):        get_job = blocking(_Operations._get_job)
    class AsyncBackupClient(_Operations):   get_job = awaitable(_Operations._get_job)

``yield from self._execute(call)`` sends a request built by ``_calls.build`` (validated against
the spec, retried by the policy) and gives its parsed answer; ``yield from self._other_op(...)``
runs another operation; ``yield Sleep(seconds)`` sleeps on the client's clock (never sleep or
read ``time`` directly: tests and the emulator move that clock); ``yield Notify(callback,
value)`` calls a user's callback (awaited when it returns an awaitable). A list call is a plain
method returning ``Stream(self._pages(...))`` (validated at once, sent as iterated), turned into
methods by ``iterating`` and ``iterating_async``. Parameters are typed keyword arguments (the
spec's enums as the generated ``Literal`` types): mypy --strict rejects a typo, and at run time an
unknown keyword names the valid ones. Pure logic (no effect at all) goes to
:mod:`geminidb_backup._calls`; waiting and time to :mod:`geminidb_backup.timing`.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Self, TypedDict, Unpack

import httpx

from geminidb_backup_client import Client
from geminidb_backup_client.api.backups import (
    batch_delete_backups,
    create_backup,
    delete_backup,
    list_backups,
    stop_backup,
)
from geminidb_backup_client.api.instances import (
    create_instance,
    delete_instance,
    list_instances,
    list_restorable_time_periods,
)
from geminidb_backup_client.api.jobs import list_jobs
from geminidb_backup_client.api.policy import set_backup_policy, show_backup_policy
from geminidb_backup_client.models import (
    Backup,
    BatchDeleteBackupsRequest,
    CreateBackupRequest,
    CreateBackupResponse,
    CreateInstanceRequest,
    CreateInstanceResponse,
    DeleteBackupResponse,
    DeleteInstanceResponse,
    Instance,
    Job,
    ListJobsResponse,
    ListRestorableTimePeriodsResponse,
    SetBackupPolicyRequest,
    ShowBackupPolicyResponse,
    StopBackupRequest,
    StopBackupResponse,
)
from geminidb_backup_client.models.backup_level import BackupLevel
from geminidb_backup_client.models.backup_type import BackupType
from geminidb_backup_client.models.datastore_type import DatastoreType
from geminidb_backup_client.models.instance_mode import InstanceMode
from geminidb_backup_client.models.job_status import JobStatus

from . import _calls
from ._calls import Call, RetryPolicy
from ._ops import (
    AsyncPaged,
    Effect,
    Notify,
    Op,
    Page,
    Paged,
    Send,
    Sleep,
    Stream,
    awaitable,
    blocking,
    iterating,
    iterating_async,
    run,
    run_async,
)
from ._tls import verify_for
from .auth import urls_of
from .errors import (
    APIError,
    ConfigurationError,
    GeminiDBError,
    JobFailed,
    JobsWaitTimeout,
    NotFound,
    TransportError,
    ValidationError,
    WaitTimeout,
)
from .policy import BackupPolicy, parse_weekdays, parse_window
from .restoring import (
    DrillResult,
    Secret,
    check_restored,
    drill_name,
    epoch_ms,
    generate_password,
    is_drill_name,
    restore_body,
)
from .throttle import AdaptiveRate, ThrottledTransport
from .timing import Clock, PollSchedule, ServerClock, as_clock
from .validation import expand_name, validate_call

__all__ = [
    "AsyncBackupClient",
    "AsyncPaged",
    "BackupClient",
    "BackupFilters",
    "CreatedBackup",
    "DrillResult",
    "InstanceFilters",
    "JobFilters",
    "Paged",
    "Period",
    "ProgressCallback",
    "PrunePlan",
    "PruneResult",
    "PrunedBackup",
    "Restore",
    "Secret",
]

ProgressCallback = Callable[[Job], None | Awaitable[None]]
USER_AGENT = "geminidb-backup"
# listJobs' largest page; listBackups' is read from the spec's default.
_JOB_PAGE = 50
# Creating, restoring or deleting an instance takes minutes to hours: their polls start at one
# every 30 seconds and grow (PollSchedule: a tenth of the time run so far) to one a minute.
_INSTANCE_POLL_FIRST = 30.0
_INSTANCE_POLL_MAX = 60.0


class BackupFilters(TypedDict, total=False):
    """listBackups' filters (its query parameters but the paging ones)."""

    instance_id: str | None
    datastore_type: DatastoreType | None
    backup_id: str | None
    backup_type: BackupType | None
    type: BackupLevel | None
    begin_time: str | None
    end_time: str | None


class JobFilters(TypedDict, total=False):
    """listJobs' filters (its query parameters but the paging ones)."""

    id: str | None
    status: JobStatus | None
    name: str | None
    start_time: str | None
    end_time: str | None


class InstanceFilters(TypedDict, total=False):
    """listInstances' filters (its query parameters but the paging ones); ``id`` and ``name``
    starting with ``*`` select the values that contain the rest."""

    id: str | None
    name: str | None
    mode: InstanceMode | None
    datastore_type: DatastoreType | None
    vpc_id: str | None
    subnet_id: str | None


@dataclass(frozen=True)
class Restore:
    """A restore to a new instance, accepted: the new instance and the job that makes it.

    ``password`` is the password of the new instance's ``rwuser`` when the library generated
    it (None when the caller gave one): a :class:`Secret`, shown by nothing but its
    ``reveal()``, and kept nowhere else: this result is the only place it is returned.
    ``ready`` is the instance once ready, when the restore was waited for."""

    instance_id: str
    name: str
    job_id: str
    source_instance_id: str
    backup_id: str | None
    restore_time: datetime | None
    password: Secret | None
    ready: Instance | None = None


@dataclass(frozen=True)
class Period:
    """A window of time an instance can be restored to (both ends included), in UTC."""

    start: datetime
    end: datetime


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


@dataclass
class BatchDeletion:
    """The outcome of :meth:`BackupClient.delete_backups`: the IDs whose deletion started, and
    each refused ID with its error (the API's code and message)."""

    deleted: list[str] = field(default_factory=list)
    refused: dict[str, APIError] = field(default_factory=dict)


@dataclass(frozen=True)
class PruneResult:
    """The outcome of a prune: ``deleted`` (what would be deleted when ``dry_run``), ``kept``."""

    deleted: list[PrunedBackup]
    kept: list[Backup]
    dry_run: bool


class _Operations:
    """What both clients are: their settings, and every call's logic as an operation (see the
    module's docstring). The clients add only how effects are performed."""

    def __init__(
        self,
        endpoint: str,
        project_id: str,
        auth: httpx.Auth | None = None,
        *,
        verify: bool = True,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        clock: Clock | Callable[[], float] | None = None,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
        throttle: AdaptiveRate | None = None,
    ) -> None:
        if "://" not in endpoint:
            endpoint = f"https://{endpoint}"
        if endpoint.split("://", 1)[0].lower() not in ("http", "https"):
            raise ConfigurationError(f"the endpoint {endpoint!r} is not an http:// or https:// URL")
        self.endpoint, self.project_id = endpoint.rstrip("/"), project_id
        self.retry = retry or RetryPolicy()
        # "Now" for ages, name templates, deadlines; the sleeps of waits and retries.
        self.clock = as_clock(clock)
        # Paces the requests (async client only) and sends a 429 again itself: the retry policy
        # then leaves 429 out.
        self.throttle = throttle
        if throttle is not None:
            self.retry = dataclasses.replace(self.retry, statuses=self.retry.statuses - {429})
        self._auth = auth
        # What a twin of this client (the other kind, or a throttled one) is made with.
        self._verify, self._timeout, self._transport = verify, timeout, transport
        self._generated = Client(base_url=self.endpoint, raise_on_unexpected_status=False)
        self._httpx_options: dict[str, Any] = {
            "base_url": self.endpoint,
            "auth": auth,
            "verify": verify_for(verify, self.endpoint, *urls_of(auth)),
            "timeout": timeout,
            "headers": {"User-Agent": USER_AGENT},
        }
        if transport is not None:
            self._httpx_options["transport"] = transport
        self._connect()

    def _connect(self) -> None:
        raise NotImplementedError  # each client opens its own kind of httpx client

    @classmethod
    def from_env(cls, **overrides: Any) -> Self:
        """A client configured from flags-like ``overrides``, ``GEMINIDB_*``/``OS_*`` variables
        and ``clouds.yaml`` (see :func:`geminidb_backup.config.resolve`); its "now" is the
        server's (the ``Date`` of its answers), not this machine's."""
        from .config import resolve

        settings = resolve(**overrides)
        settings.check()  # every missing setting at once, worded for Python
        auth = settings.auth()
        return cls(settings.base_url(), settings.require_project_id(auth), auth,
                   verify=settings.verify, timeout=settings.timeout,
                   clock=ServerClock())  # fmt: skip

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(endpoint={self.endpoint!r}, project_id={self.project_id!r}, "
            f"auth={self._auth!r})"
        )

    def now(self) -> datetime:
        """The client's "now" (its clock), in UTC."""
        return datetime.fromtimestamp(self.clock(), UTC)

    def _parse(self, call: Call, response: httpx.Response) -> Any:
        self.clock.observe(response.headers.get("Date"))
        return _calls.parse(call, response, self._generated)

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

    def _stop_call(self, backup_id: str) -> Call:
        path = {**self._project(), "backup_id": backup_id}
        body = StopBackupRequest(action="stop")
        return _calls.build("stopBackup", stop_backup, path, body=body, idempotent=False)

    def _batch_delete_call(self, backup_ids: list[str]) -> Call:
        body = BatchDeleteBackupsRequest(backup_ids=list(backup_ids))
        return _calls.build(
            "batchDeleteBackups", batch_delete_backups, self._project(), body=body, idempotent=False
        )

    def _show_policy_call(self, instance_id: str) -> Call:
        path = {**self._project(), "instance_id": instance_id}
        return _calls.build("showBackupPolicy", show_backup_policy, path, idempotent=True)

    def _set_policy_call(self, instance_id: str, policy: BackupPolicy) -> Call:
        path = {**self._project(), "instance_id": instance_id}
        body = SetBackupPolicyRequest.from_dict({"backup_policy": policy.to_api()})
        # Setting the same policy twice is harmless: a retry after a lost answer is safe.
        return _calls.build("setBackupPolicy", set_backup_policy, path, body=body, idempotent=True)

    def _backups_call(self, offset: int, limit: int | None, filters: BackupFilters) -> Call:
        query = {**filters, "offset": offset, "limit": limit}
        return _calls.build("listBackups", list_backups, self._project(), query, idempotent=True)

    def _jobs_call(self, offset: int = 0, limit: int = _JOB_PAGE, **filters: Any) -> Call:
        query = {**filters, "offset": offset, "limit": limit}
        return _calls.build("listJobs", list_jobs, self._project(), query, idempotent=True)

    # The operations every call is made of.

    def _execute(self, call: Call) -> Op[Any]:
        """Send ``call``, tried again as the retry policy says; its parsed answer."""
        for attempt in itertools.count(1):
            try:
                return (yield Send(call))
            except GeminiDBError as exc:
                if not self.retry.should_try_again(call, exc, attempt):
                    if attempt > 1:
                        self.retry.log_give_up(call, exc)
                    raise
                seconds = self.retry.delay(attempt, exc)
                self.retry.log_retry(attempt, exc, seconds)
                yield Sleep(seconds)
        raise AssertionError("unreachable")  # pragma: no cover

    def _pages(self, first: Call, page_call: Callable[[int], Call]) -> Op[None]:
        """Every page of a list call: ``first``, then ``page_call(offset)`` for each next."""
        call, offset = first, 0
        while True:
            page: _calls.ListPage = yield from self._execute(call)
            items = _calls.page_items(page)
            yield Page(items, page.total_count)
            offset += len(items)
            if _calls.is_last_page(page, offset):
                return
            call = page_call(offset)

    def _collect(self, stream: Stream[Any]) -> Op[list[Any]]:
        """Every item of a list operation, as a list (for operations that need them all)."""
        items: list[Any] = []
        reply: Any = None
        error: Exception | None = None
        op = stream.op
        while True:
            try:
                effect = op.throw(error) if error is not None else op.send(reply)
            except StopIteration:
                return items
            reply, error = None, None
            if isinstance(effect, Page):
                items.extend(effect.items)
                continue
            try:
                reply = yield effect
            except Exception as exc:  # noqa: BLE001 - passed on to the list operation
                error = exc

    def _create_backup(
        self, instance_id: str, name: str, description: str = ""
    ) -> Op[CreatedBackup]:
        """Start a manual backup. After an ambiguous failure (the request may have arrived) the
        backup is looked up by name before trying again, so one call never makes two backups."""
        call = self._create_call(instance_id, name, description)
        for attempt in range(1, self.retry.attempts + 1):
            try:
                accepted: CreateBackupResponse = yield from self._execute(call)
                return CreatedBackup(accepted.backup_id, accepted.job_id)
            except (TransportError, APIError) as exc:
                if not _calls.create_may_have_happened(exc, attempt):
                    raise
                _calls.log.info("create of %r may have happened (%s): looking it up", name, exc)
                found = yield from self._recover(instance_id, name)
                if found is not None:
                    return found
                if attempt == self.retry.attempts or _calls.is_duplicate(exc):
                    raise
        raise AssertionError("unreachable")  # the last attempt returns or raises

    def _recover(self, instance_id: str, name: str) -> Op[CreatedBackup | None]:
        backups: list[Backup] = yield from self._collect(
            self._iter_backups(instance_id=instance_id, backup_type="Manual")
        )
        for backup in backups:
            if backup.name == name:
                jobs = yield from self._job_page(name="BackupInstance")
                job = _calls.job_of_backup(jobs, instance_id, backup)
                return CreatedBackup(backup.id, job.id if job else None, recovered=True)
        return None

    def _iter_backups(
        self, *, page_size: int | None = None, **filters: Unpack[BackupFilters]
    ) -> Stream[Backup]:
        """Every backup that matches ``filters`` (listBackups' query parameters: instance_id,
        datastore_type, backup_id, backup_type, type, begin_time, end_time), page after page;
        the iterator's ``total_count`` is the API's count of them all."""
        # Validated now, not at the first next(): a mistake shows where the call is written.
        first = self._backups_call(0, page_size, filters)
        return Stream(
            self._pages(first, lambda offset: self._backups_call(offset, page_size, filters))
        )

    def _list_backups(
        self, *, page_size: int | None = None, **filters: Unpack[BackupFilters]
    ) -> Op[list[Backup]]:
        """All backups that match ``filters``; see :meth:`iter_backups`."""
        backups: list[Backup] = yield from self._collect(
            self._iter_backups(page_size=page_size, **filters)
        )
        return backups

    def _get_backup(self, backup_id: str) -> Op[Backup]:
        backups: list[Backup] = yield from self._collect(self._iter_backups(backup_id=backup_id))
        for backup in backups:
            if backup.id == backup_id:
                return backup
        raise NotFound(f"no backup of project {self.project_id} has the ID {backup_id!r}")

    def _delete_backup(self, backup_id: str) -> Op[str]:
        """Start deleting a manual backup; returns the deletion job's ID."""
        accepted: DeleteBackupResponse = yield from self._execute(self._delete_call(backup_id))
        return accepted.job_id

    def _stop_backup(self, backup_id: str) -> Op[str]:
        """Stop a backup while it is being made; returns the stop job's ID (wait for it with
        :meth:`wait`; the backup then ends ``FAILED``)."""
        accepted: StopBackupResponse = yield from self._execute(self._stop_call(backup_id))
        return accepted.job_id

    def _delete_backups(self, backup_ids: Iterable[str]) -> Op[BatchDeletion]:
        """Delete any number of manual backups, in batches of at most 10 (the API's limit). A
        refused batch deletes nothing (the API checks it whole): its backups are then asked one
        at a time, so that each refusal is reported with its own ID and nothing is skipped."""
        ids = list(dict.fromkeys(backup_ids))  # each once: the API refuses a repeated ID
        size = _calls.BATCH_SIZE
        result = BatchDeletion()
        for batch in (ids[start : start + size] for start in range(0, len(ids), size)):
            try:
                yield from self._execute(self._batch_delete_call(batch))
                result.deleted.extend(batch)
            except APIError:
                for backup_id in batch:
                    try:
                        yield from self._delete_backup(backup_id)
                        result.deleted.append(backup_id)
                    except APIError as exc:
                        result.refused[backup_id] = exc
        return result

    def _get_backup_policy(self, instance_id: str) -> Op[BackupPolicy]:
        """The instance's automated backup policy (``keep_days`` 0: off)."""
        shown: ShowBackupPolicyResponse = yield from self._execute(
            self._show_policy_call(instance_id)
        )
        return BackupPolicy.from_api(shown.backup_policy.to_dict())

    def _set_backup_policy(
        self,
        instance_id: str,
        policy: BackupPolicy | None = None,
        *,
        keep_days: int | None = None,
        window: str | None = None,
        weekdays: str | Iterable[str | int] | None = None,
        disable: bool = False,
    ) -> Op[BackupPolicy]:
        """Set the instance's automated backup policy: a :class:`BackupPolicy`, or ``keep_days``
        with ``window`` (UTC, ``01:00-02:00``) and ``weekdays`` (``"mon,wed"``, ``[1, 3]``;
        every day by default). ``keep_days=0`` or ``disable=True`` turns it off, which also stops
        an automated backup being made. Returns the policy sent."""
        if disable or keep_days == 0:
            chosen = BackupPolicy.off()
        elif policy is not None:
            chosen = policy
        elif keep_days is None:
            raise ValidationError("keep_days", None, "is required (0 or disable=True turns it off)")
        else:
            chosen = BackupPolicy(
                keep_days,
                parse_window(window) if window is not None else None,
                parse_weekdays(weekdays) if weekdays is not None else (1, 2, 3, 4, 5, 6, 7),
            )
        yield from self._execute(self._set_policy_call(instance_id, chosen))
        return chosen

    def _job_page(self, **filters: Unpack[JobFilters]) -> Op[list[Job]]:
        page: ListJobsResponse = yield from self._execute(self._jobs_call(**filters))
        return page.jobs

    def _iter_jobs(self, **filters: Unpack[JobFilters]) -> Stream[Job]:
        """Every job that matches ``filters`` (listJobs' query: id, status, name, start_time,
        end_time), newest first, page after page; ``total_count`` as for :meth:`iter_backups`."""
        first = self._jobs_call(**filters)
        return Stream(self._pages(first, lambda offset: self._jobs_call(offset, **filters)))

    def _get_job(self, job_id: str) -> Op[Job]:
        for job in (yield from self._job_page(id=job_id)):
            if job.id == job_id:
                return job
        raise NotFound(f"no job of project {self.project_id} has the ID {job_id!r}")

    def _wait(
        self,
        job_id: str,
        *,
        timeout: float = 1800.0,
        interval: float = 1.0,
        max_interval: float = 300.0,
        on_progress: ProgressCallback | None = None,
    ) -> Op[Job]:
        """Poll a job until it is Completed (returned) or Failed (:class:`JobFailed`), for at
        most ``timeout`` seconds (:class:`WaitTimeout`). Polls follow
        :class:`~geminidb_backup.timing.PollSchedule`: after 10 % of the job's run time so
        far, at least ``interval`` and at most ``max_interval`` seconds. ``on_progress`` sees
        every poll (the async client awaits what it returns)."""
        yield from self._sync_clock()
        schedule, deadline = PollSchedule(interval, max_interval), self.clock.timer() + timeout
        while True:
            remaining = deadline - self.clock.timer()
            # Prefer: wait (RFC 7240) tells the server how long this client is ready to wait;
            # a server may ignore it (the service does); an emulator with virtual time moves its
            # clock to the job's end instead of letting the client sleep in real time.
            call = self._jobs_call(id=job_id, limit=10)
            call = replace(call, headers={"Prefer": f"wait={max(0, math.ceil(remaining))}"})
            page: ListJobsResponse = yield from self._execute(call)
            job = next((job for job in page.jobs if job.id == job_id), None)
            if job is None:
                raise NotFound(f"no job of project {self.project_id} has the ID {job_id!r}")
            if on_progress is not None:
                yield Notify(on_progress, job)
            if job.status == "Completed":
                return job
            if job.status == "Failed":
                raise JobFailed(job)
            remaining = deadline - self.clock.timer()
            if remaining <= 0:
                raise WaitTimeout(job_id, timeout, job)
            yield Sleep(schedule.next_delay(self._run_time(job), remaining))

    def _run_time(self, job: Job) -> float:
        """How long ``job`` has run, by its ``start_time`` and the client's clock."""
        started = _calls.parse_timestamp(job.start_time)
        return self.clock() - started.timestamp() if started is not None else 0.0

    def _wait_jobs(
        self,
        job_ids: Iterable[str],
        *,
        timeout: float = 1800.0,
        interval: float = 1.0,
        max_interval: float = 300.0,
        on_progress: ProgressCallback | None = None,
    ) -> Op[dict[str, Job]]:
        """Wait for many jobs at once, a page of listJobs at a time rather than a request per
        job: returns every job's final state by ID, in the order given, each ``Completed`` or
        ``Failed`` (a failed job does not raise: look at its ``status`` and ``fail_reason``).
        Polls follow :class:`~geminidb_backup.timing.PollSchedule` for the job that has run
        the shortest; ``on_progress`` sees each job of each round. :class:`NotFound` names the
        IDs no page of listJobs holds; :class:`JobsWaitTimeout` (a :class:`WaitTimeout`) gives
        the jobs ended and those still running when ``timeout`` runs out."""
        ids = list(dict.fromkeys(job_ids))
        yield from self._sync_clock()
        schedule, deadline = PollSchedule(interval, max_interval), self.clock.timer() + timeout
        pending: dict[str, Job | None] = dict.fromkeys(ids)
        ended: dict[str, Job] = {}
        while pending:
            starts = {i: self._start_of(job) for i, job in pending.items() if job is not None}
            seen: dict[str, Job] = yield from self._sweep_jobs(set(pending), starts)
            missing = [job_id for job_id in pending if job_id not in seen]
            if missing:
                raise NotFound(f"no job of project {self.project_id} has the ID "
                               f"{', '.join(map(repr, missing))}")  # fmt: skip
            for job_id, job in seen.items():
                if on_progress is not None:
                    yield Notify(on_progress, job)
                if job.status in ("Completed", "Failed"):
                    ended[job_id] = job
                    del pending[job_id]
                else:
                    pending[job_id] = job
            remaining = deadline - self.clock.timer()
            if pending and remaining <= 0:
                running = {i: job for i, job in pending.items() if job is not None}
                raise JobsWaitTimeout(timeout, ended, running)
            if pending:
                shortest = min(self._run_time(job) for job in pending.values() if job is not None)
                yield Sleep(schedule.next_delay(shortest, remaining))
        return {job_id: ended[job_id] for job_id in ids}

    def _poll_jobs(self, job_ids: Iterable[str]) -> Op[dict[str, Job]]:
        """One round of :meth:`wait_jobs`, without waiting: every job's state now, by ID in
        the order given, read a page of listJobs (50) at a time; :class:`NotFound` names the
        IDs no page holds. For a caller that schedules its own rounds (a fleet of jobs
        interleaved with new work), with :class:`~geminidb_backup.timing.PollSchedule` and the
        client's clock."""
        ids = list(dict.fromkeys(job_ids))
        seen: dict[str, Job] = yield from self._sweep_jobs(set(ids), {})
        missing = [job_id for job_id in ids if job_id not in seen]
        if missing:
            raise NotFound(f"no job of project {self.project_id} has the ID "
                           f"{', '.join(map(repr, missing))}")  # fmt: skip
        return {job_id: seen[job_id] for job_id in ids}

    @staticmethod
    def _start_of(job: Job) -> float | None:
        started = _calls.parse_timestamp(job.start_time)
        return started.timestamp() if started is not None else None

    def _sweep_jobs(self, wanted: set[str], starts: dict[str, float | None]) -> Op[dict[str, Job]]:
        """The jobs of ``wanted`` as listJobs shows them now, read a page (50) at a time, newest
        first, until all are found or the pages have gone past the oldest start among them
        (``starts``, from earlier sweeps), or until the last page."""
        found: dict[str, Job] = {}
        offset = 0
        while True:
            page: ListJobsResponse = yield from self._execute(self._jobs_call(offset))
            found.update((job.id, job) for job in page.jobs if job.id in wanted)
            offset += len(page.jobs)
            if len(found) == len(wanted) or _calls.is_last_page(page, offset):
                return found
            unseen = [starts.get(job_id) for job_id in wanted if job_id not in found]
            oldest_on_page = self._start_of(page.jobs[-1])
            # Newest first: a page that began before every unseen job's start is past them.
            known = [start for start in unseen if start is not None]
            past = oldest_on_page is not None and known and oldest_on_page < min(known)
            if past and len(known) == len(unseen):
                return found

    def _expand_name(self, template: str) -> Op[str]:
        """A backup name from a template (see :func:`geminidb_backup.expand_name`), ``{now}``
        being the client's "now"; a client that follows the server's ``Date`` and has had no
        answer yet asks the server its time first (one listJobs request)."""
        # Checked against the spec's name rule first: a template that cannot make a valid name
        # is refused before anything is sent, even the request that learns the server's time.
        name = expand_name(template, self.now())
        validate_call("createBackup", {}, {"name": name, "description": ""})
        if "{" in template and not self.clock.synced:
            yield from self._sync_clock()
            name = expand_name(template, self.now())
        return name

    def _sync_clock(self) -> Op[None]:
        """Make sure "now" is known before it is used: a clock that follows the server's
        ``Date`` and has seen none yet is given one (a listJobs request); others send nothing."""
        if not self.clock.synced:
            yield from self._execute(self._jobs_call(limit=10))

    # Instances, restores to a new instance, restore drills.

    def _instances_call(self, offset: int, limit: int | None, filters: InstanceFilters) -> Call:
        query = {**filters, "offset": offset, "limit": limit}
        return _calls.build("listInstances", list_instances, self._project(), query,
                            idempotent=True)  # fmt: skip

    def _iter_instances(
        self, *, page_size: int | None = None, **filters: Unpack[InstanceFilters]
    ) -> Stream[Instance]:
        """Every instance that matches ``filters`` (listInstances' query: id, name, mode,
        datastore_type, vpc_id, subnet_id), newest first, page after page; ``total_count`` as for
        :meth:`iter_backups`."""
        first = self._instances_call(0, page_size, filters)
        return Stream(
            self._pages(first, lambda offset: self._instances_call(offset, page_size, filters))
        )

    def _list_instances(
        self, *, page_size: int | None = None, **filters: Unpack[InstanceFilters]
    ) -> Op[list[Instance]]:
        """All instances that match ``filters``; see :meth:`iter_instances`."""
        instances: list[Instance] = yield from self._collect(
            self._iter_instances(page_size=page_size, **filters)
        )
        return instances

    def _get_instance(self, instance_id: str) -> Op[Instance]:
        """The instance with this ID (:class:`NotFound` when none, or once it is deleted)."""
        instances: list[Instance] = yield from self._collect(self._iter_instances(id=instance_id))
        for instance in instances:
            if instance.id == instance_id:
                return instance
        raise NotFound(f"no instance of project {self.project_id} has the ID {instance_id!r}")

    def _restorable_periods(
        self, instance_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> Op[list[Period]]:
        """The windows of time ``instance_id`` can be restored to (:meth:`restore` with
        ``instance_id=`` and ``at=``), oldest first, within ``start``..``end`` (default: the
        service's, the last day)."""
        query: dict[str, Any] = {
            "start_time": _calls.format_timestamp(start) if start is not None else None,
            "end_time": _calls.format_timestamp(end) if end is not None else None,
        }
        path = {**self._project(), "instance_id": instance_id}
        call = _calls.build("listRestorableTimePeriods", list_restorable_time_periods, path,
                            query, idempotent=True)  # fmt: skip
        page: ListRestorableTimePeriodsResponse = yield from self._execute(call)
        return [
            Period(datetime.fromtimestamp(p.start_time / 1000, UTC),
                   datetime.fromtimestamp(p.end_time / 1000, UTC))
            for p in page.restorable_time_periods
        ]  # fmt: skip

    def _restore(
        self,
        *,
        name: str,
        backup_id: str | None = None,
        instance_id: str | None = None,
        at: datetime | None = None,
        password: str | None = None,
        nodes: int | None = None,
        storage_gb: int | None = None,
        spec_code: str | None = None,
        availability_zone: str | None = None,
        vpc_id: str | None = None,
        subnet_id: str | None = None,
        security_group_id: str | None = None,
        wait: bool = False,
        timeout: float = 6 * 3600.0,
        interval: float = _INSTANCE_POLL_FIRST,
    ) -> Op[Restore]:
        """Restore a backup (``backup_id``) or a point in time of an instance (``instance_id``
        and ``at``, a datetime; naive is UTC) to a new instance named ``name``, in one call:
        everything the new instance needs is copied from the source instance (datastore and
        version, region, availability zone, VPC, subnet, security group, mode, nodes, storage
        size, specification code; pay-per-use), and any of it can be given instead (never fewer
        nodes or less storage than the source). Without ``password`` one is generated to the
        service's rules and returned once, in :attr:`Restore.password`. With ``wait`` the
        restore is waited for until the instance is ready, at most ``timeout`` seconds
        (restores take from minutes to hours). Not idempotent: it is never sent twice."""
        if (backup_id is None) == (instance_id is None):
            raise ValidationError("restore", None, "needs either backup_id, or instance_id and at")
        if instance_id is not None and at is None:
            raise ValidationError("at", None, "is required to restore an instance_id")
        if backup_id is not None and at is not None:
            raise ValidationError("at", at, "goes with instance_id, not with backup_id")
        if backup_id is not None:
            backup = yield from self._get_backup(backup_id)
            source = yield from self._get_instance(backup.instance_id)
            restore_info: dict[str, Any] = {"backup_id": backup_id}
        else:
            assert instance_id is not None and at is not None
            source = yield from self._get_instance(instance_id)
            restore_info = {"source_instance_id": instance_id, "restore_time": epoch_ms(at)}
        generated = generate_password() if password is None else None
        overrides = {
            "nodes": nodes, "storage_gb": storage_gb, "spec_code": spec_code,
            "availability_zone": availability_zone, "vpc_id": vpc_id, "subnet_id": subnet_id,
            "security_group_id": security_group_id,
        }  # fmt: skip
        body = restore_body(
            source,
            name=name,
            password=generated.reveal() if generated is not None else str(password),
            restore_info=restore_info,
            overrides=overrides,
        )
        call = _calls.build("createInstance", create_instance, self._project(),
                            body=CreateInstanceRequest.from_dict(body), idempotent=False)  # fmt: skip
        accepted: CreateInstanceResponse = yield from self._execute(call)
        restore = Restore(
            instance_id=accepted.id,
            name=accepted.name,
            job_id=accepted.job_id,
            source_instance_id=source.id,
            backup_id=backup_id,
            restore_time=None if at is None else _calls.as_utc(at),
            password=generated,
        )
        if wait:
            ready = yield from self._wait_ready(
                accepted.id, job_id=accepted.job_id, timeout=timeout, interval=interval
            )
            restore = replace(restore, ready=ready)
        return restore

    def _wait_ready(
        self,
        instance_id: str,
        *,
        job_id: str | None = None,
        timeout: float = 6 * 3600.0,
        interval: float = _INSTANCE_POLL_FIRST,
        on_progress: ProgressCallback | None = None,
    ) -> Op[Instance]:
        """Wait until the instance is ready (status ``normal``, no action running): first its
        creation or restore job ``job_id`` when given (:class:`JobFailed` if it fails), then the
        instance list, which may lag behind the job. :class:`WaitTimeout` after ``timeout``
        seconds of the client's clock in all."""
        deadline = self.clock.timer() + timeout
        if job_id is not None:
            yield from self._wait(job_id, timeout=timeout, interval=interval,
                                  max_interval=_INSTANCE_POLL_MAX, on_progress=on_progress)  # fmt: skip
        schedule, listed_since = PollSchedule(interval, _INSTANCE_POLL_MAX), self.clock.timer()
        while True:
            try:
                instance = yield from self._get_instance(instance_id)
                if str(instance.status) == "normal" and not instance.actions:
                    return instance
                seen = f"status {instance.status}, actions {instance.actions}"
            except NotFound:
                seen = "not listed yet"  # the list may lag behind the answer
            remaining = deadline - self.clock.timer()
            if remaining <= 0:
                raise WaitTimeout(job_id or instance_id, timeout, None, f"instance {seen}")
            yield Sleep(schedule.next_delay(self.clock.timer() - listed_since, remaining))

    def _delete_instance(
        self, instance_id: str, *, wait: bool = False, timeout: float = 3600.0,
        interval: float = _INSTANCE_POLL_FIRST,
    ) -> Op[str]:  # fmt: skip
        """Start deleting an instance (its automated backups go with it; manual ones stay);
        returns the deletion job's ID, once that job has completed when ``wait``."""
        path = {**self._project(), "instance_id": instance_id}
        call = _calls.build("deleteInstance", delete_instance, path, idempotent=False)
        accepted: DeleteInstanceResponse = yield from self._execute(call)
        if wait:
            yield from self._wait(accepted.job_id, timeout=timeout, interval=interval,
                                  max_interval=_INSTANCE_POLL_MAX)  # fmt: skip
        return accepted.job_id

    def _drill(
        self,
        instance_id: str,
        *,
        timeout: float = 6 * 3600.0,
        interval: float = _INSTANCE_POLL_FIRST,
        on_step: Callable[[str], None | Awaitable[None]] | None = None,
        result: DrillResult | None = None,
    ) -> Op[DrillResult]:
        """A restore drill of ``instance_id``: its newest completed backup restored to a
        temporary instance named ``drill-<name>-<time>``, waited for until ready (at most
        ``timeout`` seconds in all), checked (status normal, the source's datastore version, at
        least its nodes and storage), then deleted. Never raises for what it finds: the
        :class:`DrillResult` says what passed, what failed, and whether the temporary instance
        was deleted. It deletes only the instance it made. ``on_step`` sees each step."""
        result = result if result is not None else DrillResult(instance_id)
        started = self.clock()

        def step(text: str) -> Notify | None:
            return Notify(on_step, text) if on_step is not None else None

        try:
            source = yield from self._get_instance(instance_id)
            result.instance_name = source.name
            backups: list[Backup] = yield from self._collect(
                self._iter_backups(instance_id=instance_id)
            )
            completed = [b for b in backups if b.status == "COMPLETED"]
            if not completed:
                result.error = "the instance has no completed backup to restore"
                return result
            newest = max(completed, key=lambda b: (b.end_time, b.begin_time))
            result.backup_id, result.backup_name = newest.id, newest.name
            name = drill_name(source.name, self.now())
            if (notice := step(f"restoring backup {newest.name} to {name}")) is not None:
                yield notice
            restore = yield from self._restore(backup_id=newest.id, name=name)
            result.restored_id, result.restored_name = restore.instance_id, restore.name
            if (notice := step(f"waiting for {name} to be ready")) is not None:
                yield notice
            restored = yield from self._wait_ready(
                restore.instance_id, job_id=restore.job_id,
                timeout=max(0.0, started + timeout - self.clock()), interval=interval,
            )  # fmt: skip
            result.problems = check_restored(source, restored)
        except GeminiDBError as exc:
            result.error = str(exc)
        finally:
            result.seconds = self.clock() - started
        if result.restored_id is not None:
            if (notice := step(f"deleting {result.restored_name}")) is not None:
                yield notice
            yield from self._clean_up_drill(result, timeout=timeout, interval=interval)
        result.seconds = self.clock() - started
        return result

    def _clean_up_drill(
        self,
        result: DrillResult,
        *,
        wait: bool = True,
        timeout: float = 3600.0,
        interval: float = _INSTANCE_POLL_FIRST,
    ) -> Op[DrillResult]:
        """Delete the temporary instance of a drill (``result.restored_id``), waited for when
        ``wait``."""
        if result.restored_id is None or result.cleaned:
            return result
        try:
            yield from self._delete_instance(
                result.restored_id, wait=wait, timeout=timeout, interval=interval
            )
            result.cleaned = True
        except GeminiDBError as exc:
            result.problems.append(
                f"the temporary instance {result.restored_name} ({result.restored_id}) could not"
                f" be deleted: {exc}; `geminidb-backup drill --clean` removes it later"
            )
        return result

    def _clean_drills(
        self, *, timeout: float = 3600.0, interval: float = _INSTANCE_POLL_FIRST
    ) -> Op[list[Instance]]:
        """Delete what crashed drills left: every instance named as only a drill names its
        temporary instances (``drill-<name>-<14 digits>``) and not already being deleted.
        Returns the instances deleted (each deletion waited for)."""
        found: list[Instance] = yield from self._collect(self._iter_instances(name="*drill-"))
        leftovers = [i for i in found if is_drill_name(i.name) and "DELETE" not in i.actions]
        for instance in leftovers:
            yield from self._delete_instance(
                instance.id, wait=True, timeout=timeout, interval=interval
            )
        return leftovers

    # Retention.

    def _plan_prune(
        self,
        instance_id: str,
        *,
        keep: int | None = None,
        older_than: timedelta | None = None,
        prefix: str | None = None,
        now: datetime | None = None,
    ) -> Op[PrunePlan]:
        """Which manual backups of ``instance_id`` a prune deletes: of the COMPLETED manual
        backups whose name starts with ``prefix``, all but the ``keep`` newest that began more
        than ``older_than`` before ``now`` (default: the client's clock; both conditions when
        both are given). Sends only listBackups."""
        backups: list[Backup] = yield from self._collect(
            self._iter_backups(instance_id=instance_id, backup_type="Manual")
        )
        to_delete, kept = _calls.select_for_pruning(
            backups, instance_id, keep=keep, older_than=older_than, prefix=prefix,
            now=now or self.now(),
        )  # fmt: skip
        return PrunePlan(instance_id, to_delete, kept)

    def _prune(
        self,
        instance_id: str,
        *,
        keep: int | None = None,
        older_than: timedelta | None = None,
        prefix: str | None = None,
        dry_run: bool = False,
        timeout: float = 1800.0,
        interval: float = 1.0,
        on_deleted: Callable[[PrunedBackup], None] | None = None,
        on_deleting: Callable[[Backup], Any] | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Op[PruneResult]:
        """Delete old manual backups of an instance (see :meth:`plan_prune`), one after the
        other, each deletion waited for (the instance is busy while one runs); nothing is sent
        but listBackups when ``dry_run``. See :meth:`execute_prune`."""
        plan = yield from self._plan_prune(
            instance_id, keep=keep, older_than=older_than, prefix=prefix
        )
        if dry_run:
            return PruneResult([PrunedBackup(b, None) for b in plan.to_delete], plan.kept, True)
        return (
            yield from self._execute_prune(
                plan, timeout=timeout, interval=interval, on_deleted=on_deleted,
                on_deleting=on_deleting, on_progress=on_progress,
            )
        )  # fmt: skip

    def _execute_prune(
        self,
        plan: PrunePlan,
        *,
        timeout: float = 1800.0,
        interval: float = 1.0,
        on_deleted: Callable[[PrunedBackup], None] | None = None,
        on_deleting: Callable[[Backup], Any] | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Op[PruneResult]:
        """Delete the backups of ``plan``, oldest first, within ``timeout`` seconds in all.

        While the instance is busy (a backup being made, another deletion), the running job is
        waited for and the deletion asked again; a lost answer is asked again the same way; a
        backup already gone is counted as deleted (``job_id`` None). ``on_deleting`` sees each
        backup before its deletion is asked, ``on_progress`` every poll of its deletion job (a
        deletion takes a while: a person watching wants to see it move), ``on_deleted`` each
        deletion once its job has completed. Raises as :meth:`wait` does (:class:`JobFailed`,
        :class:`WaitTimeout`), or the API's refusal. Backups are deleted ten at a time with the
        API's batch deletion where it accepts it (``job_id`` is then None: a batch answers no
        job), one at a time otherwise."""
        deadline, deleted = self.clock.timer() + timeout, []
        size = _calls.BATCH_SIZE
        chunks = [plan.to_delete[start : start + size]
                  for start in range(0, len(plan.to_delete), size)]  # fmt: skip
        for chunk in chunks:
            # Several at once: one batch deletion (checked whole by the API), then its jobs
            # waited for; a refused batch (a busy instance, a server without batches) deletes
            # nothing, and its backups are deleted one at a time as before.
            if len(chunk) > 1:
                try:
                    yield from self._execute(self._batch_delete_call([b.id for b in chunk]))
                except APIError as exc:
                    _calls.log.info("batch deletion refused (%s): one at a time", exc)
                else:
                    # Each backup is announced once, when its deletion is under way.
                    for backup in chunk:
                        if on_deleting is not None:
                            yield Notify(on_deleting, backup)
                    yield from self._wait_for_instance(plan.instance_id, deadline, interval)
                    for backup in chunk:
                        deleted.append(PrunedBackup(backup, None))
                        if on_deleted is not None:
                            yield Notify(on_deleted, deleted[-1])
                    continue
            for backup in chunk:
                if on_deleting is not None:
                    yield Notify(on_deleting, backup)
                job_id = yield from self._delete_when_idle(
                    plan.instance_id, backup.id, deadline, interval
                )
                if job_id is not None:
                    yield from self._wait(
                        job_id, timeout=max(0.0, deadline - self.clock.timer()), interval=interval,
                        on_progress=on_progress,
                    )  # fmt: skip
                deleted.append(PrunedBackup(backup, job_id))
                if on_deleted is not None:
                    yield Notify(on_deleted, deleted[-1])
        return PruneResult(deleted, plan.kept, dry_run=False)

    def _wait_for_instance(self, instance_id: str, deadline: float, interval: float) -> Op[None]:
        """Wait for every job running on the instance (a batch's deletions) to end."""
        jobs: list[Job] = yield from self._collect(self._iter_jobs(status="Running"))
        for job in jobs:
            if job.instance.id == instance_id:
                yield from self._wait(
                    job.id, timeout=max(0.0, deadline - self.clock.timer()), interval=interval
                )

    def _delete_when_idle(
        self, instance_id: str, backup_id: str, deadline: float, interval: float
    ) -> Op[str | None]:
        schedule, waited_since = PollSchedule(interval), self.clock()
        while True:
            try:
                return (yield from self._delete_backup(backup_id))
            except (APIError, TransportError) as exc:
                if isinstance(exc, APIError) and exc.error_code == _calls.NO_SUCH_BACKUP:
                    return None
                remaining = deadline - self.clock.timer()
                if not _calls.busy_or_gone(exc) or remaining <= 0:
                    raise
                _calls.log.info("deleting %s: %s; waiting for the instance", backup_id, exc)
            jobs: list[Job] = yield from self._collect(self._iter_jobs(status="Running"))
            running = [job for job in jobs if job.instance.id == instance_id]
            try:
                if running:
                    yield from self._wait(running[0].id, timeout=remaining, interval=interval)
                else:
                    yield Sleep(schedule.next_delay(self.clock() - waited_since, remaining))
            except JobFailed:
                pass  # another job's failure: the instance is idle again all the same


class BackupClient(_Operations):
    """A synchronous client of the GeminiDB backup API for one project.

    ``endpoint`` is the regional host (``gaussdb-nosql.eu-de.otc.t-systems.com``) or a base URL;
    ``auth`` one of :mod:`geminidb_backup.auth`'s classes; ``clock`` gives "now" (epoch seconds)
    and sleeps (:mod:`geminidb_backup.timing`; default: the system's). Use it as a context
    manager, or call :meth:`close`.
    """

    create_backup = blocking(_Operations._create_backup)
    iter_backups = iterating(_Operations._iter_backups)
    list_backups = blocking(_Operations._list_backups)
    get_backup = blocking(_Operations._get_backup)
    delete_backup = blocking(_Operations._delete_backup)
    delete_backups = blocking(_Operations._delete_backups)
    stop_backup = blocking(_Operations._stop_backup)
    get_backup_policy = blocking(_Operations._get_backup_policy)
    set_backup_policy = blocking(_Operations._set_backup_policy)
    iter_jobs = iterating(_Operations._iter_jobs)
    get_job = blocking(_Operations._get_job)
    wait = blocking(_Operations._wait)
    wait_jobs = blocking(_Operations._wait_jobs)
    poll_jobs = blocking(_Operations._poll_jobs)
    expand_name = blocking(_Operations._expand_name)
    plan_prune = blocking(_Operations._plan_prune)
    prune = blocking(_Operations._prune)
    execute_prune = blocking(_Operations._execute_prune)
    iter_instances = iterating(_Operations._iter_instances)
    list_instances = blocking(_Operations._list_instances)
    get_instance = blocking(_Operations._get_instance)
    restorable_periods = blocking(_Operations._restorable_periods)
    restore = blocking(_Operations._restore)
    wait_ready = blocking(_Operations._wait_ready)
    delete_instance = blocking(_Operations._delete_instance)
    clean_drills = blocking(_Operations._clean_drills)

    _http: httpx.Client

    def drill(
        self,
        instance_id: str,
        *,
        timeout: float = 6 * 3600.0,
        interval: float = _INSTANCE_POLL_FIRST,
        on_step: Callable[[str], None] | None = None,
    ) -> DrillResult:
        """A restore drill of ``instance_id``; see :meth:`_Operations._drill`. Interrupted
        (Ctrl-C), it deletes the temporary instance it made before the interrupt goes on."""
        # Not a one-line twin: an interrupt escapes the operation between two effects, where
        # the operation cannot clean up, so a second operation deletes the instance here.
        result = DrillResult(instance_id)
        try:
            return run(
                self._drill(instance_id, timeout=timeout, interval=interval, on_step=on_step,
                            result=result),
                self._perform,
            )  # fmt: skip
        except BaseException:
            run(self._clean_up_drill(result, wait=False), self._perform)
            raise

    def _connect(self) -> None:
        self._http = httpx.Client(**self._httpx_options)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def async_twin(self, *, throttle: AdaptiveRate | None = None) -> AsyncBackupClient:
        """An :class:`AsyncBackupClient` of the same endpoint, project, credentials, clock and
        settings (and ``throttle``), for the library's async-inside calls (fleets). A custom
        transport must offer ``async_twin()`` (the emulator's does)."""
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
                                 timeout=self._timeout, retry=self.retry, clock=self.clock,
                                 transport=transport, throttle=throttle)  # fmt: skip

    def _perform(self, effect: Effect) -> Any:
        if isinstance(effect, Send):
            try:
                response = self._http.request(**effect.call.request_kwargs())
            except httpx.TransportError as exc:
                raise _calls.transport_error(exc) from exc
            return self._parse(effect.call, response)
        if isinstance(effect, Sleep):
            return self.clock.sleep(effect.seconds)
        if isinstance(effect, Notify):
            return effect.callback(effect.value)
        raise TypeError(f"not an effect a client performs: {effect!r}")


class AsyncBackupClient(_Operations):
    """The asyncio twin of :class:`BackupClient`: the same methods, awaited (the list calls
    iterated with ``async for``)."""

    create_backup = awaitable(_Operations._create_backup)
    iter_backups = iterating_async(_Operations._iter_backups)
    list_backups = awaitable(_Operations._list_backups)
    get_backup = awaitable(_Operations._get_backup)
    delete_backup = awaitable(_Operations._delete_backup)
    delete_backups = awaitable(_Operations._delete_backups)
    stop_backup = awaitable(_Operations._stop_backup)
    get_backup_policy = awaitable(_Operations._get_backup_policy)
    set_backup_policy = awaitable(_Operations._set_backup_policy)
    iter_jobs = iterating_async(_Operations._iter_jobs)
    get_job = awaitable(_Operations._get_job)
    wait = awaitable(_Operations._wait)
    wait_jobs = awaitable(_Operations._wait_jobs)
    poll_jobs = awaitable(_Operations._poll_jobs)
    expand_name = awaitable(_Operations._expand_name)
    plan_prune = awaitable(_Operations._plan_prune)
    prune = awaitable(_Operations._prune)
    execute_prune = awaitable(_Operations._execute_prune)
    iter_instances = iterating_async(_Operations._iter_instances)
    list_instances = awaitable(_Operations._list_instances)
    get_instance = awaitable(_Operations._get_instance)
    restorable_periods = awaitable(_Operations._restorable_periods)
    restore = awaitable(_Operations._restore)
    wait_ready = awaitable(_Operations._wait_ready)
    delete_instance = awaitable(_Operations._delete_instance)
    clean_drills = awaitable(_Operations._clean_drills)

    _http: httpx.AsyncClient

    async def drill(
        self,
        instance_id: str,
        *,
        timeout: float = 6 * 3600.0,
        interval: float = _INSTANCE_POLL_FIRST,
        on_step: Callable[[str], None | Awaitable[None]] | None = None,
    ) -> DrillResult:
        """The twin of :meth:`BackupClient.drill`; cancelled, it deletes its temporary
        instance before the cancellation goes on."""
        result = DrillResult(instance_id)
        try:
            return await run_async(
                self._drill(instance_id, timeout=timeout, interval=interval, on_step=on_step,
                            result=result),
                self._perform,
            )  # fmt: skip
        except BaseException:
            await run_async(self._clean_up_drill(result, wait=False), self._perform)
            raise

    def _connect(self) -> None:
        if self.throttle is not None:
            given = self._transport
            if given is not None and not isinstance(given, httpx.AsyncBaseTransport):
                raise ConfigurationError("a throttled AsyncBackupClient needs an async transport")
            inner = given or httpx.AsyncHTTPTransport(verify=self._httpx_options["verify"])
            self._httpx_options["transport"] = ThrottledTransport(
                inner, self.throttle, owns_inner=given is None
            )
        self._http = httpx.AsyncClient(**self._httpx_options)

    def with_throttle(self, throttle: AdaptiveRate) -> AsyncBackupClient:
        """A client like this one whose requests are paced by ``throttle`` (and sent again
        after a 429 until it gives up on them). Close it when done; this one stays open."""
        return AsyncBackupClient(self.endpoint, self.project_id, self._auth, verify=self._verify,
                                 timeout=self._timeout, retry=self.retry, clock=self.clock,
                                 transport=self._transport, throttle=throttle)  # fmt: skip

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _perform(self, effect: Effect) -> Any:
        if isinstance(effect, Send):
            try:
                response = await self._http.request(**effect.call.request_kwargs())
            except httpx.TransportError as exc:
                raise _calls.transport_error(exc) from exc
            return self._parse(effect.call, response)
        if isinstance(effect, Sleep):
            return await self.clock.async_sleep(effect.seconds)
        if isinstance(effect, Notify):
            result = effect.callback(effect.value)
            return await result if result is not None else None
        raise TypeError(f"not an effect a client performs: {effect!r}")
