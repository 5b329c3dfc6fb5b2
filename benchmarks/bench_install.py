"""What each kind of install costs a user, beside the official SDK, measured in one run.

For each tier (the client alone; the library and CLI; + [server]; + [contract]) and for the
official Huawei Cloud SDK of the same service (``huaweicloudsdkgaussdbfornosql``), in a fresh
virtual environment each: the distributions installed, the megabytes on disk (site-packages),
and the import time of the package a user imports first (whole process, median of N runs,
bytecode compiled as an installed package has it, runs interleaved).

    uv run --frozen python benchmarks/bench_install.py [RUNS]    (default 15)

Targets (issue 10): client tier ≤ 9 distributions and ≤ 6 MB, its import ≤ 0.5× the SDK's;
core tier ≤ 20 distributions. The wheels are built by scripts/build-dist; versions are the locked
ones (uv.lock), installed from uv's cache when present.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SDK = "huaweicloudsdkgaussdbfornosql==3.1.219"
TIERS = {
    "client": (["geminidb-backup-client"], "import geminidb_backup_client"),
    "core": (["geminidb-backup"], "import geminidb_backup_client"),
    "server": (["geminidb-backup[server]"], "import geminidb_backup_client"),
    "contract": (["geminidb-backup[contract]"], "import geminidb_backup_client"),
    "official SDK": ([SDK], "import huaweicloudsdkgaussdbfornosql.v3"),
}


def run(command: list[str], **kwargs: object) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=True, **kwargs)  # type: ignore[call-overload]
    return str(result.stdout)


def main(runs: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-install-"))
    dist = work / "dist"
    run([str(REPO / "scripts" / "build-dist"), str(dist)])
    constraints = work / "constraints.txt"
    run(["uv", "export", "--frozen", "--no-hashes", "--all-extras", "--all-groups",
         "--no-emit-workspace", "--quiet", "-o", str(constraints)], cwd=REPO)  # fmt: skip
    pythons: dict[str, Path] = {}
    figures: dict[str, tuple[int, float]] = {}
    for tier, (requirements, _) in TIERS.items():
        venv = work / tier.replace(" ", "-")
        run(["uv", "venv", "--quiet", "--python", sys.executable, str(venv)])
        python = venv / "bin" / "python"
        run(["uv", "pip", "install", "--quiet", "--compile-bytecode", "--python", str(python),
             "--find-links", str(dist), "-c", str(constraints), *requirements])  # fmt: skip
        frozen = run(["uv", "pip", "freeze", "--python", str(python)]).split()
        (site,) = (venv / "lib").glob("python3.*/site-packages")
        size = sum(f.stat().st_size for f in site.rglob("*") if f.is_file()) / 1e6
        pythons[tier] = python
        figures[tier] = (len(frozen), size)

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times: dict[str, list[float]] = {tier: [] for tier in TIERS}
    for _ in range(runs + 1):  # the first round warms the caches and is dropped
        for tier, (_, statement) in TIERS.items():
            start = time.perf_counter()
            subprocess.run([str(pythons[tier]), "-c", statement], check=True, env=env)
            times[tier].append(time.perf_counter() - start)
    sdk_import = statistics.median(times["official SDK"][1:])
    print(f"{'install':<14} {'distributions':>13} {'MB':>7} {'import (median)':>16} {'vs SDK':>7}")
    for tier in TIERS:
        count, size = figures[tier]
        median = statistics.median(times[tier][1:])
        print(
            f"{tier:<14} {count:>13} {size:>7.1f} {median * 1000:>13.0f} ms {median / sdk_import:>6.2f}x"
        )
    bare = statistics.median(times["client"][1:])
    print(
        f"\nclient tier: {figures['client'][0]} distributions (target <= 9), "
        f"{figures['client'][1]:.1f} MB (<= 6), import {bare / sdk_import:.2f}x the SDK's (<= 0.5)"
    )
    print(f"core tier: {figures['core'][0]} distributions (target <= 20)")
    print(
        f"import times: stdev of the client's {statistics.stdev(times['client'][1:]) * 1000:.1f} ms "
        f"over {runs} runs (the machine's noise)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
