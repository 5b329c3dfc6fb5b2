"""The project's commands, run from a copy with their tools stubbed: what each one calls."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

from conftest import REPO_ROOT

UV_VERSION = next(
    line.split("=", 1)[1]
    for line in (REPO_ROOT / "scripts" / "bootstrap.sh").read_text().splitlines()
    if line.startswith("UV_VERSION=")
)


def _stub(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_docs_build_needs_no_npm(tmp_path: Path) -> None:
    """scripts/docs build installs the Python tools and builds; Spectral (npm ci) is for the
    spec lint, not the docs: a fresh checkout without node_modules/ must not run it."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    for script in ("docs", "bootstrap.sh"):
        shutil.copy2(REPO_ROOT / "scripts" / script, repo / "scripts" / script)
    shutil.copy2(REPO_ROOT / "package-lock.json", repo / "package-lock.json")
    log = tmp_path / "calls.log"
    _stub(repo / ".tools" / "bin" / "uv",
          f'[ "$1" = --version ] && echo "uv {UV_VERSION}" && exit 0\necho "uv $*" >> {log}')  # fmt: skip
    _stub(tmp_path / "bin" / "npm", f'echo "npm $*" >> {log}; exit 1')
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"}
    result = subprocess.run([str(repo / "scripts" / "docs"), "build"], env=env, cwd=repo,
                            capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    calls = log.read_text().splitlines()
    assert not [call for call in calls if call.startswith("npm")], calls
    assert calls[-1] == "uv run --frozen mkdocs build --strict"
    assert "chromium" not in result.stderr
