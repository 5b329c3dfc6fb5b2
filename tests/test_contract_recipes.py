"""The CI recipes and the pytest entry point of the contract suite work as documented.

Each recipe's suite command runs, as its CI would run it, against a reference server standing in
for "your server"; the JUnit report lands where the recipe tells the CI to pick it up.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from conftest import REPO_ROOT, operations, run_pytest_file
from geminidb_backup.contract.embedded import embedded_server
from geminidb_backup.server import example_instance
from geminidb_backup.spec import load_spec

PROJECT_ID = example_instance().project_id  # the project the reference server seeds

RECIPES = REPO_ROOT / "docs" / "recipes"


@pytest.fixture(scope="module")
def your_server() -> Iterator[tuple[str, str]]:
    with embedded_server() as server:
        yield server.url, server.token


def _github_actions() -> tuple[str, dict[str, str], str]:
    workflow = yaml.safe_load((RECIPES / "github-actions.yml").read_text())
    steps = workflow["jobs"]["contract"]["steps"]
    (suite,) = [s for s in steps if "geminidb-backup contract" in s.get("run", "")]
    (publish,) = [s for s in steps if "report_paths" in s.get("with", {})]
    return suite["run"], dict(suite.get("env", {})), publish["with"]["report_paths"]


def _gitlab_ci() -> tuple[str, dict[str, str], str]:
    job = yaml.safe_load((RECIPES / "gitlab-ci.yml").read_text())["api-contract"]
    (command,) = [line for line in job["script"] if "geminidb-backup contract" in line]
    return command, dict(job.get("variables", {})), job["artifacts"]["reports"]["junit"]


def _wait_commands() -> list[str]:
    workflow = yaml.safe_load((RECIPES / "github-actions.yml").read_text())
    steps = workflow["jobs"]["contract"]["steps"]
    job = yaml.safe_load((RECIPES / "gitlab-ci.yml").read_text())["api-contract"]
    github = [s["run"] for s in steps if "until curl" in s.get("run", "")]
    gitlab = [line for line in job["before_script"] if "until curl" in line]
    starts = [i for i, s in enumerate(steps) if "start-api-server" in s.get("run", "")]
    waits = [i for i, s in enumerate(steps) if "until curl" in s.get("run", "")]
    suites = [i for i, s in enumerate(steps) if "geminidb-backup contract" in s.get("run", "")]
    assert starts < waits < suites  # started, then waited for, then tested
    return [*github, *gitlab]


def test_the_recipes_wait_until_the_server_answers(
    your_server: tuple[str, str], tmp_path: Path
) -> None:
    url, _ = your_server
    for command in _wait_commands():
        answered = subprocess.run(
            ["bash", "-c", command], env={**os.environ, "API_URL": url}, timeout=90, check=False
        )
        assert answered.returncode == 0, command
    # Against nothing, the wait gives up (timeout's 124) instead of hanging the job.
    nothing = subprocess.run(
        ["bash", "-c", _wait_commands()[0].replace("timeout 60", "timeout 2")],
        env={**os.environ, "API_URL": "http://127.0.0.1:9"},
        timeout=30,
        check=False,
    )
    assert nothing.returncode == 124


def test_both_recipes_run_the_same_suite_command() -> None:
    """So that running one of them below proves both."""
    github_command, github_env, github_junit = _github_actions()
    gitlab_command, gitlab_env, gitlab_junit = _gitlab_ci()
    assert " ".join(github_command.split()) == " ".join(gitlab_command.split())
    assert github_env["API_URL"] == gitlab_env["API_URL"] and github_junit == gitlab_junit


def test_the_recipe_runs_the_suite_and_leaves_junit_where_the_ci_looks(
    your_server: tuple[str, str], tmp_path: Path
) -> None:
    command, env, junit_path = _github_actions()
    url, token = your_server
    assert env["PROJECT_ID"] == PROJECT_ID  # the recipe's placeholder is the example project
    assert env["INSTANCE_ID"] == example_instance().id  # so the create promises are exercised
    # The recipe's own variables, with the reference server standing in for the team's.
    run_env = {**os.environ, **env, "API_URL": url, "GEMINIDB_TOKEN": token}
    run_env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{run_env['PATH']}"
    result = subprocess.run(
        ["bash", "-c", command],
        cwd=tmp_path,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = ElementTree.parse(tmp_path / junit_path).getroot()
    assert int(report.get("tests", "0")) >= 4 and report.get("failures") == "0"
    passed = {
        case.get("name")
        for case in report.iter("testcase")
        if case.get("classname") == "promises" and len(case) == 0
    }
    assert {"bounds_are_accepted", "created_backup_can_be_deleted"} <= passed
    assert token not in (tmp_path / junit_path).read_text()


@pytest.mark.starts_first  # with its module's other runs of the suite: over a minute on one worker
def test_the_pytest_entry_point_runs_schemathesis_with_the_domain_checks(
    your_server: tuple[str, str], tmp_path: Path
) -> None:
    url, token = your_server
    result = run_pytest_file(
        tmp_path,
        f"""
            from hypothesis import settings
            from geminidb_backup.contract.pytest import contract_schema

            schema = contract_schema({url!r}, token={token!r}, project_id={PROJECT_ID!r})

            @schema.parametrize()
            @settings(max_examples=5, deadline=None)
            def test_operation(case):
                case.call_and_validate()
            """,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    every_operation = len(list(operations(load_spec())))  # one test per operation
    assert f"{every_operation} passed" in result.stdout
    import httpx

    left = httpx.get(
        f"{url}/v4/{PROJECT_ID}/backups",
        params={"backup_type": "Manual"},
        headers={"X-Auth-Token": token},
    ).json()["backups"]
    assert left == [], "the pytest entry point left backups behind"


def test_the_pytest_entry_point_leaves_unserved_operations_out(tmp_path: Path) -> None:
    """``contract_schema(..., unserved_operations=...)``: against a server of four operations,
    the other operations get no test and no request, and every test passes."""
    import second_server
    from broken_servers import serving

    served = second_server.OPERATIONS
    unserved = sorted({op["operationId"] for *_, op in operations(load_spec())} - set(served))
    recording, sent_unserved = second_server.recording_calls(second_server.create_app(), unserved)

    with serving(recording) as url:
        result = run_pytest_file(
            tmp_path,
            f"""
            from hypothesis import settings
            from geminidb_backup.contract.pytest import contract_schema

            schema = contract_schema(
                {url!r}, token={second_server.TOKEN!r}, project_id={second_server.PROJECT_ID!r},
                instance_id={second_server.INSTANCE_ID!r}, unserved_operations={unserved!r},
            )

            @schema.parametrize()
            @settings(max_examples=5, deadline=None)
            def test_operation(case):
                case.call_and_validate()
            """,
        )
    assert result.returncode == 0, result.stdout[-3000:]
    assert f"{len(served)} passed" in result.stdout, result.stdout[-3000:]
    assert sent_unserved == [], sorted(set(sent_unserved))
