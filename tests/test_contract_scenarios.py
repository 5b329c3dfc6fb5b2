"""The domain scenarios of the contract suite: what they derive from the spec, and how a run
behaves when a promise breaks (tests/test_contract_mutations.py proves each check catches its
faults)."""

from __future__ import annotations

import re
from pathlib import Path

import broken_servers
import pytest
from broken_servers import (
    INSTANCE_ID,
    junit_failures,
    reference_app,
    run_suite,
    seed_data,
    serving,
)

from geminidb_backup.contract.probing import (
    CANDIDATE_CHARACTERS,
    body_fields,
    case_variants,
    violations,
)
from geminidb_backup.spec import load_spec


def _field(name: str):  # type: ignore[no-untyped-def]
    return {f.name: f for f in body_fields("createBackup")[1]}[name]


@pytest.mark.parametrize("name", ["name", "description"])
def test_every_character_the_pattern_refuses_is_probed_on_its_own(name: str) -> None:
    field = _field(name)
    pattern = re.compile(field.schema["pattern"])
    refused_inside = {c for c in CANDIDATE_CHARACTERS if not pattern.fullmatch("ab" + c + "cd")}
    probed = [v for v in violations(field) if v.rule["keyword"] == "pattern"]
    assert refused_inside, "the pattern refuses no candidate character"
    assert all(any(c in v.value for v in probed) for c in refused_inside)
    # each probe breaks the pattern and nothing else, and is refused with the rule's code
    for violation in probed:
        assert field.errors(violation.value) <= {"pattern"}
        assert violation.rule["code"].startswith("DBS.")


def test_the_bounds_are_probed_one_beyond_each_limit() -> None:
    name = _field("name")
    lengths = {v.rule["keyword"]: len(v.value) for v in violations(name)}
    assert lengths["minLength"] == name.schema["minLength"] - 1
    assert lengths["maxLength"] == name.schema["maxLength"] + 1
    first, second = case_variants(name) or ("", "")
    assert first != second and first.lower() == second.lower()
    assert len(first) == name.schema["maxLength"]


def test_fresh_values_are_valid_and_unique() -> None:
    name = _field("name")
    values = {name.fresh() for _ in range(50)}
    assert len(values) == 50
    assert all(not name.errors(v) for v in values)


def test_every_list_filter_names_a_parameter_of_its_operation() -> None:
    for item in load_spec()["paths"].values():
        for operation in item.values():
            listing = operation.get("x-list") if isinstance(operation, dict) else None
            if listing is None:
                continue
            names = {p.get("name") for p in operation.get("parameters", [])}
            assert set(listing["filters"]) | {listing["offset"], listing["limit"]} <= names


def test_a_clean_up_that_cannot_delete_fails_the_run(tmp_path: Path) -> None:
    """The scenario's own deletion check is left out, so only the clean-up can tell."""
    lines: list[str] = []
    from broken_servers import TOKEN

    from geminidb_backup.contract.runner import ContractOptions, run
    from geminidb_backup.server import example_instance

    app = broken_servers.refuses_to_delete_manual_backups(reference_app())
    with serving(app) as url:
        options = ContractOptions(
            url=url,
            token=TOKEN,
            seed=1,
            phases=["examples"],
            include_operations=["createBackup"],
            project_id=example_instance().project_id,
            extra_args=["--exclude-checks", "created_backup_can_be_deleted"],
        )
        code = run(options, echo=lines.append)
    assert code == 1
    assert any("the clean-up left" in line for line in lines), lines
    assert any(" delete --yes --wait " in line for line in lines), lines


def test_a_job_that_never_ends_fails_once_and_the_run_goes_on(tmp_path: Path) -> None:
    with serving(broken_servers.never_ends_jobs(reference_app())) as url:
        code = run_suite(
            url, tmp_path, phases=["examples", "stateful"], max_examples=3, job_timeout=1.0
        )
    failures = junit_failures(tmp_path)
    assert code == 1
    assert failures.count("after 1 s") == 1, failures
    assert "--job-timeout SECONDS" in failures  # the option to change it, not a variable


def test_pinned_ids_in_a_read_only_run_still_probe_an_unknown_project(tmp_path: Path) -> None:
    app = broken_servers.lists_nothing_for_unknown_projects(reference_app())
    with serving(app) as url:
        code = run_suite(
            url, tmp_path, phases=["examples"], read_only=True, instance_id=INSTANCE_ID
        )
    assert code == 1
    # In the run's report (a broken promise is its test case there, not in the reads' part).
    assert "`unknown_ids_are_refused`" in junit_failures(tmp_path)


def test_a_failure_names_its_promise_and_shows_the_request(tmp_path: Path) -> None:
    with serving(broken_servers.allows_dots_in_names(reference_app())) as url:
        seed_data(url)
        run_suite(url, tmp_path, phases=["examples"], include_operations=["createBackup"])
    failures = junit_failures(tmp_path)
    assert "Promise broken: a value that breaks one rule" in failures
    assert re.search(r"name with the character '\.' .*: POST http://\S+/backups \{", failures)
    assert "-> 202, expected 400 DBS.280277" in failures
    # The probe that failed, not the request that started the scenario, can be sent again.
    reproduce = failures.split("Reproduce the first failing probe with:", 1)[1]
    assert re.search(r"curl -X POST .*\$GEMINIDB_TOKEN.* -d '\{\"name\": \"[^\"]*\.", reproduce)


def test_the_embedded_server_with_its_second_project_passes_the_scenarios() -> None:
    from geminidb_backup.contract import checks
    from geminidb_backup.contract.runner import ContractOptions, run

    seen: list[str | None] = []
    original = checks._wait_for_job

    def spy(*args: object, **kwargs: object) -> object:
        import os

        seen.append(os.environ.get(checks.OTHER_PROJECT_ENV))
        return original(*args, **kwargs)  # type: ignore[arg-type]

    lines: list[str] = []
    checks._wait_for_job = spy  # type: ignore[assignment]
    try:
        code = run(ContractOptions(phases=["examples"], seed=1), echo=lines.append)
    finally:
        checks._wait_for_job = original  # type: ignore[assignment]
    assert code == 0
    assert "embedded reference server" in lines[0]
    assert seen and set(seen) == {"contract-other-project"}
