"""The library's instance calls against the in-process emulator: list, restore (from a backup,
to a point in time), wait until ready, delete, restorable windows, and the restore drill, on
both clients. The emulator's clock is the clients' clock, so waits take no real time."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from geminidb_backup import BackupClient
from geminidb_backup.client import Restore
from geminidb_backup.errors import JobFailed, NotFound, ValidationError
from geminidb_backup.restoring import is_drill_name
from geminidb_backup.server.instances import Instance
from geminidb_backup.spec import component_validator
from geminidb_backup.testing import Emulator

RESTORE_SECONDS = 600.0
BACKUP_SECONDS = 60.0


@pytest.fixture
def emulator() -> Any:
    big = Instance("", "", "")  # only to read the defaults below
    instances = [
        Instance("p" * 32, "a4d8ea2584e047439a667703c0684119in06", "cassandra-prod"),
        Instance("p" * 32, "b" * 32 + "in06", "cassandra-big", node_count=6,
                 storage_gb=2 * big.storage_gb),
    ]  # fmt: skip
    with Emulator(
        backup_seconds=BACKUP_SECONDS,
        restore_seconds=RESTORE_SECONDS,
        instances=instances,
    ) as emulator:
        yield emulator


@pytest.fixture
def client(emulator: Emulator) -> Any:
    with emulator.client() as client:
        yield client


def backed_up(client: BackupClient, instance_id: str, name: str = "backup-4f57") -> str:
    created = client.create_backup(instance_id, name)
    client.wait(created.job_id)
    return created.backup_id


def test_instances_are_listed_and_found(client: BackupClient, emulator: Emulator) -> None:
    instances = client.iter_instances()
    listed = list(instances)
    assert instances.total_count == 2
    assert {i.name for i in listed} == {"cassandra-prod", "cassandra-big"}
    assert [i.name for i in client.list_instances(name="*big")] == ["cassandra-big"]
    assert client.get_instance(emulator.instance_id).name == "cassandra-prod"
    with pytest.raises(NotFound):
        client.get_instance("nosuch")


def test_a_restore_copies_the_source_and_returns_the_password_once(
    client: BackupClient, emulator: Emulator
) -> None:
    backup_id = backed_up(client, emulator.instance_id)
    restore = client.restore(backup_id=backup_id, name="restored-1")
    assert restore.source_instance_id == emulator.instance_id and restore.password is not None
    password = restore.password.reveal()
    assert password not in repr(restore) and password not in str(restore)
    component_validator("InstancePassword").validate(password)
    creating = client.get_instance(restore.instance_id)
    assert (creating.status, creating.actions) == ("creating", ["RESTORE"])
    ready = client.wait_ready(restore.instance_id, job_id=restore.job_id)
    source = client.get_instance(emulator.instance_id)
    assert ready.status == "normal" and ready.datastore.version == source.datastore.version
    for field in ("region", "availability_zone", "vpc_id", "subnet_id", "security_group_id",
                  "mode"):  # fmt: skip
        assert getattr(ready, field) == getattr(source, field)
    assert ready.groups[0].volume.size == source.groups[0].volume.size
    assert len(ready.groups[0].nodes) == len(source.groups[0].nodes)
    assert client.get_job(restore.job_id).name == "RestoreNewInstance"


def test_a_given_password_is_used_and_not_returned(
    client: BackupClient, emulator: Emulator
) -> None:
    backup_id = backed_up(client, emulator.instance_id)
    restore = client.restore(backup_id=backup_id, name="restored-2", password="Given-pass-1")
    assert restore.password is None
    with pytest.raises(ValidationError) as caught:
        client.restore(backup_id=backup_id, name="restored-3", password="weakpassword")
    assert "weakpassword" not in str(caught.value)


def test_overrides_and_the_source_minimum(client: BackupClient, emulator: Emulator) -> None:
    backup_id = backed_up(client, "b" * 32 + "in06")
    with pytest.raises(ValidationError, match="below the source's 6"):
        client.restore(backup_id=backup_id, name="too-small", nodes=3)
    restore = client.restore(backup_id=backup_id, name="bigger", nodes=7, storage_gb=300,
                             availability_zone="eu-de-02", wait=True)  # fmt: skip
    assert restore.ready is not None
    assert len(restore.ready.groups[0].nodes) == 7
    assert restore.ready.availability_zone == "eu-de-02"


def test_a_point_in_time_restore(client: BackupClient, emulator: Emulator) -> None:
    periods = client.restorable_periods(emulator.instance_id)
    assert len(periods) == 1 and periods[0].start < periods[0].end
    at = periods[0].end - timedelta(minutes=5)
    restore = client.restore(instance_id=emulator.instance_id, at=at, name="pitr-1", wait=True)
    assert restore.restore_time == at and restore.ready is not None
    with pytest.raises(ValidationError, match="at is required"):
        client.restore(instance_id=emulator.instance_id, name="pitr-2")
    with pytest.raises(ValidationError, match="either backup_id"):
        client.restore(name="pitr-3")


def test_deleting_an_instance(client: BackupClient, emulator: Emulator) -> None:
    job_id = client.delete_instance(emulator.instance_id, wait=True)
    assert client.get_job(job_id).name == "DeleteInstance"
    with pytest.raises(NotFound):
        client.get_instance(emulator.instance_id)


def test_a_failed_restore_raises_when_waited_for(client: BackupClient, emulator: Emulator) -> None:
    backup_id = backed_up(client, emulator.instance_id)
    emulator.fail_next_restore("no space left")
    with pytest.raises(JobFailed, match="no space left"):
        client.restore(backup_id=backup_id, name="failing", wait=True)


# --- drills -------------------------------------------------------------------------------------


def test_a_drill_restores_the_newest_backup_checks_it_and_deletes_it(
    client: BackupClient, emulator: Emulator
) -> None:
    backed_up(client, emulator.instance_id, "older")
    newest = backed_up(client, emulator.instance_id, "newer")
    steps: list[str] = []
    result = client.drill(emulator.instance_id, on_step=steps.append)
    assert result.passed, result
    assert (result.backup_id, result.backup_name) == (newest, "newer")
    assert result.restored_name is not None and is_drill_name(result.restored_name)
    assert result.cleaned and result.seconds >= RESTORE_SECONDS
    assert [s.split()[0] for s in steps] == ["restoring", "waiting", "deleting"]
    names = {i.name for i in client.list_instances()}
    assert names == {"cassandra-prod", "cassandra-big"}  # nothing left behind
    jobs = {job.name for job in emulator.jobs()}
    assert {"RestoreNewInstance", "DeleteInstance"} <= jobs


def test_a_drill_of_an_instance_without_completed_backups_fails_clearly(
    client: BackupClient, emulator: Emulator
) -> None:
    client.create_backup("b" * 32 + "in06", "running")  # BUILDING; no automated backup
    result = client.drill("b" * 32 + "in06")
    # The seeded automated backup completed the night before: it is what a drill restores.
    assert result.backup_name is not None and result.backup_name.startswith("autobackup_")
    emulator.reset()
    with Emulator(auto_backups=False) as bare, bare.client() as other:
        failed = other.drill(bare.instance_id)
    assert not failed.passed and failed.error == "the instance has no completed backup to restore"
    assert failed.restored_id is None


def test_a_failed_restore_fails_the_drill_and_still_cleans_up(
    client: BackupClient, emulator: Emulator
) -> None:
    backed_up(client, emulator.instance_id)
    emulator.fail_next_restore("corrupt backup")
    result = client.drill(emulator.instance_id)
    assert not result.passed and result.error is not None and "corrupt backup" in result.error
    assert result.cleaned
    assert [i.name for i in client.list_instances(name="*drill-")] == []


def test_an_interrupted_drill_deletes_what_it_made(
    client: BackupClient, emulator: Emulator
) -> None:
    backed_up(client, emulator.instance_id)

    def interrupt(step: str) -> None:
        if step.startswith("waiting"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        client.drill(emulator.instance_id, on_step=interrupt)
    left = client.list_instances(name="*drill-")
    assert len(left) == 1 and "DELETE" in left[0].actions  # its deletion was accepted


def test_clean_drills_removes_leftovers_by_name_only(
    client: BackupClient, emulator: Emulator
) -> None:
    backup_id = backed_up(client, emulator.instance_id)
    leftover = client.restore(backup_id=backup_id, name="drill-cassandra-prod-20261206080005")
    mine = client.restore(backup_id=backup_id, name="drill-not-a-drill")
    deleted = client.clean_drills()
    assert [i.id for i in deleted] == [leftover.instance_id]
    assert {i.id for i in client.list_instances(name="*drill-")} == {mine.instance_id}


def test_the_async_client_restores_and_drills(emulator: Emulator) -> None:
    async def scenario() -> tuple[Restore, bool]:
        async with emulator.async_client() as client:
            backup = await client.create_backup(emulator.instance_id, "async-backup")
            await client.wait(backup.job_id)
            restore = await client.restore(backup_id=backup.backup_id, name="async-1", wait=True)
            names = [i.name async for i in client.iter_instances()]
            assert "async-1" in names
            result = await client.drill(emulator.instance_id)
            return restore, result.passed

    restore, passed = asyncio.run(scenario())
    assert restore.ready is not None and passed


def test_instances_are_part_of_the_emulators_snapshot(
    client: BackupClient, emulator: Emulator
) -> None:
    snapshot = emulator.snapshot()
    restore = client.restore(backup_id=backed_up(client, emulator.instance_id), name="after")
    client.delete_instance("b" * 32 + "in06", wait=True)
    assert {i.name for i in client.list_instances()} == {"cassandra-prod", "after"}
    emulator.restore_snapshot(snapshot)
    assert {i.name for i in client.list_instances()} == {"cassandra-prod", "cassandra-big"}
    with pytest.raises(NotFound):
        client.get_instance(restore.instance_id)
