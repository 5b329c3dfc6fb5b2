"""Helpers of the reference server's tests: the seeded IDs, an in-process client, and a real
``geminidb-backup serve`` process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from geminidb_backup.server import example_instance

PROJECT_ID = example_instance().project_id
INSTANCE_ID = example_instance().id
TOKEN = "test-token"
CREATE_PATH = f"/v3/{PROJECT_ID}/instances/{INSTANCE_ID}/backups"
JOBS_PATH = f"/v3/{PROJECT_ID}/jobs"
BACKUPS_PATH = f"/v4/{PROJECT_ID}/backups"
SERVE = [sys.executable, "-c", "from geminidb_backup.cli import main; main()", "serve"]
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


@dataclass
class ServerProcess:
    process: subprocess.Popen[str]
    url: str
    output: list[str]


@contextmanager
def serve(args: Sequence[str], *, env: dict[str, str] | None = None) -> Iterator[ServerProcess]:
    """Run ``geminidb-backup serve --port 0 ARGS``; yields once it prints its URL; stops it with
    SIGTERM (unless the test already ended it)."""
    process = subprocess.Popen(
        [*SERVE, "--port", "0", "--no-access-log", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        output: list[str] = []
        url = _wait_for_url(process, output)
        # Keep reading what the server prints, so that a full pipe never blocks it.
        threading.Thread(target=_drain, args=(process, output), daemon=True).start()
        yield ServerProcess(process, url, output)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=START_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _drain(process: subprocess.Popen[str], output: list[str]) -> None:
    assert process.stdout is not None
    try:
        output.extend(process.stdout)
    except ValueError:  # the pipe was closed by the fixture
        pass


def _wait_for_url(process: subprocess.Popen[str], seen: list[str]) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        if line.startswith("serving on "):
            return line.removeprefix("serving on ").strip()
    process.kill()
    raise RuntimeError(f"the server did not start: {''.join(seen)!r}")


def db_file(tmp_path: Path) -> str:
    return str(tmp_path / "state.sqlite3")
