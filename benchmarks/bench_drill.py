"""What a restore drill costs in-process: drills of N instances on the emulator next to the
rounds a drill is made of, measured in the same run.

Not a test: run it by hand (about a minute)::

    .tools/bin/uv run python benchmarks/bench_drill.py [--instances 50] [--repeat 3]

The emulator's restores take half an hour and its backups five minutes of *virtual* time: the
emulator's clients wait in its virtual time, so a wait moves the emulator's clock instead of
sleeping, and what is measured is the work of the calls, not time.

- a drill: ``client.drill(instance_id)`` of each of N instances, each with one completed backup:
  find the instance and its newest backup, restore it to a ``drill-`` instance, wait until ready,
  check it, delete it and wait for the deletion (about ten requests);
- baseline 1, the instance round: restore → wait until ready → delete (waited), the same calls a
  drill makes without its look-ups and checks;
- baseline 2, the backup round: create a backup → wait → delete it (waited), the round of
  ``bench_testing.py``.

Target: a drill costs at most 3x an in-process create → wait → delete round (the instance round),
median of the rounds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from geminidb_backup import BackupClient
from geminidb_backup.server.instances import Instance
from geminidb_backup.testing import Emulator

PROJECT = "0" * 31 + "1"
RESTORE_SECONDS = 1800.0
BACKUP_SECONDS = 300.0


def fleet(count: int) -> list[Instance]:
    return [Instance(PROJECT, f"{number:032x}in06", f"cassandra-{number:03d}")
            for number in range(count)]  # fmt: skip


def measure(instances: int) -> dict[str, list[float]]:
    emulator = Emulator(
        instances=fleet(instances), backup_seconds=BACKUP_SECONDS,
        restore_seconds=RESTORE_SECONDS, auto_backups=False,
    )  # fmt: skip
    with emulator, emulator.client() as client:
        ids = [instance.id for instance in fleet(instances)]
        backups = [backed_up(client, instance_id) for instance_id in ids]

        def drill(number: int) -> None:
            result = client.drill(ids[number])
            assert result.passed and result.cleaned, result

        def instance_round(number: int) -> None:
            restore = client.restore(backup_id=backups[number], name=f"round-{number:03d}")
            client.wait_ready(restore.instance_id, job_id=restore.job_id)
            client.delete_instance(restore.instance_id, wait=True)

        def backup_round(number: int) -> None:
            created = client.create_backup(ids[number], f"round-{number:05d}")
            client.wait(created.job_id)
            client.wait(client.delete_backup(created.backup_id))

        drill(0), instance_round(0), backup_round(0)  # warm-up: caches, compiled validators
        # Interleaved, so that the machine's load drifts over all three alike.
        times: dict[str, list[float]] = {"drill": [], "instance_round": [], "backup_round": []}
        for number in range(1, instances):
            for key, action in (("drill", drill), ("instance_round", instance_round),
                                ("backup_round", backup_round)):  # fmt: skip
                started = time.perf_counter()
                action(number)
                times[key].append(time.perf_counter() - started)
        return times


def backed_up(client: BackupClient, instance_id: str) -> str:
    created = client.create_backup(instance_id, "bench-full", "bench")
    client.wait(created.job_id)
    return created.backup_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3, help="runs; the median run is kept")
    args = parser.parse_args()
    runs = [measure(args.instances) for _ in range(args.repeat)]
    medians = {key: statistics.median(statistics.median(run[key]) for run in runs)
               for key in runs[0]}  # fmt: skip
    totals = {key: statistics.median(sum(run[key]) for run in runs) for key in runs[0]}
    report = {
        "instances": args.instances,
        "median_ms": {key: round(value * 1000, 2) for key, value in medians.items()},
        "all_drills_s": round(totals["drill"], 3),
        "drill_vs_instance_round": round(medians["drill"] / medians["instance_round"], 2),
        "drill_vs_backup_round": round(medians["drill"] / medians["backup_round"], 2),
        "target": "drill <= 3x the instance round (create -> wait -> delete)",
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
