"""Fleet runs of the CLI against ``serve``: ``create`` over many instances under a rate limit,
per-instance failures in JSON and JUnit with exit 1, a run killed halfway and resumed without a
second backup, Ctrl-C, a dry run, and refused selections."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest
from test_e2e_serve import CLI, PROJECT_ID, TOKEN, Server, Servers
from test_e2e_serve import serve as serve  # noqa: PLC0414 - the fixture, used by name

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("geminidb_backup.server") is None,
    reason="the reference server is not part of this install",
)


def fleet_ids(count: int) -> list[str]:
    from geminidb_backup.server.config import fleet_instances

    return [instance.id for instance in fleet_instances(PROJECT_ID, count)]


def environment(server: Server, state_dir: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINIDB_", "OS_"))}
    return base | {"GEMINIDB_ENDPOINT": server.url, "GEMINIDB_PROJECT_ID": PROJECT_ID,
                   "GEMINIDB_TOKEN": TOKEN, "GEMINIDB_STATE_DIR": str(state_dir),
                   "COLUMNS": "250"}  # fmt: skip


def run_cli(server: Server, state_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], check=False, env=environment(server, state_dir),
                          capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)  # fmt: skip


def manual_backups(server: Server) -> Counter[tuple[str, str]]:
    """The manual backups by (instance, name), read as a client would (asked again while the
    server throttles it)."""
    while True:
        response = httpx.get(f"{server.url}/v4/{PROJECT_ID}/backups",
                             params={"backup_type": "Manual", "limit": 100},
                             headers={"X-Auth-Token": TOKEN})  # fmt: skip
        if response.status_code != 429:
            break
        time.sleep(0.5)
    return Counter((b["instance_id"], b["name"]) for b in response.json()["backups"])


def ids_file(tmp_path: Path, ids: list[str]) -> str:
    path = tmp_path / "instances.txt"
    path.write_text("# the fleet\n" + "\n".join(ids) + "\n")
    return str(path)


def test_create_over_a_throttled_fleet(serve: Servers, tmp_path: Path) -> None:
    server = serve("--backup-seconds", "0", "--instances", "8", "--rate-limit", "4/s",
                   "--retry-after", "none")  # fmt: skip
    ids = fleet_ids(8)
    junit = tmp_path / "fleet.xml"
    result = run_cli(server, tmp_path / "state", "-o", "json", "create", "--instances-from",
                     ids_file(tmp_path, ids), "--name", "nightly-{now:%Y%m%d}", "--junit",
                     str(junit), "--concurrency", "4")  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["counts"] == {"succeeded": 8, "failed": 0, "skipped": 0}
    assert report["throttled"] > 0  # 8 creates at once against 4 a second
    names = manual_backups(server)
    assert sorted(names) == sorted(names.keys()) and set(names.values()) == {1}
    assert {instance for instance, _ in names} == set(ids)
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "8" and suite.get("failures") == "0"


def test_failures_exit_1_and_show_in_json_junit_and_the_table(
    serve: Servers, tmp_path: Path
) -> None:
    server = serve("--backup-seconds", "0", "--instances", "3")
    ids = fleet_ids(3)
    unknown = "f" * 32 + "in06"
    junit = tmp_path / "fleet.xml"
    args = ["create", "-i", ids[0], "-i", unknown, "-i", ids[2], "--name", "nightly-01"]
    result = run_cli(server, tmp_path / "state", "-o", "json", *args, "--junit", str(junit))
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["counts"] == {"succeeded": 2, "failed": 1, "skipped": 0}
    failed = next(entry for entry in report["instances"] if entry["status"] == "failed")
    assert failed["instance_id"] == unknown and failed["code"] == "DBS.200002"
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures")) == ("3", "1")
    failure = suite.findall("testcase")[1].find("failure")
    assert failure is not None and failure.get("type") == "DBS.200002"
    # The table form: the failure on stderr as it happens, the summary on stdout; exit 1 again
    # (the run is resumed: the two done are not done twice).
    again = run_cli(server, tmp_path / "state", *args)
    assert again.returncode == 1
    assert f"failed: {unknown}: DBS.200002" in again.stderr
    assert "create: 3/3 done, 1 failed" in again.stderr  # the quiet progress lines, for cron
    assert "Resuming the run" in again.stderr
    assert "3 instances: 2 succeeded (2 in an earlier part of the run), 1 failed" in again.stdout
    assert sum(manual_backups(server).values()) == 2


def wait_for_outcomes(state_dir: Path, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for journal in state_dir.glob("runs/*.jsonl"):
            if journal.read_text().count('"outcome"') >= count:
                return
        time.sleep(0.05)
    raise AssertionError(f"the run did not record {count} outcomes in time")


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["crash", "ctrl-c"])
def test_a_run_stopped_halfway_is_finished_without_a_second_backup(
    serve: Servers, tmp_path: Path, stop: signal.Signals
) -> None:
    server = serve("--backup-seconds", "0", "--instances", "12", "--rate-limit", "3/s")
    state_dir = tmp_path / "state"
    args = ["create", "--instances-from", ids_file(tmp_path, fleet_ids(12)), "--name",
            "nightly-{now:%H%M%S}", "--concurrency", "2"]  # fmt: skip
    first = subprocess.Popen([CLI, *args], env=environment(server, state_dir),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             stdin=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_for_outcomes(state_dir, 4)
        first.send_signal(stop)
        _, stderr = first.communicate(timeout=30)
    finally:
        first.kill()
    if stop == signal.SIGINT:
        assert first.returncode == 130
        assert "Run the same command again to finish the rest" in stderr
    before = manual_backups(server)
    assert 4 <= sum(before.values()) < 12
    (name,) = {name for _, name in before}
    time.sleep(1.1)  # the template now gives another name: the resumed run must keep the first
    result = run_cli(server, state_dir, "-o", "json", *args)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["run"]["resumed"] is True
    assert report["counts"]["succeeded"] == 12
    after = manual_backups(server)
    assert set(after.values()) == {1} and {n for _, n in after} == {name}
    assert len(after) == 12


def test_a_dry_run_sends_nothing(serve: Servers, tmp_path: Path) -> None:
    server = serve("--backup-seconds", "0", "--instances", "3")
    result = run_cli(server, tmp_path / "state", "-o", "json", "create", "-i", fleet_ids(3)[0],
                     "-i", fleet_ids(3)[1], "--name", "x-{now:%Y}", "--dry-run")  # fmt: skip
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    assert report["dry_run"] and report["counts"]["skipped"] == 2
    assert "would create backup 'x-" in report["instances"][0]["message"]
    assert not manual_backups(server)
    assert not (tmp_path / "state").exists()  # a dry run keeps no state


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "n-1"], "say which instances"),
        (["--all-instances", "-i", "x", "--name", "n-1"], "do not go together"),
        (["-i", "a", "-i", "b", "--name-filter", "p*", "--name", "n-1"], "--name-filter"),
        (["--instances-from", "EMPTY", "--name", "n-1"], "names no instance"),
        (["-i", "a", "-i", "b", "--name", "n-{bad}"], "{now:FORMAT}"),
        (["-i", "a", "-i", "b", "--name", "d-1"], "at least 4 characters"),
        (["-i", "a", "-i", "b", "--name", "ok-name", "-d", "a<b"], "description"),
    ],
)
def test_bad_selections_are_refused_before_sending(
    tmp_path: Path, args: list[str], message: str
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n\n")
    args = [str(empty) if arg == "EMPTY" else arg for arg in args]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINIDB_", "OS_"))}
    env |= {"GEMINIDB_ENDPOINT": "http://127.0.0.1:9", "GEMINIDB_PROJECT_ID": PROJECT_ID,
            "GEMINIDB_TOKEN": TOKEN, "GEMINIDB_STATE_DIR": str(tmp_path / "state")}  # fmt: skip
    result = subprocess.run([CLI, "create", *args], check=False, env=env, capture_output=True,
                            text=True, timeout=60, stdin=subprocess.DEVNULL)  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert message in result.stderr


def test_prune_over_a_fleet(serve: Servers, tmp_path: Path) -> None:
    server = serve("--backup-seconds", "0", "--instances", "3")
    ids = fleet_ids(3)
    selection = [arg for instance_id in ids for arg in ("-i", instance_id)]
    for night in ("day-1", "day-2", "day-3"):
        assert (
            run_cli(server, tmp_path / "state", "create", *selection, "-n", night).returncode == 0
        )
    dry = run_cli(server, tmp_path / "state", "-o", "json", "prune", *selection, "--keep", "1",
                  "--dry-run")  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    assert [len(i["details"]["deleted"]) for i in json.loads(dry.stdout)["instances"]] == [2] * 3
    assert sum(manual_backups(server).values()) == 9
    refused = run_cli(server, tmp_path / "state", "prune", *selection, "--keep", "1")
    assert refused.returncode == 2 and "without --yes" in refused.stderr
    result = run_cli(server, tmp_path / "state", "-o", "json", "prune", *selection, "--keep",
                     "1", "--yes", "--interval", "0.1")  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["counts"]["succeeded"] == 3
    assert all(len(i["details"]["deleted"]) == 2 and i["details"]["kept"] == 1
               for i in report["instances"])  # fmt: skip
    left = manual_backups(server)
    assert sorted(instance for instance, _ in left) == sorted(ids)


def test_create_with_wait_settles_each_instance_by_its_job(serve: Servers, tmp_path: Path) -> None:
    server = serve("--backup-seconds", "1", "--instances", "3")
    selection = [arg for instance_id in fleet_ids(3) for arg in ("-i", instance_id)]
    result = run_cli(server, tmp_path / "state", "-o", "json", "create", *selection, "--name",
                     "waited-1", "--wait")  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [i["details"]["job_status"] for i in report["instances"]] == ["Completed"] * 3


def test_all_instances_with_a_name_filter_then_a_fleet_drill(
    serve: Servers, tmp_path: Path
) -> None:
    server = serve("--backup-seconds", "0", "--instances", "12", "--rate-limit", "10/s")
    state = tmp_path / "state"
    junit = tmp_path / "drill.xml"
    result = run_cli(server, state, "-o", "json", "create", "--all-instances", "--name-filter",
                     "cassandra-000?", "--name", "filtered-1")  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    names = sorted(entry["instance_name"] for entry in report["instances"])
    assert names == [f"cassandra-000{n}" for n in range(1, 10)]  # not 0010-0012
    assert {i for i, _ in manual_backups(server)} == set(fleet_ids(9))
    drill = run_cli(server, state, "-o", "json", "drill", "--all-instances", "--name-filter",
                    "cassandra-000[1-3]", "--interval", "0.2", "--junit", str(junit))  # fmt: skip
    assert drill.returncode == 0, drill.stdout[-1500:]
    drilled = json.loads(drill.stdout)
    assert drilled["counts"] == {"succeeded": 3, "failed": 0, "skipped": 0}
    assert all(entry["details"]["cleaned"] for entry in drilled["instances"])
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "3"
