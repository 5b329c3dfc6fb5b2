"""The GitHub Actions workflows that publish the docs and release both distributions: valid by
actionlint, and doing what docs/releasing.md says."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from conftest import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"


def _actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(REPO_ROOT / "scripts" / "actionlint"), *map(str, files)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _workflow(name: str) -> dict[Any, Any]:
    document: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    return document


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def _uses(job: dict[str, Any]) -> list[str]:
    return [step["uses"] for step in job["steps"] if "uses" in step]


def test_the_workflows_pass_actionlint() -> None:
    result = _actionlint()
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_contract_suites_github_recipe_passes_actionlint() -> None:
    result = _actionlint(REPO_ROOT / "docs" / "recipes" / "github-actions.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ github.no_such_property }}\n"
    )
    result = _actionlint(broken)
    assert result.returncode == 1
    assert "no_such_property" in result.stdout


def test_the_release_builds_with_build_dist_and_publishes_without_a_stored_token() -> None:
    release = _workflow("release.yml")
    assert release[True]["push"]["tags"] == ["v*"]  # YAML reads the key `on` as True
    jobs = release["jobs"]
    assert "scripts/build-dist dist" in _runs(jobs["build"])
    publish = jobs["publish"]
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    (step,) = [s for s in publish["steps"] if s.get("uses", "").startswith("pypa/")]
    assert step["uses"] == "pypa/gh-action-pypi-publish@release/v1"
    assert "password" not in step.get("with", {})
    assert 'mike deploy --push --update-aliases "${GITHUB_REF_NAME#v}" latest' in _runs(
        jobs["docs"]
    )


def test_the_docs_are_built_strictly_and_published_with_mike() -> None:
    job = _workflow("docs.yml")["jobs"]["publish"]
    runs = _runs(job)
    assert "mkdocs build --strict" in runs
    assert "cmp site/openapi.yaml tooling/geminidb_backup/openapi.yaml" in runs
    assert "mike deploy --push dev" in runs
    assert "actions/checkout@v4" in _uses(job)
