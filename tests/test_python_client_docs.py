"""The Python examples of docs/python-client.md run as written, against the API stand-in."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from fake_api import PROJECT_ID, TOKEN, FakeServer

from conftest import REPO_ROOT

BLOCKS = re.findall(
    r"```python\n(.*?)```", (REPO_ROOT / "docs" / "python-client.md").read_text(), re.DOTALL
)


def test_the_page_has_examples() -> None:
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("block", BLOCKS, ids=[f"example-{i}" for i in range(len(BLOCKS))])
def test_example_runs(fake_api: FakeServer, block: str) -> None:
    fake_api.state.backup_seconds = 0.3
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINIDB_", "OS_"))}
    env |= {"GEMINIDB_ENDPOINT": fake_api.url, "GEMINIDB_PROJECT_ID": PROJECT_ID,
            "GEMINIDB_TOKEN": TOKEN}  # fmt: skip
    result = subprocess.run([sys.executable, "-c", block], check=False, env=env,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
