"""Delete what the run created and did not delete itself, as an operator would.

A backup's job is waited for before the backup is deleted (a backup being made cannot be deleted),
each deletion's job is waited for before the next deletion on the same instance (an instance runs
one job at a time), and a deletion refused because the instance is busy (403 ``DBS.200019``, an
automated backup say) is tried again, all within the run's job timeout. Instances are cleaned up
one after the other; what could not be deleted is named, with the command that deletes it.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from geminidb_backup.contract.safety import CreatedBackup
from geminidb_backup.timing import PollSchedule

BUSY = "DBS.200019"
POLL_FIRST, POLL_MOST = 0.05, 2.0


@dataclass
class CleanupResult:
    deleted: list[str] = field(default_factory=list)
    left: dict[str, str] = field(default_factory=dict)  # backup_id -> why it is left
    jobs_waited: int = 0

    @property
    def ok(self) -> bool:
        return not self.left


@dataclass
class Cleaner:
    """Deletes backups through ``client`` (an ``httpx.Client`` on the target's base URL)."""

    client: Any
    timeout: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    result: CleanupResult = field(default_factory=CleanupResult)

    def run(self, backups: Iterable[CreatedBackup]) -> CleanupResult:
        deadline = self.clock() + self.timeout
        by_instance: dict[tuple[str, str | None], list[CreatedBackup]] = {}
        for backup in backups:
            by_instance.setdefault((backup.project_id, backup.instance_id), []).append(backup)
        for queue in by_instance.values():
            for backup in queue:
                try:
                    self._delete(backup, deadline)
                except _Left as left:
                    self.result.left[backup.backup_id] = str(left)
        return self.result

    def _delete(self, backup: CreatedBackup, deadline: float) -> None:
        project = quote(backup.project_id, safe="")
        if backup.job_id:
            self._wait(project, backup.job_id, deadline, "its creation job")
        interval = 0.5
        while True:
            try:
                response = self.client.delete(
                    f"/v3/{project}/backups/{quote(backup.backup_id, safe='')}"
                )
            except Exception as error:  # noqa: BLE001 - any transport error leaves it
                raise _Left(type(error).__name__) from None
            if response.status_code == 202:
                break
            code = error_code(response)
            if response.status_code == 400 and code == "DBS.201214":
                # Gone already (the run's own deletion, whose job the run did not wait for).
                self.result.deleted.append(backup.backup_id)
                return
            busy = response.status_code == 403 and code == BUSY
            throttled = response.status_code == 429
            if not (busy or throttled) or self.clock() >= deadline:
                raise _Left(f"{response.status_code} {code}".strip())
            self.sleep(min(interval, max(0.0, deadline - self.clock())))
            interval = min(interval * 2, POLL_MOST)
        job_id = _body(response).get("job_id")
        if isinstance(job_id, str):
            # The next deletion on this instance waits for this one (one job at a time).
            self._wait(project, job_id, deadline, "its deletion job")
        self.result.deleted.append(backup.backup_id)

    def _wait(self, project: str, job_id: str, deadline: float, what: str) -> None:
        self.result.jobs_waited += 1
        start = self.clock()
        schedule = PollSchedule(interval=POLL_FIRST, max_interval=POLL_MOST)
        while True:
            try:
                response = self.client.get(f"/v3/{project}/jobs", params={"id": job_id})
            except Exception as error:  # noqa: BLE001
                raise _Left(
                    f"{what} {job_id} could not be followed: {type(error).__name__}"
                ) from None
            jobs = _body(response).get("jobs")
            job = next(
                (j for j in jobs or [] if isinstance(j, dict) and j.get("id") == job_id), None
            )
            status = job.get("status") if job else None
            if status in ("Completed", "Failed"):
                return
            if self.clock() >= deadline:
                raise _Left(f"{what} {job_id} had not ended within --job-timeout")
            self.sleep(schedule.next_delay(self.clock() - start, deadline - self.clock()))


class _Left(Exception):
    """Why a backup is left on the target."""


def _body(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def error_code(response: Any) -> str:
    code = _body(response).get("error_code")
    return code if isinstance(code, str) else ""


def removal_commands(url: str, left: Iterable[CreatedBackup]) -> list[str]:
    """The commands that delete what is left (credentials as the suite found them)."""
    return [
        "geminidb-backup --endpoint "
        + shlex.quote(url)
        + " --project-id "
        + shlex.quote(backup.project_id)
        + " delete --yes --wait "
        + shlex.quote(backup.backup_id)
        for backup in left
    ]
