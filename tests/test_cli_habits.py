"""The CLI as operators use it (issue 12): options where they type them, tables that fit, a
prompt that keeps stdout clean, Ctrl-C and exit codes as documented, advice that points the right
way, and JSON in the API's own shape. Run as a subprocess against the in-process stand-in of the
API (tests/fake_api.py)."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fake_api import ACCESS_KEY, INSTANCE_ID, PROJECT_ID, TOKEN, USER, FakeServer
from test_cli import run

from geminidb_backup.spec import component_validator

CLI = str(Path(sys.executable).with_name("geminidb-backup"))


def env_for(server: FakeServer, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINIDB_", "OS_"))}
    return base | {"GEMINIDB_ENDPOINT": server.url, "GEMINIDB_PROJECT_ID": PROJECT_ID,
                   "GEMINIDB_TOKEN": TOKEN, "COLUMNS": "250"} | extra  # fmt: skip


def make_backup(server: FakeServer, name: str = "backup-4f57") -> dict[str, Any]:
    result = run(server, "-o", "json", "create", "-i", INSTANCE_ID, "-n", name, "--wait",
                 "--interval", "0.1")  # fmt: skip
    assert result.returncode == 0, result.stderr
    backup: dict[str, Any] = json.loads(result.stdout)
    return backup


def add_automated_backup(server: FakeServer) -> str:
    backup_id = "0123456789abcdef0123456789abcdefbr06"
    server.state.backups[backup_id] = {
        "id": backup_id, "name": "autobackup_1", "description": "", "instance_id": INSTANCE_ID,
        "instance_name": "cassandra-prod", "datastore": {"type": "cassandra", "version": "3.11"},
        "type": "Auto", "size": 5, "status": "COMPLETED", "begin_time": "2026-01-01T00:00:00+0000",
        "end_time": "2026-01-01T00:05:00+0000", "database_tables": [],
    }  # fmt: skip
    return backup_id


class Terminal:
    """The CLI with a pseudo-terminal as stdin (so it may ask), stdout and stderr as pipes."""

    def __init__(self, server: FakeServer, *args: str) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [CLI, *args], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env_for(server), text=True,
            # A session of its own: the terminal is only its stdin, never a controlling terminal
            # whose job control could stop it (SIGTTIN) for reading while in the background.
            start_new_session=True,
        )  # fmt: skip
        os.close(slave)

    def read_until_prompt(self) -> str:
        """What the CLI wrote on stderr up to its question (or its exit)."""
        assert self.process.stderr is not None
        seen = ""
        deadline = time.monotonic() + 30
        while "[y/N]" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stderr], [], [], 0.1)
            if ready:
                chunk = os.read(self.process.stderr.fileno(), 4096).decode()
                if not chunk:
                    break
                seen += chunk
        return seen

    def answer(self, text: str) -> tuple[int, str, str]:
        before = self.read_until_prompt()
        if self.process.poll() is None:
            os.write(self.master, text.encode())
        out, err = self.process.communicate(timeout=30)
        os.close(self.master)
        return self.process.returncode, out, before + err

    def wait_until_reading(self) -> None:
        """Until the CLI sits reading its terminal, as a person's Ctrl-C finds it. A signal sent
        the instant the question is printed can land while input() flushes the streams, and
        input() drops any error raised there, KeyboardInterrupt included."""
        wchan = Path(f"/proc/{self.process.pid}/wchan")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if wchan.exists() and wchan.read_text() in ("wait_woken", "n_tty_read"):
                return
            time.sleep(0.02)
        time.sleep(0.5)  # no /proc: a person is slower than this anyway

    def interrupt(self) -> tuple[int, str, str]:
        before = self.read_until_prompt()
        assert "[y/N]" in before, before
        self.wait_until_reading()
        self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=30)
        os.close(self.master)
        return self.process.returncode, out, before + err


# 1. Global options after the command.


def test_global_options_are_accepted_after_the_command(fake_api: FakeServer) -> None:
    make_backup(fake_api)
    for args in (["list", "--output", "json"], ["list", "-o", "json"], ["list", "-f", "json"]):
        result = run(fake_api, *args)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["total_count"] == 1
    wrong = run(fake_api, "list", "--token", "wrong-token-after-the-command", "-v")
    assert wrong.returncode == 3 and "APIGW.0301" in wrong.stderr
    assert "GET" in wrong.stderr  # -v after the command logs the requests
    # After the command wins over before it.
    assert run(fake_api, "-o", "table", "list", "-o", "json").stdout.lstrip().startswith("{")


# 2. Tables readable at 80 columns.


def test_tables_fit_80_columns_and_never_cut_a_status(fake_api: FakeServer) -> None:
    make_backup(fake_api, "a-rather-long-backup-name-of-forty-chars-x")
    for command, statuses in (("list", {"COMPLETED"}), ("jobs", {"Completed"})):
        result = run(
            fake_api, "-o", "table", command, env={"GEMINIDB_TOKEN": TOKEN, "COLUMNS": "80"}
        )
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert max(len(line) for line in lines) <= 80, result.stdout
        assert all(status in result.stdout for status in statuses), result.stdout
        assert "…" not in result.stdout


def test_sizes_have_a_unit(fake_api: FakeServer) -> None:
    backup = make_backup(fake_api)
    fake_api.state.backups[backup["id"]]["size"] = 617951.0
    shown = run(fake_api, "-o", "table", "show", backup["id"])
    assert "603.5 MB" in shown.stdout
    listed = run(fake_api, "-o", "table", "list")
    assert "603.5 MB" in listed.stdout and "617951.0" not in listed.stdout


# 3. and 9. The prompt: after the checks, naming the backup, on stderr.


def test_delete_asks_on_stderr_so_stdout_stays_json(fake_api: FakeServer) -> None:
    backup = make_backup(fake_api)
    code, out, err = Terminal(fake_api, "-o", "json", "delete", backup["id"]).answer("y\n")
    assert code == 0, err
    assert json.loads(out)["job_id"]  # stdout is JSON, nothing else
    assert "[y/N]" in err and "backup-4f57" in err  # the question names the backup


def test_delete_checks_before_asking(fake_api: FakeServer) -> None:
    code, _, err = Terminal(fake_api, "delete", "no-such-backup").answer("y\n")
    assert code == 3 and "[y/N]" not in err and "no-such-backup" in err
    automated = add_automated_backup(fake_api)
    code, _, err = Terminal(fake_api, "delete", automated).answer("y\n")
    assert code == 3 and "[y/N]" not in err and "automated" in err
    assert fake_api.state.api_calls("DELETE") == []


# 6. Exit codes.


def test_answering_no_exits_0_and_sends_no_delete(fake_api: FakeServer) -> None:
    backup = make_backup(fake_api)
    code, out, err = Terminal(fake_api, "delete", backup["id"]).answer("n\n")
    assert code == 0 and "Not deleted" in err and out == ""
    assert fake_api.state.api_calls("DELETE") == []


def test_ctrl_c_at_the_prompt_exits_130(fake_api: FakeServer) -> None:
    backup = make_backup(fake_api)
    code, _, err = Terminal(fake_api, "delete", backup["id"]).interrupt()
    assert code == 130 and "nothing was done" in err and "Traceback" not in err
    assert fake_api.state.api_calls("DELETE") == []


def test_an_endpoint_that_is_not_http_exits_2(fake_api: FakeServer) -> None:
    result = run(None, "--endpoint", "ftp://example.com", "--project-id", PROJECT_ID, "list")
    assert result.returncode == 2 and "not an http:// or https:// URL" in result.stderr


def test_an_unknown_job_id_exits_3_like_show(fake_api: FakeServer) -> None:
    assert run(fake_api, "show", "nope").returncode == 3
    result = run(fake_api, "jobs", "--id", "nope")
    assert result.returncode == 3 and "'nope'" in result.stderr


# 4. Ctrl-C while waiting.


def test_ctrl_c_while_waiting_says_the_backup_goes_on(fake_api: FakeServer) -> None:
    fake_api.state.backup_seconds = 60
    process = subprocess.Popen(
        [CLI, "create", "-i", INSTANCE_ID, "-n", "backup-4f57", "--wait", "--interval", "0.1"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=env_for(fake_api), text=True,
    )  # fmt: skip
    assert process.stderr is not None
    while "Running" not in process.stderr.readline():
        assert process.poll() is None
    process.send_signal(signal.SIGINT)
    err = process.stderr.read()
    process.wait(timeout=30)
    (job_id,) = fake_api.state.jobs
    assert process.returncode == 130
    assert "goes on" in err and f"geminidb-backup wait {job_id}" in err
    assert "Traceback" not in err


# 5. Ordinary mistakes end in a message, not a traceback.


@pytest.mark.parametrize(
    ("clouds", "message"),
    [
        ("clouds:\n  otc: {auth: [unclosed\n", "clouds.yaml, line"),
        ("clouds:\n  otc: just-a-string\n", "clouds.otc must be a mapping"),
    ],
)
def test_a_malformed_clouds_yaml_exits_2_naming_the_file(
    fake_api: FakeServer, tmp_path: Path, clouds: str, message: str
) -> None:
    (tmp_path / "clouds.yaml").write_text(clouds)
    result = run(fake_api, "list", env={"OS_CLOUD": "otc"}, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and str(tmp_path / "clouds.yaml") in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [["list", "--limit", "-1"], ["jobs", "--limit", "-5"]])
def test_negative_limits_are_usage_errors(fake_api: FakeServer, args: list[str]) -> None:
    result = run(fake_api, *args)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--limit" in result.stderr and fake_api.state.requests == []


# 8. Advice that points the right way.


def test_a_refused_aksk_signature_is_not_blamed_on_a_token(fake_api: FakeServer) -> None:
    env = {"GEMINIDB_ACCESS_KEY": ACCESS_KEY, "GEMINIDB_SECRET_KEY": "not-the-secret"}
    result = run(fake_api, "list", env=env)
    assert result.returncode == 3 and "APIGW.0301" in result.stderr
    assert "24 hours" not in result.stderr and "GEMINIDB_SECRET_KEY" in result.stderr
    assert "not-the-secret" not in result.stderr


def test_an_unreachable_iam_points_at_os_auth_url(fake_api: FakeServer) -> None:
    env = {"OS_AUTH_URL": "http://127.0.0.1:9/v3", "OS_USERNAME": USER, "OS_PASSWORD": "pw",
           "OS_PROJECT_ID": PROJECT_ID}  # fmt: skip
    result = run(fake_api, "list", env=env)
    assert result.returncode == 5, result.stderr
    assert "OS_AUTH_URL" in result.stderr and "http://127.0.0.1:9" in result.stderr
    assert "Check --endpoint" not in result.stderr and "Traceback" not in result.stderr


def test_a_transport_error_names_scheme_host_and_port() -> None:
    result = run(None, "--endpoint", "http://127.0.0.1:9", "--project-id", PROJECT_ID, "list")
    assert result.returncode == 5 and "http://127.0.0.1:9" in result.stderr


def test_page_size_errors_name_the_option(fake_api: FakeServer) -> None:
    result = run(fake_api, "list", "--page-size", "0")
    assert result.returncode == 2 and "--page-size" in result.stderr


def test_verbose_never_announces_a_retry_that_does_not_come(fake_api: FakeServer) -> None:
    fake_api.state.busy_answers = 10
    result = run(fake_api, "-v", "list")
    assert result.returncode == 3
    announced = result.stderr.count("trying again")
    assert announced == 3 and "attempt 4 of 4 failed" in result.stderr
    assert "giving up" in result.stderr


def test_every_missing_setting_is_named_in_one_run() -> None:
    result = run(None, "list", env={"HOME": "/nonexistent"})
    assert result.returncode == 2
    for missing in ("no endpoint", "no project ID", "no credentials"):
        assert missing in result.stderr


# 10. JSON in the API's shape, and one field for a shell variable.


def test_list_and_jobs_json_are_the_apis_answers(fake_api: FakeServer) -> None:
    make_backup(fake_api)
    listed = json.loads(run(fake_api, "-o", "json", "list").stdout)
    assert set(listed) == {"backups", "total_count"}
    assert not list(component_validator("ListBackupsResponse").iter_errors(listed))
    jobs = json.loads(run(fake_api, "-o", "json", "jobs").stdout)
    assert set(jobs) == {"jobs", "total_count"}
    assert all("instance_name" not in job for job in jobs["jobs"])
    assert not list(component_validator("ListJobsResponse").iter_errors(jobs))


def test_total_count_counts_what_limit_leaves_out(fake_api: FakeServer) -> None:
    make_backup(fake_api, "backup-one")
    make_backup(fake_api, "backup-two")
    listed = json.loads(run(fake_api, "-o", "json", "list", "--limit", "1").stdout)
    assert (len(listed["backups"]), listed["total_count"]) == (1, 2)


def test_one_field_for_a_shell_variable(fake_api: FakeServer) -> None:
    created = run(fake_api, "create", "-i", INSTANCE_ID, "-n", "backup-4f57", "-o", "value",
                  "-c", "job_id")  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() in fake_api.state.jobs
    backup_id = run(fake_api, "list", "-o", "value", "-c", "id").stdout.strip()
    assert backup_id in fake_api.state.backups
    unknown = run(fake_api, "list", "-o", "value", "-c", "nope")
    assert unknown.returncode == 2 and "'nope'" in unknown.stderr


# Smaller ones.


def test_show_takes_a_name(fake_api: FakeServer) -> None:
    backup = make_backup(fake_api)
    shown = json.loads(run(fake_api, "-o", "json", "show", "backup-4f57").stdout)
    assert shown["id"] == backup["id"]
    missing = run(fake_api, "show", "no-such-name")
    assert missing.returncode == 3 and "ID or the name" in missing.stderr


def test_a_mistyped_command_gets_a_suggestion() -> None:
    result = run(None, "lst")
    assert result.returncode == 2 and "Did you mean 'list'?" in result.stderr


def test_create_without_wait_says_how_to_follow_it(fake_api: FakeServer) -> None:
    result = run(fake_api, "create", "-i", INSTANCE_ID, "-n", "backup-4f57")
    (job_id,) = fake_api.state.jobs
    assert f"geminidb-backup wait {job_id}" in result.stderr


def test_enum_options_complete_from_the_spec() -> None:
    env = {**os.environ, "_GEMINIDB_BACKUP_COMPLETE": "bash_complete",
           "COMP_WORDS": "geminidb-backup list --backup-type ", "COMP_CWORD": "3"}  # fmt: skip
    result = subprocess.run([CLI], env=env, capture_output=True, text=True, check=False)
    assert "Auto" in result.stdout and "Manual" in result.stdout
    env["COMP_WORDS"], env["COMP_CWORD"] = "geminidb-backup jobs --status C", "3"
    result = subprocess.run([CLI], env=env, capture_output=True, text=True, check=False)
    assert "Completed" in result.stdout and "Running" not in result.stdout


def test_tab_completion_imports_no_http_library() -> None:
    code = (
        "import os, sys\n"
        "os.environ.update(_GEMINIDB_BACKUP_COMPLETE='bash_complete', "
        "COMP_WORDS='geminidb-backup list --backup-type ', COMP_CWORD='3')\n"
        "from geminidb_backup.cli import main\n"
        "try:\n    main(prog_name='geminidb-backup')\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('httpx', 'rich', 'jsonschema', 'geminidb_backup_client') "
        "if m in sys.modules]\n"
        "print(heavy, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)  # fmt: skip
    assert result.stderr.strip() == "[]", result.stderr
    assert "Auto" in result.stdout


def test_iam_is_recognised_behind_a_default_port() -> None:
    from geminidb_backup.cli._common import _transport_hint
    from geminidb_backup.cli._state import State
    from geminidb_backup.errors import TransportError

    state = State(iam_url="https://iam.eu-de.otc.t-systems.com/v3")
    iam = TransportError("x", sent=False, origin="https://iam.eu-de.otc.t-systems.com:443")
    api = TransportError("x", sent=True, origin="https://gaussdb-nosql.eu-de.otc.t-systems.com:443")
    assert "OS_AUTH_URL" in _transport_hint(state, iam)
    assert "--endpoint" in _transport_hint(state, api) and "may have arrived" in _transport_hint(
        state, api
    )
