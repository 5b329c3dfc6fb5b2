"""``geminidb_backup.server.process.serve_process``: one way to run ``geminidb-backup serve`` as
a subprocess for the tests, the contract runner and the benchmarks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from geminidb_backup.server.process import ServeProcessError, serve_process

ARGS = ["--db", ":memory:", "--token", "process-token"]


def test_yields_a_url_that_answers_and_stops_cleanly() -> None:
    with serve_process(ARGS, start_timeout=30) as server:
        assert server.url.startswith("http://127.0.0.1:")
        response = httpx.get(f"{server.url}/v3/p-1/jobs", headers={"X-Auth-Token": "wrong"})
        assert response.status_code == 401
        assert any(line.startswith("serving on ") for line in server.output)
        assert server.process.poll() is None
    assert server.process.returncode == 0  # SIGTERM: a clean shutdown


def test_a_stop_right_after_the_ready_line_is_a_clean_shutdown() -> None:
    """SIGTERM as soon as the URL is read, before the event loop has its handlers (a race that
    ended the server with -15 nearly every time)."""
    command = [sys.executable, "-m", "geminidb_backup", "serve", "--port", "0", *ARGS]
    for _ in range(5):
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        assert process.stdout is not None
        assert process.stdout.readline().startswith("serving on ")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        process.stdout.close()


def test_writes_to_the_log_file_when_given(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with serve_process(ARGS, log_path=log, start_timeout=30) as server:
        assert server.log_path == log
        assert f"serving on {server.url}" in log.read_text()
    assert server.output == log.read_text().splitlines(keepends=True)
    assert server.process.returncode == 0


def test_a_process_the_caller_ended_is_left_alone() -> None:
    with serve_process(ARGS, start_timeout=30) as server:
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
    assert server.process.returncode == -signal.SIGKILL


def test_a_bad_flag_raises_with_the_server_output() -> None:
    with (
        pytest.raises(ServeProcessError, match=r"exited with code 2") as raised,
        serve_process(["--no-such-flag"], start_timeout=30),
    ):
        pass  # pragma: no cover
    assert "No such option '--no-such-flag'" in str(raised.value)


def test_a_server_that_does_not_print_its_url_in_time_is_killed(tmp_path: Path) -> None:
    with (
        pytest.raises(ServeProcessError, match=r"did not print its URL within 0\.01 s"),
        serve_process(ARGS, log_path=tmp_path / "server.log", start_timeout=0.01),
    ):
        pass  # pragma: no cover


def test_the_start_block_arrives_with_the_ready_line() -> None:
    """Whoever reads the ready line has what serve prints after it (the made-up token above all):
    a reader that looked as soon as the URL appeared missed the token line now and then."""
    command = [sys.executable, "-m", "geminidb_backup", "serve", "--port", "0", "--db", ":memory:"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "GEMINIDB_SERVER_TOKENS": ""}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    try:
        assert process.stdout is not None
        first_read = os.read(process.stdout.fileno(), 65536).decode()
        assert first_read.startswith("serving on ")
        assert "export GEMINIDB_TOKEN=" in first_read
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        process.stdout.close()  # type: ignore[union-attr]
