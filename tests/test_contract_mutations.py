"""The mutation score of the contract suite: every broken variant of the reference server that
breaks what the workflow means (tests/broken_servers.py, MEANING_VARIANTS) is caught by the
check that guards the promise it breaks, with a fixed seed; the unmodified server passes the
same runs with that seed and with a random one.

The runs send the spec's examples only, of the operations whose answers start the scenarios that
reach the fault (broken_servers.CREATES, LISTS, ONE_READ): the scenarios start beside the first
answers they need, and what they send does not depend on the seed, so a variant is run once (a
second seed per variant doubled the matrix's share of the suite's time, a wait of up to a list's
lag included, and found nothing more). One server per variant is seeded with backups and jobs."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import broken_servers
import pytest
from broken_servers import (
    MEANING_VARIANTS,
    OTHER_PROJECT_ID,
    junit_failures,
    reference_app,
    run_suite,
    seed_data,
    serving,
)

Variant = Callable[[broken_servers.ASGIApp], broken_servers.ASGIApp]


FIXED_SEED = 1


def _seeds() -> list[int]:
    return [FIXED_SEED, random.SystemRandom().randrange(2**31)]


@pytest.mark.parametrize(
    ("variant", "check", "options"),
    MEANING_VARIANTS,
    ids=[variant.__name__ for variant, _, _ in MEANING_VARIANTS],
)
def test_each_variant_is_caught_by_its_check(
    variant: Variant, check: str, options: dict[str, Any], tmp_path: Path
) -> None:
    with serving(variant(reference_app())) as url:
        seed_data(url)
        code = run_suite(url, tmp_path, phases=["examples"], seed=FIXED_SEED, **options)
        failures = junit_failures(tmp_path)
        assert code == 1, "the run passed"
        assert f"`{check}`" in failures, f"not caught by {check}:\n{failures}"


def test_the_reference_server_passes_the_same_runs(tmp_path: Path) -> None:
    with serving(reference_app()) as url:
        seed_data(url)
        for seed in _seeds():
            report = tmp_path / str(seed)
            code = run_suite(
                url, report, phases=["examples"], seed=seed, other_project_id=OTHER_PROJECT_ID,
                allow=["instances"],
            )  # fmt: skip
            assert junit_failures(report) == "", f"seed {seed}"
            assert code == 0, f"seed {seed}"


def test_the_variants_are_at_least_thirty_and_cover_every_check_of_the_scenarios() -> None:
    from geminidb_backup.contract.scenarios import SCENARIO_CHECKS

    assert len(MEANING_VARIANTS) >= 30
    assert len({variant for variant, _, _ in MEANING_VARIANTS}) == len(MEANING_VARIANTS)
    caught_by = {check for _, check, _ in MEANING_VARIANTS}
    assert set(SCENARIO_CHECKS) <= caught_by
