"""prune as a person meets it: plurals, progress while each deletion runs, and an instance that
does not exist (a mistyped cron line fails) or no longer exists (its manual backups stay
prunable)."""

from __future__ import annotations

import json

from fake_api import INSTANCE_ID, FakeServer
from test_cli import run
from test_cli_habits import Terminal, make_backup


def test_one_backup_is_one_backup(fake_api: FakeServer) -> None:
    make_backup(fake_api, "daily-1")
    code, _, err = Terminal(fake_api, "prune", "-i", INSTANCE_ID, "--keep", "0").answer("n\n")
    assert code == 0, err
    assert f"1 backup of {INSTANCE_ID} will be deleted (0 backups kept)" in err
    assert "Delete this backup?" in err and "1 backups" not in err
    kept = run(fake_api, "prune", "-i", INSTANCE_ID, "--keep", "3", "--yes")
    assert "Nothing to delete: 1 backup kept." in kept.stderr


def test_prune_shows_each_deletion_and_its_progress(fake_api: FakeServer) -> None:
    made = [make_backup(fake_api, f"daily-{n}") for n in (1, 2)]
    result = run(fake_api, "prune", "-i", INSTANCE_ID, "--keep", "0", "--yes", "--interval", "0.1")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    starts = [line for line in lines if line.startswith("deleting ")]
    assert starts == [f"deleting {n}/2: daily-{n} ({made[n - 1]['id']})..." for n in (1, 2)]
    assert "  deletion of daily-1: Completed 100%" in lines
    # Each deletion is announced before its progress, and its progress before the next one.
    assert lines.index(starts[0]) < lines.index("  deletion of daily-1: Completed 100%")
    assert lines.index("  deletion of daily-1: Completed 100%") < lines.index(starts[1])


def test_an_unknown_instance_fails_with_exit_3(fake_api: FakeServer) -> None:
    make_backup(fake_api, "daily-1")
    result = run(fake_api, "prune", "-i", "0123456789abcdef0123456789abcdefin06", "--keep", "0",
                 "--yes")  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert "no instance of project" in result.stderr and "Nothing to delete" not in result.stderr
    assert fake_api.state.api_calls("DELETE") == []


def test_a_deleted_instances_manual_backups_stay_prunable_with_a_note(fake_api: FakeServer) -> None:
    made = make_backup(fake_api, "daily-1")
    fake_api.state.instances.clear()  # the instance is deleted; its manual backup stays
    result = run(fake_api, "-o", "json", "prune", "-i", INSTANCE_ID, "--keep", "0", "--yes",
                 "--interval", "0.1")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"warning: instance {INSTANCE_ID} no longer exists" in result.stderr
    assert [d["backup"]["id"] for d in json.loads(result.stdout)["deleted"]] == [made["id"]]
