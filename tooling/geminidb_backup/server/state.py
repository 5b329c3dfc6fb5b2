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
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from geminidb_backup.server import errors
from geminidb_backup.server.errors import ApiError

BACKUP_JOB = "BackupInstance"
DELETE_JOB = "DeleteBackup"
DATASTORE_TYPE = "cassandra"
DATASTORE_VERSION = "3.11"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S+0000"
# How far back the seeded automated backup of an instance is dated: the night before start-up.
AUTO_BACKUP_AGE_SECONDS = 86_400.0

# ``seq`` orders rows created in the same second. A plain INTEGER PRIMARY KEY (the rowid) grows
# with every insert as AUTOINCREMENT does while no row is deleted (none is: a deleted backup is
# marked), without AUTOINCREMENT's extra write to sqlite_sequence per insert (a fifth of an
# insert's cost). Databases made with AUTOINCREMENT keep it and work the same.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS instances (
    project_id TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
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
    delete_duration REAL
);
CREATE INDEX IF NOT EXISTS backups_by_name ON backups (project_id, instance_id, name);
CREATE INDEX IF NOT EXISTS backups_by_begin ON backups (project_id, begin);
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    project_id TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    name TEXT NOT NULL,
    begin REAL NOT NULL,
    duration REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_end ON jobs (project_id, instance_id, begin + duration);
CREATE INDEX IF NOT EXISTS jobs_by_begin ON jobs (project_id, begin);
"""


T = TypeVar("T")


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


# IDs need to be unique, not secret (every call is authenticated and scoped to its project), so
# they come from a PRNG seeded once from the OS rather than from os.urandom per ID (uuid4), a
# system call each. Their first 48 bits are the time in milliseconds (UUIDv7's layout, RFC 9562):
# new rows then land at the end of the ID indexes instead of on random pages, which halves the
# pages a commit writes.
_ids = random.Random(int.from_bytes(os.urandom(16), "big"))


def new_id_hex() -> str:
    """32 hex digits of a UUIDv7: time-ordered, 74 random bits."""
    value = (time.time_ns() // 1_000_000) << 80 | 0x7 << 76 | _ids.getrandbits(12) << 64
    value |= 0b10 << 62 | _ids.getrandbits(62)
    return f"{value:032x}"


def new_job_id() -> str:
    """A job ID in the service's form, a UUID (``8061ceaf-b319-4315-9338-7f3de8e26f05``)."""
    h = new_id_hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def new_backup_id() -> str:
    """A backup ID in the service's form, 32 hex digits and ``br06``."""
    return new_id_hex() + "br06"


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
        fsync: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.backup_seconds = backup_seconds
        self.backup_limit = backup_limit
        self.clock = clock
        self._path = path
        self._fsync = fsync
        # The connection of the current thread (see _db): the event loop's for reads and start-up,
        # the writer thread's for the changes of _write.
        self._local = threading.local()
        self._main_db = self._connect()
        self._main_db.executescript(_SCHEMA)
        # With fsync, a commit waits for the disk (milliseconds on many disks): a writer thread
        # with a connection of its own then writes the batches, so that the event loop goes on
        # serving meanwhile; WAL lets the loop's connection read, and it sees committed changes
        # only. Without fsync a commit only copies pages to the OS, and the hand-off to a thread
        # (a queue, a wake-up, the GIL passed back and forth) costs more than it saves: measured
        # with benchmarks/bench_server.py, 3,750 against 3,200 createBackup/s. The loop then
        # writes itself, as it must with ":memory:", which connections cannot share.
        self._writer = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="geminidb-store-writer")
            if fsync and path != ":memory:"
            else None
        )
        self._writing = False
        # Instances change only at start-up (seed), so they are also kept here: the project and
        # instance checks of every request then cost no query.
        self._instances: dict[tuple[str, str], Instance] = {}
        self._projects: frozenset[str] = frozenset()
        self._pending: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []

    def _connect(self) -> sqlite3.Connection:
        # Autocommit mode; transactions are opened explicitly with BEGIN IMMEDIATE.
        db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
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
                    backup_id = new_backup_id()
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
        rows = self._db.execute("SELECT project_id, id, name FROM instances").fetchall()
        self._instances = {
            (row["project_id"], row["id"]): Instance(row["project_id"], row["id"], row["name"])
            for row in rows
        }
        self._projects = frozenset(project_id for project_id, _ in self._instances)

    def project_exists(self, project_id: str) -> bool:
        return project_id in self._projects

    def _instance(self, project_id: str, instance_id: str) -> Instance | None:
        return self._instances.get((project_id, instance_id))

    def _busy(self, project_id: str, instance_id: str, now: float) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM jobs WHERE project_id = ? AND instance_id = ? AND begin + duration > ?"
            " LIMIT 1",
            (project_id, instance_id, now),
        ).fetchone()
        return row is not None

    def _insert_job(self, project_id: str, instance_id: str, name: str, now: float) -> str:
        job_id = new_job_id()
        self._db.execute(
            "INSERT INTO jobs (id, project_id, instance_id, name, begin, duration)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (job_id, project_id, instance_id, name, now, self.backup_seconds),
        )
        return job_id

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
        during one turn of the event loop) share one transaction, each in a savepoint of its own
        (a refused change is rolled back alone), and all wait for its one COMMIT. Under
        concurrent load this divides the cost of a commit by the number of requests in the
        batch; alone, a request is committed at once. With fsync, the batch is written by the
        writer thread (one at a time, so changes never interleave) while the loop goes on.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((change, future))
        if len(self._pending) == 1 and not self._writing:
            loop.call_soon(self._flush)
        result: T = await future
        return result

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
        when there is one. Raises when the transaction itself fails (then nothing is kept)."""
        if self._writer is not None and getattr(self._local, "db", None) is None:
            self._local.db = self._connect()
        outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            for change, future in batch:
                db.execute("SAVEPOINT change")
                try:
                    outcomes.append((future, change(), None))
                except Exception as error:  # noqa: BLE001 - handed to the request that asked
                    db.execute("ROLLBACK TO change")
                    outcomes.append((future, None, error))
                db.execute("RELEASE change")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return outcomes

    def _create_backup(
        self, project_id: str, instance_id: str, name: str, description: str
    ) -> tuple[str, str]:
        """Inside a write transaction: check and insert a manual backup and its job."""
        now = self.clock()
        db = self._db
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
        backup_id = new_backup_id()
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
        return job_id, backup_id

    def _delete_backup(self, project_id: str, backup_id: str) -> str:
        """Inside a write transaction: check and mark a backup as being deleted, with its job."""
        now = self.clock()
        db = self._db
        row = db.execute(
            "SELECT * FROM backups WHERE project_id = ? AND id = ?", (project_id, backup_id)
        ).fetchone()
        if row is None or (
            row["delete_begin"] is not None and row["delete_begin"] + row["delete_duration"] <= now
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
        offset: int,
        limit: int,
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
        total, rows = self._page("jobs", where, args, offset, limit)
        return Page(total, [_job(row, now) for row in rows])

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
            f"SELECT {alias}.*, i.name AS instance_name FROM {table} {alias} JOIN instances i"
            f" ON i.project_id = {alias}.project_id AND i.id = {alias}.instance_id"
            f" WHERE {condition} ORDER BY {alias}.begin DESC, {alias}.seq DESC LIMIT ? OFFSET ?",
            [*args, limit, offset],
        ).fetchall()
        return total, rows


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
