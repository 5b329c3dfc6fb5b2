"""Cold start of ``geminidb-backup --help`` against ``import httpx`` and against importing the
official SDK's client (``huaweicloudsdkgaussdbfornosql.v3``), in the same run, interleaved.

Run: ``.tools/bin/uv run python benchmarks/cold_start.py [ROUNDS]``. Prints medians and ratios;
targets: ``--help`` at most 0.15 s median and under half the SDK's import.

Python's bytecode cache is allowed (``PYTHONDONTWRITEBYTECODE`` is dropped for the measured
commands), as on any installed system: the warm-up run writes it, so the rounds measure imports,
not compiling.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

CLI = str(Path(sys.executable).with_name("geminidb-backup"))
COMMANDS = {
    "python -c pass (interpreter alone)": [sys.executable, "-c", "pass"],
    "python -c 'import click' (the CLI's floor)": [sys.executable, "-c", "import click"],
    "geminidb-backup --help": [CLI, "--help"],
    "python -c 'import httpx'": [sys.executable, "-c", "import httpx"],
    "python -c 'import huaweicloudsdkgaussdbfornosql.v3'": [
        sys.executable,
        "-c",
        "import huaweicloudsdkgaussdbfornosql.v3",
    ],
}


ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def once(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - start


def main(rounds: int) -> None:
    for command in COMMANDS.values():  # warm the file cache and the .pyc files
        once(command)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(rounds):
        for name, command in COMMANDS.items():
            times[name].append(once(command))
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, median in medians.items():
        print(f"{median:7.3f} s  median of {rounds}  {name}")
    cli = medians["geminidb-backup --help"]
    httpx_import = medians["python -c 'import httpx'"]
    print(f"--help / import httpx:  {cli / httpx_import:.2f}x")
    sdk = medians["python -c 'import huaweicloudsdkgaussdbfornosql.v3'"]
    print(f"--help / import SDK:    {cli / sdk:.2f}x  (target < 0.5)")
    print(f"--help median:          {cli:.3f} s  (target <= 0.150 s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
