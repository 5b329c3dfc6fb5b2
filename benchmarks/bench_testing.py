"""What ``geminidb_backup.testing`` costs a test suite: an emulator's set-up and teardown per test,
and one backup round in-process next to the same round over loopback against
``geminidb-backup serve --backup-seconds 0``, measured in the same run.

Not a test: run it by hand (about half a minute)::

    .tools/bin/uv run python benchmarks/bench_testing.py [--tests 100] [--rounds 200]

- set-up + teardown: ``with Emulator() as e, e.client() as c: pass``, what the ``geminidb`` and
  ``geminidb_client`` fixtures do for each test; the first (which pays for compiling the spec's
  validators once per process) is shown apart, the median is of the others. Target: <= 20 ms.
- a round: create a backup, wait for its job (in-process: the clock is advanced by the backup's
  duration, so the job is Running and then ends; over loopback the server's backups take no
  time), list the instance's manual backups, delete the backup. Four requests either way, by the
  same ``BackupClient`` code. Targets: in-process <= 10 ms, and >= 10x faster than loopback.

A policy year (its own section; ``--policy-only`` runs it alone): ``advance(365 days)`` with a
daily automated backup policy (keep 1 day) on 10 instances, about 3,650 automated backups made
and expired by the first read after it, beside createBackup in-process (the facade's call) in the
same run. Target: per automated backup at most the cost of one in-process createBackup.

A third figure bounds the ratio: the same round by the same client on ``httpx.MockTransport``
with canned answers (no server at all), the client's own share of every round, in either mode.

Virtual time: a user's whole test (an emulator, a client, a create waited for on a 1-hour
backup, 40 days advanced, another backup waited for, a prune older than 30 days), timed against
the same test with ``backup_seconds=0`` in the same run, alternating. Target: at most 1.5x (a
long wait costs what no wait costs).

The anchor a user compares with: moto (``moto.mock_aws``) for AWS, with boto3's RDS the same way
round: ``create_db_snapshot`` -> the ``db_snapshot_available`` waiter -> ``describe_db_snapshots``
-> ``delete_db_snapshot``, and moto's set-up per test (``mock_aws`` entered, a client, a DB
instance to snapshot). moto and boto3 are in the dev group only.

The loopback server keeps its state in memory (``--db :memory:``), so what differs is the path of
a request (socket, HTTP parsing, a separate process), not the durability of commits; with its
default SQLite file it would be slower still.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx

from geminidb_backup import BackupClient, TokenAuth
from geminidb_backup.server.process import serve_process
from geminidb_backup.testing import Emulator

TOKEN = "bench-token"
BACKUP_SECONDS = 300


def setup_teardown(tests: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(tests):
        started = time.perf_counter()
        with Emulator() as emulator, emulator.client():
            pass
        times.append(time.perf_counter() - started)
    return times[0], times[1:]


def one_round(
    client: BackupClient, instance_id: str, name: str, advance: Callable[[float], object]
) -> None:
    created = client.create_backup(instance_id, name, "bench")
    advance(BACKUP_SECONDS)
    assert client.wait(created.job_id or "", interval=0.001).status == "Completed"
    backups = client.list_backups(instance_id=instance_id, backup_type="Manual")
    assert [backup.id for backup in backups] == [created.backup_id]
    assert client.delete_backup(created.backup_id)
    advance(BACKUP_SECONDS)  # the deletion ends, the instance is free for the next round


def rounds(client: BackupClient, instance_id: str, count: int,
           advance: Callable[[float], object]) -> list[float]:  # fmt: skip
    for number in range(10):  # warm-up: connections, caches
        one_round(client, instance_id, f"warm-{number:04d}", advance)
    times = []
    for number in range(count):
        started = time.perf_counter()
        one_round(client, instance_id, f"bench-{number:05d}", advance)
        times.append(time.perf_counter() - started)
    return times


DAY = 86_400.0


def users_test(backup_seconds: float) -> None:
    """What a user's test of a nightly job and its retention does, set-up included."""
    from datetime import timedelta

    with Emulator(backup_seconds=backup_seconds) as emulator, emulator.client() as client:
        first = client.create_backup(emulator.instance_id, "nightly-01")
        assert client.wait(first.job_id or "", timeout=7200).status == "Completed"
        emulator.advance(40 * DAY)
        second = client.create_backup(emulator.instance_id, "nightly-41")
        assert client.wait(second.job_id or "", timeout=7200).status == "Completed"
        result = client.prune(emulator.instance_id, older_than=timedelta(days=30), timeout=7200)
        assert [pruned.backup.id for pruned in result.deleted] == [first.backup_id]


def virtual_time(count: int) -> tuple[list[float], list[float]]:
    """The user's test with a 1-hour backup and with none, alternating, ``count`` each."""
    users_test(3600)  # warm-up
    users_test(0)
    long, none = [], []
    for _ in range(count):
        for seconds, times in ((3600.0, long), (0.0, none)):
            started = time.perf_counter()
            users_test(seconds)
            times.append(time.perf_counter() - started)
    return long, none


def moto_figures(tests: int, count: int) -> tuple[list[float], list[float]] | None:
    """moto's set-up per test and its round, or None when moto is not installed."""
    try:
        import boto3
        from moto import mock_aws
    except ImportError:
        return None

    def set_up() -> Any:
        mock = mock_aws()
        mock.start()
        rds = boto3.client("rds", region_name="eu-west-1", aws_access_key_id="testing",
                           aws_secret_access_key="testing")  # fmt: skip
        rds.create_db_instance(DBInstanceIdentifier="db-1", DBInstanceClass="db.t3.micro",
                               Engine="postgres", MasterUsername="admin",
                               MasterUserPassword="password1", AllocatedStorage=20)  # fmt: skip
        return mock, rds

    set_ups = []
    set_up()[0].stop()  # warm-up: boto3's service models, moto's backends
    for _ in range(tests):
        started = time.perf_counter()
        mock, _ = set_up()
        mock.stop()
        set_ups.append(time.perf_counter() - started)

    mock, rds = set_up()
    waiter = rds.get_waiter("db_snapshot_available")

    def one(name: str) -> None:
        rds.create_db_snapshot(DBSnapshotIdentifier=name, DBInstanceIdentifier="db-1")
        waiter.wait(DBSnapshotIdentifier=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
        found = rds.describe_db_snapshots(DBInstanceIdentifier="db-1",
                                          SnapshotType="manual")["DBSnapshots"]  # fmt: skip
        assert [snapshot["DBSnapshotIdentifier"] for snapshot in found] == [name]
        rds.delete_db_snapshot(DBSnapshotIdentifier=name)

    try:
        for number in range(10):
            one(f"warm-{number:04d}")
        times = []
        for number in range(count):
            started = time.perf_counter()
            one(f"bench-{number:05d}")
            times.append(time.perf_counter() - started)
    finally:
        mock.stop()
    return set_ups, times


def canned_transport(emulator: Emulator) -> httpx.MockTransport:
    """Answers of the right shape for the round, taken once from the emulator, replayed."""
    with emulator.client() as client:
        created = client.create_backup(emulator.instance_id, "canned-01")
        emulator.advance(BACKUP_SECONDS)
        job = client.get_job(created.job_id).to_dict()
        backup = client.get_backup(created.backup_id).to_dict()
    answers = {
        "POST": (202, {"job_id": created.job_id, "backup_id": created.backup_id}),
        "GET jobs": (200, {"total_count": 1, "jobs": [job]}),
        "GET backups": (200, {"total_count": 1, "backups": [backup]}),
        "DELETE": (202, {"job_id": created.job_id}),
    }

    def answer(request: httpx.Request) -> httpx.Response:
        key = request.method
        if key == "GET":
            key += " jobs" if request.url.path.endswith("/jobs") else " backups"
        status, body = answers[key]
        return httpx.Response(status, content=json.dumps(body).encode(),
                              headers={"Content-Type": "application/json"})  # fmt: skip

    return httpx.MockTransport(answer)


def policy_year(instances: int = 10, days: int = 365, creates: int = 300) -> None:
    """The clock-driven policy: one year of daily automated backups on ``instances``."""
    seeded = [f"bench-project/{index:032x}in06" for index in range(instances)]
    with Emulator(instances=seeded, policy="1/00:00-01:00/1-7", auto_backups=False) as emulator:
        emulator.backups()  # the first read compiles what it needs; not part of the year
        started = time.perf_counter()
        emulator.advance(days * 86_400.0)
        left = emulator.backups(project_id="bench-project")  # the catch-up runs here
        year = time.perf_counter() - started
        made = sum(1 for job in emulator.state()["jobs"] if job["name"] == "BackupInstance")
    with Emulator(backup_limit=0) as emulator, emulator.client() as client:
        client.create_backup(emulator.instance_id, "warm-up")
        started = time.perf_counter()
        for index in range(creates):
            client.create_backup(emulator.instance_id, f"create-{index}")
        create = (time.perf_counter() - started) / creates
    per_backup = year / max(made, 1)
    print(f"policy year: advance({days} days) with a daily policy on {instances} instances made "
          f"{made} automated backups ({len(left)} still kept) in {ms(year)}: {ms(per_backup)} "
          f"each, {per_backup / create:.3f}x one in-process createBackup ({ms(create)}, mean of "
          f"{creates}) [target <= 1x]")  # fmt: skip


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", type=int, default=100, help="set-ups measured")
    parser.add_argument("--rounds", type=int, default=200, help="rounds measured in each mode")
    parser.add_argument("--policy-only", action="store_true", help="only the policy year")
    parser.add_argument("--users-tests", type=int, default=30,
                        help="user's tests timed with and without a long wait")  # fmt: skip
    options = parser.parse_args()
    if options.policy_only:
        policy_year()
        return

    first, others = setup_teardown(options.tests)
    setup = statistics.median(others)
    print(f"set-up + teardown per test: first {ms(first)}, median of the next "
          f"{len(others)} {ms(setup)} (p90 {ms(statistics.quantiles(others, n=10)[-1])}) "
          f"[target <= 20 ms]")  # fmt: skip

    with Emulator(backup_seconds=BACKUP_SECONDS) as emulator, emulator.client() as client:
        in_process = rounds(client, emulator.instance_id, options.rounds, emulator.advance)

    with Emulator(backup_seconds=BACKUP_SECONDS) as emulator:
        transport = canned_transport(emulator)
        with BackupClient("http://canned", emulator.project_id, TokenAuth(TOKEN),
                          transport=transport) as client:  # fmt: skip
            floor = rounds(client, emulator.instance_id, options.rounds, lambda seconds: None)

    args = ["--token", TOKEN, "--backup-seconds", "0", "--backup-limit", "0",
            "--db", ":memory:", "--no-access-log"]  # fmt: skip
    with serve_process(args) as server:
        emulator_ids = Emulator()  # only for the default project and instance IDs
        project_id, instance_id = emulator_ids.project_id, emulator_ids.instance_id
        emulator_ids.close()
        with BackupClient(server.url, project_id, TokenAuth(TOKEN)) as client:
            loopback = rounds(client, instance_id, options.rounds, lambda seconds: None)

    inner, outer = statistics.median(in_process), statistics.median(loopback)
    print(f"round in-process (create, wait with the clock advanced, list, delete): median "
          f"{ms(inner)}, p90 {ms(statistics.quantiles(in_process, n=10)[-1])} "
          f"[target <= 10 ms]")  # fmt: skip
    print(f"same round over loopback (serve --backup-seconds 0): median {ms(outer)}, "
          f"p90 {ms(statistics.quantiles(loopback, n=10)[-1])}")  # fmt: skip
    print(f"in-process is {outer / inner:.1f}x faster than loopback [target >= 10x]")
    long, none = virtual_time(options.users_tests)
    ratios = [a / b for a, b in zip(long, none, strict=True)]
    print(f"a user's test waiting on a 1-hour backup and pruning after 40 days: median "
          f"{ms(statistics.median(long))}; the same with backup_seconds=0: "
          f"{ms(statistics.median(none))}; median of the paired ratios "
          f"{statistics.median(ratios):.2f}x [target <= 1.5x]")  # fmt: skip

    anchor = moto_figures(options.tests, options.rounds)
    if anchor is None:
        print("moto: not installed (it is in the dev group: uv sync --all-groups)")
    else:
        moto_setups, moto_rounds = anchor
        print(f"moto (mock_aws, boto3 RDS) set-up + teardown per test: median "
              f"{ms(statistics.median(moto_setups))}; round (create_db_snapshot, waiter, "
              f"describe_db_snapshots, delete_db_snapshot): median "
              f"{ms(statistics.median(moto_rounds))}")  # fmt: skip
        print(f"ours against moto: set-up {statistics.median(moto_setups) / setup:.1f}x "
              f"faster, round {statistics.median(moto_rounds) / inner:.1f}x faster")  # fmt: skip

    bottom = statistics.median(floor)
    print(f"the client alone (same round on httpx.MockTransport, canned answers): median "
          f"{ms(bottom)}; so no emulator can be more than {outer / bottom:.1f}x faster than "
          f"loopback with this client; the emulator's own share of a round: "
          f"{ms(inner - bottom)}")  # fmt: skip
    policy_year()


if __name__ == "__main__":
    main()
