"""Fleet operations against their bounds, measured in the same run:

1. ``geminidb-backup create --all-instances`` over 200 instances of ``serve --backup-seconds 0 --rate-limit 20``
   (``--instances 200``), without ``--wait``: the whole process's time against the throttle's
   bound (its least calls, the listInstances pages when it lists them plus one create per
   instance, divided by the rate) [target <= 1.3x], then every instance's manual backups counted
   [0 duplicates, 0 lost], and against a shell loop of ``geminidb-backup create`` over the same
   instances on a second server with the same settings [target >= 5x faster].
2. 1,000 instances in-process on the emulator: ``Fleet.create_backups`` against one in-process
   ``create_backup`` per instance in a plain loop [target <= 2x].

Bytecode is compiled first and the commands run with it, as an installed tool does. Not a
test: run it by hand (about two minutes, most of it the shell loop)::

    .tools/bin/uv run python benchmarks/bench_fleet.py [--instances 200] [--loop N]

``--loop N`` times the shell loop over the first N instances only and scales it to all of them
(say so beside the figure). The machine's load changes the figures: quote ``uptime`` with them.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

import geminidb_backup
import geminidb_backup_client
from geminidb_backup.fleet import Fleet
from geminidb_backup.server.config import example_instance, fleet_instances
from geminidb_backup.server.process import serve_process
from geminidb_backup.spec import follow_refs, load_spec
from geminidb_backup.testing import Emulator

TOKEN = "bench-token"
RATE = 20.0
CLI = str(Path(sys.executable).with_name("geminidb-backup"))
PROJECT_ID = example_instance().project_id


def serve_args(instances: int) -> list[str]:
    return ["--token", TOKEN, "--db", ":memory:", "--backup-seconds", "0", "--no-access-log",
            "--instances", str(instances), "--rate-limit", f"{RATE:g}"]  # fmt: skip


def environment(url: str, state: str) -> dict[str, str]:
    # Bytecode is written and read, as an installed tool has it (see main()).
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GEMINIDB_", "OS_")) and k != "PYTHONDONTWRITEBYTECODE"}  # fmt: skip
    return env | {"GEMINIDB_ENDPOINT": url, "GEMINIDB_PROJECT_ID": PROJECT_ID,
                  "GEMINIDB_TOKEN": TOKEN, "GEMINIDB_STATE_DIR": state}  # fmt: skip


def manual_backups(url: str) -> Counter[tuple[str, str]]:
    """(instance, name) of every manual backup, all pages, asked again while throttled."""
    found: Counter[tuple[str, str]] = Counter()
    offset = 0
    with httpx.Client(base_url=url, headers={"X-Auth-Token": TOKEN}) as http:
        while True:
            response = http.get(f"/v4/{PROJECT_ID}/backups",
                                params={"backup_type": "Manual", "offset": offset})  # fmt: skip
            if response.status_code == 429:
                time.sleep(0.2)
                continue
            page = response.json()
            found.update((b["instance_id"], b["name"]) for b in page["backups"])
            offset += len(page["backups"])
            if not page["backups"] or offset >= page["total_count"]:
                return found


def list_page_size() -> int:
    """listInstances' default page, from the spec (the library asks for that)."""
    parameters = load_spec()["paths"]["/v3/{project_id}/instances"]["get"]["parameters"]
    for parameter in parameters:
        parameter, _ = follow_refs(parameter)
        if parameter["name"] == "limit":
            return int(parameter["schema"]["default"])
    raise LookupError("listInstances has no limit parameter")


def fleet_run(count: int, state: str) -> float:
    ids = [instance.id for instance in fleet_instances(PROJECT_ID, count)]
    with serve_process(serve_args(count)) as server:
        command = [CLI, "-o", "json", "create", "--all-instances",
                   "--name", "fleet-{now:%Y%m%d}", "--concurrency", "16"]  # fmt: skip
        started = time.perf_counter()
        result = subprocess.run(command, env=environment(server.url, state), check=False,
                                capture_output=True, text=True)  # fmt: skip
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            sys.exit(f"the fleet run failed ({result.returncode}): {result.stderr[-2000:]}")
        report = json.loads(result.stdout)
        found = manual_backups(server.url)
    # The least calls: the listInstances pages, and one create per instance.
    pages = -(-count // list_page_size())
    bound = (pages + count) / RATE
    duplicates = sum(n - 1 for n in found.values() if n > 1)
    lost = len(set(ids) - {instance for instance, _ in found})
    print(f"fleet create over {count} instances at {RATE:g} requests/s: {seconds:.2f} s, "
          f"{seconds / bound:.2f}x the throttle's bound of {bound:.2f} s [target <= 1.3x]; "
          f"{report['throttled']} requests throttled; {duplicates} duplicates, {lost} lost "
          f"[target 0, 0]")  # fmt: skip
    return seconds


def shell_loop(count: int, sample: int, state: str) -> float:
    ids = [instance.id for instance in fleet_instances(PROJECT_ID, count)][:sample]
    with serve_process(serve_args(count)) as server:
        env = environment(server.url, state)
        script = 'for id in "$@"; do "$CLI" create -i "$id" -n loop-backup >/dev/null 2>&1 || exit 1; done'
        started = time.perf_counter()
        subprocess.run(["sh", "-c", script, "loop", *ids], env={**env, "CLI": CLI}, check=True)
        seconds = time.perf_counter() - started
    return seconds * count / len(ids)


def in_process(count: int) -> None:
    with Emulator(instances=count) as emulator, emulator.client() as client:
        ids = [instance.id for instance in emulator.instances()]
        client.create_backup(ids[0], "warm-up-1")  # the spec's validators, compiled once
        started = time.perf_counter()
        for instance_id in ids:
            client.create_backup(instance_id, "one-by-one", "bench")
        loop = time.perf_counter() - started
        started = time.perf_counter()
        report = Fleet(client, concurrency=8).create_backups(ids, "fleet-run", "bench")
        fleet = time.perf_counter() - started
        assert report.ok and report.counts["succeeded"] == count
        made = Counter(b.name for b in emulator.backups() if b.type_ == "Manual")
        assert made["fleet-run"] == count and made["one-by-one"] == count
    print(f"in-process, {count} instances: fleet {fleet:.2f} s ({fleet / count * 1000:.2f} ms an "
          f"instance) against one create per instance {loop:.2f} s "
          f"({loop / count * 1000:.2f} ms): {fleet / loop:.2f}x [target <= 2x]")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", type=int, default=200)
    parser.add_argument("--loop", type=int, default=None, help="instances the shell loop times")
    parser.add_argument("--in-process", type=int, default=1000)
    options = parser.parse_args()
    # Compiled first, as an installed tool is: else every command compiles the package anew.
    compileall.compile_dir(str(Path(geminidb_backup.__file__).parent), quiet=1)
    compileall.compile_dir(str(Path(geminidb_backup_client.__file__).parent), quiet=1)
    print(f"load average: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        fleet = fleet_run(options.instances, str(Path(folder) / "state"))
        sample = options.loop or options.instances
        loop = shell_loop(options.instances, sample, str(Path(folder) / "state"))
        scaled = f" (timed over {sample}, scaled)" if sample < options.instances else ""
        print(f"shell loop of `geminidb-backup create` over the same {options.instances} "
              f"instances: {loop:.1f} s{scaled}; the fleet run is {loop / fleet:.1f}x faster "
              f"[target >= 5x]")  # fmt: skip
    in_process(options.in_process)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
