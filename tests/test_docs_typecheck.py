"""The Python examples of the guides pass ``mypy --strict``: a user who copies one into a typed
code base gets no error (issue 12: ``client.wait(created.job_id)`` did not, as ``job_id`` may be
None)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO_ROOT

PAGES = ("python-client.md", "cli.md", "quick-start.md")


def blocks() -> list[tuple[str, int, str]]:
    found = []
    for page in PAGES:
        text = (REPO_ROOT / "docs" / page).read_text(encoding="utf-8")
        for match in re.finditer(r"```python\n(.*?)```", text, re.DOTALL):
            found.append((page, text[: match.start()].count("\n") + 1, match[1]))
    return found


def test_the_python_examples_pass_mypy_strict(tmp_path: Path) -> None:
    examples = blocks()
    assert len(examples) >= 5
    files = []
    for index, (page, line, code) in enumerate(examples):
        path = tmp_path / f"example_{index}_{page.replace('.', '_').replace('-', '_')}_{line}.py"
        path.write_text(code)
        files.append(str(path))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir",
         str(tmp_path / ".mypy_cache"), *files],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
