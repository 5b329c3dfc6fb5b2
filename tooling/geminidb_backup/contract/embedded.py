"""The bundled reference server as a throwaway target: started on a free loopback port, stopped after."""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

READY_LINE = re.compile(r"serving on (?P<url>http://\S+)")
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class EmbeddedServer:
    url: str
    token: str


class EmbeddedServerError(RuntimeError):
    """The reference server did not start."""


@contextmanager
def embedded_server(*extra_args: str) -> Iterator[EmbeddedServer]:
    """Run ``geminidb-backup serve`` with clean in-memory state and instant backups."""
    token = secrets.token_urlsafe(24)
    command = [
        sys.executable, "-m", "geminidb_backup", "serve",
        "--host", "127.0.0.1", "--port", "0", "--db", ":memory:",
        "--backup-seconds", "0", "--backup-limit", "0", "--token", token, *extra_args,
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        yield EmbeddedServer(url=_wait_until_ready(process), token=token)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(process: subprocess.Popen[str]) -> str:
    """The URL of the server's ready line; keeps draining its output so it never blocks on a pipe."""
    ready, found, seen = threading.Event(), [], []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if not ready.is_set():
                seen.append(line)
                match = READY_LINE.search(line)
                if match:
                    found.append(match["url"])
                    ready.set()
        ready.set()  # end of output: the server has exited

    threading.Thread(target=read, daemon=True).start()
    ready.wait(START_TIMEOUT)
    if not found:
        process.kill()
        output = "".join(seen)[-2000:]
        raise EmbeddedServerError(f"the reference server did not start:\n{output}")
    return found[0]
