"""The CLI's instance commands, run as subprocesses against the emulator on a loopback port:
instances (table, JSON), restore by backup ID or name and to a point in time, instances delete
with its typed confirmation, drill (table, JSON, JUnit, exit codes) and drill --clean."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from geminidb_backup.restoring import is_drill_name
from geminidb_backup.spec import component_validator
from geminidb_backup.testing import Emulator

CLI = str(Path(sys.executable).with_name("geminidb-backup"))


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator() as emulator:
        emulator.serve()
        yield emulator


def run(emulator: Emulator, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINIDB_", "OS_"))}
    env |= emulator.environ() | {"COLUMNS": "250"}
    return subprocess.run(
        [CLI, *args], check=False, env=env, capture_output=True, text=True, timeout=60, **kw
    )


def as_json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_instances_as_table_and_json(emulator: Emulator) -> None:
    listed = as_json(run(emulator, "-o", "json", "instances"))
    assert listed["total_count"] >= 1
    component_validator("ListInstancesResponse").validate(listed)
    table = run(emulator, "-o", "table", "instances", "--name", "cassandra-prod")
    assert table.returncode == 0, table.stderr
    assert (
        "cassandra-prod" in table.stdout and "normal" in table.stdout and "100 GB" in table.stdout
    )


def test_restore_by_backup_name_waits_and_never_prints_the_password(
    emulator: Emulator, tmp_path: Path
) -> None:
    assert run(emulator, "create", "-i", emulator.instance_id, "-n", "nightly-1").returncode == 0
    password_file = tmp_path / "password"
    restored = run(emulator, "-o", "json", "restore", "--backup", "nightly-1", "--name",
                   "restored-cli", "--wait", "--interval", "0.1", "--password-file",
                   str(password_file))  # fmt: skip
    result = as_json(restored)
    assert result["status"] == "normal" and result["name"] == "restored-cli"
    password = password_file.read_text().strip()
    component_validator("InstancePassword").validate(password)
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert password not in restored.stdout and password not in restored.stderr
    again = run(emulator, "restore", "--backup", "nightly-1", "--name", "restored-2",
                "--password-file", str(password_file))  # fmt: skip
    assert again.returncode == 2 and "is never overwritten" in again.stderr


def test_restore_to_a_point_in_time_and_its_usage_errors(emulator: Emulator) -> None:
    at = emulator.now() - 600
    from datetime import UTC, datetime

    moment = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S")  # no offset: UTC
    result = as_json(run(emulator, "-o", "json", "restore", "--instance", emulator.instance_id,
                         "--at", moment, "--name", "pitr-cli"))  # fmt: skip
    assert result["restore_time"] == datetime.fromtimestamp(at, UTC).isoformat()
    assert (
        "A password was generated"
        in run(
            emulator,
            "restore",
            "--instance",
            emulator.instance_id,
            "--at",
            moment,
            "--name",
            "pitr-2",
        ).stderr
    )
    for args, message in [
        (["--name", "x1234"], "give either --backup"),
        (["--at", moment, "--name", "x1234"], "--at needs --instance"),
        (["--instance", emulator.instance_id, "--at", "yesterday", "--name", "x1234"],
         "is not an ISO 8601 time"),
        (["--backup", "nosuchbackup", "--name", "x1234"], "no backup has the ID or the name"),
    ]:  # fmt: skip
        refused = run(emulator, "restore", *args)
        assert refused.returncode in (2, 3) and message in refused.stderr, refused.stderr


def test_instances_delete_asks_for_the_name(emulator: Emulator) -> None:
    backup = as_json(run(emulator, "-o", "json", "create", "-i", emulator.instance_id, "-n",
                         "for-delete", "--wait", "--interval", "0.1"))  # fmt: skip
    new = as_json(run(emulator, "-o", "json", "restore", "--backup", backup["id"], "--name",
                      "to-delete", "--wait", "--interval", "0.1"))  # fmt: skip
    no_terminal = run(emulator, "instances", "delete", new["instance_id"])
    assert no_terminal.returncode == 2 and "--yes" in no_terminal.stderr
    deleted = run(emulator, "-o", "json", "instances", "delete", new["instance_id"], "--yes",
                  "--wait", "--interval", "0.1")  # fmt: skip
    assert as_json(deleted)["job"]["name"] == "DeleteInstance"
    listed = as_json(run(emulator, "-o", "json", "instances", "--id", new["instance_id"]))
    assert listed["instances"] == []


def test_drill_reports_table_json_and_junit(emulator: Emulator, tmp_path: Path) -> None:
    junit = tmp_path / "drill.xml"
    table = run(emulator, "drill", "--instance", emulator.instance_id, "--interval", "0.1",
                "--junit", str(junit))  # fmt: skip
    assert table.returncode == 0, table.stderr
    assert "passed" in table.stdout and "restoring backup" in table.stderr
    root = ElementTree.parse(junit).getroot()
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("1", "0", "0")
    report = as_json(run(emulator, "-o", "json", "drill", "-i", emulator.instance_id,
                         "--interval", "0.1"))  # fmt: skip
    assert report["passed"] is True
    (drill,) = report["drills"]
    assert drill["cleaned"] and is_drill_name(drill["restored_name"])
    listed = as_json(run(emulator, "-o", "json", "instances", "--name", "*drill-"))
    assert listed["instances"] == []


def test_a_failed_drill_exits_1(emulator: Emulator) -> None:
    emulator.fail_next_restore("corrupt backup")
    failed = run(emulator, "-o", "json", "drill", "-i", emulator.instance_id, "--interval", "0.1")
    assert failed.returncode == 1, failed.stderr
    report = json.loads(failed.stdout)
    assert report["passed"] is False and "corrupt backup" in report["drills"][0]["error"]
    unknown = run(emulator, "drill", "-i", "nosuchinstance")
    assert unknown.returncode == 1 and "FAILED" in unknown.stdout


def test_drill_clean_deletes_leftovers_only(emulator: Emulator) -> None:
    backup = as_json(run(emulator, "-o", "json", "create", "-i", emulator.instance_id, "-n",
                         "for-clean", "--wait", "--interval", "0.1"))  # fmt: skip
    leftover = as_json(run(emulator, "-o", "json", "restore", "--backup", backup["id"], "--name",
                           "drill-crashed-20261206080005"))  # fmt: skip
    cleaned = as_json(run(emulator, "-o", "json", "drill", "--clean", "--interval", "0.1"))
    assert cleaned == {"deleted": [{"id": leftover["instance_id"],
                                    "name": "drill-crashed-20261206080005"}]}  # fmt: skip
    assert run(emulator, "drill").returncode == 2
