"""Retention in the library: which backups a prune selects (no I/O), and ``prune`` of the sync
and async clients against the API stand-in, with a backup gone before its turn."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from fake_api import INSTANCE_ID, PROJECT_ID, TOKEN, FakeServer

from geminidb_backup import ValidationError, expand_name
from geminidb_backup._calls import select_for_pruning
from geminidb_backup.auth import TokenAuth
from geminidb_backup.client import AsyncBackupClient, BackupClient
from geminidb_backup_client.models import Backup

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def backup(name: str, days_ago: float, *, kind: str = "Manual", status: str = "COMPLETED",
           instance: str = INSTANCE_ID) -> Backup:  # fmt: skip
    began = (NOW - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S+0000")
    return Backup.from_dict({
        "id": f"{name}-id", "name": name, "description": "", "instance_id": instance,
        "instance_name": "cassandra-prod", "datastore": {"type": "cassandra", "version": "3.11"},
        "type": kind, "size": 1.0, "status": status, "begin_time": began, "end_time": "",
    })  # fmt: skip


BACKUPS = [
    backup("daily-1", 40), backup("daily-2", 20), backup("daily-3", 10), backup("daily-4", 1),
    backup("weekly-1", 50), backup("auto-1", 60, kind="Auto"),
    backup("daily-5", 0, status="BUILDING"), backup("daily-0", 70, status="FAILED"),
    backup("other-1", 90, instance="another-instance"),
]  # fmt: skip


def names(found: list[Backup]) -> list[str]:
    return [b.name for b in found]


@pytest.mark.parametrize(
    ("rules", "deleted"),
    [
        ({"keep": 2}, ["weekly-1", "daily-1", "daily-2"]),
        ({"keep": 2, "prefix": "daily-"}, ["daily-1", "daily-2"]),
        ({"older_than": timedelta(days=15)}, ["weekly-1", "daily-1", "daily-2"]),
        ({"keep": 4, "older_than": timedelta(days=15)}, ["weekly-1"]),
        ({"keep": 1, "older_than": timedelta(days=30), "prefix": "daily-"}, ["daily-1"]),
        ({"keep": 0, "prefix": "weekly-"}, ["weekly-1"]),
        ({"keep": 10}, []),
    ],
)  # fmt: skip
def test_selection(rules: dict[str, object], deleted: list[str]) -> None:
    doomed, kept = select_for_pruning(BACKUPS, INSTANCE_ID, now=NOW, **{  # type: ignore[arg-type]
        "keep": None, "older_than": None, "prefix": None, **rules})  # fmt: skip
    assert names(doomed) == deleted  # oldest first
    never = {"auto-1", "daily-5", "daily-0", "other-1"}  # automated, building, failed, elsewhere
    assert not never & set(names(doomed)) and not never & set(names(kept))


@pytest.mark.parametrize(
    ("keep", "older_than", "field"),
    [(None, None, "keep"), (-1, None, "keep"), (None, timedelta(0), "older_than")],
)
def test_selection_needs_sane_rules(keep: int | None, older_than: timedelta | None,
                                    field: str) -> None:  # fmt: skip
    with pytest.raises(ValidationError) as raised:
        select_for_pruning(BACKUPS, INSTANCE_ID, keep=keep, older_than=older_than, prefix=None,
                           now=NOW)  # fmt: skip
    assert raised.value.field == field


def test_name_templates() -> None:
    assert expand_name("daily-{now:%Y%m%d}", NOW) == "daily-20261128"
    assert expand_name("plain-name", NOW) == "plain-name"
    assert expand_name("b-{{x}}-{now:%H}", NOW) == "b-{x}-12"
    for template in ("daily-{host}", "daily-{now", "daily-{0}", "x-{now!r}"):
        with pytest.raises(ValidationError):
            expand_name(template, NOW)


def make(client: BackupClient, count: int) -> list[str]:
    made = []
    for index in range(count):
        created = client.create_backup(INSTANCE_ID, f"daily-{index}")
        assert created.job_id is not None
        client.wait(created.job_id, interval=0.05)
        made.append(created.backup_id)
    return made


def test_prune_deletes_the_oldest_and_a_dry_run_nothing(fake_api: FakeServer) -> None:
    fake_api.state.backup_seconds = 0.1
    with BackupClient(fake_api.url, PROJECT_ID, TokenAuth(TOKEN)) as client:
        made = make(client, 4)
        dry = client.prune(INSTANCE_ID, keep=2, dry_run=True)
        assert dry.dry_run and [p.backup.id for p in dry.deleted] == made[:2]
        assert fake_api.state.api_calls("DELETE") == []
        seen = []
        result = client.prune(INSTANCE_ID, keep=2, interval=0.05, on_deleted=seen.append)
        assert [p.backup.id for p in result.deleted] == made[:2] == [p.backup.id for p in seen]
        assert all(p.job_id for p in result.deleted)
        assert sorted(fake_api.state.backups) == sorted(made[2:])


def test_a_backup_gone_before_its_deletion_counts_as_deleted(fake_api: FakeServer) -> None:
    fake_api.state.backup_seconds = 0.1
    with BackupClient(fake_api.url, PROJECT_ID, TokenAuth(TOKEN)) as client:
        made = make(client, 2)
        plan = client.plan_prune(INSTANCE_ID, keep=1)
        # The backup is deleted by someone else before the plan runs: it counts as gone.
        del fake_api.state.backups[made[0]]
        result = client.execute_prune(plan, interval=0.05)
        assert [(p.backup.id, p.job_id) for p in result.deleted] == [(made[0], None)]
        assert list(fake_api.state.backups) == [made[1]]


def test_the_async_prune_does_the_same(fake_api: FakeServer) -> None:
    fake_api.state.backup_seconds = 0.1
    with BackupClient(fake_api.url, PROJECT_ID, TokenAuth(TOKEN)) as client:
        made = make(client, 3)

    async def main() -> list[str]:
        async with AsyncBackupClient(fake_api.url, PROJECT_ID, TokenAuth(TOKEN)) as client:
            plan = await client.plan_prune(INSTANCE_ID, keep=1)
            result = await client.execute_prune(plan, interval=0.05)
            return [p.backup.id for p in result.deleted]

    assert asyncio.run(main()) == made[:2]
    assert list(fake_api.state.backups) == [made[2]]
