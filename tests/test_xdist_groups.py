"""The grouping of scripts/test's parallel run (tests/xdist_groups.py) takes effect: the tests
sharing a fixture of their module run on one worker, which sets it up once. It silently stopped
with pytest 9.2 and pytest-xdist 3.8 (pytest-dev/pytest-xdist#1386): the docs site and the
distributions were then built once per worker."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

TESTS = Path(__file__).resolve().parent

MODULE = """
    import os
    import pytest

    def record(what):
        # What ran (one file a kind) and in which order on each worker (one file a worker).
        worker = os.environ["PYTEST_XDIST_WORKER"]
        out = os.environ["GROUPS_OUT"]
        for name, line in ((what, worker), ("order-" + worker, what)):
            with open(os.path.join(out, name), "a") as f:
                f.write(line + "\\n")

    @pytest.fixture(scope="session")
    def build(tmp_path_factory):
        record("builds")

    @pytest.mark.parametrize("n", range(6))
    def test_sharing_the_build(build, n):
        record("sharing")

    @pytest.mark.parametrize("n", range(6))
    def test_alone(n):
        record("alone")

    @pytest.mark.starts_first
    def test_waiting_long():
        record("waiting_long")
"""


def test_tests_sharing_a_module_fixture_run_on_one_worker_which_builds_once_and_the_long_first(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_module.py").write_text(textwrap.dedent(MODULE))
    out = tmp_path / "out"
    out.mkdir()
    env = {
        **os.environ,
        "GROUPS_OUT": str(out),
        "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "xdist_groups",
         # Not the plugins of the suite's other tests: each worker would import them for seconds.
         "-p", "no:schemathesis", "-p", "no:hypothesispytest", "-p", "no:anyio",
         "-n", "2", "--dist", "loadgroup", "test_module.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    workers_sharing = set((out / "sharing").read_text().split())
    assert len(workers_sharing) == 1, f"the sharing tests ran on {sorted(workers_sharing)}"
    assert (out / "builds").read_text().split() == sorted(workers_sharing)
    assert len((out / "alone").read_text().split()) == 6
    # The test marked starts_first, collected last, is the first its worker ran.
    firsts = [path.read_text().split()[0] for path in out.glob("order-gw*")]
    assert "waiting_long" in firsts, firsts
