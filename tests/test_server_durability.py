"""Durability: a real ``serve`` process killed with SIGKILL while backups are being created, then
restarted on the same SQLite file, still has every backup it acknowledged; a backup that was
running at the crash goes on and completes."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import httpx
from server_helpers import BACKUPS_PATH, CREATE_PATH, JOBS_PATH, TOKEN, serve

AUTH = {"X-Auth-Token": TOKEN}
# How many acknowledged backups to wait for before killing: enough that the kill lands while
# requests are in flight, few enough to stay quick.
ACKNOWLEDGED_BEFORE_KILL = 30
WRITERS = 3
DEADLINE_SECONDS = 60.0


def test_sigkill_while_creating_loses_no_acknowledged_backup(tmp_path: Path) -> None:
    args = ["--token", TOKEN, "--db", str(tmp_path / "state.db"), "--backup-seconds", "0",
            "--backup-limit", "0"]  # fmt: skip
    acknowledged: list[str] = []
    attempted = 0
    lock = threading.Lock()
    stop = threading.Event()

    with serve(args) as server:

        def writer(number: int) -> None:
            nonlocal attempted
            with httpx.Client(base_url=server.url, headers=AUTH, timeout=10) as client:
                sequence = 0
                while not stop.is_set():
                    sequence += 1
                    body = {"name": f"w{number}-backup-{sequence}", "description": "durability"}
                    with lock:
                        attempted += 1
                    try:
                        response = client.post(CREATE_PATH, json=body)
                    except httpx.TransportError:
                        return  # the server is gone
                    if response.status_code == 202:
                        with lock:
                            acknowledged.append(response.json()["backup_id"])

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + DEADLINE_SECONDS
        while len(acknowledged) < ACKNOWLEDGED_BEFORE_KILL and time.monotonic() < deadline:
            time.sleep(0.01)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
        stop.set()
        for thread in threads:
            thread.join()

    assert server.process.returncode == -signal.SIGKILL
    assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL
    with serve(args) as server:
        listed: set[str] = set()
        offset = 0
        while True:
            page = httpx.get(
                server.url + BACKUPS_PATH,
                params={"backup_type": "Manual", "offset": offset, "limit": 100},
                headers=AUTH,
            ).json()
            listed |= {backup["id"] for backup in page["backups"]}
            offset += 100
            if offset >= page["total_count"]:
                break
    assert set(acknowledged) <= listed
    # Requests in flight at the kill may or may not have been committed; none beyond those.
    assert len(listed) <= attempted


def test_a_backup_running_at_the_crash_completes_after_restart(tmp_path: Path) -> None:
    args = ["--token", TOKEN, "--db", str(tmp_path / "state.db"), "--backup-seconds", "1"]
    with serve(args) as server:
        created = httpx.post(
            server.url + CREATE_PATH, json={"name": "crash-1", "description": ""}, headers=AUTH
        ).json()
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
    with serve(args) as server:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            (job,) = httpx.get(
                server.url + JOBS_PATH, params={"id": created["job_id"]}, headers=AUTH
            ).json()["jobs"]
            if job["status"] != "Running" or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        (backup,) = httpx.get(
            server.url + BACKUPS_PATH, params={"backup_id": created["backup_id"]}, headers=AUTH
        ).json()["backups"]
    assert job["status"] == "Completed"
    assert backup["status"] == "COMPLETED"
