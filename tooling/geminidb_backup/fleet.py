"""Fleet operations: one action (a backup, a prune) on many instances of a project, at once.

At most ``concurrency`` instances are worked on at a time, every request of the run goes through
one :class:`~geminidb_backup.throttle.AdaptiveRate` (the project's rate, learnt from its 429
answers), a throttled request is sent again until the run's own ``timeout``, and so is an action
refused because its instance is busy (403 ``DBS.200019``). Each instance ends with an
:class:`Outcome`: succeeded, failed (with the service's code and message), or skipped.

A backup is never made twice: the name is the key. The name template is expanded once, when a
run starts, and a :class:`~geminidb_backup.fleet_journal.RunJournal` keeps it with what was sent
and what ended, so a run cut short (Ctrl-C, a crash) is finished by running it again: instances
already done are not touched, and a create that may have been sent before the cut is looked up
by its name rather than sent twice.

:class:`AsyncFleet` does the work; :class:`Fleet` is its synchronous face, each method a line.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal, Protocol

from . import _calls
from .client import AsyncBackupClient, BackupClient
from .errors import APIError, GeminiDBError, JobFailed, TransportError, WaitTimeout
from .throttle import AdaptiveRate, Sleep, ThrottleCount, current_count

__all__ = ["AsyncFleet", "Fleet", "FleetProgress", "FleetReport", "Journal", "Outcome", "Target"]

Status = Literal["succeeded", "failed", "skipped"]
# Codes of failures that are not the API's answers (the API's are DBS.* and APIGW.*).
TIMEOUT = "timeout"
TRANSPORT = "transport"
JOB_FAILED = "job-failed"
DRILL_FAILED = "drill-failed"
# How long a busy instance is left alone before the action is tried on it again: doubling from
# the first to the longest, with jitter (a backup or a deletion takes minutes on the service).
BUSY_FIRST_DELAY = 2.0
BUSY_MAX_DELAY = 30.0


@dataclass(frozen=True)
class Target:
    """An instance to act on: its ID, and its name when known (for people and filters)."""

    id: str
    name: str = ""


@dataclass(frozen=True)
class Outcome:
    """How one instance ended. ``code``/``message`` say why it failed or was skipped; ``details``
    what was done (``backup_id``, ``job_id``, ``recovered``; ``deleted``...). ``throttled``
    counts its requests' 429 answers, ``busy`` the times its instance was found busy.
    ``earlier`` is true when it ended in an earlier part of a resumed run."""

    instance_id: str
    instance_name: str
    status: Status
    code: str = ""
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    throttled: int = 0
    busy: int = 0
    earlier: bool = False

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in names})


@dataclass
class FleetProgress:
    """Counts for a live display: instances ``done`` (of ``total``), ``in_flight``, ``failed``;
    requests ``throttled`` so far and ``waiting`` on a throttle now."""

    total: int = 0
    done: int = 0
    in_flight: int = 0
    failed: int = 0
    throttled: int = 0
    waiting: int = 0


class Journal(Protocol):
    """What a run remembers across a cut (see :class:`~geminidb_backup.fleet_journal.RunJournal`)."""

    def outcome_of(self, instance_id: str) -> Outcome | None: ...
    def was_sent(self, instance_id: str) -> bool: ...
    def note_sent(self, instance_id: str) -> None: ...
    def record(self, outcome: Outcome) -> None: ...


@dataclass
class FleetReport:
    """The outcome of every instance of a run, in the order the instances were given."""

    operation: str
    outcomes: list[Outcome]
    seconds: float
    throttled: int
    dry_run: bool = False
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        counts = {"succeeded": 0, "failed": 0, "skipped": 0}
        for outcome in self.outcomes:
            counts[outcome.status] += 1
        return counts

    @property
    def ok(self) -> bool:
        """No instance failed."""
        return all(outcome.status != "failed" for outcome in self.outcomes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "dry_run": self.dry_run,
            "parameters": self.parameters,
            "seconds": round(self.seconds, 3),
            "throttled": self.throttled,
            "counts": self.counts,
            "instances": [outcome.to_dict() for outcome in self.outcomes],
        }

    def to_junit(self) -> str:
        """A JUnit XML report: one testcase per instance (a failure, a skip, or a pass)."""
        from xml.etree import ElementTree as ET

        counts = self.counts
        suite = ET.Element("testsuite", name=f"geminidb-backup {self.operation}",
                           tests=str(len(self.outcomes)), failures=str(counts["failed"]),
                           errors="0", skipped=str(counts["skipped"]),
                           time=f"{self.seconds:.3f}")  # fmt: skip
        for outcome in self.outcomes:
            label = f"{outcome.instance_name} ({outcome.instance_id})" if outcome.instance_name \
                else outcome.instance_id  # fmt: skip
            case = ET.SubElement(suite, "testcase", classname=f"{self.operation}", name=label,
                                 time=f"{outcome.seconds:.3f}")  # fmt: skip
            text = f"{outcome.code}: {outcome.message}" if outcome.code else outcome.message
            if outcome.status == "failed":
                ET.SubElement(
                    case, "failure", type=outcome.code or "failed", message=text
                ).text = text
            elif outcome.status == "skipped":
                ET.SubElement(case, "skipped", message=text)
            if outcome.details:
                details = ", ".join(f"{key}={value}" for key, value in outcome.details.items())
                ET.SubElement(case, "system-out").text = details
        root = ET.Element("testsuites")
        root.append(suite)
        ET.indent(root)
        xml: str = ET.tostring(root, encoding="unicode", xml_declaration=True)
        return xml + "\n"


class ActionFailed(GeminiDBError):
    """An action's own verdict that its instance failed (a drill that did not pass), with the
    code, message and details its outcome carries."""

    def __init__(self, code: str, message: str, details: dict[str, Any]) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.details = code, message, details


@dataclass
class Attempt:
    """What an action knows of its run: the deadline and the time, and whether a request of
    this instance may have been sent by an earlier part of the run."""

    target: Target
    deadline: float
    clock: Callable[[], float]
    sleep: Sleep
    sent_before: bool
    busy: int = 0

    def remaining(self) -> float:
        return self.deadline - self.clock()

    async def when_idle(self, exc: APIError) -> None:
        """The instance was busy: wait a while before the next try, or raise ``exc`` when the
        deadline comes first."""
        self.busy += 1
        backoff = min(BUSY_MAX_DELAY, BUSY_FIRST_DELAY * 2.0 ** (self.busy - 1))
        delay = backoff * random.uniform(0.5, 1.0)
        if delay > self.remaining():
            raise exc
        _calls.log.info("%s is busy (%s): trying again in %.1f s", self.target.id, exc, delay)
        await self.sleep(delay)


Action = Callable[[AsyncBackupClient, Attempt], Awaitable[dict[str, Any]]]
# After every instance's action: (client, outcomes by instance ID, seconds left, record).
Finish = Callable[
    [AsyncBackupClient, dict[str, Outcome], float, Callable[[Outcome], None]], Awaitable[None]
]


async def _wait_for_jobs(
    client: AsyncBackupClient,
    outcomes: dict[str, Outcome],
    remaining: float,
    record: Callable[[Outcome], None],
) -> None:
    """Follow the jobs of the backups made (earlier parts of a resumed run included) together,
    a page of listJobs at a time, and settle each instance by its job."""
    from .errors import JobsWaitTimeout, NotFound

    by_job = {o.details["job_id"]: o for o in outcomes.values()
              if o.status == "succeeded" and o.details.get("job_id")}  # fmt: skip
    if not by_job:
        return
    try:
        jobs = await client.wait_jobs(list(by_job), timeout=max(0.0, remaining))
    except JobsWaitTimeout as exc:
        jobs = {**exc.ended, **exc.running}
    except NotFound as exc:  # a job listJobs does not show (yet): not followed, said so
        jobs = {}
        for outcome in by_job.values():
            outcomes[outcome.instance_id] = dataclasses.replace(
                outcome, details={**outcome.details, "job_status": "unknown"}, message=str(exc)
            )
    for job_id, job in jobs.items():
        outcome = by_job[job_id]
        details = {**outcome.details, "job_status": job.status}
        if job.status == "Completed":
            settled = dataclasses.replace(outcome, details=details)
        elif job.status == "Failed":
            settled = dataclasses.replace(outcome, status="failed", code=JOB_FAILED,
                                          message=job.fail_reason or "the job failed",
                                          details=details)  # fmt: skip
        else:
            settled = dataclasses.replace(outcome, status="failed", code=TIMEOUT,
                                          message=f"job {job_id} still {job.status} at the "
                                          "run's timeout", details=details)  # fmt: skip
        outcomes[outcome.instance_id] = settled
        record(settled)


def failure_of(exc: GeminiDBError) -> tuple[str, str]:
    """(code, message) of a failed action: the API's code and message, or a word of ours."""
    if isinstance(exc, APIError):
        return exc.error_code or str(exc.status), exc.error_msg or str(exc)
    if isinstance(exc, JobFailed):
        return JOB_FAILED, exc.fail_reason or str(exc)
    if isinstance(exc, WaitTimeout):
        return TIMEOUT, str(exc)
    if isinstance(exc, TransportError):
        return TRANSPORT, str(exc)
    return type(exc).__name__, str(exc)


class AsyncFleet:
    """Actions on many instances of ``client``'s project. ``concurrency`` instances at a time;
    ``timeout`` seconds for the whole run, throttled and busy retries included; ``pace`` (by
    default the client's throttle, else a new :class:`AdaptiveRate`) paces every request of the
    run. ``clock`` and ``sleep`` default to the client's clock (:mod:`geminidb_backup.timing`:
    the emulator's virtual time, a test's fake clock)."""

    def __init__(
        self,
        client: AsyncBackupClient,
        *,
        concurrency: int = 8,
        timeout: float = 3600.0,
        pace: AdaptiveRate | None = None,
        journal: Journal | None = None,
        on_progress: Callable[[FleetProgress, Outcome | None], None] | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        self.client = client
        self.concurrency = concurrency
        self.timeout = timeout
        self.clock = clock or client.clock
        self.sleep = sleep or client.clock.async_sleep
        self.pace = pace or client.throttle or AdaptiveRate(clock=self.clock, sleep=self.sleep)
        self.journal = journal
        self.on_progress = on_progress

    async def create_backups(
        self,
        instances: Iterable[str | Target],
        name: str,
        description: str = "",
        *,
        wait: bool = False,
        dry_run: bool = False,
    ) -> FleetReport:
        """A manual backup named ``name`` (already expanded: see ``expand_name``) of each
        instance. Without ``wait``, an instance has succeeded once its create is accepted; with
        it, once its job has completed: the jobs are followed together, a page of listJobs at
        a time (:meth:`AsyncBackupClient.wait_jobs`), within the run's timeout."""

        async def create(client: AsyncBackupClient, attempt: Attempt) -> dict[str, Any]:
            instance_id = attempt.target.id
            while True:
                try:
                    created = await client.create_backup(instance_id, name, description)
                except APIError as exc:
                    if exc.error_code == _calls.BUSY:
                        await attempt.when_idle(exc)
                        continue
                    if _calls.is_duplicate(exc) and attempt.sent_before:
                        # The run's own backup, sent before a cut: the name is the run's, and
                        # the service refuses it twice. Its ID, when the list shows it already.
                        found = await _backup_named(client, instance_id, name)
                        return {"backup_id": found, "job_id": None, "recovered": True}
                    raise
                return {"backup_id": created.backup_id, "job_id": created.job_id,
                        "recovered": created.recovered}  # fmt: skip

        check_backup(name, description)  # a bad name is one error now, not one per instance
        targets = _targets(instances)
        if dry_run:
            return self._dry_run("create", targets, f"would create backup {name!r}", name=name)
        return await self._run("create", targets, create, _wait_for_jobs if wait else None,
                               name=name, description=description, wait=wait)  # fmt: skip

    async def prune(
        self,
        instances: Iterable[str | Target],
        *,
        keep: int | None = None,
        older_than: timedelta | None = None,
        prefix: str | None = None,
        dry_run: bool = False,
    ) -> FleetReport:
        """Prune each instance as :meth:`AsyncBackupClient.prune` does (its deletions one after
        the other, waited for), within the run's timeout. In a dry run only listBackups is
        sent, and ``details`` name what would be deleted."""

        async def prune(client: AsyncBackupClient, attempt: Attempt) -> dict[str, Any]:
            result = await client.prune(
                attempt.target.id, keep=keep, older_than=older_than, prefix=prefix,
                dry_run=dry_run, timeout=max(0.0, attempt.remaining()),
            )  # fmt: skip
            return {
                "deleted": [pruned.backup.id for pruned in result.deleted],
                "kept": len(result.kept),
            }

        parameters = {"keep": keep, "older_than": older_than.total_seconds() if older_than else
                      None, "prefix": prefix}  # fmt: skip
        report = await self._run("prune", _targets(instances), prune, None, **parameters)
        report.dry_run = dry_run
        return report

    async def drill(
        self, instances: Iterable[str | Target], *, interval: float = 30.0
    ) -> FleetReport:
        """A restore drill of each instance (:meth:`AsyncBackupClient.drill`: the newest
        completed backup restored to a temporary instance, checked, deleted), within the run's
        timeout; an instance whose drill did not pass fails with ``drill-failed``, the drill's
        error or problems as the message and its result as ``details``."""

        async def drill(client: AsyncBackupClient, attempt: Attempt) -> dict[str, Any]:
            result = await client.drill(
                attempt.target.id, timeout=max(0.0, attempt.remaining()), interval=interval
            )
            details = result.to_dict()
            if not result.passed:
                why = "; ".join(([result.error] if result.error else []) + result.problems)
                raise ActionFailed(DRILL_FAILED, why or "the drill did not pass", details)
            return details

        return await self._run("drill", _targets(instances), drill, None, interval=interval)

    def _dry_run(
        self, operation: str, targets: list[Target], what: str, **parameters: Any
    ) -> FleetReport:
        outcomes = [Outcome(t.id, t.name, "skipped", message=f"dry run: {what}") for t in targets]
        return FleetReport(operation, outcomes, 0.0, 0, dry_run=True, parameters=parameters)

    async def _run(
        self,
        operation: str,
        targets: list[Target],
        action: Action,
        finish: Finish | None,
        **parameters: Any,
    ) -> FleetReport:
        started = self.clock()
        deadline = started + self.timeout
        client = self.client if self.client.throttle is self.pace else \
            self.client.with_throttle(self.pace)  # fmt: skip
        self.pace.deadline = deadline
        progress = FleetProgress(total=len(targets))
        outcomes: dict[str, Outcome] = {}
        pending: list[Target] = []
        for target in targets:
            earlier = self.journal.outcome_of(target.id) if self.journal else None
            if earlier is not None and earlier.status != "failed":
                outcomes[target.id] = dataclasses.replace(earlier, earlier=True)
                progress.done += 1
            else:
                pending.append(target)
        queue = iter(pending)

        async def one(target: Target) -> None:
            count = ThrottleCount()
            token = current_count.set(count)
            sent_before = self.journal.was_sent(target.id) if self.journal else False
            attempt = Attempt(target, deadline, self.clock, self.sleep, sent_before)
            began = self.clock()
            progress.in_flight += 1
            self._report(progress, None)
            try:
                if self.clock() >= deadline:
                    message = f"not started within the run's timeout ({self.timeout:g} s)"
                    outcome = Outcome(target.id, target.name, "failed", TIMEOUT, message)
                else:
                    if self.journal is not None:
                        self.journal.note_sent(target.id)
                    details = await action(client, attempt)
                    outcome = Outcome(target.id, target.name, "succeeded", details=details)
            except ActionFailed as exc:
                outcome = Outcome(target.id, target.name, "failed", exc.code, exc.message,
                                  details=exc.details)  # fmt: skip
            except GeminiDBError as exc:
                code, message = failure_of(exc)
                outcome = Outcome(target.id, target.name, "failed", code, message)
            finally:
                current_count.reset(token)
                progress.in_flight -= 1
            outcome = dataclasses.replace(outcome, seconds=round(self.clock() - began, 3),
                                          throttled=count.throttled, busy=attempt.busy)  # fmt: skip
            outcomes[target.id] = outcome
            if self.journal is not None:
                self.journal.record(outcome)
            progress.done += 1
            progress.failed += outcome.status == "failed"
            self._report(progress, outcome)

        async def worker() -> None:
            for target in queue:  # one iterator shared by the workers: each target taken once
                await one(target)

        workers = [
            asyncio.ensure_future(worker()) for _ in range(min(self.concurrency, len(pending)))
        ]
        try:
            if workers:
                await asyncio.wait(workers, return_when=asyncio.FIRST_EXCEPTION)
        finally:
            # A worker that failed (a bug, a callback's exception), or a cancelled run (Ctrl-C):
            # the others stop at once rather than carry on unseen; then the first error shows.
            for task in workers:
                task.cancel()
            results = await asyncio.gather(*workers, return_exceptions=True)
            try:
                errors = [r for r in results if isinstance(r, BaseException)
                          and not isinstance(r, asyncio.CancelledError)]  # fmt: skip
                if not errors and finish is not None:
                    await finish(client, outcomes, deadline - self.clock(), self._record)
            finally:
                if client is not self.client:
                    await client.aclose()
        if errors:
            raise errors[0]
        return FleetReport(
            operation,
            [outcomes[target.id] for target in targets],
            self.clock() - started,
            self.pace.throttled,
            parameters=parameters,
        )

    def _record(self, outcome: Outcome) -> None:
        if self.journal is not None:
            self.journal.record(outcome)

    def _report(self, progress: FleetProgress, outcome: Outcome | None) -> None:
        if self.on_progress is not None:
            progress.throttled, progress.waiting = self.pace.throttled, self.pace.waiting
            self.on_progress(progress, outcome)


class Fleet:
    """The synchronous face of :class:`AsyncFleet`, over a :class:`BackupClient`: each call runs
    the async one on an event loop of its own, with the client's async twin."""

    def __init__(self, client: BackupClient, **options: Any) -> None:
        self.client = client
        self.options = options

    def create_backups(self, instances: Iterable[str | Target], name: str, description: str = "",
                       *, wait: bool = False, dry_run: bool = False) -> FleetReport:  # fmt: skip
        return self._run(lambda fleet: fleet.create_backups(instances, name, description,
                                                            wait=wait, dry_run=dry_run))  # fmt: skip

    def prune(self, instances: Iterable[str | Target], **options: Any) -> FleetReport:
        return self._run(lambda fleet: fleet.prune(instances, **options))

    def drill(self, instances: Iterable[str | Target], **options: Any) -> FleetReport:
        return self._run(lambda fleet: fleet.drill(instances, **options))

    def _run(self, call: Callable[[AsyncFleet], Awaitable[FleetReport]]) -> FleetReport:
        async def run() -> FleetReport:
            async with self.client.async_twin() as client:
                return await call(AsyncFleet(client, **self.options))

        return asyncio.run(run())


def check_backup(name: str, description: str) -> None:
    """Raise :class:`~geminidb_backup.errors.ValidationError` when the backup's name or
    description breaks the spec's rules: checked once for a whole run, before anything is
    sent."""
    from .validation import validate_call

    validate_call("createBackup", {}, {"name": name, "description": description})


def _targets(instances: Iterable[str | Target]) -> list[Target]:
    targets = [Target(item) if isinstance(item, str) else item for item in instances]
    seen: set[str] = set()
    unique = []
    for target in targets:  # an instance named twice is acted on once
        if target.id not in seen:
            seen.add(target.id)
            unique.append(target)
    return unique


async def _backup_named(client: AsyncBackupClient, instance_id: str, name: str) -> str | None:
    """The ID of the manual backup of ``instance_id`` named ``name``, if there is one."""
    async for backup in client.iter_backups(instance_id=instance_id, backup_type="Manual"):
        if backup.name == name:
            return backup.id
    return None


def select(targets: Sequence[Target], name_filter: str | None) -> list[Target]:
    """The targets whose name matches the glob ``name_filter`` (all when None)."""
    if name_filter is None:
        return list(targets)
    from fnmatch import fnmatchcase

    return [target for target in targets if fnmatchcase(target.name, name_filter)]
