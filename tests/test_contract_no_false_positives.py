"""No false positives (issue 18, finding 6): correct servers that take choices the spec leaves
open pass the suite (tests/other_servers.py), and the choices the suite relies on are the spec's."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import other_servers
import pytest
import second_server
from broken_servers import (
    OTHER_PROJECT_ID,
    contract_cli,
    junit_failures,
    reference_app,
    run_suite,
    serving,
)

from geminidb_backup.contract import throttling
from geminidb_backup.contract.probing import operations

ODD = {"project_id": other_servers.ODD_PROJECT_ID, "instance_id": other_servers.ODD_INSTANCE_ID}
ODD_RUN = {**ODD, "other_project_id": other_servers.ODD_OTHER_PROJECT_ID}
# variant, the options of its run
VARIANTS: list[tuple[str, Callable[[], Any], dict[str, Any]]] = [
    ("ids with + = :", lambda: other_servers.odd_backup_ids(other_servers.odd_ids_app()), ODD_RUN),
    ("throttling", lambda: other_servers.throttles(reference_app()), {}),
    ("busy now and then", lambda: other_servers.is_busy_now_and_then(reference_app()), {}),
    ("lists lag a second", lambda: other_servers.lists_lag_a_second(reference_app()), {}),
    ("jobs take time", other_servers.slow_jobs_app, {}),
]


# Throttled runs wait on Retry-After for minutes: handed out first in a parallel run.
WAITS_LONG = {"throttling"}


@pytest.mark.parametrize(
    ("name", "app", "options"),
    [
        pytest.param(
            *variant, id=variant[0], marks=[pytest.mark.starts_first] * (variant[0] in WAITS_LONG)
        )
        for variant in VARIANTS
    ],
)
def test_a_correct_server_that_chooses_otherwise_passes(
    name: str, app: Callable[[], Any], options: dict[str, Any], tmp_path: Path
) -> None:
    seed = random.SystemRandom().randrange(2**31)
    settings: dict[str, Any] = {"other_project_id": OTHER_PROJECT_ID, **options}
    with serving(app()) as url:
        code = run_suite(url, tmp_path, seed=seed, max_examples=8, **settings)
    assert junit_failures(tmp_path) == "", f"{name}, seed {seed}"
    assert code == 0, f"{name}, seed {seed}"


DATE = "Mon, 07 Dec 2026 10:00:00 GMT"


@pytest.mark.parametrize(
    ("attempt", "retry_after", "wait"),
    [(1, "3", 3.0), (1, "60", 60.0), (1, "61", 1.0), (3, None, 4.0), (2, "soon", 2.0), (1, "0", 0.0),
     (1, "Mon, 07 Dec 2026 10:00:45 GMT", 45.0), (2, "Mon, 07 Dec 2026 10:05:00 GMT", 2.0),
     (1, "-3", 1.0)],
)  # fmt: skip
def test_a_429_waits_retry_after_up_to_60_s_else_backs_off_from_a_second(
    attempt: int, retry_after: str | None, wait: float
) -> None:
    headers = {"Date": DATE} if retry_after is None else {"Date": DATE, "Retry-After": retry_after}
    assert throttling.delay(attempt, headers) == wait


SECOND_SERVER = {
    "project_id": second_server.PROJECT_ID,
    "instance_id": second_server.INSTANCE_ID,
    "other_project_id": second_server.OTHER_PROJECT_ID,
    "token": second_server.TOKEN,
    # The other operations of the spec, which it does not implement: --operations would not do,
    # as the scenarios probe every operation of the workflow whatever schemathesis generates.
    "unserved_operations": sorted(
        {op for op, _, _, _ in operations()} - set(second_server.OPERATIONS)
    ),
}


@pytest.mark.parametrize(
    "app",
    [
        pytest.param(lambda: second_server.create_app(), id="second server"),
        pytest.param(
            lambda: second_server.throttling(
                second_server.create_app(second_server.SecondServer(job_seconds=0.1))
            ),
            id="second server throttling",
            marks=pytest.mark.starts_first,
        ),
    ],
)
def test_an_independent_second_server_passes(app: Callable[[], Any], tmp_path: Path) -> None:
    """tests/second_server.py: the four backup operations written from the spec alone, sharing no
    code with the reference server, with other IDs, check order, job durations and times."""
    seed = random.SystemRandom().randrange(2**31)
    with serving(app()) as url:
        code = run_suite(url, tmp_path, seed=seed, max_examples=8, **SECOND_SERVER)
    assert junit_failures(tmp_path) == "", f"seed {seed}"
    assert code == 0, f"seed {seed}"


def test_unserved_operations_from_the_cli_are_never_sent_and_their_promises_are_skipped(
    tmp_path: Path,
) -> None:
    """``contract --unserved``: the second server implements four operations; told the others
    are not served, the suite sends them nothing and passes, skipping what needs them."""
    unserved = SECOND_SERVER["unserved_operations"]
    recording, sent_unserved = second_server.recording_calls(second_server.create_app(), unserved)
    with serving(recording) as url:
        result = contract_cli(
            "--url", url,
            "--token", second_server.TOKEN, "--project-id", second_server.PROJECT_ID,
            "--instance-id", second_server.INSTANCE_ID,
            "--other-project-id", second_server.OTHER_PROJECT_ID,
            "--unserved", ",".join(unserved[:2]), *(f"--unserved={op}" for op in unserved[2:]),
            "--seed", "1", "-n", "3", "--report", "junit", "--report-dir", str(tmp_path),
        )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert sent_unserved == [], sorted(set(sent_unserved))
    root = ElementTree.parse(tmp_path / "junit.xml").getroot()
    skipped = {
        case.get("name"): found.get("message", "")
        for case in root.iter("testcase")
        if (found := case.find("skipped")) is not None
    }
    assert "does not serve batchDeleteBackups" in skipped["batch_is_checked_whole"], skipped
    assert "does not serve setBackupPolicy" not in str(skipped)  # opt-in first: --allow policy
    assert "policy_is_read_back" in skipped
