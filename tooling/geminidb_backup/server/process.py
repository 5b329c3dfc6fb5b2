"""``geminidb-backup serve`` as a subprocess: started on a free port, ready once it prints its URL,
stopped on exit.

Only the standard library is imported here, so that importing this module costs nothing.
"""

from __future__ import annotations

import codecs
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

__all__ = ["READY_LINE", "ServeProcess", "ServeProcessError", "serve_process"]

READY_LINE = re.compile(r"serving on (?P<url>http://\S+)")
"""The line ``serve`` prints once it is listening."""

_TAIL_CHARS = 4000


class ServeProcessError(RuntimeError):
    """The server exited, or did not print its URL in time; the message ends with its output."""


class ServeProcess:
    """A running ``geminidb-backup serve``: its URL, its process, and what it printed."""

    def __init__(
        self,
        url: str,
        process: subprocess.Popen[bytes],
        lines: list[str],
        log_path: Path | None,
        reader: threading.Thread | None,
    ) -> None:
        self.url = url
        self.process = process
        self.log_path = log_path
        self._lines = lines
        self._reader = reader

    @property
    def output(self) -> list[str]:
        """The lines the server printed so far (stdout and stderr), newlines kept; read from
        ``log_path`` when it was given."""
        if self.log_path is not None:
            return self.log_path.read_text(errors="replace").splitlines(keepends=True)
        return list(self._lines)

    def _finish_reading(self, timeout: float) -> None:
        if self._reader is not None:
            self._reader.join(timeout)


@contextmanager
def serve_process(
    args: Sequence[str] = (),
    *,
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,
    start_timeout: float = 60.0,
    stop_timeout: float = 30.0,
    python: str = sys.executable,
) -> Iterator[ServeProcess]:
    """Run ``python -m geminidb_backup serve --port 0 ARGS``; yield once it prints its URL.

    ``python`` is the interpreter, by default this one (another venv's, to run its install).

    ``env`` is laid over the current environment. The server's stdout and stderr go to
    ``log_path`` when given (the file is written by the server itself), else to a pipe that a
    thread keeps reading into :attr:`ServeProcess.output`, so the server never blocks on it.
    Raises :class:`ServeProcessError`, with the server's last output, when it exits or does not
    print its URL within ``start_timeout`` seconds. On exit the server, unless it already ended,
    gets SIGTERM, then SIGKILL after ``stop_timeout`` seconds.
    """
    command = [python, "-m", "geminidb_backup", "serve", "--port", "0", *args]
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    lines: list[str] = []
    reader: threading.Thread | None = None
    if log_path is None:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=full_env,  # bytes: _read decodes them, a chunk at a time
        )
        reader = threading.Thread(target=_read, args=(process, lines), daemon=True)
        reader.start()
    else:
        with log_path.open("w") as log:
            process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=full_env,
            )  # fmt: skip
    server: ServeProcess | None = None
    try:
        server = ServeProcess("", process, lines, log_path, reader)
        server.url = _wait_for_url(server, start_timeout)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=stop_timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if server is not None:
            server._finish_reading(timeout=5.0)
        if process.stdout is not None:
            process.stdout.close()


def _read(process: subprocess.Popen[bytes], lines: list[str]) -> None:
    """Keep ``lines`` up to date with what the server prints, a whole chunk at a time.

    Iterating the text pipe would hand out the lines of one write one by one, so that a reader
    could see the ready line without the lines serve printed in the same write (its token).
    Whole lines of a chunk are added in one ``extend`` of a list, which no other thread sees
    halfway.
    """
    assert process.stdout is not None
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending = ""
    try:
        descriptor = process.stdout.fileno()
        while chunk := os.read(descriptor, 65536):
            pending += decoder.decode(chunk)
            *complete, pending = pending.split("\n")
            lines.extend([line + "\n" for line in complete])
    except (OSError, ValueError):  # the pipe was closed on exit
        pass
    pending += decoder.decode(b"", final=True)
    if pending:
        lines.append(pending)


def _wait_for_url(server: ServeProcess, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        exited = server.process.poll() is not None
        if exited:
            server._finish_reading(timeout=5.0)  # the output up to its end
        for line in server.output:
            found = READY_LINE.search(line)
            if found:
                return found["url"]
        if exited:
            reason = f"exited with code {server.process.returncode}"
            break
        if time.monotonic() >= deadline:
            reason = f"did not print its URL within {timeout:g} s"
            server.process.kill()
            server.process.wait()
            break
        time.sleep(0.02)
    tail = "".join(server.output)[-_TAIL_CHARS:]
    raise ServeProcessError(f"geminidb-backup serve {reason}; its output:\n{tail}")
