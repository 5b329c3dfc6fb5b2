"""The contract suite against a server that throttles (``serve --rate-limit``): a 429 is never a
broken promise, and the run goes to its end, with and without ``Retry-After``."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
from server_helpers import serve

pytestmark = [
    pytest.mark.starts_first,
    pytest.mark.skipif(
        importlib.util.find_spec("geminidb_backup.contract") is None
        or importlib.util.find_spec("schemathesis") is None,
        reason="the contract suite is not part of this install",
    ),
]

TOKEN = "throttled-token"
ADMIN = "throttled-admin"


# Found by this test: schemathesis's ignored_auth check sends its probes (no credentials, bad
# credentials) past every hook, so a throttled probe read as "expected 401 or 403, got 429" until
# the suite resent 429s below schemathesis (contract/throttling.py).
@pytest.mark.parametrize("retry_after", ["1"])
def test_a_throttling_server_is_tested_to_the_end(tmp_path: Path, retry_after: str) -> None:
    args = ["--db", str(tmp_path / "s.db"), "--token", TOKEN, "--admin-token", ADMIN,
            "--backup-seconds", "0", "--rate-limit", "8/s", "--retry-after", retry_after]  # fmt: skip
    with serve(args) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINIDB_", "OS_"))}
        result = subprocess.run(
            [sys.executable, "-m", "geminidb_backup", "contract", "--url", server.url,
             "--token", TOKEN, "--yes", "-n", "3", "--seed", "1",
             "--phases", "examples,coverage", "--report", "junit",
             "--report-dir", str(tmp_path / "reports")],
            capture_output=True, text=True, timeout=600, env=env, check=False,
        )  # fmt: skip
        state = httpx.get(f"{server.url}/_emulator/state",
                          headers={"Authorization": f"Bearer {ADMIN}"}).json()  # fmt: skip
    output = result.stdout[-4000:] + result.stderr[-2000:]
    assert state["rate_limit"]["refused"] > 0, "the run was never throttled: the test tests nothing"
    assert result.returncode == 0, output
    # What a check said of an answer: the text of each failure, error and skip. (Not the whole
    # report: its durations, such as time="3.429", made a substring test fail now and then.)
    verdicts = [
        f"{element.get('message', '')} {element.text or ''}"
        for element in ElementTree.parse(tmp_path / "reports" / "junit.xml").iter()
        if element.tag in ("failure", "error", "skipped")
    ]
    throttled = [verdict for verdict in verdicts if re.search(r"\b429\b", verdict)]
    assert not throttled, f"a throttled answer reached a check:\n{throttled}\n{output}"
