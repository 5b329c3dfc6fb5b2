"""The contract suite catches real faults: each broken variant of the reference server is reported
by the check that guards the promise it breaks, and the real reference server passes."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import broken_servers
import pytest
from broken_servers import (
    OTHER_PROJECT_ID,
    TOKEN,
    junit_failures,
    reference_app,
    run_suite,
    serving,
)

from geminidb_backup.contract.promises import PROMISES
from geminidb_backup.server import example_instance

Variant = Callable[[broken_servers.ASGIApp], broken_servers.ASGIApp]
PROJECT_ID = example_instance().project_id

# variant, the phases and operation that reach the fault quickly, what the report must say
CASES: list[tuple[Variant, list[str], str, str]] = [
    (
        broken_servers.accepts_any_token,
        ["examples"],
        "listJobs",
        "API accepts requests without authentication",
    ),
    (
        broken_servers.skips_the_name_pattern,
        ["coverage"],
        "createBackup",
        "Schema-violating request accepted",
    ),
    (
        broken_servers.drops_a_required_response_field,
        ["examples"],
        "createBackup",
        "Response violates schema",
    ),
    (
        broken_servers.answers_405_without_allow,
        ["coverage"],
        "listJobs",
        "without required `Allow` header",
    ),
    (
        broken_servers.answers_problem_json,
        ["coverage"],
        "listJobs",
        "Received: application/problem+json",
    ),
    (
        broken_servers.fails_on_non_utf8_bodies,
        ["examples"],
        "createBackup",
        "`malformed_body_is_refused`",
    ),
    (
        broken_servers.hides_backups_from_the_list,
        ["examples"],
        "createBackup",
        "`created_backup_is_listed`",
    ),
    (
        broken_servers.accepts_duplicate_names,
        ["examples"],
        "createBackup",
        "`duplicate_name_is_refused`",
    ),
    (
        broken_servers.uses_uncatalogued_error_codes,
        ["coverage"],
        "listJobs",
        "`error_body_is_catalogued`",
    ),
]


@pytest.mark.parametrize(
    ("variant", "phases", "operation", "expected"), CASES, ids=[case[0].__name__ for case in CASES]
)
def test_each_broken_variant_is_reported_by_the_right_check(
    variant: Variant, phases: list[str], operation: str, expected: str, tmp_path: Path
) -> None:
    # The scenarios' checks catch some of these too, on earlier cases of the run, after which
    # schemathesis stops testing the operation: they are left out here, so that these runs prove
    # the checks of shapes and of single answers (tests/test_contract_mutations.py proves theirs).
    scenarios_aside = ["--exclude-checks", ",".join(PROMISES)]
    with serving(variant(reference_app())) as url:
        code = run_suite(
            url,
            tmp_path,
            max_examples=5,
            phases=phases,
            include_operations=[operation],
            extra_args=scenarios_aside,
        )
    assert code == 1
    assert expected in junit_failures(tmp_path)


def test_the_reference_server_passes_every_check_in_every_phase(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With a random seed (shown on failure), and a second project for the lists to keep to."""
    seed = random.SystemRandom().randrange(2**31)
    with serving(reference_app()) as url:
        code = run_suite(
            url, tmp_path, max_examples=10, seed=seed, other_project_id=OTHER_PROJECT_ID
        )
    assert junit_failures(tmp_path) == "", f"seed {seed}"
    assert code == 0, f"seed {seed}"
    assert "No issues found" in capsys.readouterr().out, f"seed {seed}"  # not even a warning


def test_read_only_mode_creates_nothing(tmp_path: Path) -> None:
    import httpx

    with serving(reference_app()) as url:
        code = run_suite(url, tmp_path, max_examples=5, read_only=True, reports=[])
        listed = httpx.get(
            f"{url}/v4/{PROJECT_ID}/backups",
            params={"backup_type": "Manual"},
            headers={"X-Auth-Token": TOKEN},
        ).json()
    assert code == 0
    assert listed == {"total_count": 0, "backups": []}
