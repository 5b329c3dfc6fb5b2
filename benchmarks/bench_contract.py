"""Cases per second of the contract suite against the reference server, in-process and over
loopback, in the same run.

Not a test: run it by hand (about a minute)::

    .tools/bin/uv run python benchmarks/bench_contract.py [--max-examples 20]

Both runs use the pytest entry point (``geminidb_backup.contract.pytest.contract_schema``) with
the same seed, the same generated cases and every check, domain checks included; only the
transport differs: the ASGI application called in-process, or the same application served by
uvicorn on 127.0.0.1. The ratio is in-process over loopback. A loopback run that signs every
request with AK/SK instead of sending a token gives the cost of signing (ratio AK/SK over token).
The last figures are the default
``geminidb-backup contract`` run (all four phases) against the embedded server, from its own
count of cases, with the time it took end to end (server start included), and the same run
without the checks of the domain scenarios (``geminidb_backup.contract.promises``), whose ratio is
what the scenarios cost (the median of ``--repeat`` runs of each, alternating).
``--default-only`` measures only these two.

``--job-seconds 10`` measures the default run against targets whose jobs take time: ``geminidb-backup
serve --backup-seconds 10`` (its one default instance) and the same with ``--backup-seconds 0``,
each run as CI runs it (``contract --url ... --project-id ... --instance-id ... --seed 1``). On one
instance, backups and deletions run one at a time, so the floor is the sum of the run's jobs
(counted from the slow server's listJobs after the run, times the job seconds); the target is
``slow run <= (floor + fast run) * 1.2``, with nothing left behind.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from tempfile import TemporaryDirectory

from geminidb_backup.server.process import serve_process

TEST_MODULE = """
import itertools
from hypothesis import settings, HealthCheck
from geminidb_backup.contract.pytest import contract_schema
from geminidb_backup.server import ServerConfig, create_app, example_instance

TOKEN = "bench-token"
MODE = {mode!r}
app = create_app(ServerConfig(tokens=frozenset({{TOKEN}}), backup_seconds=0, backup_limit=0))
project = example_instance().project_id
if MODE == "in-process":
    schema = contract_schema(token=TOKEN, app=app, project_id=project)
elif MODE == "loopback-aksk":
    schema = contract_schema({url!r}, access_key="bench-ak", secret_key="bench-sk", project_id=project)
else:
    schema = contract_schema({url!r}, token=TOKEN, project_id=project)
CALLS = itertools.count()

@schema.parametrize()
@settings(max_examples={max_examples}, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_operation(case):
    next(CALLS)
    case.call_and_validate()

def teardown_module():
    with open({count_file!r}, "w") as out:
        out.write(str(next(CALLS)))
"""


def run_pytest(mode: str, url: str, max_examples: int, workdir: Path) -> tuple[int, float]:
    count_file = workdir / f"{mode}.count"
    module = workdir / f"test_bench_{mode.replace('-', '_')}.py"
    module.write_text(
        textwrap.dedent(
            TEST_MODULE.format(
                mode=mode, url=url, max_examples=max_examples, count_file=str(count_file)
            )
        )
    )
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(module)],
        cwd=workdir,
        check=False,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"the {mode} run failed:\n{result.stdout[-4000:]}")
    return int(count_file.read_text()) - 1, elapsed  # `next` in teardown counted one more


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=20)
    parser.add_argument("--default-only", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="default runs of each kind")
    parser.add_argument(
        "--job-seconds", type=float, help="only the run against jobs of this many seconds"
    )
    args = parser.parse_args()
    if args.job_seconds is not None:
        report_job_times(args.job_seconds)
        return

    # Alternating, and the median of each kind: on a shared machine one run varies by a third.
    runs: dict[bool, list[tuple[int, float, int]]] = {True: [], False: []}
    for _ in range(args.repeat):
        for scenarios in (True, False):
            runs[scenarios].append(default_run(scenarios))
    report_default(_median(runs[True]), _median(runs[False]))
    if args.default_only:
        return

    with TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        # The loopback run talks to a served copy with the same token as the in-process one.
        with serve_process(
            ["--db", ":memory:", "--backup-seconds", "0", "--backup-limit", "0",
             "--token", "bench-token", "--access-key", "bench-ak:bench-sk", "--no-access-log"]
        ) as served:  # fmt: skip
            in_cases, in_seconds = run_pytest("in-process", served.url, args.max_examples, workdir)
            lo_cases, lo_seconds = run_pytest("loopback", served.url, args.max_examples, workdir)
            ak_cases, ak_seconds = run_pytest(
                "loopback-aksk", served.url, args.max_examples, workdir
            )

    in_rate, lo_rate, ak_rate = in_cases / in_seconds, lo_cases / lo_seconds, ak_cases / ak_seconds
    print(
        f"pytest entry, in-process : {in_cases:5d} cases in {in_seconds:6.1f} s = {in_rate:6.1f} cases/s"
    )
    print(
        f"pytest entry, loopback   : {lo_cases:5d} cases in {lo_seconds:6.1f} s = {lo_rate:6.1f} cases/s"
    )
    print(f"ratio in-process/loopback: {in_rate / lo_rate:.2f}x")
    print(
        f"pytest entry, loopback, AK/SK: {ak_cases:5d} cases in {ak_seconds:6.1f} s = "
        f"{ak_rate:6.1f} cases/s; ratio AK/SK/token: {ak_rate / lo_rate:.2f}x"
    )


# The default run as `geminidb-backup contract --seed 1` runs it, optionally with the scenarios'
# checks excluded (schemathesis's --exclude-checks; their requests are sent from those checks).
DEFAULT_RUN = """
import sys
from geminidb_backup.contract.promises import PROMISES
from geminidb_backup.contract.runner import ContractOptions, run
extra = [] if {scenarios!r} else ["--exclude-checks", ",".join(PROMISES)]
sys.exit(run(ContractOptions(seed=1, extra_args=extra)))
"""


def default_run(scenarios: bool = True) -> tuple[int, float, int]:
    """(cases, seconds, exit code) of the default run against the embedded server."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", DEFAULT_RUN.format(scenarios=scenarios)],
        capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    cases = int(re.search(r"(\d+) generated", result.stdout).group(1))  # type: ignore[union-attr]
    return cases, seconds, result.returncode


def _median(runs: list[tuple[int, float, int]]) -> tuple[int, float, int]:
    return sorted(runs, key=lambda run: run[1])[len(runs) // 2]


def report_default(with_: tuple[int, float, int], without: tuple[int, float, int]) -> None:
    for label, (cases, seconds, code) in (
        ("with the domain scenarios", with_),
        ("without the domain scenarios", without),
    ):
        print(
            f"geminidb-backup contract (default run, embedded server, {label}): {cases} cases "
            f"in {seconds:.1f} s = {cases / seconds:.1f} cases/s, exit {code}"
        )
    print(f"ratio with/without the scenarios: {with_[1] / without[1]:.2f}x (time)")


def contract_against(job_seconds: float) -> tuple[float, int, int, int]:
    """(seconds, exit code, jobs the run started, manual backups left) of the CI-style run
    against ``serve --backup-seconds job_seconds``."""
    import httpx

    from geminidb_backup.server import example_instance

    token = "bench-token"
    example = example_instance()
    with serve_process(
        ["--db", ":memory:", "--backup-seconds", str(job_seconds), "--backup-limit", "0",
         "--token", token, "--no-access-log"]
    ) as served:  # fmt: skip
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "geminidb_backup", "contract", "--url", served.url,
             "--token", token, "--project-id", example.project_id,
             "--instance-id", example.id, "--seed", "1"],
            capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, check=False,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        headers = {"X-Auth-Token": token}
        jobs = httpx.get(
            f"{served.url}/v3/{example.project_id}/jobs", params={"limit": 50}, headers=headers
        ).json()["total_count"]
        left = httpx.get(
            f"{served.url}/v4/{example.project_id}/backups",
            params={"backup_type": "Manual"},
            headers=headers,
        ).json()["total_count"]
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-2000:])
    return seconds, result.returncode, jobs, left


def report_job_times(job_seconds: float) -> None:
    fast, fast_code, fast_jobs, fast_left = contract_against(0)
    slow, slow_code, slow_jobs, slow_left = contract_against(job_seconds)
    floor = slow_jobs * job_seconds
    print(f"jobs of 0 s : {fast:6.1f} s, exit {fast_code}, {fast_jobs} jobs, {fast_left} left")
    print(
        f"jobs of {job_seconds:g} s: {slow:6.1f} s, exit {slow_code}, {slow_jobs} jobs, "
        f"{slow_left} left; floor {floor:.0f} s"
    )
    target = (floor + fast) * 1.2
    print(
        f"ratio slow / (floor + fast): {slow / (floor + fast):.2f}x "
        f"(target: at most 1.20x, i.e. {target:.0f} s)"
    )


if __name__ == "__main__":
    main()
