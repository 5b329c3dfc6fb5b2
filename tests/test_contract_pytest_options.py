"""The pytest entry point takes the CLI's options with the CLI's defaults: a second project, the
--allow opt-ins, the budget of creates (with the scenarios' share kept back), and the job timeout,
1800 s for a target that is not on loopback (a real backup takes minutes: with the loopback
default of 60 s, a correct remote server failed its promises). Bad values are refused, saying
what is allowed.

Each case runs in a subprocess: the entry point sets up the process it runs in (the environment
its checks read, the safety scope, the retry of 429s in requests), as a test module of a team
would."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from geminidb_backup.contract import checks, runner, safety

READ_BACK = f"""
import json, os, sys
from geminidb_backup.contract import safety
from geminidb_backup.contract.pytest import contract_schema
try:
    contract_schema(*json.loads(sys.argv[1]), **json.loads(sys.argv[2]))
except ValueError as error:
    print(json.dumps({{"error": str(error)}}))
    raise SystemExit(0)
scope = safety.SCOPE
print(json.dumps({{
    "allow": sorted(scope.allow), "budget": scope.create_budget, "reserved": scope.reserved,
    "other_project": os.environ.get({checks.OTHER_PROJECT_ENV!r}),
    "job_timeout": os.environ.get({checks.JOB_TIMEOUT_ENV!r}),
}}))
"""


def _contract_schema(*args: object, **kwargs: object) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", READ_BACK, json.dumps(args), json.dumps(kwargs)],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    read: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return read


def test_the_cli_options_reach_the_checks_and_the_safety_scope() -> None:
    read = _contract_schema(
        "http://127.0.0.1:8080", token="t", project_id="p", instance_id="i",
        other_project_id="other-project", allow=["instances", "policy"], max_backups=12,
        job_timeout=5,
    )  # fmt: skip
    with_restores = runner.ContractOptions(url="http://127.0.0.1:8080", allow=["instances"])
    assert read == {
        "allow": ["instances", "policy"],
        "budget": 12,
        "reserved": runner.scenario_creates(with_restores),
        "other_project": "other-project",
        "job_timeout": "5",
    }


def test_the_defaults_are_the_clis_and_a_remote_target_waits_for_real_backups() -> None:
    local = _contract_schema("http://127.0.0.1:8080", token="t")
    assert local["allow"] == [] and local["budget"] == safety.DEFAULT_CREATE_BUDGET
    assert local["reserved"] == runner.scenario_creates(runner.ContractOptions())
    assert local["job_timeout"] is None  # the checks' own default: 60 s
    remote = _contract_schema("https://gaussdb-nosql.eu-de.otc.t-systems.com", token="t")
    assert remote["job_timeout"] == str(runner.REMOTE_JOB_TIMEOUT)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"allow": ["everything"]}, "unknown --allow value 'everything'; choose from policy"),
        ({"max_backups": 1}, "--max-backups 1 is too few"),
        ({"unserved_operations": ["restore"]}, "unknown operation 'restore'"),
        ({"job_timeout": -1}, "job_timeout must be a number of seconds, at least 0, not -1"),
    ],
)
def test_bad_values_are_refused_saying_what_is_allowed(
    options: dict[str, object], message: str
) -> None:
    read = _contract_schema("http://127.0.0.1:8080", token="t", **options)
    assert message in str(read.get("error")), read
