"""prune as a person meets it: plurals, and progress while each deletion runs."""

from __future__ import annotations

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
