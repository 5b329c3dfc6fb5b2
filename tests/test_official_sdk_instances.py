"""The official Huawei Cloud SDK (huaweicloudsdkgaussdbfornosql), signing with AK/SK, against
`geminidb-backup serve`: list_instances, create_instance with restore_info (from a backup and to
a point in time), list_restore_time and delete_instance work as they would against the cloud."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from server_helpers import INSTANCE_ID, PROJECT_ID, serve

sdk = pytest.importorskip("huaweicloudsdkgaussdbfornosql.v3")
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

ACCESS_KEY, SECRET_KEY = "AKTESTINSTANCES", "sk-instances-secret"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    db = str(tmp_path_factory.mktemp("sdk") / "state.sqlite3")
    args = ["--port", "0", "--db", db, "--access-key", f"{ACCESS_KEY}:{SECRET_KEY}",
            "--backup-seconds", "0", "--restore-seconds", "0"]  # fmt: skip
    with serve(args) as server:
        yield (
            sdk.GaussDBforNoSQLClient.new_builder()
            .with_credentials(BasicCredentials(ACCESS_KEY, SECRET_KEY, PROJECT_ID))
            .with_endpoints([server.url])
            .build()
        )


def restore_body(name: str, restore_info: Any) -> Any:
    listed = CLIENT_CACHE["source"]
    flavor = sdk.CreateInstanceFlavorOption(
        num=str(len(listed.groups[0].nodes)), storage="ULTRAHIGH",
        size=listed.groups[0].volume.size, spec_code=listed.groups[0].nodes[0].spec_code,
    )  # fmt: skip
    datastore = sdk.DatastoreOption(
        type="cassandra", version=listed.datastore.version, storage_engine="rocksDB"
    )
    return sdk.CreateInstanceRequestBody(
        name=name,
        datastore=datastore,
        region=listed.region, availability_zone=listed.availability_zone, vpc_id=listed.vpc_id,
        subnet_id=listed.subnet_id, security_group_id=listed.security_group_id,
        password="Sdk-restore-1", mode=listed.mode, flavor=[flavor], restore_info=restore_info,
    )  # fmt: skip


CLIENT_CACHE: dict[str, Any] = {}


def test_the_official_sdk_lists_restores_and_deletes_instances(client: Any) -> None:
    listed = client.list_instances(sdk.ListInstancesRequest(id=INSTANCE_ID))
    assert listed.total_count == 1
    source = listed.instances[0]
    assert (source.id, source.status, source.datastore.type) == (INSTANCE_ID, "normal", "cassandra")
    CLIENT_CACHE["source"] = source

    periods = client.list_restore_time(sdk.ListRestoreTimeRequest(instance_id=INSTANCE_ID))
    assert periods.total_count == 1
    window = periods.restorable_time_periods[0]
    assert window.start_time < window.end_time

    backup = client.create_instance(sdk.CreateInstanceRequest(body=restore_body(
        "sdk-restore-backup",
        sdk.RestoreInfo(backup_id=_automated_backup_id(client)),
    )))  # fmt: skip
    assert backup.status == "creating" and backup.job_id
    pitr = client.create_instance(sdk.CreateInstanceRequest(body=restore_body(
        "sdk-restore-pitr",
        sdk.RestoreInfo(source_instance_id=INSTANCE_ID, restore_time=window.end_time - 1000),
    )))  # fmt: skip
    time.sleep(0.1)  # restores take 0 s here; the clock must only pass their end
    job = client.list_jobs(sdk.ListJobsRequest(id=pitr.job_id)).jobs[0]
    assert (job.name, job.status) == ("RestoreNewInstance", "Completed")
    restored = client.list_instances(sdk.ListInstancesRequest(name="*sdk-restore"))
    assert {(i.name, i.status) for i in restored.instances} == {
        ("sdk-restore-backup", "normal"), ("sdk-restore-pitr", "normal"),
    }  # fmt: skip

    deleted = client.delete_instance(sdk.DeleteInstanceRequest(instance_id=backup.id))
    assert deleted.job_id
    time.sleep(0.1)
    assert client.list_instances(sdk.ListInstancesRequest(id=backup.id)).total_count == 0
    with pytest.raises(ClientRequestException) as refused:
        client.create_instance(sdk.CreateInstanceRequest(body=restore_body(
            "sdk-too-old",
            sdk.RestoreInfo(source_instance_id=INSTANCE_ID, restore_time=window.start_time - 1),
        )))  # fmt: skip
    assert (refused.value.status_code, refused.value.error_code) == (400, "DBS.201215")


def _automated_backup_id(client: Any) -> str:
    backups = client.list_backups(sdk.ListBackupsRequest(instance_id=INSTANCE_ID))
    return str(backups.backups[0].id)
