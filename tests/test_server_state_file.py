"""The state file of ``serve``: another program's file left untouched, files that cannot be one
refused in one line (exit 2), one server per file, and another process's lock on it neither
freezing the server nor ending in a 500."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
from server_helpers import BACKUPS_PATH, CREATE_PATH, SERVE, TOKEN, serve

AUTH = {"X-Auth-Token": TOKEN}


def _start(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SERVE, "--port", "0", "--token", TOKEN, *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _one_line_refusal(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "serving on" not in result.stdout and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_another_programs_sqlite_file_is_left_untouched(tmp_path: Path) -> None:
    foreign = tmp_path / "app.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        db.execute("INSERT INTO notes (text) VALUES ('keep me')")
    db.close()
    before = hashlib.sha256(foreign.read_bytes()).hexdigest()
    line = _one_line_refusal(_start(["--db", str(foreign)]))
    assert "another program's" in line and "--db" in line
    assert hashlib.sha256(foreign.read_bytes()).hexdigest() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["app.db"]  # no -wal, no .lock


@pytest.mark.parametrize("kind", ["random-file", "directory", "missing-directory"])
def test_a_state_file_that_cannot_be_one_is_one_line(tmp_path: Path, kind: str) -> None:
    if kind == "random-file":
        path = tmp_path / "random.bin"
        path.write_bytes(bytes(range(256)) * 64)
    elif kind == "directory":
        path = tmp_path / "a-directory"
        path.mkdir()
    else:
        path = tmp_path / "no" / "such" / "state.db"
    line = _one_line_refusal(_start(["--db", str(path)]))
    assert str(path) in line


def test_one_server_per_state_file(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    with serve(["--db", db, "--token", TOKEN, "--backup-seconds", "0"]) as first:
        second = _start(["--db", db])
        line = _one_line_refusal(second)
        assert f"pid {first.process.pid}" in line and "--db" in line
        assert "token" not in second.stdout  # nothing printed before the refusal
        created = httpx.post(
            first.url + CREATE_PATH, json={"name": "still-mine", "description": ""}, headers=AUTH
        )
        assert created.status_code == 202
    # Once the first has stopped, the file is free again.
    with serve(["--db", db, "--token", TOKEN]) as again:
        assert httpx.get(again.url + BACKUPS_PATH, headers=AUTH).status_code == 200


def test_another_processs_write_lock_neither_freezes_reads_nor_ends_in_a_500(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "state.db")
    with serve(["--db", db, "--token", TOKEN, "--lock-timeout", "2"]) as server:
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process's write lock
        try:
            created: list[httpx.Response] = []
            writer = threading.Thread(
                target=lambda: created.append(
                    httpx.post(
                        server.url + CREATE_PATH,
                        json={"name": "blocked", "description": ""},
                        headers=AUTH,
                        timeout=30,
                    )
                )
            )
            writer.start()
            time.sleep(0.3)  # the write is waiting for the lock now
            started = time.monotonic()
            listed = httpx.get(server.url + BACKUPS_PATH, headers=AUTH, timeout=30)
            read_seconds = time.monotonic() - started
            writer.join(30)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert listed.status_code == 200 and read_seconds < 1.0, read_seconds
        (answer,) = created
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"] and answer.json()["error_code"] == "DBS.200998"
        # The lock gone, writes go through again.
        again = httpx.post(
            server.url + CREATE_PATH, json={"name": "after", "description": ""}, headers=AUTH
        )
        assert again.status_code == 202
