"""``geminidb-backup policy``, ``stop`` and ``delete`` of several backups, as subprocesses against
the emulator on a loopback port."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from geminidb_backup.testing import Emulator

CLI = str(Path(sys.executable).with_name("geminidb-backup"))
MONDAY = datetime(2027, 1, 4, tzinfo=UTC).timestamp()


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(start=MONDAY, backup_seconds=600) as running:
        running.serve()
        yield running


def run(emulator: Emulator, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINIDB_", "OS_"))}
    env |= emulator.environ() | {"COLUMNS": "250"}
    return subprocess.run(
        [CLI, *args], check=False, env=env, capture_output=True, text=True, timeout=60, **kw
    )


def test_policy_set_and_show_with_day_names_in_utc(emulator: Emulator) -> None:
    instance = emulator.instance_id
    shown = run(emulator, "-o", "json", "policy", "show", "--instance", instance)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["enabled"] is False
    done = run(emulator, "policy", "set", "--instance", instance, "--keep-days", "14",
               "--window", "01:00-02:00", "--days", "mon,wed,fri")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "01:00-02:00 UTC" in done.stderr + done.stdout
    assert emulator.backup_policies()[instance] == {
        "keep_days": 14,
        "start_time": "01:00-02:00",
        "period": "1,3,5",
    }
    shown = json.loads(run(emulator, "-o", "json", "policy", "show", "-i", instance).stdout)
    assert (shown["window_utc"], shown["days"]) == ("01:00-02:00", "mon,wed,fri")


def test_policy_set_refuses_a_broken_rule_before_sending(emulator: Emulator) -> None:
    refused = run(emulator, "policy", "set", "-i", emulator.instance_id, "--keep-days", "3",
                  "--window", "01:00-02:00", "--days", "1,2")  # fmt: skip
    assert refused.returncode == 2
    assert "every day" in refused.stderr
    assert emulator.backup_policies()[emulator.instance_id] == {"keep_days": 0}


def test_turning_the_policy_off_asks_first(emulator: Emulator) -> None:
    emulator.set_backup_policy("7/01:00-02:00")
    without_terminal = run(
        emulator, "policy", "set", "-i", emulator.instance_id, "--keep-days", "0"
    )
    assert without_terminal.returncode == 2 and "--yes" in without_terminal.stderr
    assert emulator.backup_policies()[emulator.instance_id]["keep_days"] == 7
    done = run(emulator, "policy", "set", "-i", emulator.instance_id, "--keep-days", "0", "--yes")
    assert done.returncode == 0, done.stderr
    assert emulator.backup_policies()[emulator.instance_id] == {"keep_days": 0}


def test_stop_waits_and_shows_the_backup_failed(emulator: Emulator) -> None:
    with emulator.client() as client:
        created = client.create_backup(emulator.instance_id, "to-stop")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINIDB_", "OS_"))}
    env |= emulator.environ()
    with subprocess.Popen(
        [CLI, "-o", "json", "stop", created.backup_id, "--wait", "--interval", "0.1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as waiting:  # fmt: skip
        # The emulator's clock is frozen: the stop job ends when the test moves it.
        while not any(j.name == "StopBackup" for j in emulator.jobs()):
            time.sleep(0.05)
        emulator.advance(600)
        out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err
    shown = json.loads(out)
    assert (shown["job"]["name"], shown["backup_status"]) == ("StopBackup", "FAILED")
    again = run(emulator, "stop", created.backup_id)
    assert again.returncode == 3 and "DBS.200011" in again.stderr


def test_delete_of_several_by_id_and_name_in_one_batch(emulator: Emulator) -> None:
    with emulator.client() as client:
        ids = []
        for index in range(3):
            ids.append(client.create_backup(emulator.instance_id, f"old-{index}").backup_id)
            emulator.advance(600)  # each backup ends before the next starts
    deleted = run(emulator, "-o", "json", "delete", ids[0], "old-1", ids[2], "--yes")
    assert deleted.returncode == 0, deleted.stderr
    assert sorted(json.loads(deleted.stdout)["deleted"]) == sorted(ids)
    emulator.advance(600)
    assert [b.type_ for b in emulator.backups()] == ["Auto"]


def test_delete_of_several_reports_each_refusal(emulator: Emulator) -> None:
    with emulator.client() as client:
        kept = client.create_backup(emulator.instance_id, "kept").backup_id
        emulator.advance(600)
    automated = next(b.id for b in emulator.backups() if b.type_ == "Auto")
    refused = run(emulator, "delete", kept, automated, "--yes")
    assert refused.returncode == 3
    assert automated in refused.stderr and "DBS.280032" in refused.stderr
    emulator.advance(600)
    assert kept not in {b.id for b in emulator.backups()}
