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


@pytest.mark.parametrize("workers", [1, 3])
def test_foreign_backups_survive_every_phase(workers: int, tmp_path: Path) -> None:
    seed = random.SystemRandom().randrange(2**31)
    with serving(reference_app()) as url:
        before = _fill_with_foreign_backups(url)
        code = run_suite(
            url,
            tmp_path,
            seed=seed,
            max_examples=15,
            workers=workers,
            other_project_id=OTHER_PROJECT_ID,
        )
        after = _backups(url)
    gone = sorted(set(before) - set(after))
    assert not gone, f"seed {seed}: foreign backups deleted: {[before[g]['name'] for g in gone]}"
    assert set(after) == set(before), f"seed {seed}: the run left backups behind"
    assert code == 0, f"seed {seed}: {junit_failures(tmp_path)}"


def test_what_the_run_creates_carries_its_prefix_and_stays_within_its_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names: list[str | None] = []
    prefixes: list[str] = []
    record = safety.record_created

    def spy(*args: Any) -> None:
        names.append(args[4] if len(args) > 4 else None)
        prefixes.append(safety.SCOPE.prefix)
        record(*args)

    monkeypatch.setattr(safety, "record_created", spy)
    with serving(reference_app()) as url:
        _fill_with_foreign_backups(url, per_instance=1)
        run_suite(url, tmp_path, max_examples=15)
        jobs = httpx.get(
            f"{url}/v3/{PROJECT_ID}/jobs",
            params={"name": "BackupInstance", "limit": 50},
            headers={"X-Auth-Token": TOKEN},
            timeout=30,
        ).json()["jobs"]
    backup_jobs = len(jobs) - 1  # the foreign backup's job
    assert 1 <= backup_jobs <= safety.DEFAULT_CREATE_BUDGET, backup_jobs
    assert len(names) == backup_jobs
    assert len(set(prefixes)) == 1 and prefixes[0].startswith("ct")
    assert all(name and name.startswith(prefixes[0]) for name in names), names


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
        jobs = httpx.get(
            f"{url}/v3/{PROJECT_ID}/jobs",
            params={"name": "BackupInstance", "limit": 50},
            headers={"X-Auth-Token": TOKEN},
            timeout=30,
        ).json()["jobs"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "creates at most 4 manual backups" in result.stdout
    assert 1 <= len(jobs) <= 4, jobs
