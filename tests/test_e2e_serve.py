"""End to end: the real CLI, as a subprocess, against the reference server
(``geminidb-backup serve``) over loopback.

Skipped only while the reference server (issue 3) is not part of the package.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from fake_api import DOMAIN, PASSWORD, USER, FakeState, running

from geminidb_backup.server.process import ServeProcess, serve_process

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("geminidb_backup.server") is None,
    reason="the reference server (geminidb_backup.server, issue 3) is not merged yet",
)

CLI = str(Path(sys.executable).with_name("geminidb-backup"))
TOKEN = "e2e-token-0123456789"
AK, SK = "E2EACCESSKEY", "e2e/secret+key"
# The example project and instance of the spec, which the server knows by default.
PROJECT_ID = "054e292c9880d4992f02c0196d3ea468"
INSTANCE_ID = "a4d8ea2584e047439a667703c0684119in06"


class Server:
    def __init__(self, running: ServeProcess) -> None:
        assert running.log_path is not None
        self.process, self.log, self.url = running.process, running.log_path, running.url

    def requests_logged(self) -> int:
        """How many requests reached the server, from its access log."""
        return len(re.findall(r'"(GET|POST|DELETE|PUT) /', self.log.read_text()))


class Servers:
    """Starts reference servers on free ports, each with its own state file, and stops them."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.started = folder, []  # type: list[Server]
        self._stack = ExitStack()

    def __call__(self, *extra: str) -> Server:
        index = len(self.started)
        args = ["--token", TOKEN, "--access-key", f"{AK}:{SK}",
                "--db", str(self.folder / f"state-{index}.sqlite3"), "--no-auto-backups",
                "--backup-seconds", "1", *extra]  # fmt: skip
        log = self.folder / f"server-{index}.log"
        running = self._stack.enter_context(
            serve_process(args, log_path=log, start_timeout=30, stop_timeout=10)
        )
        self.started.append(Server(running))
        return self.started[-1]

    def stop(self) -> None:
        self._stack.close()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Servers]:
    servers = Servers(tmp_path)
    yield servers
    servers.stop()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the tests that must leave no trace on it."""
    servers = Servers(tmp_path_factory.mktemp("shared"))
    yield servers()
    servers.stop()


def cli(
    server: Server, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINIDB_", "OS_"))}
    base |= {"GEMINIDB_ENDPOINT": server.url, "GEMINIDB_PROJECT_ID": PROJECT_ID, "COLUMNS": "250"}
    base |= {"GEMINIDB_TOKEN": TOKEN} if env is None else env
    return subprocess.run([CLI, *args], check=False, env=base, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)  # fmt: skip


def as_json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_create_wait_list_show_delete(serve: Servers) -> None:
    server = serve()
    backup = as_json(cli(server, "-o", "json", "create", "--instance", INSTANCE_ID,
                         "--name", "backup-4f57", "--description", "manual backup",
                         "--wait", "--interval", "0.2"))  # fmt: skip
    assert (backup["name"], backup["status"], backup["type"]) == (
        "backup-4f57",
        "COMPLETED",
        "Manual",
    )
    listed = as_json(cli(server, "-o", "json", "list", "--instance", INSTANCE_ID))["backups"]
    assert [b["id"] for b in listed] == [backup["id"]]
    assert (
        as_json(cli(server, "-o", "json", "show", backup["id"]))["description"] == "manual backup"
    )
    table = cli(server, "list")
    assert "backup-4f57" in table.stdout and "COMPLETED" in table.stdout
    deleted = as_json(cli(server, "-o", "json", "delete", backup["id"], "--yes", "--wait",
                          "--interval", "0.2"))  # fmt: skip
    assert deleted["job"]["status"] == "Completed"
    assert as_json(cli(server, "-o", "json", "list"))["backups"] == []
    jobs = as_json(cli(server, "-o", "json", "jobs"))["jobs"]
    assert {j["status"] for j in jobs} == {"Completed"} and len(jobs) == 2


def test_create_then_wait_by_job_id(serve: Servers) -> None:
    server = serve()
    created = as_json(cli(server, "-o", "json", "create", "-i", INSTANCE_ID, "-n", "backup-4f57"))
    waited = as_json(cli(server, "-o", "json", "wait", created["job_id"], "--interval", "0.2"))
    assert waited["status"] == "Completed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "-i", INSTANCE_ID, "-n", "b1"], "name 'b1' must be at least 4 characters long"),
        (["create", "-i", INSTANCE_ID, "-n", "b" * 65], "must be at most 64 characters long"),
        (["create", "-i", INSTANCE_ID, "-n", "9lives"], "must start with a letter"),
        (["create", "-i", INSTANCE_ID, "-n", "back up"], "must start with a letter"),
        (["create", "-i", INSTANCE_ID, "-n", "backup-1", "-d", "a&b"], "must not contain"),
        (["create", "-i", INSTANCE_ID, "-n", "backup-1", "-d", "d" * 257], "at most 256"),
        (["create", "-i", "", "-n", "backup-1"], "--instance '' must not be empty"),
        (["--project-id", "", "list"], "no project ID"),
        (["list", "--backup-type", "manual"], "must be one of Auto, Manual"),
        (["list", "--type", "Table"], "must be one of Instance, DatabaseTable"),
        (["list", "--datastore-type", "redis"], "must be one of cassandra"),
        (["list", "--page-size", "0"], "--page-size 0 must be at least 1"),
        (["list", "--begin-time", "yesterday", "--end-time", "today"], "must look like '2019-05-27T03:38:51+0000'"),
        (["list", "--end-time", "2019-05-27T03:38:51+0000"], "begin_time and end_time must be given together"),
        (["jobs", "--status", "Done"], "must be one of Running, Completed, Failed"),
        (["jobs", "--start-time", "2019-05-27"], "--start-time '2019-05-27' must look like"),
        (["delete", "", "--yes"], "backup_id '' must not be empty"),
    ],
)  # fmt: skip
def test_validation_errors_exit_2_and_reach_no_server(
    shared_server: Server, args: list[str], message: str
) -> None:
    result = cli(shared_server, *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "nothing was sent" in result.stderr
    assert shared_server.requests_logged() == 0


def test_api_errors_exit_3(serve: Servers) -> None:
    server = serve()
    assert cli(server, "create", "-i", INSTANCE_ID, "-n", "backup-4f57").returncode == 0
    duplicate = cli(server, "create", "-i", INSTANCE_ID, "-n", "backup-4f57")
    assert duplicate.returncode == 3
    # The first backup is still running: the instance is busy, or the name is taken.
    assert re.search(r"DBS\.(201201|200019)", duplicate.stderr)
    unknown = cli(server, "create", "-i", "no-such-instance", "-n", "backup-1")
    assert unknown.returncode == 3 and "DBS.200002" in unknown.stderr
    # delete looks the backup up by ID, then by name, before sending anything.
    missing = cli(server, "delete", "no-such-backup", "--yes")
    assert missing.returncode == 3 and "no backup has the ID or the name" in missing.stderr


def test_token_auth_is_checked(serve: Servers) -> None:
    server = serve()
    result = cli(server, "list", env={"GEMINIDB_TOKEN": "wrong-token-value"})
    assert result.returncode == 3 and "APIGW.0301" in result.stderr
    assert "wrong-token-value" not in result.stderr + result.stdout


def test_aksk_auth(serve: Servers) -> None:
    server = serve()
    env = {"GEMINIDB_ACCESS_KEY": AK, "GEMINIDB_SECRET_KEY": SK}
    created = as_json(cli(server, "-o", "json", "create", "-i", INSTANCE_ID, "-n", "backup-4f57",
                          env=env))  # fmt: skip
    listed = as_json(cli(server, "-o", "json", "list", env=env))["backups"]
    assert [b["id"] for b in listed] == [created["backup_id"]]
    wrong = cli(server, "list", env={"GEMINIDB_ACCESS_KEY": AK, "GEMINIDB_SECRET_KEY": "wrong"})
    assert wrong.returncode == 3 and "APIGW.0301" in wrong.stderr


def test_iam_password_auth_through_a_keystone_stand_in(serve: Servers) -> None:
    server = serve()
    with running(FakeState(issue_token=TOKEN)) as keystone:
        env = {"OS_AUTH_URL": f"{keystone.url}/v3", "OS_USERNAME": USER, "OS_PASSWORD": PASSWORD,
               "OS_USER_DOMAIN_NAME": DOMAIN, "OS_PROJECT_ID": PROJECT_ID}  # fmt: skip
        created = as_json(cli(server, "-o", "json", "create", "-i", INSTANCE_ID,
                              "-n", "backup-4f57", env=env))  # fmt: skip
        assert [path for _, path in keystone.state.requests] == ["/v3/auth/tokens"]
        wrong = cli(server, "list", env={**env, "OS_PASSWORD": "not-the-password"})
    assert created["backup_id"]
    assert wrong.returncode == 3 and "refused the password" in wrong.stderr
    assert "not-the-password" not in wrong.stderr


def test_a_batch_of_creates_under_faults_makes_one_backup_per_name(
    serve: Servers,
) -> None:
    server = serve("--backup-seconds", "0", "--fault-503", "0.1", "--fault-429", "0.05",
                   "--fault-500", "0.05", "--fault-drop", "0.05",
                   "--fault-drop-after-commit", "0.1", "--retry-after", "0", "--fault-seed", "7")  # fmt: skip
    names = [f"batch-{index:02d}" for index in range(12)]
    reported, recoveries = {}, 0
    for name in names:
        result = cli(server, "-v", "-o", "json", "create", "-i", INSTANCE_ID, "-n", name)
        assert result.returncode == 0, result.stderr  # retries and recovery carry every create
        reported[name] = json.loads(result.stdout)["backup_id"]
        recoveries += "may have happened" in result.stderr
    listed = as_json(cli(server, "-o", "json", "list", "--backup-type", "Manual"))["backups"]
    by_name: dict[str, list[str]] = {}
    for backup in listed:
        by_name.setdefault(backup["name"], []).append(backup["id"])
    # Exactly one backup per name, none lost, and each the one the CLI reported.
    assert by_name == {name: [backup_id] for name, backup_id in reported.items()}
    # The faults did happen: throttling, overload, failures, and ambiguous creates.
    answered = set(re.findall(r'" (\d{3}) ', server.log.read_text()))
    assert {"429", "500", "503"} <= answered and recoveries > 0


def test_exit_codes_when_retries_run_out(serve: Servers) -> None:
    busy = serve("--fault-503", "1", "--retry-after", "0")
    result = cli(busy, "create", "-i", INSTANCE_ID, "-n", "backup-4f57")
    assert result.returncode == 3 and "DBS.200998" in result.stderr
    assert "Try again later" in result.stderr
    dropping = serve("--fault-drop", "1")
    result = cli(dropping, "list")
    assert result.returncode == 5 and "Check --endpoint" in result.stderr
