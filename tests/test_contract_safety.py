"""The suite changes nothing it did not create (issue 18, finding 1; the team's decision 7).

A target that holds other people's backups (manual ones made before the run, and the automated
backups every instance of the reference server has) keeps every one of them through a run of
every phase, with one worker and with several; what the run creates carries its prefix, stays
within its budget, and is deleted again. The refusals that must be sent to a foreign resource go
out only with ``--allow foreign-refusals``.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from broken_servers import (
    INSTANCE_ID,
    OTHER_PROJECT_ID,
    TOKEN,
    contract_cli,
    junit_failures,
    reference_app,
    run_suite,
    serving,
)

from geminidb_backup.contract import safety
from geminidb_backup.server import example_instance

PROJECT_ID = example_instance().project_id
INSTANCES = ((PROJECT_ID, INSTANCE_ID), (OTHER_PROJECT_ID, "other-instance"))


def _backups(url: str) -> dict[str, dict[str, Any]]:
    """Every backup of both projects, by ID."""
    found: dict[str, dict[str, Any]] = {}
    with httpx.Client(headers={"X-Auth-Token": TOKEN}, timeout=30) as client:
        for project_id, _ in INSTANCES:
            answer = client.get(f"{url}/v4/{project_id}/backups")
            answer.raise_for_status()
            found.update({b["id"]: b for b in answer.json()["backups"]})
    return found


def _backup_jobs(url: str) -> list[dict[str, Any]]:
    """The backup jobs of the project."""
    answer = httpx.get(
        f"{url}/v3/{PROJECT_ID}/jobs",
        params={"name": "BackupInstance", "limit": 50},
        headers={"X-Auth-Token": TOKEN},
        timeout=30,
    )
    answer.raise_for_status()
    jobs: list[dict[str, Any]] = answer.json()["jobs"]
    return jobs


def _fill_with_foreign_backups(url: str, per_instance: int = 3) -> dict[str, dict[str, Any]]:
    with httpx.Client(headers={"X-Auth-Token": TOKEN}, timeout=30) as client:
        for project_id, instance_id in INSTANCES:
            for number in range(per_instance):
                answer = client.post(
                    f"{url}/v3/{project_id}/instances/{instance_id}/backups",
                    json={"name": f"precious-{number}-{uuid.uuid4().hex[:6]}", "description": "x"},
                )
                assert answer.status_code == 202, answer.text
    before = _backups(url)
    assert {b["type"] for b in before.values()} == {"Auto", "Manual"}
    return before


FOREIGN_PER_INSTANCE = 3


@dataclass
class RunOverForeignBackups:
    """A run of every phase against a server holding foreign backups, and what it left."""

    seed: int
    code: int
    before: dict[str, dict[str, Any]]
    after: dict[str, dict[str, Any]]
    report_dir: Path
    # Each backup the run recorded as its own: its name, and the run's prefix at the time.
    created: list[tuple[str | None, str]]
    backup_jobs: int  # the run's backup jobs in the project (the foreign backups' left out)


def _run_over_foreign_backups(workers: int, report_dir: Path) -> RunOverForeignBackups:
    seed = random.SystemRandom().randrange(2**31)
    created: list[tuple[str | None, str]] = []
    record = safety.record_created

    def spy(*args: Any) -> None:
        created.append((args[4] if len(args) > 4 else None, safety.SCOPE.prefix))
        record(*args)

    with pytest.MonkeyPatch.context() as patch, serving(reference_app()) as url:
        patch.setattr(safety, "record_created", spy)
        before = _fill_with_foreign_backups(url, FOREIGN_PER_INSTANCE)
        code = run_suite(
            url,
            report_dir,
            seed=seed,
            max_examples=15,
            workers=workers,
            other_project_id=OTHER_PROJECT_ID,
        )
        after = _backups(url)
        jobs = _backup_jobs(url)
    return RunOverForeignBackups(
        seed, code, before, after, report_dir, created, len(jobs) - FOREIGN_PER_INSTANCE
    )


@pytest.fixture(scope="module")
def one_worker_run(tmp_path_factory: pytest.TempPathFactory) -> RunOverForeignBackups:
    """One run, which two tests read (a run of every phase is seconds of CPU)."""
    return _run_over_foreign_backups(1, tmp_path_factory.mktemp("one-worker-run"))


@pytest.mark.parametrize("workers", [1, 3])
def test_foreign_backups_survive_every_phase(
    workers: int, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    run: RunOverForeignBackups = (
        request.getfixturevalue("one_worker_run")
        if workers == 1
        else _run_over_foreign_backups(workers, tmp_path)
    )
    before, after, seed = run.before, run.after, run.seed
    gone = sorted(set(before) - set(after))
    assert not gone, f"seed {seed}: foreign backups deleted: {[before[g]['name'] for g in gone]}"
    assert set(after) == set(before), f"seed {seed}: the run left backups behind"
    assert run.code == 0, f"seed {seed}: {junit_failures(run.report_dir)}"


def test_what_the_run_creates_carries_its_prefix_and_stays_within_its_budget(
    one_worker_run: RunOverForeignBackups,
) -> None:
    run = one_worker_run
    assert 1 <= run.backup_jobs <= safety.DEFAULT_CREATE_BUDGET, run.backup_jobs
    assert len(run.created) == run.backup_jobs
    prefixes = {prefix for _, prefix in run.created}
    assert len(prefixes) == 1 and next(iter(prefixes)).startswith("ct"), prefixes
    (prefix,) = prefixes
    assert all(name and name.startswith(prefix) for name, _ in run.created), run.created


def test_forbidden_targets_are_probed_only_when_allowed(tmp_path: Path) -> None:
    with serving(reference_app()) as url:
        before = _backups(url)
        automated = {i for i, b in before.items() if b["type"] == "Auto"}
        run_suite(url, tmp_path / "plain", phases=["examples"], include_operations=["createBackup"])
        plain = (tmp_path / "plain" / "junit.xml").read_text()
        run_suite(
            url,
            tmp_path / "allowed",
            phases=["examples"],
            include_operations=["createBackup"],
            allow=["foreign-refusals"],
        )
        allowed = (tmp_path / "allowed" / "junit.xml").read_text()
        assert automated <= set(_backups(url))  # the reference server refused them
    assert 'name="forbidden_targets_are_refused"' in plain
    assert "run with --allow foreign-refusals to probe it" in plain
    assert "--allow foreign-refusals to probe it" not in allowed


def test_a_deletion_of_a_foreign_backup_is_sent_for_an_id_that_cannot_exist() -> None:
    """The guard itself, on a case as schemathesis would send it."""
    import schemathesis

    from geminidb_backup.spec import load_spec

    schema = schemathesis.openapi.from_dict(dict(load_spec()))
    operation = schema.find_operation_by_id("deleteBackup")
    scope = safety.begin(safety.Scope())
    try:
        foreign = operation.Case(path_parameters={"project_id": "p", "backup_id": "precious-1"})
        safety.guard(foreign)
        assert foreign.path_parameters["backup_id"].startswith("unknown")
        safety.record_created("ours+=", "p", "i", None)
        own = operation.Case(path_parameters={"project_id": "p", "backup_id": "ours%2B%3D"})
        safety.guard(own)
        assert own.path_parameters["backup_id"] == "ours%2B%3D"
        permitted = operation.Case(path_parameters={"project_id": "p", "backup_id": "auto-1"})
        with safety.permitting("auto-1"):
            safety.guard(permitted)
        assert permitted.path_parameters["backup_id"] == "auto-1"
    finally:
        del scope
        safety.begin(safety.Scope())


def test_max_backups_from_the_cli_bounds_what_the_run_creates(tmp_path: Path) -> None:
    """``contract --max-backups 4`` (the least the promises need): a passing run that creates
    no more than four backups."""
    with serving(reference_app()) as url:
        result = contract_cli(
            *("--url", url, "--token", TOKEN, "--project-id", PROJECT_ID),
            *("--instance-id", INSTANCE_ID, "--other-project-id", OTHER_PROJECT_ID),
            *("--max-backups", "4", "-n", "10", "--report", "junit", "--report-dir", str(tmp_path)),
        )
        jobs = _backup_jobs(url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "creates at most 4 manual backups" in result.stdout
    assert 1 <= len(jobs) <= 4, jobs
