"""Output for scripts and for narrow terminals: integral numbers, tab-separated rows into a pipe,
tables sized by COLUMNS (80 when unset), YAML, the begin time kept at 80 columns, no JSON in a
table cell."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import yaml
from fake_api import INSTANCE_ID, PROJECT_ID, TOKEN, FakeServer
from test_cli import CLI, run
from test_cli_habits import make_backup

SIZE = 921834


def sized_backup(fake_api: FakeServer) -> dict[str, Any]:
    backup = make_backup(fake_api)
    fake_api.state.backups[backup["id"]]["size"] = float(SIZE)  # as the reference server sends it
    return backup


def test_integral_numbers_print_as_integers(fake_api: FakeServer) -> None:
    backup = sized_backup(fake_api)
    value = run(fake_api, "-o", "value", "-c", "size", "show", backup["id"])
    assert value.stdout == f"{SIZE}\n"
    listed = run(fake_api, "list", "-o", "value", "-c", "size")
    assert listed.stdout == f"{SIZE}\n"
    shown = run(fake_api, "-o", "json", "show", backup["id"])
    assert json.loads(shown.stdout)["size"] == SIZE and f"{SIZE}.0" not in shown.stdout


def test_piped_output_without_o_is_tab_separated_rows(fake_api: FakeServer) -> None:
    backup = sized_backup(fake_api)
    make_backup(fake_api, "backup-second")
    listed = run(fake_api, "list", env={"GEMINIDB_TOKEN": TOKEN, "COLUMNS": "80"})
    lines = listed.stdout.splitlines()
    assert len(lines) == 2  # no heading
    rows = [line.split("\t") for line in lines]
    assert {row[0] for row in rows} == {backup["id"], *(r[0] for r in rows)}
    mine = next(row for row in rows if row[0] == backup["id"])
    assert mine[1:4] == ["backup-4f57", "Manual", "COMPLETED"]
    assert str(SIZE) in mine and backup["begin_time"] in mine  # raw values, not "880.3 MB"
    shown = run(fake_api, "show", backup["id"])
    assert "name\tbackup-4f57\n" in shown.stdout and f"size\t{SIZE}\n" in shown.stdout


def test_an_explicit_table_into_a_pipe_honours_columns_80_when_unset(fake_api: FakeServer) -> None:
    make_backup(fake_api, "a-rather-long-backup-name-of-forty-chars-x")
    wide = run(fake_api, "-o", "table", "list", env={"GEMINIDB_TOKEN": TOKEN, "COLUMNS": "120"})
    assert 80 < max(len(line) for line in wide.stdout.splitlines()) <= 120, wide.stdout
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINIDB_", "OS_", "COLUMNS"))}
    env |= {"GEMINIDB_ENDPOINT": fake_api.url, "GEMINIDB_PROJECT_ID": PROJECT_ID,
            "GEMINIDB_TOKEN": TOKEN}  # fmt: skip
    unset = subprocess.run([CLI, "-o", "table", "list"], env=env, capture_output=True, text=True,
                           check=False, timeout=60)  # fmt: skip
    assert unset.returncode == 0, unset.stderr
    assert max(len(line) for line in unset.stdout.splitlines()) <= 80, unset.stdout
    assert "a-rather" in unset.stdout


def test_yaml_output(fake_api: FakeServer) -> None:
    backup = sized_backup(fake_api)
    listed = yaml.safe_load(run(fake_api, "-o", "yaml", "list").stdout)
    assert listed["total_count"] == 1 and listed["backups"][0]["id"] == backup["id"]
    assert listed["backups"][0]["size"] == SIZE
    shown = yaml.safe_load(run(fake_api, "show", backup["id"], "-o", "yaml", "-c", "name").stdout)
    assert shown == {"name": "backup-4f57"}


def test_the_begin_time_is_kept_at_80_columns(fake_api: FakeServer) -> None:
    backup = make_backup(fake_api, "a-rather-long-backup-name-of-forty-chars-x")
    result = run(fake_api, "-o", "table", "list", env={"GEMINIDB_TOKEN": TOKEN, "COLUMNS": "80"})
    assert max(len(line) for line in result.stdout.splitlines()) <= 80, result.stdout
    assert "Began" in result.stdout
    day, clock = backup["begin_time"][:10], backup["begin_time"][11:16]
    assert f"{day} {clock}" in result.stdout, result.stdout


def test_delete_wait_shows_the_job_fields_not_a_json_blob(fake_api: FakeServer) -> None:
    backup = make_backup(fake_api)
    result = run(fake_api, "-o", "table", "delete", backup["id"], "--yes", "--wait",
                 "--interval", "0.1")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "{" not in result.stdout and "job.status" in result.stdout
    assert "Completed" in result.stdout and INSTANCE_ID in result.stdout
