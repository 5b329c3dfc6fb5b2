"""Golden test of the generated client: regenerating from the committed spec reproduces it.

Like openapi-python-client's own end-to-end tests, the generator runs for real (into a scratch
copy of the repository's inputs) and its output is compared file by file with what is committed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from geminidb_backup import spec as spec_module
from geminidb_backup.spec import SpecError, check_client_matches_spec

# The client's whole distribution: the package and its generated metadata (pyproject.toml,
# README.md, LICENSE).
GENERATED = Path("generated_client")


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def _regenerate(
    workdir: Path, edit_spec: tuple[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    shutil.copytree(REPO_ROOT / "openapi", workdir / "openapi")
    shutil.copy(REPO_ROOT / "LICENSE", workdir / "LICENSE")
    spec_file = workdir / "openapi" / "geminidb-backup.yaml"
    if edit_spec is not None:
        old, new = edit_spec
        text = spec_file.read_text()
        assert text.count(old) == 1, f"the edit {old!r} must hit exactly one place"
        spec_file.write_text(text.replace(old, new))
    return subprocess.run(
        [str(REPO_ROOT / "scripts" / "regenerate-client"), str(workdir)],
        check=False,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_regenerating_reproduces_the_committed_client_exactly(tmp_path: Path) -> None:
    result = _regenerate(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr

    committed, fresh = _tree(REPO_ROOT / GENERATED), _tree(tmp_path / GENERATED)
    assert sorted(fresh) == sorted(committed), (
        "files were added or removed: run scripts/regenerate-client"
    )
    changed = [name for name in fresh if fresh[name] != committed[name]]
    assert not changed, f"regenerate and commit: {changed}"


def test_changing_one_constraint_changes_the_generated_client(tmp_path: Path) -> None:
    """A changed maxLength, which the generator otherwise ignores, still shows up as drift."""
    # The backup name's limit (the instance name has a maxLength of 64 too: the edit names it).
    rest = '      pattern: "^[A-Za-z][A-Za-z0-9_-]*$"\n      x-case-sensitive: true\n'
    edit = (f"      maxLength: 64\n{rest}", f"      maxLength: 65\n{rest}")
    result = _regenerate(tmp_path, edit_spec=edit)
    assert result.returncode == 0, result.stdout + result.stderr

    committed, fresh = _tree(REPO_ROOT / GENERATED), _tree(tmp_path / GENERATED)
    changed = {name for name in fresh if fresh[name] != committed.get(name)}
    assert changed == {"geminidb_backup_client/spec_hash.py"}


def test_a_generator_warning_fails_the_generation(tmp_path: Path) -> None:
    """A construct the generator cannot handle would drop a response silently; here it is fatal."""
    result = _regenerate(
        tmp_path,
        edit_spec=(
            '                $ref: "#/components/schemas/CreateBackupResponse"\n',
            '                $ref: "https://example.invalid/schemas.yaml#/CreateBackupResponse"\n',
        ),
    )
    assert result.returncode != 0
    assert (
        "Remote references" in result.stdout + result.stderr
        or "warning" in (result.stdout + result.stderr).lower()
    )


def test_a_spec_that_is_not_openapi_fails_with_a_clear_message(tmp_path: Path) -> None:
    result = _regenerate(tmp_path, edit_spec=("openapi: 3.1.0\n", "openapi: banana\n"))
    assert result.returncode != 0
    assert "openapi" in (result.stdout + result.stderr).lower()


def test_the_client_records_the_hash_of_the_packaged_spec() -> None:
    check_client_matches_spec()


def test_a_client_from_another_spec_is_detected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spec_module, "spec_sha256", lambda: "0" * 64)
    with pytest.raises(SpecError, match="regenerate-client"):
        check_client_matches_spec()
