"""`geminidb-backup contract`: options, safety rules and usage errors (no server needed)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from broken_servers import contract_cli

from geminidb_backup.contract.runner import (
    WRITE_OPERATIONS,
    ContractOptions,
    ContractUsageError,
    is_loopback,
    run,
    schemathesis_arguments,
    schemathesis_config,
    writes_planned,
)


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8080", True),
        ("http://127.3.2.1", True),
        ("http://localhost:1", True),
        ("http://[::1]:9000/", True),
        ("https://gaussdb-nosql.eu-de.otc.t-systems.com", False),
        ("http://10.0.0.1", False),
        ("http://127.0.0.1.example.com", False),
    ],
)
def test_loopback_detection(url: str, loopback: bool) -> None:
    assert is_loopback(url) is loopback


def test_writes_are_planned_unless_read_only_or_writes_excluded() -> None:
    assert writes_planned(ContractOptions())
    assert not writes_planned(ContractOptions(read_only=True))
    assert not writes_planned(ContractOptions(include_operations=["listJobs", "listBackups"]))
    assert not writes_planned(ContractOptions(exclude_operations=WRITE_OPERATIONS))
    backups = [
        "createBackup",
        "deleteBackup",
        "stopBackup",
        "batchDeleteBackups",
        "setBackupPolicy",
    ]
    # A target other than the embedded server gets instance writes only with the opt-in.
    remote = "https://gaussdb-nosql.eu-de.otc.t-systems.com"
    assert not writes_planned(ContractOptions(url=remote, exclude_operations=backups))
    assert writes_planned(
        ContractOptions(url=remote, exclude_operations=backups, allow=["instances"])
    )
    assert writes_planned(ContractOptions(exclude_operations=backups))  # embedded: instances
    # Likewise a policy change (the run excludes setBackupPolicy there without the opt-in).
    backup_writes = [operation for operation in backups if operation != "setBackupPolicy"]
    assert not writes_planned(ContractOptions(url=remote, exclude_operations=backup_writes))
    assert writes_planned(
        ContractOptions(url=remote, exclude_operations=backup_writes, allow=["policy"])
    )
    assert writes_planned(ContractOptions(exclude_operations=["createBackup"]))
    # Stopping, batch deletion and setting a policy write too.
    assert writes_planned(
        ContractOptions(
            exclude_operations=[*WRITE_OPERATIONS[:2], "createInstance", "deleteInstance"]
        )
    )


def test_the_token_is_not_on_the_command_line_nor_in_the_config_file() -> None:
    options = ContractOptions(
        url="http://127.0.0.1:1", token="s3cret-token", seed=7, max_examples=5
    )
    args = schemathesis_arguments(options, "spec.yaml", "http://127.0.0.1:1", "st.toml")
    assert "s3cret-token" not in " ".join(args)
    assert "s3cret-token" not in schemathesis_config("GEMINIDB_CONTRACT_TOKEN")
    assert args[args.index("--seed") + 1] == "7" and args[args.index("--max-examples") + 1] == "5"
    assert args[args.index("--phases") + 1] == "examples,coverage,fuzzing,stateful"


def test_aksk_runs_configure_a_placeholder_and_keep_the_secret_key_in_memory() -> None:
    from geminidb_backup.contract import aksk

    options = ContractOptions(url="http://127.0.0.1:1", access_key="AK1", secret_key="s3cret-sk")
    with aksk.signing_with("AK1", "s3cret-sk") as placeholder:
        config = schemathesis_config("GEMINIDB_CONTRACT_TOKEN", signing_placeholder=placeholder)
        args = schemathesis_arguments(options, "spec.yaml", "http://127.0.0.1:1", "st.toml")
    assert "s3cret-sk" not in config + " ".join(args) + repr(options)
    assert placeholder in config and "[auth.openapi.aksk]" in config
    assert "token" not in config.split("[auth.openapi.aksk]")[1]
    assert "s3cret" not in repr(ContractOptions(token="s3cret-token"))


def test_operations_and_reports_reach_schemathesis(tmp_path: Path) -> None:
    options = ContractOptions(
        include_operations=["createBackup"],
        exclude_operations=["deleteBackup"],
        reports=["junit", "har"],
        report_dir=tmp_path,
        max_response_time=2.5,
        workers=2,
    )
    args = schemathesis_arguments(options, "spec.yaml", "http://127.0.0.1:1", "st.toml")
    assert ["--include-operation-id", "createBackup"] == args[
        args.index("--include-operation-id") :
    ][:2]
    assert ["--exclude-operation-id", "deleteBackup"] == args[
        args.index("--exclude-operation-id") :
    ][:2]
    assert args[args.index("--report") + 1] == "junit,har"
    assert args[args.index("--report-dir") + 1] == str(tmp_path)
    assert args[args.index("--max-response-time") + 1] == "2.5"
    assert args[args.index("--workers") + 1] == "2"


def test_a_remote_target_is_refused_without_permission_to_write() -> None:
    options = ContractOptions(url="https://gaussdb-nosql.eu-de.otc.t-systems.com", token="t")
    with pytest.raises(ContractUsageError, match="--yes"):
        run(options)
    asked: list[str] = []
    with pytest.raises(ContractUsageError):
        run(options, confirm=lambda question: asked.append(question) or False)
    assert asked and "creates at most 8 manual backups" in asked[0]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return contract_cli(*args, timeout=120)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--operations", "createBackup,-nope"], "unknown operation 'nope'"),
        (["--unserved", "createInstances"], "did you mean 'createInstance'?"),
        (["--url", "http://127.0.0.1:9", "--token", "t", "--max-backups", "3"], "create 4 backups"),
        (["--unserved", "listBackups,restore"], "unknown operation 'restore'"),
        (
            ["--operations", "createInstance", "--unserved", "createInstance"],
            "both to be tested (--operations) and not served (--unserved)",
        ),
        (["--phases", "examples,warp"], "unknown phase 'warp'"),
        (["--report", "junit,pdf"], "unknown format 'pdf'"),
        (["--url", "https://gaussdb-nosql.eu-de.otc.t-systems.com", "--token", "t"], "--yes"),
        (["--url", "http://127.0.0.1:9"], "no credentials for --url"),
        (["--cloud", "nowhere", "contract", "--url", "http://127.0.0.1:9"], "'nowhere' is not in"),
    ],
)
def test_usage_errors_exit_2_with_advice_and_send_nothing(args: list[str], message: str) -> None:
    result = _cli(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr


@pytest.mark.parametrize(
    ("allow", "excluded"), [((), True), (("instances",), False)]
)  # fmt: skip
def test_instances_are_created_and_deleted_on_a_target_only_with_the_opt_in(
    monkeypatch: pytest.MonkeyPatch, allow: tuple[str, ...], excluded: bool
) -> None:
    from geminidb_backup.contract import runner

    sent: list[list[str]] = []
    monkeypatch.setattr(runner, "_run_schemathesis", lambda args: sent.append(args) or 0)
    monkeypatch.setattr(runner, "_clean_up", lambda *args: True)
    options = ContractOptions(url="http://127.0.0.1:9", token="t", allow=allow)
    run(options, echo=lambda text: None)  # its verdict: no report, schemathesis was not run
    arguments = " ".join(sent[0])
    for operation_id in ("createInstance", "deleteInstance"):
        assert (f"--exclude-operation-id {operation_id}" in arguments) is excluded


def test_a_remote_target_s_longer_job_timeout_is_said_not_silent(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """1800 s for a target not on loopback, said at the start; --job-timeout wins over it."""
    from geminidb_backup.contract import checks, runner

    seen: list[str | None] = []

    def fake(*args: object) -> int:
        seen.append(os.environ.get(checks.JOB_TIMEOUT_ENV))
        return 0

    monkeypatch.setattr(runner, "_run_with_flake_retry", fake)
    lines: list[str] = []
    remote = "https://gaussdb-nosql.eu-de.otc.t-systems.com"
    options = ContractOptions(url=remote, token="t", read_only=True, report_dir=tmp_path)
    run(options, echo=lines.append)  # fails: nothing ran, so no promise was exercised
    assert any("1800 s" in line and "--job-timeout" in line for line in lines), lines
    lines.clear()
    run(ContractOptions(url=remote, token="t", read_only=True, job_timeout=90), echo=lines.append)
    assert seen == ["1800.0", "90"]
    assert not any("1800 s" in line for line in lines)


def test_a_known_tool_flake_runs_schemathesis_once_more_and_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from geminidb_backup.contract import runner

    junit = tmp_path / "junit.xml"
    calls: list[int] = []

    def flaky(args: list[str]) -> int:
        calls.append(1)
        text = "AST constructor recursion depth mismatch" if len(calls) == 1 else "fine"
        junit.write_text(
            f"<testsuites><testsuite><testcase name='{text}'/></testsuite></testsuites>"
        )
        return 1 if len(calls) == 1 else 0

    monkeypatch.setattr(runner, "_run_schemathesis", flaky)
    lines: list[str] = []
    options = ContractOptions(url="http://127.0.0.1:1", token="t", junit_path=junit)
    code = runner._run_with_flake_retry(
        options, "spec.yaml", "http://127.0.0.1:1", "c", junit, lines.append
    )
    assert (code, len(calls)) == (0, 2)
    assert any("known tool flake" in line and "once" in line for line in lines)


def test_a_scenario_whose_operations_are_all_unserved_is_left_out_not_failed() -> None:
    from geminidb_backup.contract import reporting, scenarios

    scenarios.reset()  # no scenario ran: none of the list operations was answered
    unserved = ["listJobs", "listBackups"]
    options = ContractOptions(url="http://127.0.0.1:9", token="t", unserved_operations=unserved)
    outcomes = {outcome.name: outcome for outcome in reporting.promise_outcomes(options)}
    paging = outcomes["list_paging_holds"]
    assert (paging.status, paging.detail) == (
        "skipped",
        "left out by --unserved: the target serves none of listJobs, listBackups",
    )
    assert "list scenario" not in outcomes
