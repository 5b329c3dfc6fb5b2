"""Helpers of the reference server's tests: the seeded IDs, an in-process client, and a real
``geminidb-backup serve`` process."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from geminidb_backup.server import example_instance
from geminidb_backup.server.process import ServeProcess, serve_process

PROJECT_ID = example_instance().project_id
INSTANCE_ID = example_instance().id
TOKEN = "test-token"
CREATE_PATH = f"/v3/{PROJECT_ID}/instances/{INSTANCE_ID}/backups"
JOBS_PATH = f"/v3/{PROJECT_ID}/jobs"
BACKUPS_PATH = f"/v4/{PROJECT_ID}/backups"
SERVE = [sys.executable, "-c", "from geminidb_backup.cli import main; main()", "serve"]
# What a client sees of a dropped connection (an abort): the end of the stream before any status
# line, or a reset, depending on timing. Either way no answer, never an HTTP status.
NO_ANSWER = (httpx.RemoteProtocolError, httpx.ReadError)
# Generous: only reached when the server does not start at all.
START_TIMEOUT_SECONDS = 30.0


class FakeClock:
    """A clock the tests move by hand, so that lifecycle tests need no sleeping."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@contextmanager
def serve(
    args: Sequence[str], *, env: dict[str, str] | None = None, python: str = sys.executable
) -> Iterator[ServeProcess]:
    """Run ``geminidb-backup serve --port 0 ARGS``; yields once it prints its URL; stops it with
    SIGTERM (unless the test already ended it)."""
    with serve_process(
        ["--no-access-log", *args],
        env=env,
        python=python,
        start_timeout=START_TIMEOUT_SECONDS,
        stop_timeout=START_TIMEOUT_SECONDS,
    ) as server:
        yield server


def db_file(tmp_path: Path) -> str:
    return str(tmp_path / "state.sqlite3")
