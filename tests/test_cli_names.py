"""Backups named by name as well as by ID: ``delete`` as ``show``; a name on several instances is
refused listing the candidates, and ``--instance`` chooses."""

from __future__ import annotations

import copy
import json

from fake_api import INSTANCE_ID, PROJECT_ID, FakeServer
from test_cli import run
from test_cli_habits import make_backup

OTHER_INSTANCE = "0123456789abcdef0123456789abcdefin06"


def twin_on_another_instance(fake_api: FakeServer, backup: dict[str, object]) -> str:
    twin = copy.deepcopy(fake_api.state.backups[str(backup["id"])])
    twin.update(id="fedcba9876543210fedcba9876543210br06", instance_id=OTHER_INSTANCE,
                instance_name="cassandra-test")  # fmt: skip
    fake_api.state.backups[twin["id"]] = twin
    return str(twin["id"])


def deletes(fake_api: FakeServer) -> list[str]:
    return [path for method, path in fake_api.state.requests if method == "DELETE"]


def test_delete_takes_a_name(fake_api: FakeServer) -> None:
    backup = make_backup(fake_api)
    result = run(fake_api, "-o", "json", "delete", "backup-4f57", "--yes")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["backup_id"] == backup["id"]
    assert deletes(fake_api) == [f"/v3/{PROJECT_ID}/backups/{backup['id']}"]


def test_a_name_on_several_instances_is_refused_listing_them(fake_api: FakeServer) -> None:
    backup = make_backup(fake_api)
    twin = twin_on_another_instance(fake_api, backup)
    for command in (["delete", "backup-4f57", "--yes"], ["show", "backup-4f57"]):
        result = run(fake_api, *command)
        assert result.returncode == 2, result.stderr
        assert "2 backups on different instances are named 'backup-4f57'" in result.stderr
        for shown in (backup["id"], twin, INSTANCE_ID, OTHER_INSTANCE, "--instance"):
            assert shown in result.stderr, shown
    assert deletes(fake_api) == []


def test_instance_chooses_among_namesakes(fake_api: FakeServer) -> None:
    backup = make_backup(fake_api)
    twin = twin_on_another_instance(fake_api, backup)
    result = run(fake_api, "-o", "json", "delete", "backup-4f57", "--instance", OTHER_INSTANCE,
                 "--yes")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["backup_id"] == twin
    assert [path.rsplit("/", 1)[1] for path in deletes(fake_api)] == [twin]


def test_an_id_of_another_instance_is_refused_when_instance_is_given(fake_api: FakeServer) -> None:
    backup = make_backup(fake_api)
    result = run(fake_api, "delete", backup["id"], "--instance", OTHER_INSTANCE, "--yes")
    assert result.returncode == 3, result.stderr
    assert "not a backup of instance" in result.stderr
    assert deletes(fake_api) == []
