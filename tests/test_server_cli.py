"""``geminidb-backup serve`` as a user runs it: the URL line, the generated token, the example
request verbatim, clean shutdown on SIGINT and SIGTERM, and refused settings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from server_helpers import CREATE_PATH, JOBS_PATH, NO_ANSWER, SERVE, serve

from geminidb_backup.cli import main

EXAMPLE = {"name": "backup-4f57", "description": "manual backup"}


def test_serve_is_listed_in_the_help() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "serve" in result.output


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_serve_prints_a_generated_token_once_and_stops_cleanly(
    tmp_path: Path, stop: signal.Signals
) -> None:
    with serve(["--db", str(tmp_path / "s.db")], env={"GEMINIDB_SERVER_TOKENS": ""}) as server:
        assert server.url.startswith("http://127.0.0.1:")
        token_lines = [line for line in server.output if "export GEMINIDB_TOKEN=" in line]
        assert len(token_lines) == 1
        token = token_lines[0].split("=", 1)[1].strip()
        assert httpx.post(server.url + CREATE_PATH, json=EXAMPLE).status_code == 401
        response = httpx.post(
            server.url + CREATE_PATH, json=EXAMPLE, headers={"X-Auth-Token": token}
        )
        assert response.status_code == 202
        server.process.send_signal(stop)
        assert server.process.wait(timeout=30) == 0
    assert sum(token in line for line in server.output) == 1


def test_tokens_from_the_environment(tmp_path: Path) -> None:
    env = {"GEMINIDB_SERVER_TOKENS": "env-token-1, env-token-2"}
    with serve(["--db", str(tmp_path / "s.db"), "--backup-seconds", "0"], env=env) as server:
        assert not any("GEMINIDB_TOKEN" in line for line in server.output)
        for token in ("env-token-1", "env-token-2"):
            response = httpx.post(
                server.url + CREATE_PATH,
                json={"name": f"backup-{token}", "description": ""},
                headers={"X-Auth-Token": token},
            )
            assert response.status_code == 202


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--access-key", "AKONLY"], "ACCESS_KEY:SECRET_KEY"),
        (["--instance", "just-one-part"], "PROJECT_ID/INSTANCE_ID"),
        (["--fault-500", "0.7", "--fault-503", "0.7"], "add up"),
        (["--backup-limit", "-1"], "backup-limit"),
        (["--backup-seconds", "nan"], "not a finite number"),
        (["--fault-latency", "inf"], "not a finite number"),
        (["--header-timeout", "nan"], "not a finite number"),
        (["--body-timeout", "inf"], "not a finite number"),
        (["--keep-alive-timeout", "inf"], "not a finite number"),
        (["--fault-500", "nan"], "not a finite number"),
        (["--token", "secret-token@"], "no empty project ID"),
    ],
)
def test_bad_settings_are_refused(args: list[str], message: str) -> None:
    result = subprocess.run(
        [*SERVE, "--port", "0", "--db", ":memory:", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,  # a server that starts despite them would run for ever
    )
    assert result.returncode == 2
    assert message in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--token", ""],
        ["--token", "  "],
        ["--token", "ok", "--token", ""],
        ["--token", " padded "],
        ["--token", "ok", "--admin-token", ""],
        ["--token", "ok", "--admin-token", " "],
    ],
    ids=["empty", "blank", "one-of-two", "padded", "empty-admin", "blank-admin"],
)
def test_an_empty_token_is_refused_at_start_up(args: list[str]) -> None:
    # `--token "$TOKEN"` with TOKEN unset must not start a server that takes an empty token.
    result = subprocess.run(
        [*SERVE, "--port", "0", "--db", ":memory:", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stdout
    assert "serving on" not in result.stdout
    assert "token" in result.stderr and "empty" in result.stderr


@pytest.mark.parametrize(
    "content",
    ["tokens: ['']\n", "tokens: [ok, '   ']\n", "access_keys: [':']\n", "access_keys: ['AK: ']\n"],
    ids=["empty-token", "blank-token", "empty-key", "blank-secret"],
)
def test_an_empty_credential_in_the_config_file_is_refused(tmp_path: Path, content: str) -> None:
    config = tmp_path / "server.yaml"
    config.write_text(content)
    result = subprocess.run(
        [*SERVE, "--port", "0", "--config", str(config), "--db", ":memory:"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stdout
    assert "serving on" not in result.stdout


def test_the_server_config_refuses_empty_credentials() -> None:
    from geminidb_backup.server import ServerConfig

    for tokens, keys in [({""}, {}), ({"t"}, {"": "sk"}), ({"t"}, {"ak": ""}), ({"\t"}, {})]:
        with pytest.raises(ValueError, match="empty"):
            ServerConfig(tokens=frozenset(tokens), access_keys=keys)


def test_a_secret_key_is_never_echoed() -> None:
    result = subprocess.run(
        [*SERVE, "--db", ":memory:", "--access-key", "AK:", "--port", "0"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "ACCESS_KEY:SECRET_KEY" in result.stderr


def test_a_config_file_seeds_instances_and_credentials(tmp_path: Path) -> None:
    config = tmp_path / "server.yaml"
    config.write_text(
        "instances: [p-1/i-1/first, p-2/i-2]\n"
        "tokens: [file-token]\n"
        "access_keys: ['AK1:SK1']\n"
        "backup_seconds: 0\n"
        "backup_limit: 1\n"
        "auto_backups: false\n"
    )
    args = ["--config", str(config), "--db", str(tmp_path / "s.db"), "--token", "flag-token"]
    with serve(args) as server:
        assert not any("GEMINIDB_TOKEN" in line for line in server.output)
        for token in ("file-token", "flag-token"):
            response = httpx.post(
                f"{server.url}/v3/p-1/instances/i-1/backups",
                json={"name": f"backup-{token}", "description": ""},
                headers={"X-Auth-Token": token},
            )
            assert response.status_code == 202 if token == "file-token" else 403
        listed = httpx.get(f"{server.url}/v4/p-1/backups", headers={"X-Auth-Token": "flag-token"})
        assert [b["instance_name"] for b in listed.json()["backups"]] == ["first"]
        # The example's project is not seeded when instances are given.
        example = httpx.get(server.url + JOBS_PATH, headers={"X-Auth-Token": "flag-token"})
        assert example.json()["error_code"] == "DBS.280408"


@pytest.mark.parametrize(
    "content", ["- just a list\n", "tokens: 3\n", "backup_limit: -1\n", "colour: blue\n", "{"]
)
def test_a_bad_config_file_is_refused(tmp_path: Path, content: str) -> None:
    config = tmp_path / "server.yaml"
    config.write_text(content)
    result = subprocess.run(
        [*SERVE, "--config", str(config), "--db", ":memory:"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "config file" in result.stderr


@pytest.mark.parametrize(
    "content",
    [
        "tokens: [s3cret-token-value\n  bad: : ]\n",
        "tokens:\n  - s3cret-token-value: {\n",
        "tokens: [!s3cret-token-value x]\n",
        "access_keys: ['AK:s3cret-token-value\n",
        'tokens: ["s3cret-token-value\\q"]\n',
    ],
    ids=["flow", "block", "tag", "unclosed-quote", "bad-escape"],
)
def test_a_yaml_error_in_the_config_file_never_quotes_it(tmp_path: Path, content: str) -> None:
    config = tmp_path / "server.yaml"
    config.write_text(content)
    result = subprocess.run(
        [*SERVE, "--config", str(config), "--db", ":memory:"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "s3cret" not in result.stderr + result.stdout
    assert "not valid YAML" in result.stderr and "line" in result.stderr


# Run serve as if uvicorn's standard extra were not installed.
WITHOUT_STANDARD = (
    "import sys; sys.modules['httptools'] = None; sys.modules['uvloop'] = None; "
    "from geminidb_backup.cli import main; main()"
)


def test_without_httptools_and_uvloop_serve_falls_back_to_h11_on_asyncio() -> None:
    command = [sys.executable, "-c", WITHOUT_STANDARD, "serve", "--port", "0", "--db", ":memory:"]
    process = subprocess.Popen(
        [*command, "--token", "t", "--no-access-log", "--fault-drop", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        ready = process.stdout.readline()
        assert ready.startswith("serving on http://") and ready.rstrip().endswith("(h11, asyncio)")
        url = ready.split()[2]
        # The drop fault works on the fallback too.
        with pytest.raises(NO_ANSWER):
            httpx.get(url + JOBS_PATH, headers={"X-Auth-Token": "t"})
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


def test_asking_for_httptools_without_it_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_STANDARD, "serve", "--port", "0", "--db", ":memory:",
         "--token", "t", "--http", "httptools"],
        check=False, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "httptools is not installed" in result.stderr


@pytest.mark.parametrize("value", [".nan", ".inf"])
def test_a_backup_time_that_is_not_finite_in_the_config_file_is_refused(
    tmp_path: Path, value: str
) -> None:
    config = tmp_path / "server.yaml"
    config.write_text(f"backup_seconds: {value}\n")
    result = subprocess.run(
        [*SERVE, "--port", "0", "--config", str(config), "--db", ":memory:"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "finite" in result.stderr, result.stderr


def test_a_first_run_says_what_a_client_needs_and_keeps_its_state_out_of_the_way(
    tmp_path: Path,
) -> None:
    from server_helpers import INSTANCE_ID, PROJECT_ID

    work = tmp_path / "work"
    work.mkdir()
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "GEMINIDB_SERVER_TOKENS": ""}
    state = tmp_path / "data" / "geminidb-backup" / "server-state.sqlite3"
    with serve([], env=env) as server:
        output = "".join(server.output)
        assert f"export GEMINIDB_ENDPOINT={server.url}" in output
        assert f"export GEMINIDB_PROJECT_ID={PROJECT_ID}" in output
        assert PROJECT_ID in output and INSTANCE_ID in output
        assert "export GEMINIDB_TOKEN=" in output  # made up here: the only way to learn it
        assert f"state file: {state}" in output
        assert state.exists()
        # A second serve on the same default file refuses, naming --db, before printing a token.
        second = subprocess.run(
            [*SERVE, "--port", "0"],
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, **env},
            cwd=work,
        )
        assert second.returncode == 2 and "--db" in second.stderr, second.stderr
        assert len(second.stderr.strip().splitlines()) == 1 and second.stdout == ""
    assert list(work.iterdir()) == []


def test_a_port_in_use_is_one_line_and_exit_2_before_any_token(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*SERVE, "--port", str(port), "--db", str(tmp_path / "s.db")],
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "GEMINIDB_SERVER_TOKENS": ""},
        )
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""  # no throwaway token
    assert len(result.stderr.strip().splitlines()) == 1 and "in use" in result.stderr
