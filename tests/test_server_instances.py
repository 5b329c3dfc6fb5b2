"""The reference server's instances, in-process: listInstances, restores to a new instance
(createInstance with restore_info) and their refusals, restorable windows, deleteInstance and
what it does to backups. A hand-moved clock replaces waiting."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
from server_helpers import (
    BACKUPS_PATH,
    CREATE_PATH,
    INSTANCE_ID,
    JOBS_PATH,
    PROJECT_ID,
    TOKEN,
    FakeClock,
)
from starlette.testclient import TestClient

from geminidb_backup.server import ServerConfig, create_app
from geminidb_backup.server.config import example_instance
from geminidb_backup.server.errors import catalogue
from geminidb_backup.server.instances import Instance
from geminidb_backup.server.validation import Router, compile_operations
from geminidb_backup.spec import component_validator, load_spec

INSTANCES_PATH = f"/v3/{PROJECT_ID}/instances"
RESTORE_SECONDS = 60.0
BACKUP_SECONDS = 30.0


def _example(name: str) -> dict[str, Any]:
    operation = load_spec()["paths"]["/v3/{project_id}/instances"]["post"]
    value = operation["requestBody"]["content"]["application/json"]["examples"][name]["value"]
    return copy.deepcopy(value)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(clock: FakeClock) -> TestClient:
    config = ServerConfig(
        tokens=frozenset({TOKEN}),
        backup_seconds=BACKUP_SECONDS,
        restore_seconds=RESTORE_SECONDS,
        instances=(example_instance(), Instance(PROJECT_ID, "big" + "0" * 29 + "in06", "big-one",
                                                 node_count=6, storage_gb=500)),
    )  # fmt: skip
    return TestClient(create_app(config, clock=clock), headers={"X-Auth-Token": TOKEN})


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error_code"] == code, body
    assert body["error_msg"].startswith(catalogue()[code].message.split("{")[0])


def instances(client: TestClient, **query: Any) -> dict[str, Any]:
    response = client.get(INSTANCES_PATH, params=query)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    component_validator("ListInstancesResponse").validate(body)
    return body


def instance(client: TestClient, instance_id: str) -> dict[str, Any] | None:
    found = instances(client, id=instance_id)["instances"]
    return found[0] if found else None


def job(client: TestClient, job_id: str) -> dict[str, Any]:
    response = client.get(JOBS_PATH, params={"id": job_id})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()["jobs"][0]
    return found


def manual_backup(client: TestClient, clock: FakeClock, name: str = "backup-4f57") -> str:
    response = client.post(CREATE_PATH, json={"name": name, "description": ""})
    assert response.status_code == 202, response.text
    clock.advance(BACKUP_SECONDS)
    return str(response.json()["backup_id"])


def restore(client: TestClient, **restore_info: Any) -> httpx.Response:
    body = _example("restoreBackup")
    body["restore_info"] = restore_info
    return client.post(INSTANCES_PATH, json=body)


# --- listInstances ---------------------------------------------------------------------------


def test_the_seeded_instances_are_listed_with_what_a_restore_copies(client: TestClient) -> None:
    listed = instances(client)
    assert listed["total_count"] == 2
    example = next(i for i in listed["instances"] if i["id"] == INSTANCE_ID)
    assert example["status"] == "normal" and example["actions"] == []
    assert example["datastore"] == {"type": "cassandra", "version": "3.11"}
    assert len(example["groups"][0]["nodes"]) == 3
    assert example["groups"][0]["volume"]["size"] == "100"
    big = next(i for i in listed["instances"] if i["name"] == "big-one")
    assert len(big["groups"][0]["nodes"]) == 6 and big["groups"][0]["volume"]["size"] == "500"


def test_filters_and_paging(client: TestClient) -> None:
    assert [i["name"] for i in instances(client, name="big-one")["instances"]] == ["big-one"]
    assert [i["name"] for i in instances(client, name="*g-o")["instances"]] == ["big-one"]
    assert instances(client, name="big")["total_count"] == 0
    assert instances(client, id="*" + INSTANCE_ID[4:12])["instances"][0]["id"] == INSTANCE_ID
    assert instances(client, mode="CloudNativeCluster")["total_count"] == 0
    page = instances(client, limit=1, offset=1)
    assert page["total_count"] == 2 and len(page["instances"]) == 1
    assert_error(client.get(INSTANCES_PATH, params={"limit": 0}), 400, "DBS.280439")
    assert_error(client.get(INSTANCES_PATH, params={"offset": -1}), 400, "DBS.280440")
    assert_error(client.get("/v3/nosuchproject/instances"), 400, "DBS.280408")


# --- restore from a backup -------------------------------------------------------------------


def test_a_restore_is_creating_then_normal_with_the_source_version(
    client: TestClient, clock: FakeClock
) -> None:
    backup_id = manual_backup(client, clock)
    response = restore(client, backup_id=backup_id)
    assert response.status_code == 202, response.text
    accepted = response.json()
    component_validator("CreateInstanceResponse").validate(accepted)
    new = instance(client, accepted["id"])
    assert new is not None
    assert (new["status"], new["actions"]) == ("creating", ["RESTORE"])
    started = job(client, accepted["job_id"])
    assert (started["name"], started["status"]) == ("RestoreNewInstance", "Running")
    assert started["instance"] == {"id": accepted["id"], "name": "cassandra-restored"}
    # The backup a running restore reads cannot be deleted.
    assert_error(client.delete(f"/v3/{PROJECT_ID}/backups/{backup_id}"), 400, "DBS.201319")
    clock.advance(RESTORE_SECONDS)
    new = instance(client, accepted["id"])
    assert new is not None
    assert (new["status"], new["actions"]) == ("normal", [])
    assert new["datastore"]["version"] == "3.11"
    assert job(client, accepted["job_id"])["status"] == "Completed"
    assert client.delete(f"/v3/{PROJECT_ID}/backups/{backup_id}").status_code == 202


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"num": "2"}, "DBS.200001"),  # below the schema's 3 nodes
        ({"size": "99"}, "DBS.200001"),
        ({"storage": "SATA"}, "DBS.200001"),
    ],
)
def test_a_flavor_that_breaks_its_rules_is_refused(
    client: TestClient, clock: FakeClock, change: dict[str, str], code: str
) -> None:
    body = _example("restoreBackup")
    body["restore_info"] = {"backup_id": manual_backup(client, clock)}
    body["flavor"][0].update(change)
    assert_error(client.post(INSTANCES_PATH, json=body), 400, code)


def test_a_restore_needs_at_least_the_source_nodes_and_storage(
    client: TestClient, clock: FakeClock
) -> None:
    big = "big" + "0" * 29 + "in06"
    response = client.post(f"/v3/{PROJECT_ID}/instances/{big}/backups",
                           json={"name": "big-backup", "description": ""})  # fmt: skip
    clock.advance(BACKUP_SECONDS)
    backup_id = response.json()["backup_id"]
    body = _example("restoreBackup")
    body["restore_info"] = {"backup_id": backup_id}
    assert_error(client.post(INSTANCES_PATH, json=body), 400, "DBS.301024")  # 3 < 6 nodes
    body["flavor"][0].update(num="6")
    assert_error(client.post(INSTANCES_PATH, json=body), 400, "DBS.301024")  # 100 < 500 GB
    body["flavor"][0].update(size="500")
    assert client.post(INSTANCES_PATH, json=body).status_code == 202


@pytest.mark.parametrize(
    "restore_info",
    [
        {},
        {"source_instance_id": INSTANCE_ID},
        {"restore_time": 1},
        {"backup_id": "b", "source_instance_id": INSTANCE_ID, "restore_time": 1},
        {"backup_id": "b", "restore_time": 1},
    ],
)
def test_restore_info_is_either_a_backup_or_an_instance_and_a_time(
    client: TestClient, restore_info: dict[str, Any]
) -> None:
    assert_error(restore(client, **restore_info), 400, "DBS.301024")


def test_a_restore_of_what_cannot_be_restored_is_refused(
    client: TestClient, clock: FakeClock
) -> None:
    assert_error(restore(client, backup_id="nosuchbackup"), 400, "DBS.201214")
    building = client.post(CREATE_PATH, json={"name": "building", "description": ""})
    assert_error(restore(client, backup_id=building.json()["backup_id"]), 400, "DBS.301024")
    clock.advance(BACKUP_SECONDS)
    body = _example("restoreBackup")
    body["restore_info"] = {"backup_id": manual_backup(client, clock, "other")}
    body["datastore"]["version"] = "4.0"
    assert_error(client.post(INSTANCES_PATH, json=body), 400, "DBS.301024")


def test_a_restored_instance_is_busy_until_ready_and_can_be_deleted_meanwhile(
    client: TestClient, clock: FakeClock
) -> None:
    accepted = restore(client, backup_id=manual_backup(client, clock)).json()
    backups_path = f"/v3/{PROJECT_ID}/instances/{accepted['id']}/backups"
    assert_error(client.post(backups_path, json={"name": "early", "description": ""}), 403,
                 "DBS.200019")  # fmt: skip
    deleted = client.delete(f"{INSTANCES_PATH}/{accepted['id']}")
    assert deleted.status_code == 202, deleted.text
    assert job(client, deleted.json()["job_id"])["name"] == "DeleteInstance"


def test_a_failed_restore_ends_createfail(client: TestClient, clock: FakeClock) -> None:
    server = client.app
    backup_id = manual_backup(client, clock)
    server.store.queue_failure("disk full", PROJECT_ID, INSTANCE_ID, kind="restore")  # type: ignore[attr-defined]
    accepted = restore(client, backup_id=backup_id).json()
    clock.advance(RESTORE_SECONDS)
    assert instance(client, accepted["id"])["status"] == "createfail"  # type: ignore[index]
    ended = job(client, accepted["job_id"])
    assert (ended["status"], ended["fail_reason"]) == ("Failed", "disk full")


# --- point in time -----------------------------------------------------------------------------


def periods(client: TestClient, instance_id: str, **query: Any) -> dict[str, Any]:
    response = client.get(
        f"{INSTANCES_PATH}/{instance_id}/backups/restorable-time-periods", params=query
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    component_validator("ListRestorableTimePeriodsResponse").validate(body)
    return body


def test_restorable_windows_follow_the_backups(client: TestClient, clock: FakeClock) -> None:
    # The seeded automated backup began a day ago and took 300 s: the window runs from its end.
    window = periods(client, INSTANCE_ID)["restorable_time_periods"]
    now_ms = int(clock() * 1000)
    assert window == [{"start_time": now_ms - 86_400_000 + 300_000, "end_time": now_ms}]
    clipped = periods(
        client, INSTANCE_ID, start_time="2000-01-01T00:00:00+0000",
        end_time="2000-01-02T00:00:00Z",
    )  # fmt: skip
    assert clipped == {"total_count": 0, "restorable_time_periods": []}
    path = f"{INSTANCES_PATH}/{INSTANCE_ID}/backups/restorable-time-periods"
    reversed_query = {"start_time": "2019-05-28T00:00:00+0000", "end_time": "2019-05-27T00:00:00Z"}
    assert_error(client.get(path, params=reversed_query), 400, "DBS.200001")
    assert_error(client.get(f"{INSTANCES_PATH}/nosuch/backups/restorable-time-periods"), 404,
                 "DBS.200002")  # fmt: skip


def test_a_point_in_time_restore_inside_a_window_and_outside(
    client: TestClient, clock: FakeClock
) -> None:
    now_ms = int(clock() * 1000)
    inside = restore(client, source_instance_id=INSTANCE_ID, restore_time=now_ms - 3_600_000)
    assert inside.status_code == 202, inside.text
    assert job(client, inside.json()["job_id"])["name"] == "RestoreNewInstance"
    too_old = now_ms - 2 * 86_400_000
    assert_error(restore(client, source_instance_id=INSTANCE_ID, restore_time=too_old), 400,
                 "DBS.201215")  # fmt: skip
    future = now_ms + 3_600_000
    assert_error(restore(client, source_instance_id=INSTANCE_ID, restore_time=future), 400,
                 "DBS.201215")  # fmt: skip
    assert_error(restore(client, source_instance_id="nosuch", restore_time=now_ms), 404,
                 "DBS.200002")  # fmt: skip


# --- deleteInstance ------------------------------------------------------------------------------


def test_deleting_an_instance_removes_its_automated_backups_and_keeps_its_manual_ones(
    client: TestClient, clock: FakeClock
) -> None:
    manual_id = manual_backup(client, clock)
    response = client.delete(f"{INSTANCES_PATH}/{INSTANCE_ID}")
    assert response.status_code == 202, response.text
    assert instance(client, INSTANCE_ID)["actions"] == ["DELETE"]  # type: ignore[index]
    assert_error(client.delete(f"{INSTANCES_PATH}/{INSTANCE_ID}"), 403, "DBS.200019")
    clock.advance(BACKUP_SECONDS)
    assert instance(client, INSTANCE_ID) is None
    assert job(client, response.json()["job_id"])["status"] == "Completed"
    left = client.get(BACKUPS_PATH, params={"instance_id": INSTANCE_ID}).json()["backups"]
    assert [(b["id"], b["type"]) for b in left] == [(manual_id, "Manual")]
    assert_error(client.delete(f"{INSTANCES_PATH}/{INSTANCE_ID}"), 404, "DBS.200002")
    assert_error(client.post(CREATE_PATH, json={"name": "gone", "description": ""}), 404,
                 "DBS.200002")  # fmt: skip
    # The manual backup of the deleted instance still restores.
    assert restore(client, backup_id=manual_id).status_code == 202


def test_an_instance_running_a_backup_cannot_be_deleted(client: TestClient) -> None:
    assert client.post(CREATE_PATH, json={"name": "running", "description": ""}).is_success
    assert_error(client.delete(f"{INSTANCES_PATH}/{INSTANCE_ID}"), 403, "DBS.200019")


def test_a_literal_path_segment_wins_over_a_parameter() -> None:
    operations = compile_operations()
    delete_instance = next(op for op in operations if op.operation_id == "deleteInstance")
    batch = type(delete_instance)(**{**delete_instance.__dict__,
                                     "template": "/v3/{project_id}/instances/backups",
                                     "operation_id": "batchDelete"})  # fmt: skip
    # Whatever the order the spec lists them in.
    for listed in ([delete_instance, batch], [batch, delete_instance]):
        found = Router(listed).match(f"/v3/{PROJECT_ID}/instances/backups")
        assert found is not None
        assert found[0]["DELETE"].operation_id == "batchDelete"
