"""Projects, instances, backups and jobs, kept in SQLite.

Durability: every change is one transaction, committed before the server answers, so a backup
that was acknowledged (202) survives a SIGKILL of the server. With a file, the database is in WAL
mode. By default ``synchronous=NORMAL``: a commit is in the WAL file when it returns (in the
operating system's cache), which survives any crash of the server process; ``fsync=True`` makes
it ``synchronous=FULL``, which also survives a crash of the machine, at the cost of an fsync per
request (on the development machine about 3 ms, four times the rest of a createBackup).

Lifecycle without a ticker: a backup and its job store when they began and how long they take;
status, ``progress``, ``size`` and ``end_time`` are computed from the clock when read. Nothing has
to run in the background, and a restart needs no recovery step: a job that was running when the
server died simply goes on and ends at the time it was due, as a task of the real service goes on
in its back end whatever happens to the API node that accepted it.

Changes are serialised: they run one batch at a time, each change whole (the checks of
createBackup, busy instance, duplicate name, limit, and its inserts) so that none interleaves with
another request's. Writes are group-committed (:meth:`Store._write`); with fsync, by a writer
thread with its own connection, while reads run on the event loop's (WAL: they see committed
changes only).

What a test controls (:mod:`.control`, :mod:`geminidb_backup.testing`) is state too, kept here:
a backup that is made to fail carries its ``fail_reason`` from the start and ends ``FAILED`` (its
job ``Failed``) when it would have completed; an instance has a status (``busy``, ``abnormal``,
``frozen``), possibly until a given time; projects and instances can be added at run time. The
clock is a :class:`Clock`, which follows the wall unless a test freezes it.
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from geminidb_backup.server import errors, state_file
from geminidb_backup.server.errors import ApiError
from geminidb_backup.server.instances import (
    CREATE_JOB,
    DATASTORE_TYPE,
    DATASTORE_VERSION,
    DELETE_INSTANCE_JOB,
    INSTANCE_COLUMNS,
    RESTORE_JOB,
    Instance,
    matches,
    restorable_window,
)
from geminidb_backup.server.live_backups import LiveBackups
from geminidb_backup.server.policy import Policy
from geminidb_backup.server.state_file import StateFileError

BACKUP_JOB = "BackupInstance"
DELETE_JOB = "DeleteBackup"
STOP_JOB = "StopBackup"
# The fail_reason of a stopped backup and of its job (stopBackup's description).
STOPPED_REASON = "The backup was stopped."
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S+0000"
# What an instance's status does to a backup or deletion started on it. The names are the real
# service's instance statuses (``normal``, ``abnormal``, ``frozen``), plus ``busy`` for an instance
# on which another operation (a resize, a restart) runs; the codes are what the API answers then
# (see createBackup's description in the spec).
INSTANCE_STATUSES: dict[str, str | None] = {
    "normal": None,
    "busy": errors.INSTANCE_BUSY,
    "abnormal": errors.INSTANCE_BUSY,
    "frozen": errors.OPERATION_NOT_ALLOWED,
    "creating": errors.INSTANCE_BUSY,
    "createfail": errors.OPERATION_NOT_ALLOWED,
}
# The last moment a time of the API can show (9999-12-31T23:59:59+0000).
LAST_MOMENT = 253_402_300_799.0
# How far back the seeded automated backup of an instance is dated: the night before start-up.
AUTO_BACKUP_AGE_SECONDS = 86_400.0

# ``seq`` orders rows created in the same second. A plain INTEGER PRIMARY KEY (the rowid) grows
# with every insert as AUTOINCREMENT does while no row is deleted (none is: a deleted backup is
# marked), without AUTOINCREMENT's extra write to sqlite_sequence per insert (a fifth of an
# insert's cost). Databases made with AUTOINCREMENT keep it and work the same.
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS projects (id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS instances (
    project_id TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    datastore_version TEXT NOT NULL DEFAULT '{DATASTORE_VERSION}',
    status TEXT NOT NULL DEFAULT 'normal',
    status_until REAL,
    fail_reason TEXT,
    PRIMARY KEY (project_id, id)
);
CREATE TABLE IF NOT EXISTS backups (
    seq INTEGER PRIMARY KEY,
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
    delete_duration REAL,
    fail_reason TEXT
);
-- Whether a name is taken, and how many manual backups an instance has, are answered from memory
-- (Store._live); the index that served them in earlier releases cost every create a fourth
-- index write.
DROP INDEX IF EXISTS backups_by_name;
CREATE INDEX IF NOT EXISTS backups_by_begin ON backups (project_id, begin);
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    project_id TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    name TEXT NOT NULL,
    begin REAL NOT NULL,
    duration REAL NOT NULL,
    fail_reason TEXT
);
-- Whether an instance runs a job is answered from memory (Store._job_ends); an index that served
-- it in earlier releases cost every job insert a third index write.
DROP INDEX IF EXISTS jobs_by_end;
CREATE INDEX IF NOT EXISTS jobs_by_begin ON jobs (project_id, begin);
-- Failures asked for, each used by the next backup that matches it (NULL matches any).
CREATE TABLE IF NOT EXISTS failures (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id TEXT,
    instance_id TEXT,
    reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value REAL NOT NULL);
-- The automated backup policies that are on; made_until: the automated backups due up to this
-- time have been made (see Store.catch_up).
CREATE TABLE IF NOT EXISTS policies (
    project_id TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    keep_days INTEGER NOT NULL,
    window_start INTEGER NOT NULL,
    days TEXT NOT NULL,
    made_until REAL NOT NULL,
    PRIMARY KEY (project_id, instance_id)
);
"""
# Columns added since the first release, for state files written by it: (table, column, type).
_ADDED_COLUMNS = (
    ("instances", "datastore_version", f"TEXT NOT NULL DEFAULT '{DATASTORE_VERSION}'"),
    ("instances", "status", "TEXT NOT NULL DEFAULT 'normal'"),
    ("instances", "status_until", "REAL"),
    ("instances", "fail_reason", "TEXT"),
    ("backups", "fail_reason", "TEXT"),
    ("jobs", "fail_reason", "TEXT"),
    ("jobs", "backup_id", "TEXT"),
    # The instance model (server/instances.py); NULL: the field's default.
    ("instances", "mode", "TEXT"),
    ("instances", "region", "TEXT"),
    ("instances", "availability_zone", "TEXT"),
    ("instances", "vpc_id", "TEXT"),
    ("instances", "subnet_id", "TEXT"),
    ("instances", "security_group_id", "TEXT"),
    ("instances", "spec_code", "TEXT"),
    ("instances", "node_count", "INTEGER"),
    ("instances", "storage_gb", "INTEGER"),
    ("instances", "pay_mode", "TEXT"),
    ("instances", "created", "REAL"),
    ("instances", "restored_from", "TEXT"),
    ("instances", "create_fail_reason", "TEXT"),
    ("instances", "gone_at", "REAL"),
    ("failures", "kind", "TEXT NOT NULL DEFAULT 'backup'"),
)


T = TypeVar("T")

# How long a write may wait for another process's write lock on the file before it is answered
# 503 (SQLite's busy timeout, Python's default): while it waits, the event loop goes on.
DEFAULT_LOCK_TIMEOUT_SECONDS = 5.0
# How often a write that found the file locked tries again.
_LOCK_RETRY_SECONDS = 0.02


class StoreBusy(Exception):
    """Another process holds the state file's write lock (SQLITE_BUSY): nothing was written."""


def _locked(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def format_time(epoch: float) -> str:
    """A time in the service's form, ``2019-05-27T03:38:51+0000``; at most the last moment of
    9999 (a running clock moved close to it goes past it, which no datetime can show)."""
    return datetime.fromtimestamp(min(epoch, LAST_MOMENT), UTC).strftime(TIME_FORMAT)


class Clock:
    """Epoch seconds for the server: the wall's (plus whatever :meth:`advance` added), or, once
    frozen, a fixed moment that only :meth:`advance` moves, so that a test decides when a backup
    completes. It never goes back: a completed job cannot become running again."""

    def __init__(
        self, *, frozen_at: float | None = None, wall: Callable[[], float] = time.time
    ) -> None:
        self._wall = wall
        self._frozen_at = frozen_at
        self._offset = 0.0

    def __call__(self) -> float:
        if self._frozen_at is not None:
            return self._frozen_at
        return self._wall() + self._offset

    def wall(self) -> float:
        """The real time: what a caller's clock says (an AK/SK signature is dated with it)."""
        return self._wall()

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def advance(self, seconds: float) -> float:
        """Move the clock ``seconds`` (>= 0) forward; returns the new time."""
        if not seconds >= 0:  # also refuses NaN
            raise ValueError(f"the clock only moves forward: {seconds!r} seconds")
        if not self() + seconds < LAST_MOMENT:  # also refuses infinity
            raise ValueError(f"{seconds!r} seconds from now is past the year 9999")
        if self._frozen_at is not None:
            self._frozen_at += seconds
        else:
            self._offset += seconds
        return self()

    def state(self) -> tuple[float | None, float]:
        """What :meth:`set_state` needs to bring this clock back (a snapshot's)."""
        return self._frozen_at, self._offset

    def set_state(self, state: tuple[float | None, float]) -> None:
        """Back to a time of :meth:`state`: a snapshot's restore, the one way the clock goes
        back."""
        self._frozen_at, self._offset = state

    def freeze(self, frozen: bool = True) -> None:
        """Stop the clock at its current time, or (``frozen=False``) let it run from there."""
        now = self()
        if frozen:
            self._frozen_at = now
        else:
            self._frozen_at = None
            self._offset = now - self._wall()


@dataclass(frozen=True)
class Page:
    total_count: int
    items: list[dict[str, Any]]


# IDs need to be unique, not secret (every call is authenticated and scoped to its project), so
# they come from a PRNG seeded once from the OS rather than from os.urandom per ID (uuid4), a
# system call each. Their first 48 bits are the time in milliseconds (UUIDv7's layout, RFC 9562):
# new rows then land at the end of the ID indexes instead of on random pages, which halves the
# pages a commit writes.
_ids = random.Random(int.from_bytes(os.urandom(16), "big"))


def new_id_hex(ids: random.Random = _ids, *, timed: bool = True) -> str:
    """32 hex digits of a UUIDv7: time-ordered, 74 random bits. Not ``timed``, the time field is
    drawn from ``ids`` too: a seeded generator then makes the same IDs on every run."""
    millis = time.time_ns() // 1_000_000 if timed else ids.getrandbits(48)
    value = millis << 80 | 0x7 << 76 | ids.getrandbits(12) << 64
    value |= 0b10 << 62 | ids.getrandbits(62)
    return f"{value:032x}"


def new_job_id(ids: random.Random = _ids, *, timed: bool = True) -> str:
    """A job ID in the service's form, a UUID (``8061ceaf-b319-4315-9338-7f3de8e26f05``)."""
    h = new_id_hex(ids, timed=timed)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def new_backup_id(ids: random.Random = _ids, *, timed: bool = True) -> str:
    """A backup ID in the service's form, 32 hex digits and ``br06``."""
    return new_id_hex(ids, timed=timed) + "br06"


def _new_size_kb(ids: random.Random = _ids) -> float:
    # A plausible size, 1 MB to 1 GB. Drawn once and stored with the backup, so repeated reads
    # agree; from the IDs' generator rather than a hash of the ID (a twentieth of a create).
    return float(1024 + ids.getrandbits(20))


class Store:
    """The server's state. ``path`` is a file or ``:memory:``; ``clock`` gives epoch seconds."""

    def __init__(
        self,
        path: str,
        *,
        backup_seconds: float,
        backup_limit: int,
        fsync: bool = False,
        clock: Callable[[], float] = time.time,
        restore_seconds: float = 10.0,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS,
        seed: int | None = None,
    ) -> None:
        # IDs (and sizes) come from one generator: a seeded one makes the same ones every run.
        self.ids = _ids if seed is None else random.Random(seed)
        self._timed_ids = seed is None
        self.backup_seconds = backup_seconds
        # How long a creation or restore to a new instance takes.
        self.restore_seconds = restore_seconds
        self.backup_limit = backup_limit
        self.clock = clock
        self.lock_timeout = lock_timeout
        self._path = path
        self._fsync = fsync
        # The connection of the current thread (see _db): the event loop's for reads and start-up,
        # the writer thread's for the changes of _write.
        self._local = threading.local()
        # Refused before anything is written; any failure to set the file up is one line too.
        state_file.check(path)
        try:
            self._main_db = self._connect()
            self._main_db.executescript(_SCHEMA)
        except sqlite3.Error as error:
            raise StateFileError(f"cannot use the state file {path}: {error}") from None
        # With fsync, a commit waits for the disk (milliseconds on many disks): a writer thread
        # with a connection of its own then writes the batches, so that the event loop goes on
        # serving meanwhile; WAL lets the loop's connection read, and it sees committed changes
        # only. Without fsync a commit only copies pages to the OS, and the hand-off to a thread
        # (a queue, a wake-up, the GIL passed back and forth) costs more than it saves: measured
        # with benchmarks/bench_server.py, 3,750 createBackup/s without it, 3,200 with. The loop
        # then writes itself, as it must with ":memory:", which connections cannot share.
        self._writer = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="geminidb-store-writer")
            if fsync and path != ":memory:"
            else None
        )
        self._writing = False
        self.in_memory = path == ":memory:"
        self._add_missing_columns()
        # Instances change only at start-up (seed) or by a test's control calls, so they are also
        # kept here: the project and instance checks of every request then cost no query.
        self._instances: dict[tuple[str, str], Instance] = {}
        self._projects: frozenset[str] = frozenset()
        self._pending: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []
        self._load_instances()
        # When the last job of each instance ends, (project_id, instance_id) -> epoch seconds:
        # an instance is busy while it is in the future. Jobs are only ever added (by
        # _insert_job, which keeps this up to date) or all forgotten (reset), so this is exact;
        # it spares createBackup and deleteBackup a query, and the jobs table an index.
        self._job_ends: dict[tuple[str, str], float] = {}
        self._load_job_ends()
        # The backups that exist, by name and type (see live_backups): createBackup's duplicate
        # and limit checks then cost no query.
        self._live = LiveBackups()
        self._load_live_backups()
        # False only when the failures table is known to be empty: a queued failure is rare (a
        # test asks for it), so createBackup then skips looking for one. Set before a failure
        # is queued, cleared only by a look that found none.
        self._failures_queued = True
        # The policies that are on, with the time their backups were made up to, and the
        # earliest moment one of them has something to do (a backup to start, one to expire).
        self._policies: dict[tuple[str, str], tuple[Policy, float]] = {}
        self._policy_due = math.inf
        self._load_policies()

    def _add_missing_columns(self) -> None:
        for table in {table for table, _, _ in _ADDED_COLUMNS}:
            present = {row["name"] for row in self._db.execute(f"PRAGMA table_info({table})")}
            for name, column, kind in _ADDED_COLUMNS:
                if name == table and column not in present:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    def _load_instances(self) -> None:
        rows = self._db.execute("SELECT * FROM instances").fetchall()
        self._instances = {
            (row["project_id"], row["id"]): Instance(
                **{name: row[name] for name in INSTANCE_COLUMNS if row[name] is not None}
            )
            for row in rows
        }
        projects = {row["id"] for row in self._db.execute("SELECT id FROM projects")}
        self._projects = frozenset(projects | {project for project, _ in self._instances})

    def _load_job_ends(self) -> None:
        rows = self._db.execute(
            "SELECT project_id, instance_id, max(begin + duration) FROM jobs"
            " GROUP BY project_id, instance_id"
        ).fetchall()
        self._job_ends = {(row[0], row[1]): row[2] for row in rows}

    def _load_live_backups(self) -> None:
        live = LiveBackups()
        for project_id, instance_id, backup_id, name, kind, gone_at in self._db.execute(
            "SELECT project_id, instance_id, id, name, type, delete_begin + delete_duration"
            " FROM backups WHERE delete_begin IS NULL OR delete_begin + delete_duration > ?",
            (self.clock(),),
        ):
            live.note(project_id, instance_id, backup_id, name, manual=kind == "Manual",
                      gone_at=math.inf if gone_at is None else gone_at)  # fmt: skip
        self._live = live

    def _reload_memory(self) -> None:
        """After a rollback: what memory keeps of the file is read again from it."""
        self._load_instances()
        self._load_job_ends()
        self._load_live_backups()
        self._load_policies()

    def _load_policies(self) -> None:
        self._policies = {
            (row["project_id"], row["instance_id"]): (
                Policy(row["keep_days"], row["window_start"],
                       frozenset(int(day) for day in row["days"].split(","))),
                row["made_until"],
            )
            for row in self._db.execute("SELECT * FROM policies")
        }  # fmt: skip
        self._policy_due = -math.inf if self._policies else math.inf

    @contextmanager
    def _changing(self) -> Iterator[sqlite3.Connection]:
        """A write transaction of a control call (synchronous: it runs between two requests,
        never inside one); the cached instances are reloaded after it."""
        db = self._transaction()
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        finally:
            self._load_instances()

    def _connect(self) -> sqlite3.Connection:
        # Autocommit mode; transactions are opened explicitly with BEGIN IMMEDIATE. Nothing waits
        # for a lock (timeout 0): a write that finds the file locked by another process tries
        # again later without holding the event loop (_write), and reads need no lock (WAL).
        db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False, timeout=0)
        db.row_factory = sqlite3.Row
        if self._path != ":memory:":
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA synchronous={'FULL' if self._fsync else 'NORMAL'}")
        return db

    @property
    def _db(self) -> sqlite3.Connection:
        """The connection of the calling thread: the writer thread has its own."""
        db: sqlite3.Connection = getattr(self._local, "db", None) or self._main_db
        return db

    def close(self) -> None:
        if self._writer is not None:
            self._writer.submit(self._close_writer_connection).result()
            self._writer.shutdown(wait=True)
        self._main_db.close()

    def _close_writer_connection(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def _transaction(self) -> sqlite3.Connection:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if _locked(error):
                raise StoreBusy from None
            raise
        return self._db

    def new_backup_id(self) -> str:
        return new_backup_id(self.ids, timed=self._timed_ids)

    def new_job_id(self) -> str:
        return new_job_id(self.ids, timed=self._timed_ids)

    def new_hex(self) -> str:
        """32 hex digits from the IDs' generator (a project's or an instance's made-up ID)."""
        return new_id_hex(self.ids, timed=self._timed_ids)

    def job_end(self, project_id: str, job_id: str) -> float | None:
        """When a job ends (or ended), in epoch seconds; None for an unknown job."""
        row = self._db.execute(
            "SELECT begin + duration FROM jobs WHERE project_id = ? AND id = ?",
            (project_id, job_id),
        ).fetchone()
        return None if row is None else float(row[0])

    def snapshot(self) -> tuple[bytes, object]:
        """The whole state, to be given back to :meth:`restore`: the database's bytes and the
        IDs' generator's state. Call it between requests (a control call)."""
        return self._main_db.serialize(), self.ids.getstate()

    def restore(self, snapshot: tuple[bytes, object]) -> None:
        """Go back to a :meth:`snapshot` of this store (its database replaced, page by page)."""
        data, ids_state = snapshot
        source = sqlite3.connect(":memory:")
        try:
            source.deserialize(data)
            source.backup(self._main_db)
        finally:
            source.close()
        if self.ids is not _ids:  # the shared generator of unseeded stores is nobody's to rewind
            self.ids.setstate(ids_state)  # type: ignore[arg-type]
        self._load_instances()
        self._reload_memory()
        self._failures_queued = True

    def seed(
        self, instances: Iterable[Instance], *, auto_backups: bool, policy: Policy | None = None
    ) -> None:
        """Make the instances exist (kept if they already do), each with an automated backup if
        ``auto_backups`` and it has none yet, and with ``policy`` on from now if given (and it
        has none yet)."""
        now = self.clock()
        db = self._transaction()
        try:
            for instance in instances:
                self._insert_instance(db, instance)
                if policy is not None:
                    db.execute(
                        "INSERT OR IGNORE INTO policies (project_id, instance_id, keep_days,"
                        " window_start, days, made_until) VALUES (?, ?, ?, ?, ?, ?)",
                        (instance.project_id, instance.id, *_policy_row(policy), now),
                    )
                if not auto_backups:
                    continue
                exists = db.execute(
                    "SELECT 1 FROM backups WHERE project_id = ? AND instance_id = ? AND type = 'Auto'",
                    (instance.project_id, instance.id),
                ).fetchone()
                if exists is None:
                    backup_id = self.new_backup_id()
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
                            _new_size_kb(self.ids),
                        ),
                    )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self._load_instances()
        self._load_live_backups()
        self._load_policies()

    def _insert_instance(self, db: sqlite3.Connection, instance: Instance) -> None:
        db.execute("INSERT OR IGNORE INTO projects (id) VALUES (?)", (instance.project_id,))
        if instance.created is None:
            instance = replace(instance, created=float(int(self.clock())))
        columns = ", ".join(INSTANCE_COLUMNS)  # the dataclass's field names, no input
        db.execute(
            f"INSERT OR IGNORE INTO instances ({columns})"
            f" VALUES ({', '.join('?' * len(INSTANCE_COLUMNS))})",
            [getattr(instance, name) for name in INSTANCE_COLUMNS],
        )

    def project_exists(self, project_id: str) -> bool:
        return project_id in self._projects

    def _instance(self, project_id: str, instance_id: str) -> Instance | None:
        """The instance, unless it names nothing (never made, or deleted)."""
        instance = self._instances.get((project_id, instance_id))
        if (
            instance is None
            or instance.gone_at is not None
            and not instance.exists_at(self.clock())
        ):
            return None
        return instance

    def _busy(self, project_id: str, instance_id: str, now: float) -> bool:
        """Whether a job of the instance is still running at ``now``."""
        return self._job_ends.get((project_id, instance_id), now) > now

    def _insert_job(
        self,
        db: sqlite3.Connection,
        project_id: str,
        instance_id: str,
        name: str,
        now: float,
        fail_reason: str | None = None,
        duration: float | None = None,
        backup_id: str | None = None,
    ) -> str:
        job_id = self.new_job_id()
        duration = self.backup_seconds if duration is None else duration
        db.execute(
            "INSERT INTO jobs (id, project_id, instance_id, name, begin, duration, fail_reason,"
            " backup_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (job_id, project_id, instance_id, name, now, duration, fail_reason, backup_id),
        )
        # After the insert, so that only a written job is noted; a rollback reloads these
        # (_commit).
        key = (project_id, instance_id)
        self._job_ends[key] = max(self._job_ends.get(key, now), now + duration)
        return job_id

    def _refuse_unless_available(self, instance: Instance, now: float, operation: str) -> None:
        """Raise the API's error when the instance's status or a running job forbids
        ``operation`` on it."""
        code = INSTANCE_STATUSES.get(instance.status_at(now))
        if code == errors.OPERATION_NOT_ALLOWED:
            raise ApiError(code, instance.id, operation)
        if code is not None or self._busy(instance.project_id, instance.id, now):
            raise ApiError(errors.INSTANCE_BUSY)

    def _take_failure(self, instance: Instance, kind: str = "backup") -> str | None:
        """Inside a write transaction: why the backup (``kind`` "backup") being made on
        ``instance``, or the restore (``kind`` "restore") from it, is to fail, if it is: for a
        backup the instance's own reason, else the oldest queued failure of that kind that
        matches (used up)."""
        if kind == "backup" and instance.fail_reason is not None:
            return instance.fail_reason
        if not self._failures_queued:
            return None
        row = self._db.execute(
            "SELECT seq, reason FROM failures WHERE (project_id IS NULL OR project_id = ?)"
            " AND (instance_id IS NULL OR instance_id = ?) AND kind = ? ORDER BY seq LIMIT 1",
            (instance.project_id, instance.id, kind),
        ).fetchone()
        if row is None:
            # Only if none is queued for any instance may later backups skip the look.
            self._failures_queued = (
                self._db.execute("SELECT 1 FROM failures LIMIT 1").fetchone() is not None
            )
            return None
        self._db.execute("DELETE FROM failures WHERE seq = ?", (row["seq"],))
        return str(row["reason"])

    async def create_backup(
        self, project_id: str, instance_id: str, name: str, description: str
    ) -> tuple[str, str]:
        """Start a manual backup; returns (job_id, backup_id) once both are committed."""
        return await self._write(
            lambda: self._create_backup(project_id, instance_id, name, description)
        )

    async def delete_backup(self, project_id: str, backup_id: str) -> str:
        """Start deleting a manual backup; returns the job_id once committed."""
        return await self._write(lambda: self._delete_backup(project_id, backup_id))

    async def _write(self, change: Callable[[], T]) -> T:
        """Run ``change`` in a write transaction; return once that transaction is committed.

        Group commit: the changes asked for while the previous batch was being written (or
        during two turns of the event loop) share one transaction (a refused or failed change
        is left out of it alone, see _commit), and all wait for its one COMMIT. Under
        concurrent load this divides the cost of a commit by the number of requests in the
        batch; alone, a request is committed after two turns of the loop. With fsync, the batch
        is written by the writer thread (one at a time, so changes never interleave) while the
        loop goes on.
        """
        try:
            result: T = await self._enqueue(change)
            return result
        except StoreBusy:
            pass
        # Another process holds the file's write lock, and nothing was written: tried again
        # until lock_timeout, the event loop serving other requests (reads included) meanwhile.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.lock_timeout
        while loop.time() < deadline:
            await asyncio.sleep(_LOCK_RETRY_SECONDS)
            try:
                result = await self._enqueue(change)
                return result
            except StoreBusy:
                continue
        raise ApiError(errors.SYSTEM_BUSY, status=503, headers={"Retry-After": "1"})

    def _enqueue(self, change: Callable[[], Any]) -> asyncio.Future[Any]:
        """Add ``change`` to the next batch; the future is its result once committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((change, future))
        if len(self._pending) == 1 and not self._writing:
            # Written a turn of the loop later than it could be: the requests read in the
            # meantime (the next poll of the sockets) join the batch. Under load from 16
            # connections this took the batch from about 6 requests to 14 and the throughput
            # up by a seventh (a commit costs nearly the same for 1 row or 16); alone, a request
            # waits microseconds more.
            loop.call_soon(loop.call_soon, self._flush)
        return future

    def _flush(self) -> None:
        if self._writing or not self._pending:
            return
        batch, self._pending = self._pending, []
        if self._writer is None:
            self._settle(batch, self._commit, batch)
            return
        self._writing = True
        written = asyncio.get_running_loop().run_in_executor(self._writer, self._commit, batch)

        def done(written: asyncio.Future[Any]) -> None:
            self._writing = False
            self._settle(batch, written.result)
            self._flush()  # what arrived meanwhile

        written.add_done_callback(done)

    def _settle(
        self,
        batch: list[tuple[Callable[[], Any], asyncio.Future[Any]]],
        outcome: Callable[..., list[tuple[asyncio.Future[Any], Any, BaseException | None]]],
        *args: Any,
    ) -> None:
        """Hand each request of ``batch`` its result, or the error that failed the batch."""
        try:
            outcomes = outcome(*args)
        except BaseException as error:
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            if not isinstance(error, Exception):
                raise
            return
        for future, value, failure in outcomes:
            if future.done():  # the request was cancelled (its client went away)
                continue
            if failure is not None:
                future.set_exception(failure)
            else:
                future.set_result(value)

    def _commit(
        self, batch: list[tuple[Callable[[], Any], asyncio.Future[Any]]]
    ) -> list[tuple[asyncio.Future[Any], Any, BaseException | None]]:
        """Run the changes of ``batch`` in one transaction and commit it; on the writer thread
        when there is one. Raises when the transaction itself fails (then nothing is kept).

        A change checks before it writes, so a refusal (an ``ApiError`` raised before the change
        wrote a row) leaves nothing to undo and needs no savepoint: a savepoint per change cost
        two statements, a fifth of a create. Any other failure of a change (or a refusal after
        it wrote) rolls the transaction back, and the batch runs again without that change,
        which alone gets the error.
        """
        if self._writer is not None and getattr(self._local, "db", None) is None:
            self._local.db = self._connect()
        db = self._db
        failed: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        while True:
            outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
            culprit: int | None = None
            try:
                self._transaction()
                for index, (change, future) in enumerate(batch):
                    written = db.total_changes
                    try:
                        outcomes.append((future, change(), None))
                    except Exception as error:  # noqa: BLE001 - handed to the request that asked
                        if isinstance(error, ApiError) and db.total_changes == written:
                            outcomes.append((future, None, error))
                            continue
                        failed.append((future, None, error))
                        culprit = index
                        break
                db.execute("COMMIT" if culprit is None else "ROLLBACK")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                # What the batch noted in memory as it wrote is not kept.
                self._reload_memory()
                raise
            if culprit is None:
                return failed + outcomes
            self._reload_memory()
            batch = batch[:culprit] + batch[culprit + 1 :]

    def _create_backup(
        self, project_id: str, instance_id: str, name: str, description: str
    ) -> tuple[str, str]:
        """Inside a write transaction: check and insert a manual backup and its job."""
        now = self.clock()
        db = self._db
        if now >= self._policy_due:
            self._catch_up_in(db, now)
        instance = self._instance(project_id, instance_id)
        if instance is None:
            raise ApiError(errors.INSTANCE_NOT_FOUND)
        self._refuse_unless_available(instance, now, "createBackup")
        if self._live.name_taken(project_id, instance_id, name, now):
            raise ApiError(errors.BACKUP_ALREADY_EXISTS)
        if (
            self.backup_limit > 0
            and self._live.manual_count(project_id, instance_id, now) >= self.backup_limit
        ):
            raise ApiError(errors.OPERATION_NOT_ALLOWED, instance_id, "createBackup")
        backup_id = self.new_backup_id()
        fail_reason = self._take_failure(instance)
        db.execute(
            "INSERT INTO backups (id, project_id, instance_id, name, description, type, begin,"
            " duration, size, fail_reason) VALUES (?, ?, ?, ?, ?, 'Manual', ?, ?, ?, ?)",
            (
                backup_id,
                project_id,
                instance_id,
                name,
                description,
                now,
                self.backup_seconds,
                _new_size_kb(self.ids),
                fail_reason,
            ),
        )
        job_id = self._insert_job(
            db, project_id, instance_id, BACKUP_JOB, now, fail_reason, backup_id=backup_id
        )
        self._live.note(project_id, instance_id, backup_id, name, manual=True)
        return job_id, backup_id

    def _delete_backup(self, project_id: str, backup_id: str) -> str:
        """Inside a write transaction: check and mark a backup as being deleted, with its job."""
        now = self.clock()
        if now >= self._policy_due:
            self._catch_up_in(self._db, now)
        row = self._deletable(project_id, backup_id, now)
        return self._start_deletion(project_id, row, now)

    def _batch_delete(self, project_id: str, backup_ids: list[str]) -> list[str]:
        """Inside a write transaction: check every backup of the batch, then start deleting
        them all (none if one is refused; the refusal names it)."""
        now = self.clock()
        if now >= self._policy_due:
            self._catch_up_in(self._db, now)
        rows = []
        for backup_id in backup_ids:
            try:
                rows.append(self._deletable(project_id, backup_id, now))
            except ApiError as error:
                raise ApiError(error.code, status=error.status, backup_id=backup_id) from None
        return [self._start_deletion(project_id, row, now) for row in rows]

    def _backup_row(self, project_id: str, backup_id: str, now: float) -> sqlite3.Row:
        """The backup, not yet deleted; else the API's error for an unknown backup."""
        row: sqlite3.Row | None = self._db.execute(
            "SELECT * FROM backups WHERE project_id = ? AND id = ?", (project_id, backup_id)
        ).fetchone()
        if row is None or (
            row["delete_begin"] is not None and row["delete_begin"] + row["delete_duration"] <= now
        ):
            raise ApiError(errors.BACKUP_FILE_DOES_NOT_EXIST)
        return row

    def _deletable(self, project_id: str, backup_id: str, now: float) -> sqlite3.Row:
        """The backup, if it may be deleted now; else the API's error."""
        row = self._backup_row(project_id, backup_id, now)
        if row["type"] != "Manual":
            raise ApiError(errors.NO_PERMISSION)
        if self.restoring_from(project_id, backup_id, now):
            raise ApiError(errors.RESTORATION_IN_PROGRESS)
        if row["delete_begin"] is not None:
            raise ApiError(errors.INSTANCE_BUSY)
        # The instance of a backup exists, unless a state file was edited by hand: then only its
        # jobs can make it busy.
        instance = self._instance(project_id, row["instance_id"]) or Instance(
            project_id, row["instance_id"], ""
        )
        self._refuse_unless_available(instance, now, "deleteBackup")
        return row

    def _start_deletion(self, project_id: str, row: sqlite3.Row, now: float) -> str:
        db = self._db
        backup_id = row["id"]
        db.execute(
            "UPDATE backups SET delete_begin = ?, delete_duration = ? WHERE id = ?",
            (now, self.backup_seconds, backup_id),
        )
        job_id = self._insert_job(
            db, project_id, row["instance_id"], DELETE_JOB, now, backup_id=backup_id
        )
        self._live.note(project_id, row["instance_id"], backup_id, row["name"], manual=True,
                        gone_at=now + self.backup_seconds)  # fmt: skip
        return job_id

    def _stop_backup(self, project_id: str, backup_id: str) -> str:
        """Inside a write transaction: stop a backup being made; it ends FAILED when the stop
        job (which takes as long as any job) ends."""
        now = self.clock()
        db = self._db
        if now >= self._policy_due:
            self._catch_up_in(db, now)
        row = self._backup_row(project_id, backup_id, now)
        if now >= row["begin"] + row["duration"] or row["fail_reason"] == STOPPED_REASON:
            raise ApiError(errors.STATE_FORBIDS_OPERATION)
        job_id = self._insert_job(
            db, project_id, row["instance_id"], STOP_JOB, now, backup_id=backup_id
        )
        self._end_backup(db, row, now + self.backup_seconds, STOPPED_REASON)
        return job_id

    def _end_backup(
        self, db: sqlite3.Connection, row: sqlite3.Row, ends: float, reason: str
    ) -> None:
        """Make a backup being made, and its job, end at ``ends`` with ``reason`` (FAILED)."""
        duration = ends - row["begin"]
        db.execute(
            "UPDATE backups SET duration = ?, fail_reason = ? WHERE id = ?",
            (duration, reason, row["id"]),
        )
        db.execute(
            "UPDATE jobs SET duration = ? - begin, fail_reason = ? WHERE backup_id = ? AND name = ?",
            (ends, reason, row["id"], BACKUP_JOB),
        )
        self._load_job_ends()

    async def stop_backup(self, project_id: str, backup_id: str) -> str:
        """Stop a backup being made; returns the stop job's ID once committed."""
        return await self._write(lambda: self._stop_backup(project_id, backup_id))

    async def batch_delete(self, project_id: str, backup_ids: list[str]) -> list[str]:
        """Start deleting every backup of the batch (or none); their jobs' IDs once committed."""
        return await self._write(lambda: self._batch_delete(project_id, backup_ids))

    # Automated backup policies.

    def policy(self, project_id: str, instance_id: str) -> Policy | None:
        """The instance's policy (None: off); the API's error if there is no such instance."""
        if self._instance(project_id, instance_id) is None:
            raise ApiError(errors.INSTANCE_NOT_FOUND)
        found = self._policies.get((project_id, instance_id))
        return None if found is None else found[0]

    def shown_policy(self, project_id: str, instance_id: str) -> dict[str, Any]:
        """The policy as showBackupPolicy shows it."""
        found = self._policies.get((project_id, instance_id))
        return {"keep_days": 0} if found is None else found[0].to_api()

    async def set_policy(self, project_id: str, instance_id: str, policy: Policy | None) -> None:
        """Turn the instance's policy on (or change it), or off (None), from now."""
        await self._write(lambda: self._set_policy(project_id, instance_id, policy))

    def put_policy(self, project_id: str, instance_id: str, policy: Policy | None) -> None:
        """:meth:`set_policy` between requests (a control call)."""
        with self._changing():
            self._set_policy(project_id, instance_id, policy)

    def _set_policy(self, project_id: str, instance_id: str, policy: Policy | None) -> None:
        now = self.clock()
        db = self._db
        if self._instance(project_id, instance_id) is None:
            raise ApiError(errors.INSTANCE_NOT_FOUND)
        # What the old policy had due until now is done under it.
        if now >= self._policy_due:
            self._catch_up_in(db, now)
        key = (project_id, instance_id)
        if policy is None:
            db.execute("DELETE FROM policies WHERE project_id = ? AND instance_id = ?", key)
            # Turning the policy off stops the automated backup being made, at once.
            for row in db.execute(
                "SELECT * FROM backups WHERE project_id = ? AND instance_id = ? AND type = 'Auto'"
                " AND begin <= ? AND begin + duration > ?",
                (*key, now, now),
            ).fetchall():
                self._end_backup(db, row, now, STOPPED_REASON)
            self._policies.pop(key, None)
        else:
            db.execute(
                "INSERT OR REPLACE INTO policies (project_id, instance_id, keep_days,"
                " window_start, days, made_until) VALUES (?, ?, ?, ?, ?, ?)",
                (*key, *_policy_row(policy), now),
            )
            self._policies[key] = (policy, now)
        self._policy_due = -math.inf  # computed again by the next catch-up

    def catch_up(self) -> None:
        """Make the automated backups due by now and expire those past their retention, if any
        policy has something due: called before every read (writes do it in their transaction).
        Nothing runs in the background: however far the clock moved, one catch-up does it all."""
        now = self.clock()
        if now < self._policy_due:
            return
        with self._changing() as db:
            self._catch_up_in(db, now)

    def _catch_up_in(self, db: sqlite3.Connection, now: float) -> None:
        """Inside a write transaction: what :meth:`catch_up` does. Automated backups (and their
        jobs) are inserted in two statements however many there are, each already marked gone
        if it expired before now; those made earlier and now past their retention are marked
        gone in one more per instance."""
        backups: list[tuple[Any, ...]] = []
        jobs: list[tuple[Any, ...]] = []
        expired = 0
        for key, (policy, made_until) in list(self._policies.items()):
            instance = self._instance(*key)
            if instance is None:
                continue
            project_id, instance_id = key
            keep = policy.keep_seconds
            for start in policy.starts(made_until, now):
                backup_id = self.new_backup_id()
                name = "autobackup_" + datetime.fromtimestamp(start, UTC).strftime("%Y%m%d%H%M")
                gone_at = start + keep if start + keep <= now else None
                reason = instance.fail_reason
                backups.append((backup_id, project_id, instance_id, name, start,
                                self.backup_seconds, _new_size_kb(self.ids), gone_at,
                                None if gone_at is None else 0.0, reason))  # fmt: skip
                jobs.append((self.new_job_id(), project_id, instance_id, BACKUP_JOB, start,
                             self.backup_seconds, reason, backup_id))  # fmt: skip
                if gone_at is None:
                    self._live.note(project_id, instance_id, backup_id, name, manual=False)
                self._job_ends[key] = max(self._job_ends.get(key, now), start + self.backup_seconds)
            expired += db.execute(
                "UPDATE backups SET delete_begin = begin + ?, delete_duration = 0"
                " WHERE project_id = ? AND instance_id = ? AND type = 'Auto'"
                " AND delete_begin IS NULL AND begin + ? <= ?",
                (keep, project_id, instance_id, keep, now),
            ).rowcount
            self._policies[key] = (policy, now)
        db.executemany(
            "INSERT INTO backups (id, project_id, instance_id, name, description, type, begin,"
            " duration, size, delete_begin, delete_duration, fail_reason)"
            " VALUES (?, ?, ?, ?, '', 'Auto', ?, ?, ?, ?, ?, ?)",
            backups,
        )
        db.executemany(
            "INSERT INTO jobs (id, project_id, instance_id, name, begin, duration, fail_reason,"
            " backup_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            jobs,
        )
        db.execute("UPDATE policies SET made_until = ?", (now,))
        if expired:
            self._load_live_backups()
        self._policy_due = self._next_policy_event(db, now)

    def _next_policy_event(self, db: sqlite3.Connection, now: float) -> float:
        """The first moment after ``now`` a policy has something to do."""
        due = math.inf
        for policy, _ in self._policies.values():
            due = min(due, policy.next_start(now))
        for project_id, instance_id, oldest in db.execute(
            "SELECT project_id, instance_id, min(begin) FROM backups"
            " WHERE type = 'Auto' AND delete_begin IS NULL GROUP BY project_id, instance_id"
        ):
            found = self._policies.get((project_id, instance_id))
            if found is not None:
                due = min(due, oldest + found[0].keep_seconds)
        return due

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
        offset: int,
        limit: int,
    ) -> Page:
        """Backups of the project that match, newest first (by begin time)."""
        self.catch_up()
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
        total, rows = self._page("backups", where, args, offset, limit)
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
        offset: int,
        limit: int,
    ) -> Page:
        """Jobs of the project started in [start, end] that match, newest first."""
        self.catch_up()
        now = self.clock()
        where = ["j.project_id = ?", "j.begin >= ?", "j.begin < ? + 1"]
        args: list[Any] = [project_id, start, end]
        for column, value in (("id", job_id), ("name", name)):
            if value is not None:
                where.append(f"j.{column} = ?")
                args.append(value)
        if status is not None:
            where.append(
                {
                    "Running": "j.begin + j.duration > ?",
                    "Completed": "j.begin + j.duration <= ? AND j.fail_reason IS NULL",
                    "Failed": "j.begin + j.duration <= ? AND j.fail_reason IS NOT NULL",
                }.get(status, "0 AND ? IS NOT NULL")
            )
            args.append(now)
        total, rows = self._page("jobs", where, args, offset, limit)
        return Page(total, [_job(row, now) for row in rows])

    # Instances: listInstances, createInstance (restores), deleteInstance, restorable windows.

    def list_instances(self, project_id: str, query: dict[str, Any]) -> Page:
        """The instances of the project that match listInstances' filters, newest first."""
        now = self.clock()
        found = [
            instance
            for (project, _), instance in self._instances.items()
            if project == project_id and instance.exists_at(now) and matches(instance, query)
        ]
        found.sort(key=lambda i: (i.created or 0.0, i.id), reverse=True)
        page = found[query["offset"] : query["offset"] + query["limit"]]
        running: dict[str, list[str]] = {}
        if page:
            for row in self._db.execute(
                "SELECT instance_id, name FROM jobs WHERE project_id = ? AND begin + duration > ?"
                " ORDER BY begin, seq",
                (project_id, now),
            ):
                running.setdefault(row["instance_id"], []).append(row["name"])
        return Page(len(found), [i.listed(now, running.get(i.id, [])) for i in page])

    def _completed_backup_ends(self, project_id: str, instance_id: str, now: float) -> list[float]:
        rows = self._db.execute(
            "SELECT begin + duration FROM backups WHERE project_id = ? AND instance_id = ?"
            " AND fail_reason IS NULL AND begin + duration <= ?"
            " AND (delete_begin IS NULL OR delete_begin + delete_duration > ?)",
            (project_id, instance_id, now, now),
        ).fetchall()
        return [float(row[0]) for row in rows]

    def restorable_periods(
        self, project_id: str, instance_id: str, start: float, end: float, offset: int, limit: int
    ) -> Page:
        """The instance's restorable windows clipped to [start, end], in epoch milliseconds."""
        now = self.clock()
        if self._instance(project_id, instance_id) is None:
            raise ApiError(errors.INSTANCE_NOT_FOUND)
        window = restorable_window(self._completed_backup_ends(project_id, instance_id, now), now)
        periods = []
        if window is not None and window[0] <= end and start <= window[1]:
            low, high = max(window[0], start), min(window[1], end)
            periods.append({"start_time": int(low * 1000), "end_time": int(high * 1000)})
        return Page(len(periods), periods[offset : offset + limit])

    async def create_instance(self, project_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Start creating (or restoring to) a new instance; returns createInstance's answer."""
        return await self._write(lambda: self._create_instance(project_id, body))

    async def delete_instance(self, project_id: str, instance_id: str) -> str:
        """Start deleting an instance; returns the job_id once committed."""
        return await self._write(lambda: self._delete_instance(project_id, instance_id))

    def _restore_source(
        self, project_id: str, restore: dict[str, Any], now: float
    ) -> tuple[Instance, str | None]:
        """The instance a restore copies, and the backup it reads (None: a point in time)."""
        backup_id = restore.get("backup_id")
        if backup_id is not None:
            row = self._db.execute(
                "SELECT * FROM backups WHERE project_id = ? AND id = ?", (project_id, backup_id)
            ).fetchone()
            if row is None or (
                row["delete_begin"] is not None
                and row["delete_begin"] + row["delete_duration"] <= now
            ):
                raise ApiError(errors.BACKUP_FILE_DOES_NOT_EXIST)
            if row["begin"] + row["duration"] > now or row["fail_reason"] is not None:
                raise ApiError(errors.INVALID_RESTORE_INFO)
            # A backup's instance row stays when the instance is deleted: manual backups of a
            # deleted instance restore as any other.
            source = self._instances.get((project_id, row["instance_id"]))
            if source is None:
                raise ApiError(errors.INVALID_RESTORE_INFO)
            return source, str(backup_id)
        source = self._instance(project_id, restore["source_instance_id"])
        if source is None:
            raise ApiError(errors.INSTANCE_NOT_FOUND)
        moment = restore["restore_time"] / 1000
        window = restorable_window(self._completed_backup_ends(project_id, source.id, now), now)
        if window is None or not window[0] <= moment <= window[1]:
            raise ApiError(errors.INVALID_RESTORE_TIME)
        return source, None

    def _create_instance(self, project_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Inside a write transaction: check and insert a new instance and its job."""
        now = self.clock()
        flavor = body["flavor"][0]
        nodes, storage = int(flavor["num"]), int(flavor["size"])
        version = body["datastore"]["version"]
        restore = body.get("restore_info")
        job_name, fail_reason, restored_from = CREATE_JOB, None, None
        if restore is not None:
            source, restored_from = self._restore_source(project_id, restore, now)
            # The spec's not-below-source rule, and a restore keeps the source's version.
            if nodes < source.node_count or storage < source.storage_gb:
                raise ApiError(errors.INVALID_RESTORE_INFO)
            if version != source.datastore_version:
                raise ApiError(errors.INVALID_RESTORE_INFO)
            job_name = RESTORE_JOB
            fail_reason = self._take_failure(source, "restore")
        instance = Instance(
            project_id=project_id,
            id=self.new_hex() + "in06",
            name=body["name"],
            datastore_version=version,
            status="creating",
            status_until=now + self.restore_seconds,
            mode=body["mode"],
            region=body["region"],
            availability_zone=body["availability_zone"],
            vpc_id=body["vpc_id"],
            subnet_id=body["subnet_id"],
            security_group_id=body["security_group_id"],
            spec_code=flavor["spec_code"],
            node_count=nodes,
            storage_gb=storage,
            created=now,
            restored_from=restored_from,
            create_fail_reason=fail_reason,
        )
        self._insert_instance(self._db, instance)
        job_id = self._insert_job(
            self._db, project_id, instance.id, job_name, now, fail_reason, self.restore_seconds
        )
        self._instances[(project_id, instance.id)] = instance
        self._projects = self._projects | {project_id}
        return {
            "id": instance.id,
            "name": instance.name,
            "datastore": {"type": DATASTORE_TYPE, "version": version, "storage_engine": "rocksDB"},
            "created": format_time(now)[:19],
            "status": "creating",
            "region": instance.region,
            "availability_zone": instance.availability_zone,
            "vpc_id": instance.vpc_id,
            "subnet_id": instance.subnet_id,
            "security_group_id": instance.security_group_id,
            "mode": instance.mode,
            "flavor": [{key: flavor[key] for key in ("num", "storage", "size", "spec_code")}],
            "backup_strategy": {"start_time": "00:00-01:00", "keep_days": "7"},
            "enterprise_project_id": "0",
            "ssl_option": body.get("ssl_option", "0"),
            "job_id": job_id,
            "charge_info": {"charge_mode": "postPaid"},
        }

    def _delete_instance(self, project_id: str, instance_id: str) -> str:
        """Inside a write transaction: start deleting an instance and its automated backups."""
        now = self.clock()
        db = self._db
        instance = self._instance(project_id, instance_id)
        if instance is None:
            raise ApiError(errors.INSTANCE_NOT_FOUND)
        if instance.gone_at is not None:
            raise ApiError(errors.INSTANCE_BUSY)
        # Being created or restored, or failed to be: deleting abandons that (the spec's
        # decision).
        if instance.status_at(now) not in ("creating", "createfail"):
            self._refuse_unless_available(instance, now, "deleteInstance")
        gone_at = now + self.backup_seconds
        db.execute(
            "UPDATE instances SET gone_at = ? WHERE project_id = ? AND id = ?",
            (gone_at, project_id, instance_id),
        )
        autos = db.execute(
            "SELECT id, name FROM backups WHERE project_id = ? AND instance_id = ? AND type = 'Auto'"
            " AND delete_begin IS NULL",
            (project_id, instance_id),
        ).fetchall()
        db.execute(
            "UPDATE backups SET delete_begin = ?, delete_duration = ? WHERE project_id = ?"
            " AND instance_id = ? AND type = 'Auto' AND delete_begin IS NULL",
            (now, self.backup_seconds, project_id, instance_id),
        )
        job_id = self._insert_job(db, project_id, instance_id, DELETE_INSTANCE_JOB, now)
        for row in autos:
            self._live.note(project_id, instance_id, row["id"], row["name"], manual=False,
                            gone_at=gone_at)  # fmt: skip
        self._instances[(project_id, instance_id)] = replace(instance, gone_at=gone_at)
        return job_id

    def restoring_from(self, project_id: str, backup_id: str, now: float) -> bool:
        """Whether a running restore reads the backup."""
        return any(
            instance.restored_from == backup_id and instance.status_at(now) == "creating"
            for (project, _), instance in self._instances.items()
            if project == project_id and instance.exists_at(now)
        )

    # What a test controls (see :mod:`geminidb_backup.server.control`). Each is synchronous, one
    # transaction, run between requests; arguments were checked by the caller.

    def projects(self) -> list[str]:
        return sorted(self._projects)

    def instances(self, project_id: str | None = None) -> list[Instance]:
        return [
            instance
            for key, instance in sorted(self._instances.items())
            if project_id is None or key[0] == project_id
        ]

    def instance(self, project_id: str, instance_id: str) -> Instance | None:
        return self._instance(project_id, instance_id)

    def add_project(self, project_id: str) -> None:
        with self._changing() as db:
            db.execute("INSERT OR IGNORE INTO projects (id) VALUES (?)", (project_id,))

    def add_instance(self, instance: Instance, *, auto_backup: bool) -> None:
        """Make ``instance`` exist (an error if it already does), with an automated backup made
        the night before if ``auto_backup``."""
        if self._instance(instance.project_id, instance.id) is not None:
            raise ValueError(f"instance {instance.id} of project {instance.project_id} exists")
        self.seed([instance], auto_backups=auto_backup)

    def update_instance(self, instance: Instance) -> None:
        """Store ``instance``'s status and failure reason (it exists)."""
        with self._changing() as db:
            db.execute(
                "UPDATE instances SET status = ?, status_until = ?, fail_reason = ?"
                " WHERE project_id = ? AND id = ?",
                (instance.status, instance.status_until, instance.fail_reason,
                 instance.project_id, instance.id),
            )  # fmt: skip

    def queue_failure(
        self, reason: str, project_id: str | None, instance_id: str | None, kind: str = "backup"
    ) -> None:
        """The next backup made (on ``instance_id`` of ``project_id`` when given) fails; with
        ``kind`` "restore", the next restore from that instance (or its backups)."""
        self._failures_queued = True
        with self._changing() as db:
            db.execute(
                "INSERT INTO failures (project_id, instance_id, reason, kind) VALUES (?, ?, ?, ?)",
                (project_id, instance_id, reason, kind),
            )

    def queued_failures(self) -> list[dict[str, Any]]:
        rows = self._db.execute("SELECT * FROM failures ORDER BY seq").fetchall()
        return [
            {"project_id": row["project_id"], "instance_id": row["instance_id"],
             "reason": row["reason"]}
            for row in rows
        ]  # fmt: skip

    def clear_failures(self) -> None:
        """No backup is made to fail any more: neither queued failures nor instances' reasons."""
        with self._changing() as db:
            db.execute("DELETE FROM failures")
            db.execute("UPDATE instances SET fail_reason = NULL")

    def all_backups(
        self, project_id: str | None = None, instance_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Every backup not deleted, newest first, as listBackups shows it plus its project."""
        self.catch_up()
        now = self.clock()
        rows = self._db.execute(
            "SELECT b.*, i.name AS instance_name, i.datastore_version FROM backups b"
            " JOIN instances i ON i.project_id = b.project_id AND i.id = b.instance_id"
            " WHERE (b.delete_begin IS NULL OR b.delete_begin + b.delete_duration > ?)"
            " AND (? IS NULL OR b.project_id = ?) AND (? IS NULL OR b.instance_id = ?)"
            " ORDER BY b.begin DESC, b.seq DESC",
            (now, project_id, project_id, instance_id, instance_id),
        ).fetchall()
        return [{**_backup(row, now), "project_id": row["project_id"]} for row in rows]

    def all_jobs(
        self, project_id: str | None = None, instance_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Every job, newest first, as listJobs shows it plus its project."""
        self.catch_up()
        now = self.clock()
        rows = self._db.execute(
            "SELECT j.*, i.name AS instance_name FROM jobs j"
            " JOIN instances i ON i.project_id = j.project_id AND i.id = j.instance_id"
            " WHERE (? IS NULL OR j.project_id = ?) AND (? IS NULL OR j.instance_id = ?)"
            " ORDER BY j.begin DESC, j.seq DESC",
            (project_id, project_id, instance_id, instance_id),
        ).fetchall()
        return [{**_job(row, now), "project_id": row["project_id"]} for row in rows]

    def reset(
        self, instances: Iterable[Instance], *, auto_backups: bool, policy: Policy | None = None
    ) -> None:
        """Forget everything, then seed ``instances`` as at start-up."""
        with self._changing() as db:
            for table in ("projects", "instances", "backups", "jobs", "failures", "meta",
                          "policies"):  # fmt: skip
                db.execute(f"DELETE FROM {table}")  # fixed names, no input
        self._job_ends = {}
        self.seed(instances, auto_backups=auto_backups, policy=policy)

    def saved_time(self) -> float | None:
        """The clock's time when it was last moved by hand (kept with a file's state, so that a
        test reopening it does not see jobs begun in its future)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'clock'").fetchone()
        return None if row is None else float(row["value"])

    def save_time(self, now: float) -> None:
        if self.in_memory:  # nothing outlives it, nothing to save the time for
            return
        with self._changing() as db:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('clock', ?)", (now,))

    def _page(
        self, table: str, where: list[str], args: list[Any], offset: int, limit: int
    ) -> tuple[int, list[sqlite3.Row]]:
        """How many rows of ``table`` (aliased by its first letter) match, and one page of them,
        newest first, each with its instance's name. ``where`` holds fixed SQL, never input."""
        alias = table[0]
        condition = " AND ".join(where)
        (total,) = self._db.execute(
            f"SELECT count(*) FROM {table} {alias} WHERE {condition}", args
        ).fetchone()
        rows = self._db.execute(
            f"SELECT {alias}.*, i.name AS instance_name, i.datastore_version"
            f" FROM {table} {alias} JOIN instances i"
            f" ON i.project_id = {alias}.project_id AND i.id = {alias}.instance_id"
            f" WHERE {condition} ORDER BY {alias}.begin DESC, {alias}.seq DESC LIMIT ? OFFSET ?",
            [*args, limit, offset],
        ).fetchall()
        return total, rows


def _policy_row(policy: Policy) -> tuple[int, int, str]:
    return policy.keep_days, policy.window_start, ",".join(str(d) for d in sorted(policy.days))


def _backup(row: sqlite3.Row, now: float) -> dict[str, Any]:
    ends = row["begin"] + row["duration"]
    done = now >= ends
    failed = done and row["fail_reason"] is not None
    status = ("FAILED" if failed else "COMPLETED") if done else "BUILDING"
    return {
        "id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "instance_id": row["instance_id"],
        "instance_name": row["instance_name"],
        "datastore": {"type": DATASTORE_TYPE, "version": row["datastore_version"]},
        "type": row["type"],
        # A failed backup holds no data.
        "size": row["size"] if done and not failed else 0.0,
        "status": status,
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
    failed = done and row["fail_reason"] is not None
    return {
        "id": row["id"],
        "name": row["name"],
        "status": ("Failed" if failed else "Completed") if done else "Running",
        "start_time": format_time(row["begin"]),
        "end_time": format_time(ends) if done else "",
        "progress": progress,
        "instance": {"id": row["instance_id"], "name": row["instance_name"]},
        "fail_reason": row["fail_reason"] if failed else "",
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
