"""The library's calls beyond create, against the emulator: the automated backup policy, stopping
a backup, and deleting any number of backups in batches; sync and async."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time

import pytest

from geminidb_backup import BackupPolicy, ValidationError
from geminidb_backup.testing import Emulator

DAY = 86_400.0
MONDAY = datetime(2027, 1, 4, tzinfo=UTC).timestamp()


def test_a_policy_is_set_typed_read_back_and_turned_off() -> None:
    with Emulator(start=MONDAY) as emulator, emulator.client() as client:
        instance = emulator.instance_id
        assert client.get_backup_policy(instance) == BackupPolicy.off()
        sent = client.set_backup_policy(
            instance, keep_days=7, window="01:00-02:00", weekdays="mon-fri"
        )
        assert sent == BackupPolicy(7, time(1, 0), (1, 2, 3, 4, 5))
        assert client.get_backup_policy(instance) == sent
        assert sent.describe() == "keep 7 days, 01:00-02:00 UTC, mon,tue,wed,thu,fri"
        client.set_backup_policy(instance, disable=True)
        assert not client.get_backup_policy(instance).enabled


@pytest.mark.parametrize(
    ("arguments", "field", "code"),
    [
        ({"keep_days": 3, "window": "01:00-02:00", "weekdays": "mon"}, "period", "DBS.280215"),
        ({"keep_days": 40, "window": "01:00-02:00"}, "keep_days", "DBS.280214"),
        ({"keep_days": 7, "window": "01:10-02:10"}, "start_time", "DBS.280216"),
    ],
)
def test_a_policy_breaking_a_rule_is_refused_before_sending(
    arguments: dict[str, object], field: str, code: str
) -> None:
    with Emulator(start=MONDAY) as emulator, emulator.client() as client:
        with pytest.raises(ValidationError) as refused:
            client.set_backup_policy(emulator.instance_id, **arguments)  # type: ignore[arg-type]
        assert field in str(refused.value)
        assert emulator.state()["jobs"] == [] or all(
            job["name"] != "SetBackupPolicy" for job in emulator.state()["jobs"]
        )


def test_the_one_hour_rule_comes_from_x_request_rules() -> None:
    policy = BackupPolicy(7, time(1, 0), (1,))
    body = {"backup_policy": {**policy.to_api(), "start_time": "01:00-03:00"}}
    from geminidb_backup import _calls
    from geminidb_backup_client.api.policy import set_backup_policy
    from geminidb_backup_client.models import SetBackupPolicyRequest

    with pytest.raises(ValidationError, match="DBS.280216"):
        _calls.build(
            "setBackupPolicy",
            set_backup_policy,
            {"project_id": "p", "instance_id": "i"},
            body=SetBackupPolicyRequest.from_dict(body),
            idempotent=True,
        )


def test_a_retention_policy_over_30_emulated_days() -> None:
    with Emulator(start=MONDAY, policy="7/01:00-02:00/1-7", auto_backups=False) as emulator:
        emulator.advance(30 * DAY)
        automated = [b for b in emulator.backups() if b.type_ == "Auto"]
        assert len(automated) == 7  # one a day, the last 7 days kept
        assert all(b.status == "COMPLETED" for b in automated)
        made = [j for j in emulator.jobs() if j.name == "BackupInstance"]
        assert len(made) == 30


def test_stop_returns_the_job_and_the_backup_ends_failed() -> None:
    with Emulator(start=MONDAY, backup_seconds=600) as emulator, emulator.client() as client:
        created = client.create_backup(emulator.instance_id, "to-stop")
        job_id = client.stop_backup(created.backup_id)
        emulator.advance(600)
        assert client.get_job(job_id).status == "Completed"
        assert client.get_backup(created.backup_id).status == "FAILED"


def test_delete_backups_runs_batches_of_ten_and_reports_each_refusal() -> None:
    with Emulator(start=MONDAY) as emulator, emulator.client() as client:
        ids = [
            client.create_backup(emulator.instance_id, f"many-{i:02d}").backup_id for i in range(23)
        ]
        automated = [b.id for b in emulator.backups() if b.type_ == "Auto"]
        result = client.delete_backups([*ids, *automated, "nosuchbackup"])
        assert sorted(result.deleted) == sorted(ids)
        assert {key: error.error_code for key, error in result.refused.items()} == {
            automated[0]: "DBS.280032",
            "nosuchbackup": "DBS.201214",
        }
        batches = [j for j in emulator.jobs() if j.name == "DeleteBackup"]
        assert len(batches) == 23
        assert {b.id for b in emulator.backups()} == set(automated)


def test_the_async_twins() -> None:
    async def scenario(emulator: Emulator) -> None:
        async with emulator.async_client() as client:
            instance = emulator.instance_id
            await client.set_backup_policy(
                instance, keep_days=14, window="23:00-00:00", weekdays=[7]
            )
            assert (await client.get_backup_policy(instance)).window == "23:00-00:00"
            created = await client.create_backup(instance, "to-delete")
            result = await client.delete_backups([created.backup_id])
            assert result.deleted == [created.backup_id] and not result.refused

    with Emulator(start=MONDAY) as emulator:
        asyncio.run(scenario(emulator))


def test_a_snapshot_keeps_the_policies() -> None:
    with Emulator(start=MONDAY, auto_backups=False) as emulator:
        snapshot = emulator.snapshot()
        emulator.set_backup_policy("7/01:00-02:00/mon-fri")
        emulator.advance(7 * DAY)
        assert len([b for b in emulator.backups() if b.type_ == "Auto"]) == 5
        later = emulator.snapshot()
        emulator.restore_snapshot(snapshot)
        assert emulator.backup_policies()[emulator.instance_id] == {"keep_days": 0}
        emulator.restore_snapshot(later)
        assert emulator.backup_policies()[emulator.instance_id]["period"] == "1,2,3,4,5"


def test_serves_policy_option_reads_names_ranges_and_defaults() -> None:
    from geminidb_backup.server.config import parse_policy

    assert parse_policy("7") == {
        "keep_days": 7,
        "start_time": "00:00-01:00",
        "period": "1,2,3,4,5,6,7",
    }
    assert parse_policy("14/23:00-00:00/mon,wed-fri")["period"] == "1,3,4,5"
    assert parse_policy("0") == {"keep_days": 0}
    with pytest.raises(ValueError, match="every day"):
        parse_policy("3/01:00-02:00/mon")
