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


def _uv_sync_call(tmp_path: Path, **env: str) -> str:
    """The `uv sync` that scripts/bootstrap.sh makes (BOOTSTRAP_FOR=docs: no npm, no apt-get)."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy2(REPO_ROOT / "scripts" / "bootstrap.sh", repo / "scripts" / "bootstrap.sh")
    log = tmp_path / "calls.log"
    _stub(repo / ".tools" / "bin" / "uv",
          f'[ "$1" = --version ] && echo "uv {UV_VERSION}" && exit 0\necho "uv $*" >> {log}')  # fmt: skip
    result = subprocess.run(
        ["bash", str(repo / "scripts" / "bootstrap.sh")],
        env={**{k: v for k, v in os.environ.items() if k != "UV_PYTHON"}, **env,
             "BOOTSTRAP_FOR": "docs"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    [sync] = [call for call in log.read_text().splitlines() if call.startswith("uv sync")]
    return sync


def _distribution_python_is_new_enough() -> bool:
    probe = ["/usr/bin/python3", "-c", "import sys; sys.exit(sys.version_info < (3, 11))"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=30, check=False).returncode == 0
    except OSError:
        return False


def test_the_venv_is_on_the_distributions_python_when_it_is_new_enough(tmp_path: Path) -> None:
    """Debian's python3 (PGO, linked statically) costs the CPU-bound suite about 13 % less CPU
    than the pyenv build first on PATH; without it, uv chooses as usual; UV_PYTHON wins."""
    sync = _uv_sync_call(tmp_path / "default")
    if _distribution_python_is_new_enough():
        assert sync.endswith("--python /usr/bin/python3"), sync
    else:
        assert "--python" not in sync, sync
    chosen = _uv_sync_call(tmp_path / "chosen", UV_PYTHON=shutil.which("python3") or "python3")
    assert "--python" not in chosen, chosen  # uv reads UV_PYTHON itself
