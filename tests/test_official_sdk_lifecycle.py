"""The official SDK (huaweicloudsdkgaussdbfornosql, the dev group) against the emulator on a
loopback port, signed with AK/SK: set_backup_policy, show_backup_policy, show_backup_policies,
stop_backup and batch_delete_manual_backup, with the SDK's own models."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from geminidb_backup.testing import Emulator

sdk = pytest.importorskip("huaweicloudsdkgaussdbfornosql.v3")
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.http.http_config import HttpConfig

ACCESS_KEY = "HPUAEXAMPLESDKACCESSKEY"
SECRET_KEY = "sdk-secret-key-0123456789"
MONDAY = datetime(2027, 1, 4, tzinfo=UTC).timestamp()


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(
        start=MONDAY, backup_seconds=600, access_keys={ACCESS_KEY: SECRET_KEY}
    ) as running:
        running.serve()
        yield running


@pytest.fixture
def client(emulator: Emulator) -> object:
    config = HttpConfig.get_default_config()
    config.retry_times = 0
    credentials = BasicCredentials(ACCESS_KEY, SECRET_KEY, emulator.project_id)
    return (
        sdk.GaussDBforNoSQLClient.new_builder()
        .with_http_config(config)
        .with_credentials(credentials)
        .with_endpoints([emulator.url])
        .build()
    )


def test_the_sdk_sets_and_shows_the_policy(emulator: Emulator, client: object) -> None:
    policy = sdk.BackupPolicy(keep_days=7, start_time="01:00-02:00", period="1,2,3,4,5")
    request = sdk.SetBackupPolicyRequest(
        instance_id=emulator.instance_id, body=sdk.SetBackupPolicyRequestBody(backup_policy=policy)
    )
    client.set_backup_policy(request)  # type: ignore[attr-defined]
    shown = client.show_backup_policy(  # type: ignore[attr-defined]
        sdk.ShowBackupPolicyRequest(instance_id=emulator.instance_id)
    )
    assert (
        shown.backup_policy.keep_days,
        shown.backup_policy.start_time,
        shown.backup_policy.period,
    ) == (7, "01:00-02:00", "1,2,3,4,5")
    current = client.show_backup_policies(  # type: ignore[attr-defined]
        sdk.ShowBackupPoliciesRequest(instance_id=emulator.instance_id)
    )
    assert current.backup_policy.keep_days == 7
    off = sdk.SetBackupPolicyRequestBody(backup_policy=sdk.BackupPolicy(keep_days=0))
    client.set_backup_policy(  # type: ignore[attr-defined]
        sdk.SetBackupPolicyRequest(instance_id=emulator.instance_id, body=off)
    )
    assert emulator.backup_policies()[emulator.instance_id] == {"keep_days": 0}


def test_the_sdk_refusal_of_a_bad_policy_carries_the_code(
    emulator: Emulator, client: object
) -> None:
    bad = sdk.SetBackupPolicyRequestBody(
        backup_policy=sdk.BackupPolicy(keep_days=3, start_time="01:00-02:00", period="1")
    )
    with pytest.raises(ClientRequestException) as refused:
        client.set_backup_policy(  # type: ignore[attr-defined]
            sdk.SetBackupPolicyRequest(instance_id=emulator.instance_id, body=bad)
        )
    assert (refused.value.status_code, refused.value.error_code) == (400, "DBS.280215")


def test_the_sdk_stops_a_backup_and_deletes_a_batch(emulator: Emulator, client: object) -> None:
    with emulator.client() as ours:
        first = ours.create_backup(emulator.instance_id, "sdk-first")
        stopped = client.stop_backup(  # type: ignore[attr-defined]
            sdk.StopBackupRequest(
                backup_id=first.backup_id, body=sdk.StopBackupRequestBody(action="stop")
            )
        )
        emulator.advance(600)
        assert ours.get_job(stopped.job_id).name == "StopBackup"
        assert ours.get_backup(first.backup_id).status == "FAILED"
        second = ours.create_backup(emulator.instance_id, "sdk-second")
        emulator.advance(600)
    body = sdk.BatchDeleteManualBackupRequestBody(backup_ids=[first.backup_id, second.backup_id])
    client.batch_delete_manual_backup(  # type: ignore[attr-defined]
        sdk.BatchDeleteManualBackupRequest(body=body)
    )
    emulator.advance(600)
    assert {b.type_ for b in emulator.backups()} == {"Auto"}
