"""Whole-process time of the commands people run (``list``, ``show``, ``create`` without
``--wait``) against the reference server, beside the floor and the official SDK's import, in the
same run, interleaved in rounds; and tab completion of an option's values.

- floor: a Python process of the same environment that imports httpx, makes a client and sends
  the same request as ``list`` (what any Python tool built on httpx pays at least);
- SDK import: ``python -c "import huaweicloudsdkgaussdbfornosql.v3"`` (only its import);
- completion: ``geminidb-backup list --backup-type <Tab>`` as bash asks it.

Bytecode is compiled first (``compileall`` of the package and a warm-up run of each command),
as an installed tool has it. Run: ``.tools/bin/uv run python benchmarks/bench_commands.py
[ROUNDS]``. Prints medians and ratios. Targets: each command at most 1.2x the floor and below the
SDK's import; completion at most 0.100 s.
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import geminidb_backup
from geminidb_backup.server.process import serve_process

TOKEN = "benchmark-token-0123"
PROJECT_ID = "054e292c9880d4992f02c0196d3ea468"
INSTANCE_ID = "a4d8ea2584e047439a667703c0684119in06"
CLI = str(Path(sys.executable).with_name("geminidb-backup"))

FLOOR = """
import sys, httpx
client = httpx.Client(base_url=sys.argv[1], headers={"X-Auth-Token": sys.argv[2]})
response = client.get(f"/v4/{sys.argv[3]}/backups", params={"offset": 0})
response.raise_for_status()
print(response.text)
"""


def once(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    return time.perf_counter() - start


def main(rounds: int) -> None:
    compileall.compile_dir(str(Path(geminidb_backup.__file__).parent), quiet=1)
    args = ["--token", TOKEN, "--db", ":memory:", "--backup-seconds", "0", "--backup-limit", "0",
            "--no-access-log"]  # fmt: skip
    with serve_process(args) as server:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env |= {"GEMINIDB_ENDPOINT": server.url, "GEMINIDB_PROJECT_ID": PROJECT_ID,
                "GEMINIDB_TOKEN": TOKEN, "COLUMNS": "120"}  # fmt: skip
        made = subprocess.run([CLI, "-o", "value", "-c", "backup_id", "create", "-i",
                               INSTANCE_ID, "-n", "bench-seed"], env=env, check=True,
                              capture_output=True, text=True)  # fmt: skip
        backup_id = made.stdout.strip()
        names = (f"bench-{index:05d}" for index in range(1_000_000))
        complete = env | {"_GEMINIDB_BACKUP_COMPLETE": "bash_complete",
                          "COMP_WORDS": "geminidb-backup list --backup-type ", "COMP_CWORD": "3"}  # fmt: skip
        commands = {
            "floor: python + httpx, one GET": lambda: once(
                [sys.executable, "-c", FLOOR, server.url, TOKEN, PROJECT_ID], env),
            "SDK import (huaweicloudsdkgaussdbfornosql.v3)": lambda: once(
                [sys.executable, "-c", "import huaweicloudsdkgaussdbfornosql.v3"], env),
            "geminidb-backup list": lambda: once([CLI, "list"], env),
            "geminidb-backup show ID": lambda: once([CLI, "show", backup_id], env),
            "geminidb-backup create (no wait)": lambda: once(
                [CLI, "create", "-i", INSTANCE_ID, "-n", next(names)], env),
            "python -c 'import click' (completion's floor)": lambda: once(
                [sys.executable, "-c", "import click"], env),
            "tab completion (list --backup-type)": lambda: once([CLI], complete),
        }  # fmt: skip
        for run in commands.values():  # warm-up: file cache and .pyc files
            run()
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(rounds):
            for name, run in commands.items():
                times[name].append(run())
    medians = {name: statistics.median(values) for name, values in times.items()}
    floor = medians["floor: python + httpx, one GET"]
    sdk = medians["SDK import (huaweicloudsdkgaussdbfornosql.v3)"]
    print(f"median of {rounds} rounds, interleaved; load average {os.getloadavg()[0]:.1f}")
    for name, median in medians.items():
        spread = f"{min(times[name]):.3f}-{max(times[name]):.3f}"
        print(f"{median:7.3f} s  ({spread})  {floor and median / floor:5.2f}x floor  "
              f"{median / sdk:5.2f}x SDK import  {name}")  # fmt: skip
    for name in ("geminidb-backup list", "geminidb-backup show ID",
                 "geminidb-backup create (no wait)"):  # fmt: skip
        verdict = "ok" if medians[name] <= 1.2 * floor and medians[name] < sdk else "MISSED"
        print(f"{verdict:6}  {name}: target <= 1.2x floor and < SDK import")
    completion = medians["tab completion (list --backup-type)"]
    print(
        f"{'ok' if completion <= 0.1 else 'MISSED':6}  tab completion {completion:.3f} s: "
        "target <= 0.100 s"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
