"""The state file of ``serve``: refused before anything is written when it cannot be the server's
(a directory, a missing directory, not SQLite, another program's SQLite database), and held by one
server at a time.

**Whose file.** A file with tables that are not the server's is another program's: it is left
untouched (opened read-only to look, so not even switched to WAL), and the start refused. An
empty file, or one with no table, becomes a state file.

**One server per file**, as PostgreSQL's ``postmaster.pid``: each server keeps the state in memory
beside the file (names taken, running jobs), so two on one file would each miss the other's
changes (duplicate names, two jobs on one instance, the backup limit passed). A server holds an
exclusive ``flock`` on ``<file>.lock`` (holding its process ID, for the message) as long as it
runs; the kernel releases it when the process ends, however it ends, so a stale lock file is
harmless. The lock is on a file of its own: locking the database file itself with ``flock`` could
meet SQLite's own POSIX locks where ``flock`` is emulated with them (NFS).
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import IO

# The tables that make a database a state file of this server, since its first release (tables
# added since, such as projects, may be missing from an older file and are created).
_OWN_TABLES = frozenset({"instances", "backups", "jobs"})


class StateFileError(ValueError):
    """The state file cannot be used; the message says why, in one line."""


def check(path: str) -> None:
    """Raise :class:`StateFileError` unless ``path`` can be this server's state file. Writes
    nothing."""
    if path == ":memory:":
        return
    file = Path(path)
    if file.is_dir():
        raise StateFileError(f"the state file {path} is a directory")
    if not file.parent.is_dir():
        raise StateFileError(f"the directory of the state file {path} does not exist")
    if not file.exists() or file.stat().st_size == 0:
        return
    try:
        # Read-only: looking does not change the file (no WAL switch, no table made).
        with closing(sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)) as db:
            rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.DatabaseError as error:
        raise StateFileError(f"the state file {path} is not an SQLite database ({error})") from None
    tables = {row[0] for row in rows}
    if tables and not _OWN_TABLES <= tables:
        shown = ", ".join(sorted(tables)[:5])
        raise StateFileError(
            f"{path} is another program's SQLite database (tables {shown}); it was left "
            "untouched: give serve another --db"
        )


def lock(path: str) -> IO[str] | None:
    """Hold ``<path>.lock`` for this process (None for ``:memory:``); returns the open lock file,
    to be kept open as long as the server runs. Raises :class:`StateFileError` when another
    process holds it."""
    if path == ":memory:":
        return None
    import fcntl

    lock_path = f"{path}.lock"
    try:
        handle = open(lock_path, "a+")  # noqa: SIM115 - held open for the life of the server
    except OSError as error:
        raise StateFileError(f"cannot create the lock file {lock_path}: {error.strerror}") from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise StateFileError(
            f"another geminidb-backup serve (pid {holder}) uses the state file {path}; stop it, "
            "or give this one another --db"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle
