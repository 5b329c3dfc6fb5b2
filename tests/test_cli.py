"""The ``geminidb-backup`` command, run as a subprocess against the in-process stand-in of the
API: output formats, validation without requests, exit codes, and credentials from the
environment and clouds.yaml."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fake_api import (
    ACCESS_KEY,
    DOMAIN,
    INSTANCE_ID,
    PASSWORD,
    PROJECT_ID,
    SECRET_KEY,
    TOKEN,
    USER,
    FakeServer,
)

CLI = str(Path(sys.executable).with_name("geminidb-backup"))


def run(
    server: FakeServer | None, *args: str, env: dict[str, str] | None = None, **kw: Any
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINIDB_", "OS_"))}
    if server is not None:
        base |= {"GEMINIDB_ENDPOINT": server.url, "GEMINIDB_PROJECT_ID": PROJECT_ID}
    if env is None:
        base["GEMINIDB_TOKEN"] = TOKEN
    base |= {"COLUMNS": "250"} | (env or {})
    return subprocess.run(
        [CLI, *args], check=False, env=base, capture_output=True, text=True, timeout=60, **kw
    )


def test_create_wait_list_show_delete(fake_api: FakeServer) -> None:
    created = run(fake_api, "-o", "json", "create", "--instance", INSTANCE_ID,
                  "--name", "backup-4f57", "--description", "manual backup",
                  "--wait", "--interval", "0.1")  # fmt: skip
    assert created.returncode == 0, created.stderr
    backup = json.loads(created.stdout)
    assert (backup["name"], backup["status"]) == ("backup-4f57", "COMPLETED")
    # Not a terminal: the progress is plain lines on stderr, stdout stays JSON.
    assert "backup backup-4f57: Completed 100%" in created.stderr

    listed = run(fake_api, "-o", "json", "list", "--instance", INSTANCE_ID)
    assert [b["id"] for b in json.loads(listed.stdout)["backups"]] == [backup["id"]]
    table = run(fake_api, "list")
    assert table.returncode == 0 and "backup-4f57" in table.stdout and "COMPLETED" in table.stdout

    shown = run(fake_api, "-o", "json", "show", backup["id"])
    assert json.loads(shown.stdout)["description"] == "manual backup"

    deleted = run(fake_api, "-o", "json", "delete", backup["id"], "--yes", "--wait",
                  "--interval", "0.1")  # fmt: skip
    assert deleted.returncode == 0, deleted.stderr
    assert json.loads(deleted.stdout)["job"]["status"] == "Completed"
    assert fake_api.state.backups == {}

    jobs = run(fake_api, "-o", "json", "jobs", "--name", "BackupInstance")
    assert [j["status"] for j in json.loads(jobs.stdout)["jobs"]] == ["Completed"]


def test_create_then_wait_by_job_id(fake_api: FakeServer) -> None:
    created = json.loads(run(fake_api, "-o", "json", "create", "-i", INSTANCE_ID,
                             "-n", "backup-4f57").stdout)  # fmt: skip
    waited = run(fake_api, "wait", created["job_id"], "--interval", "0.1")
    assert waited.returncode == 0 and "Completed" in waited.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "-i", INSTANCE_ID, "-n", "b1"], "name 'b1' must be at least 4 characters long"),
        (["create", "-i", INSTANCE_ID, "-n", "9lives"], "must start with a letter"),
        (["create", "-i", INSTANCE_ID, "-n", "backup-1", "-d", "x=1"], "must not contain"),
        (["create", "-i", INSTANCE_ID, "-n", "b" * 65], "must be at most 64 characters"),
        (["create", "-i", "", "-n", "backup-1"], "--instance '' must not be empty"),
        (["list", "--backup-type", "manual"], "--backup-type 'manual' must be one of Auto, Manual"),
        (["list", "--page-size", "101"], "--page-size 101 must be at most 100"),
        (["list", "--begin-time", "2019-05-27T03:38:51+0000"],
         ("--begin-time/--end-time: begin_time and end_time must be given together (the API "
         "refuses this with 400 DBS.280416); nothing was sent")),
        (["jobs", "--start-time", "2019-01-01T00:00:00+0000", "--end-time", "2019-03-01T00:00:00Z"],
         ("start_time and end_time must be at most 30 days apart (the API refuses this with 400 "
         "DBS.200001)")),
        (["jobs", "--status", "Done"], "--status 'Done' must be one of"),
        (["create", "-i", INSTANCE_ID], "Missing option '--name'"),
    ],
)  # fmt: skip
def test_validation_errors_exit_2_and_send_nothing(
    fake_api: FakeServer, args: list[str], message: str
) -> None:
    result = run(fake_api, *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert fake_api.state.requests == []


def test_api_error_exits_3_with_code_message_and_advice(fake_api: FakeServer) -> None:
    args = ["create", "-i", INSTANCE_ID, "-n", "backup-4f57"]
    assert run(fake_api, *args).returncode == 0
    again = run(fake_api, *args)
    assert again.returncode == 3
    assert "DBS.201201" in again.stderr and "The backup already exists." in again.stderr
    assert "Choose another name" in again.stderr and "request ID" in again.stderr
    as_json = run(fake_api, "-o", "json", *args)
    error = json.loads(as_json.stderr)["error"]
    assert (error["status"], error["error_code"]) == (400, "DBS.201201")


def test_failed_job_and_timeout_exit_4(fake_api: FakeServer) -> None:
    fake_api.state.fail_next_backup = True
    failed = run(fake_api, "create", "-i", INSTANCE_ID, "-n", "backup-1", "--wait",
                 "--interval", "0.1")  # fmt: skip
    assert failed.returncode == 4 and "disk full" in failed.stderr
    fake_api.state.backup_seconds = 60
    slow = run(fake_api, "create", "-i", INSTANCE_ID, "-n", "backup-2", "--wait",
               "--timeout", "0.5", "--interval", "0.1")  # fmt: skip
    assert slow.returncode == 4 and "did not end within" in slow.stderr
    assert "geminidb-backup wait" in slow.stderr


def test_unreachable_endpoint_exits_5() -> None:
    result = run(None, "--endpoint", "http://127.0.0.1:9", "--project-id", PROJECT_ID, "list")
    assert result.returncode == 5 and "Check --endpoint" in result.stderr


def test_missing_credentials_exit_2(fake_api: FakeServer) -> None:
    result = run(fake_api, "list", env={})
    assert result.returncode == 2 and "no credentials" in result.stderr
    assert fake_api.state.requests == []


def test_bad_token_exits_3_and_never_prints_it(fake_api: FakeServer) -> None:
    result = run(fake_api, "-v", "--token", "wrong-secret-token", "list")
    assert result.returncode == 3 and "APIGW.0301" in result.stderr
    assert "wrong-secret-token" not in result.stdout + result.stderr


def test_delete_without_yes_and_without_a_terminal_is_refused(fake_api: FakeServer) -> None:
    result = run(fake_api, "delete", "some-backup", stdin=subprocess.DEVNULL)
    assert result.returncode == 2 and "--yes" in result.stderr
    assert fake_api.state.requests == []


def test_iam_password_from_os_variables(fake_api: FakeServer) -> None:
    env = {"OS_AUTH_URL": f"{fake_api.url}/v3", "OS_USERNAME": USER, "OS_PASSWORD": PASSWORD,
           "OS_USER_DOMAIN_NAME": DOMAIN, "OS_PROJECT_ID": PROJECT_ID,
           "GEMINIDB_ENDPOINT": fake_api.url}  # fmt: skip
    result = run(None, "-v", "create", "-i", INSTANCE_ID, "-n", "backup-4f57", env=env)
    assert result.returncode == 0, result.stderr
    assert "password authentication" in result.stderr and PASSWORD not in result.stderr
    assert len(fake_api.state.backups) == 1


def test_project_name_alone_is_turned_into_the_id_by_iam(fake_api: FakeServer) -> None:
    env = {"OS_AUTH_URL": f"{fake_api.url}/v3", "OS_USERNAME": USER, "OS_PASSWORD": PASSWORD,
           "OS_USER_DOMAIN_NAME": DOMAIN, "OS_PROJECT_NAME": "eu-de_project",
           "GEMINIDB_ENDPOINT": fake_api.url}  # fmt: skip
    result = run(None, "-o", "json", "list", env=env)
    assert result.returncode == 0, result.stderr
    # One token, fetched to learn the project's ID, serves the API call too.
    assert [path for _, path in fake_api.state.requests] == [
        "/v3/auth/tokens", f"/v4/{PROJECT_ID}/backups?offset=0&limit=100"]  # fmt: skip


def test_aksk_from_environment(fake_api: FakeServer) -> None:
    env = {"GEMINIDB_ACCESS_KEY": ACCESS_KEY, "GEMINIDB_SECRET_KEY": SECRET_KEY}
    result = run(fake_api, "-v", "create", "-i", INSTANCE_ID, "-n", "backup-4f57", env=env)
    assert result.returncode == 0, result.stderr
    assert "aksk authentication" in result.stderr and SECRET_KEY not in result.stderr


def test_clouds_yaml(fake_api: FakeServer, tmp_path: Path) -> None:
    (tmp_path / "clouds.yaml").write_text(json.dumps({"clouds": {"otc": {
        "auth": {"auth_url": f"{fake_api.url}/v3", "username": USER, "password": PASSWORD,
                 "user_domain_name": DOMAIN, "project_id": PROJECT_ID},
        "region_name": "eu-de",
    }}}))  # fmt: skip
    env = {"OS_CLOUD": "otc", "GEMINIDB_ENDPOINT": fake_api.url}
    result = run(None, "-o", "json", "list", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"backups": [], "total_count": 0}


def test_help_does_not_import_httpx_or_rich() -> None:
    code = (
        "import sys; sys.argv = ['geminidb-backup', '--help']\n"
        "from geminidb_backup.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('httpx', 'rich', 'geminidb_backup_client') if m in sys.modules]\n"
        "print(heavy, file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True
    )
    assert result.stderr.strip() == "[]"
    assert "create" in result.stdout and "Exit codes" in result.stdout


def test_shell_completion_script() -> None:
    result = subprocess.run([CLI], check=False, env={**os.environ, "_GEMINIDB_BACKUP_COMPLETE": "bash_source"},
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0 and "_geminidb_backup_completion" in result.stdout


def test_tls_verification_is_off_only_when_asked_and_it_says_so(fake_api: FakeServer) -> None:
    assert "TLS" not in run(fake_api, "list").stderr
    insecure = run(fake_api, "--insecure", "list")
    assert insecure.returncode == 0 and "TLS certificate verification is off" in insecure.stderr
