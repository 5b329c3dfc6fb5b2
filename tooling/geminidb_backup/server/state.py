"""Projects, instances, backups and jobs, kept in SQLite.

Durability: every change is one transaction, committed before the server answers, so a backup
that was acknowledged (202) survives a SIGKILL of the server. With a file, the database is in WAL
mode with ``synchronous=FULL``: a commit is on disk, not only in the page cache, when it returns.

Lifecycle without a ticker: a backup and its job store when they began and how long they take;
status, ``progress``, ``size`` and ``end_time`` are computed from the clock when read. Nothing has
to run in the background, and a restart needs no recovery step: a job that was running when the
server died simply goes on and ends at the time it was due, as a task of the real service goes on
in its back end whatever happens to the API node that accepted it.

All access happens on the event loop's thread with one connection, so requests are serialised:
the checks of createBackup (busy instance, duplicate name, limit) and its inserts cannot interleave
with another request's.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from geminidb_backup.server import errors
from geminidb_backup.server.errors import ApiError

BACKUP_JOB = "BackupInstance"
DELETE_JOB = "DeleteBackup"
DATASTORE_TYPE = "cassandra"
DATASTORE_VERSION = "3.11"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S+0000"
# How far back the seeded automated backup of an instance is dated: the night before start-up.
AUTO_BACKUP_AGE_SECONDS = 86_400.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS instances (
    project_id TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (project_id, id)
);
CREATE TABLE IF NOT EXISTS backups (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    project_id TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    type TEXT NOT NULL,
    begin REAL NOT NULL,
    duration REAL NOT NULL,
    size REAL NOT NULL,
    delete_begin REAL,
    delete_duration REAL
);
CREATE INDEX IF NOT EXISTS backups_by_instance ON backups (project_id, instance_id);
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    project_id TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    name TEXT NOT NULL,
    begin REAL NOT NULL,
    duration REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_instance ON jobs (project_id, instance_id);
"""


def format_time(epoch: float) -> str:
    """A time in the service's form, ``2019-05-27T03:38:51+0000``."""
    return datetime.fromtimestamp(epoch, UTC).strftime(TIME_FORMAT)


@dataclass(frozen=True)
class Instance:
    project_id: str
    id: str
    name: str


@dataclass(frozen=True)
class Page:
    total_count: int
    items: list[dict[str, Any]]


def _size_kb(backup_id: str) -> float:
    # A stable, plausible size (1 MB to 1 GB) so that repeated reads agree.
    digest = int.from_bytes(hashlib.sha256(backup_id.encode()).digest()[:4], "big")
    return float(1024 + digest % (1024 * 1024))


class Store:
    """The server's state. ``path`` is a file or ``:memory:``; ``clock`` gives epoch seconds."""

    def __init__(
        self,
        path: str,
        *,
        backup_seconds: float,
        backup_limit: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.backup_seconds = backup_seconds
        self.backup_limit = backup_limit
        self.clock = clock
        # Autocommit mode; transactions are opened explicitly with BEGIN IMMEDIATE.
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def _transaction(self) -> sqlite3.Connection:
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def seed(self, instances: Iterable[Instance], *, auto_backups: bool) -> None:
        """Make the instances exist (kept if they already do), each with an automated backup if
        ``auto_backups`` and it has none yet."""
        now = self.clock()
        db = self._transaction()
        try:
            for instance in instances:
                db.execute(
                    "INSERT OR IGNORE INTO instances (project_id, id, name) VALUES (?, ?, ?)",
                    (instance.project_id, instance.id, instance.name),
                )
                if not auto_backups:
                    continue
                exists = db.execute(
                    "SELECT 1 FROM backups WHERE project_id = ? AND instance_id = ? AND type = 'Auto'",
                    (instance.project_id, instance.id),
                ).fetchone()
                if exists is None:
                    backup_id = uuid.uuid4().hex + "br06"
                    begin = float(int(now - AUTO_BACKUP_AGE_SECONDS))
                    db.execute(
                        "INSERT INTO backups (id, project_id, instance_id, name, description, type,"
                        " begin, duration, size) VALUES (?, ?, ?, ?, ?, 'Auto', ?, ?, ?)",
                        (
                            backup_id,
                            instance.project_id,
                            instance.id,
                            "autobackup_" + format_time(begin)[:10].replace("-", ""),
                            "",
                            begin,
                            300.0,
                            _size_kb(backup_id),
                        ),
                    )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def project_exists(self, project_id: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM instances WHERE project_id = ? LIMIT 1", (project_id,)
        ).fetchone()
        return row is not None

    def _instance(self, project_id: str, instance_id: str) -> Instance | None:
        row = self._db.execute(
            "SELECT project_id, id, name FROM instances WHERE project_id = ? AND id = ?",
            (project_id, instance_id),
        ).fetchone()
        return None if row is None else Instance(row["project_id"], row["id"], row["name"])

    def _busy(self, project_id: str, instance_id: str, now: float) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM jobs WHERE project_id = ? AND instance_id = ? AND begin + duration > ?"
            " LIMIT 1",
            (project_id, instance_id, now),
        ).fetchone()
        return row is not None

    def _insert_job(self, project_id: str, instance_id: str, name: str, now: float) -> str:
        job_id = str(uuid.uuid4())
        self._db.execute(
            "INSERT INTO jobs (id, project_id, instance_id, name, begin, duration)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (job_id, project_id, instance_id, name, now, self.backup_seconds),
        )
        return job_id

    def create_backup(
        self, project_id: str, instance_id: str, name: str, description: str
    ) -> tuple[str, str]:
        """Start a manual backup; returns (job_id, backup_id) once both are committed."""
        now = self.clock()
        db = self._transaction()
        try:
            if self._instance(project_id, instance_id) is None:
                raise ApiError(errors.INSTANCE_NOT_FOUND)
            if self._busy(project_id, instance_id, now):
                raise ApiError(errors.INSTANCE_BUSY)
            live = "(delete_begin IS NULL OR delete_begin + delete_duration > ?)"
            duplicate = db.execute(
                f"SELECT 1 FROM backups WHERE project_id = ? AND instance_id = ? AND name = ?"
                f" AND {live}",
                (project_id, instance_id, name, now),
            ).fetchone()
            if duplicate is not None:
                raise ApiError(errors.BACKUP_ALREADY_EXISTS)
            if self.backup_limit > 0:
                (count,) = db.execute(
                    f"SELECT count(*) FROM backups WHERE project_id = ? AND instance_id = ?"
                    f" AND type = 'Manual' AND {live}",
                    (project_id, instance_id, now),
                ).fetchone()
                if count >= self.backup_limit:
                    raise ApiError(errors.OPERATION_NOT_ALLOWED, instance_id, "createBackup")
            backup_id = uuid.uuid4().hex + "br06"
            db.execute(
                "INSERT INTO backups (id, project_id, instance_id, name, description, type, begin,"
                " duration, size) VALUES (?, ?, ?, ?, ?, 'Manual', ?, ?, ?)",
                (
                    backup_id,
                    project_id,
                    instance_id,
                    name,
                    description,
                    now,
                    self.backup_seconds,
                    _size_kb(backup_id),
                ),
            )
            job_id = self._insert_job(project_id, instance_id, BACKUP_JOB, now)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return job_id, backup_id

    def delete_backup(self, project_id: str, backup_id: str) -> str:
        """Start deleting a manual backup; returns the job_id once committed."""
        now = self.clock()
        db = self._transaction()
        try:
            row = db.execute(
                "SELECT * FROM backups WHERE project_id = ? AND id = ?", (project_id, backup_id)
            ).fetchone()
            if row is None or (
                row["delete_begin"] is not None
                and row["delete_begin"] + row["delete_duration"] <= now
            ):
                raise ApiError(errors.BACKUP_FILE_DOES_NOT_EXIST)
            if row["type"] != "Manual":
                raise ApiError(errors.NO_PERMISSION)
            if row["delete_begin"] is not None or self._busy(project_id, row["instance_id"], now):
                raise ApiError(errors.INSTANCE_BUSY)
            db.execute(
                "UPDATE backups SET delete_begin = ?, delete_duration = ? WHERE id = ?",
                (now, self.backup_seconds, backup_id),
            )
            job_id = self._insert_job(project_id, row["instance_id"], DELETE_JOB, now)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return job_id

    def list_backups(
        self,
        project_id: str,
        *,
        instance_id: str | None = None,
        backup_id: str | None = None,
        backup_type: str | None = None,
        table_level: bool = False,
        begin: float | None = None,
        end: float | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> Page:
        """Backups of the project that match, newest first (by begin time)."""
        now = self.clock()
        where = [
            "b.project_id = ?",
            "(b.delete_begin IS NULL OR b.delete_begin + b.delete_duration > ?)",
        ]
        args: list[Any] = [project_id, now]
        if table_level:
            # Every backup made here is an instance backup.
            where.append("0")
        for column, value in (
            ("instance_id", instance_id),
            ("id", backup_id),
            ("type", backup_type),
        ):
            if value is not None:
                where.append(f"b.{column} = ?")
                args.append(value)
        if begin is not None and end is not None:
            where.append("b.begin >= ? AND b.begin < ? + 1")
            args += [begin, end]
        condition = " AND ".join(where)
        (total,) = self._db.execute(
            f"SELECT count(*) FROM backups b WHERE {condition}", args
        ).fetchone()
        rows = self._db.execute(
            f"SELECT b.*, i.name AS instance_name FROM backups b JOIN instances i"
            f" ON i.project_id = b.project_id AND i.id = b.instance_id WHERE {condition}"
            f" ORDER BY b.begin DESC, b.seq DESC LIMIT ? OFFSET ?",
            [*args, limit, offset],
        ).fetchall()
        return Page(total, [_backup(row, now) for row in rows])

    def list_jobs(
        self,
        project_id: str,
        *,
        job_id: str | None = None,
        status: str | None = None,
        name: str | None = None,
        start: float,
        end: float,
        offset: int = 0,
        limit: int = 50,
    ) -> Page:
        """Jobs of the project started in [start, end] that match, newest first."""
        now = self.clock()
        where = ["j.project_id = ?", "j.begin >= ?", "j.begin < ? + 1"]
        args: list[Any] = [project_id, start, end]
        for column, value in (("id", job_id), ("name", name)):
            if value is not None:
                where.append(f"j.{column} = ?")
                args.append(value)
        if status is not None:
            # Jobs here never fail, so "Failed" matches nothing.
            where.append(
                {
                    "Running": "j.begin + j.duration > ?",
                    "Completed": "j.begin + j.duration <= ?",
                }.get(status, "0 AND ? IS NOT NULL")
            )
            args.append(now)
        condition = " AND ".join(where)
        (total,) = self._db.execute(
            f"SELECT count(*) FROM jobs j WHERE {condition}", args
        ).fetchone()
        rows = self._db.execute(
            f"SELECT j.*, i.name AS instance_name FROM jobs j JOIN instances i"
            f" ON i.project_id = j.project_id AND i.id = j.instance_id WHERE {condition}"
            f" ORDER BY j.begin DESC, j.seq DESC LIMIT ? OFFSET ?",
            [*args, limit, offset],
        ).fetchall()
        return Page(total, [_job(row, now) for row in rows])

    def instances(self) -> Sequence[Instance]:
        rows = self._db.execute(
            "SELECT project_id, id, name FROM instances ORDER BY project_id, id"
        )
        return [Instance(row["project_id"], row["id"], row["name"]) for row in rows]


def _backup(row: sqlite3.Row, now: float) -> dict[str, Any]:
    ends = row["begin"] + row["duration"]
    done = now >= ends
    return {
        "id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "instance_id": row["instance_id"],
        "instance_name": row["instance_name"],
        "datastore": {"type": DATASTORE_TYPE, "version": DATASTORE_VERSION},
        "type": row["type"],
        "size": row["size"] if done else 0.0,
        "status": "COMPLETED" if done else "BUILDING",
        "begin_time": format_time(row["begin"]),
        "end_time": format_time(ends) if done else "",
        "database_tables": [],
    }


def _job(row: sqlite3.Row, now: float) -> dict[str, Any]:
    ends = row["begin"] + row["duration"]
    done = now >= ends
    progress = ""
    if not done:
        # Whole percent of the time elapsed, at most 99 while running.
        progress = f"{min(99, max(0, int((now - row['begin']) * 100 / row['duration'])))}%"
    return {
        "id": row["id"],
        "name": row["name"],
        "status": "Completed" if done else "Running",
        "start_time": format_time(row["begin"]),
        "end_time": format_time(ends) if done else "",
        "progress": progress,
        "instance": {"id": row["instance_id"], "name": row["instance_name"]},
        "fail_reason": "",
    }


def parse_time(text: str) -> float:
    """Epoch seconds of a time in the spec's ``Timestamp`` form (already checked against its
    pattern); ``ValueError`` when it names no real moment (month 13, offset +2500)."""
    moment = datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")
    zone = text[19:]
    offset = 0
    if zone != "Z":
        hours, minutes = int(zone[1:3]), int(zone[3:5])
        if hours > 23 or minutes > 59:
            raise ValueError(f"no such UTC offset: {zone}")
        offset = (hours * 60 + minutes) * 60 * (-1 if zone[0] == "-" else 1)
    # Arithmetic on the naive time, so that year 1 or 9999 with an offset cannot overflow.
    return (moment - datetime(1970, 1, 1)).total_seconds() - offset
