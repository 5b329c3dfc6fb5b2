"""The spec lint (scripts/lint-spec) passes on the spec and fails loudly on a broken one."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import REPO_ROOT

SPEC_FILE = REPO_ROOT / "openapi" / "geminidb-backup.yaml"


def _lint(spec_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(REPO_ROOT / "scripts" / "lint-spec"), str(spec_file)],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = SPEC_FILE.read_text()
    assert text.count(old) == 1
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace(old, new))
    return broken


def test_the_spec_passes_the_lint() -> None:
    result = _lint(SPEC_FILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_example_that_breaks_its_schema_fails_the_lint(tmp_path: Path) -> None:
    # openapi-spec-validator passes invalid examples; Spectral's oas ruleset must not.
    result = _lint(
        _broken(
            tmp_path,
            "                value:\n                  name: backup-4f57\n",
            "                value:\n                  name: 4f57\n",
        )
    )
    assert result.returncode != 0
    assert "oas3-valid-media-example" in result.stdout


def test_a_missing_operation_description_fails_the_lint(tmp_path: Path) -> None:
    result = _lint(_broken(tmp_path, "      summary: Delete a manual backup\n      description: |\n",
                           "      summary: Delete a manual backup\n      x-description: |\n"))  # fmt: skip
    assert result.returncode != 0
    assert "operation-description" in result.stdout


def test_a_structurally_invalid_spec_fails_the_lint(tmp_path: Path) -> None:
    result = _lint(
        _broken(
            tmp_path,
            "    get:\n      operationId: listJobs\n",
            "    get:\n      operationId: [listJobs]\n",
        )
    )
    assert result.returncode != 0
    assert "listJobs" in result.stdout + result.stderr
