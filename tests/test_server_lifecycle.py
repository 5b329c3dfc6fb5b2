"""The reference server beyond create: the automated backup policy (set, shown, driven by the
clock), stopping a backup, and batch deletion, in-process with a hand-moved clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from server_helpers import BACKUPS_PATH, CREATE_PATH, INSTANCE_ID, JOBS_PATH, PROJECT_ID, TOKEN
from starlette.testclient import TestClient

from geminidb_backup.server import ServerConfig, create_app
from geminidb_backup.server.errors import catalogue
from geminidb_backup.server.validation import Router, compile_operations
from geminidb_backup.spec import component_validator

AUTH = {"X-Auth-Token": TOKEN}
POLICY_PATH = f"/v3/{PROJECT_ID}/instances/{INSTANCE_ID}/backups/policy"
POLICY_V31_PATH = f"/v3.1/{PROJECT_ID}/instances/{INSTANCE_ID}/backups/policy"
BATCH_PATH = f"/v3/{PROJECT_ID}/instances/backups"
DAY = 86_400.0
# A Monday, 00:00 UTC.
MONDAY = datetime(2027, 1, 4, tzinfo=UTC).timestamp()


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


MakeClient = Callable[..., TestClient]


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY)


@pytest.fixture
def make_client(clock: Clock) -> MakeClient:
    def make(**settings: Any) -> TestClient:
        settings.setdefault("tokens", frozenset({TOKEN}))
        settings.setdefault("backup_seconds", 600.0)
        return TestClient(create_app(ServerConfig(**settings), clock=clock), headers=AUTH)

    return make


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()


def error_of(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error_code"] == code
    assert body["error_msg"].startswith(catalogue()[code].message.split("{")[0])
    return str(body["error_msg"])


def policy(client: TestClient, path: str = POLICY_PATH) -> dict[str, Any]:
    response = client.get(path)
    assert response.status_code == 200, response.text
    name = "ShowBackupPolicyResponse" if path == POLICY_PATH else "ShowBackupPoliciesResponse"
    component_validator(name).validate(response.json())
    return dict(response.json()["backup_policy"])


def set_policy(client: TestClient, **backup_policy: Any) -> httpx.Response:
    return client.put(POLICY_PATH, json={"backup_policy": backup_policy})


def auto_backups(client: TestClient) -> list[dict[str, Any]]:
    response = client.get(BACKUPS_PATH, params={"backup_type": "Auto"})
    assert response.status_code == 200
    return list(response.json()["backups"])


def test_a_seeded_instance_starts_with_the_policy_off_and_its_automated_backup_as_history(
    client: TestClient, clock: Clock
) -> None:
    assert policy(client) == {"keep_days": 0}
    assert policy(client, POLICY_V31_PATH) == {"keep_days": 0}
    before = auto_backups(client)
    assert len(before) == 1
    clock.advance(60 * DAY)
    assert auto_backups(client) == before


def test_a_policy_set_is_shown_by_both_paths_and_can_be_turned_off(client: TestClient) -> None:
    response = set_policy(client, keep_days=7, start_time="23:00-00:00", period="1,3,5")
    assert response.status_code == 204, response.text
    assert response.content == b""
    shown = {"keep_days": 7, "start_time": "23:00-00:00", "period": "1,3,5"}
    assert policy(client) == shown
    assert policy(client, POLICY_V31_PATH) == {
        **shown,
        "incremental_period": None,
        "differential_period": None,
    }
    assert client.get(POLICY_V31_PATH, params={"type": "DatabaseTable"}).json() == {
        "backup_policy": {"keep_days": 0}
    }
    assert set_policy(client, keep_days=0).status_code == 204
    assert policy(client) == {"keep_days": 0}


@pytest.mark.parametrize(
    ("backup_policy", "code"),
    [
        ({"keep_days": 36, "start_time": "01:00-02:00", "period": "1"}, "DBS.280214"),
        ({"keep_days": -1}, "DBS.280214"),
        ({"keep_days": 7, "start_time": "01:10-02:10", "period": "1"}, "DBS.280216"),
        ({"keep_days": 7, "start_time": "01:00-03:00", "period": "1"}, "DBS.280216"),
        ({"keep_days": 7, "start_time": "01:00-02:15", "period": "1"}, "DBS.280216"),
        ({"keep_days": 7, "start_time": "01:00-02:00", "period": "1,8"}, "DBS.280215"),
        ({"keep_days": 7, "start_time": "01:00-02:00", "period": "3,1"}, "DBS.280215"),
        ({"keep_days": 3, "start_time": "01:00-02:00", "period": "1,2,3"}, "DBS.280215"),
        ({"keep_days": 7, "period": "1"}, "DBS.280040"),
        ({"keep_days": 7, "start_time": "01:00-02:00"}, "DBS.280040"),
        ({"start_time": "01:00-02:00", "period": "1"}, "DBS.280040"),
        ({"keep_days": 0, "start_time": "01:00-02:00"}, "DBS.200001"),
        ({"keep_days": 0, "period": "1,2"}, "DBS.200001"),
    ],
)
def test_a_policy_that_breaks_a_rule_is_refused_with_its_code(
    client: TestClient, backup_policy: dict[str, Any], code: str
) -> None:
    error_of(client.put(POLICY_PATH, json={"backup_policy": backup_policy}), 400, code)
    assert policy(client) == {"keep_days": 0}


def test_the_policy_of_an_unknown_instance_is_a_404(client: TestClient) -> None:
    path = f"/v3/{PROJECT_ID}/instances/nosuchinstance/backups/policy"
    error_of(client.get(path), 404, "DBS.200002")
    error_of(client.put(path, json={"backup_policy": {"keep_days": 0}}), 404, "DBS.200002")


def test_the_clock_drives_the_policy_backups_made_on_the_chosen_days_and_expired(
    make_client: MakeClient, clock: Clock
) -> None:
    client = make_client(auto_backups=False)
    assert (
        set_policy(client, keep_days=7, start_time="01:00-02:00", period="1,3,5").status_code == 204
    )
    clock.advance(1 * 3600 + 60)  # Monday 01:01: the first automated backup is being made
    [running] = auto_backups(client)
    assert running["status"] == "BUILDING"
    assert running["begin_time"].endswith("T01:00:00+0000")
    job = client.get(JOBS_PATH, params={"name": "BackupInstance"}).json()["jobs"][0]
    assert job["status"] == "Running"
    # A manual backup meanwhile: the instance is busy.
    refused = client.post(CREATE_PATH, json={"name": "manual-1", "description": ""})
    error_of(refused, 403, "DBS.200019")
    clock.advance(20 * 60)
    assert [b["status"] for b in auto_backups(client)] == ["COMPLETED"]
    clock.advance(30 * DAY)
    made = auto_backups(client)
    # Mondays, Wednesdays and Fridays; kept 7 days: the three or four of the last week remain.
    days = {datetime.strptime(b["begin_time"], "%Y-%m-%dT%H:%M:%S%z").isoweekday() for b in made}
    assert days <= {1, 3, 5}
    assert all(clock.now - _epoch(b["begin_time"]) <= 7 * DAY for b in made)
    assert 3 <= len(made) <= 4
    jobs = client.get(JOBS_PATH, params={"name": "BackupInstance", "limit": 50}).json()
    # Every one made in listJobs' default window (the last 30 days), expired or not: Mondays 11
    # January to 1 February, Wednesdays 6 January to 3 February, Fridays 8 to 29 January.
    assert jobs["total_count"] == 13


def test_turning_the_policy_off_stops_a_running_automated_backup(
    client: TestClient, clock: Clock
) -> None:
    assert set_policy(client, keep_days=7, start_time="01:00-02:00", period="1").status_code == 204
    clock.advance(3600 + 60)
    running = [b for b in auto_backups(client) if b["status"] == "BUILDING"]
    assert len(running) == 1
    assert set_policy(client, keep_days=0).status_code == 204
    stopped = [b for b in auto_backups(client) if b["id"] == running[0]["id"]]
    assert stopped[0]["status"] == "FAILED"
    job = client.get(JOBS_PATH, params={"name": "BackupInstance"}).json()["jobs"][0]
    assert job["status"] == "Failed" and job["fail_reason"]
    clock.advance(60 * DAY)
    assert len(auto_backups(client)) == 2  # the seeded one and the stopped one stay


def test_a_stop_ends_the_backup_failed_through_a_stop_job(client: TestClient, clock: Clock) -> None:
    created = client.post(CREATE_PATH, json={"name": "to-stop", "description": ""}).json()
    stop_path = f"/v3/{PROJECT_ID}/backups/{created['backup_id']}"
    response = client.put(stop_path, json={"action": "stop"})
    assert response.status_code == 202, response.text
    stop_job = response.json()["job_id"]
    error_of(client.put(stop_path, json={"action": "stop"}), 403, "DBS.200011")
    clock.advance(600)
    [job] = client.get(JOBS_PATH, params={"id": stop_job}).json()["jobs"]
    assert (job["name"], job["status"]) == ("StopBackup", "Completed")
    [backup] = client.get(BACKUPS_PATH, params={"backup_id": created["backup_id"]}).json()[
        "backups"
    ]
    assert backup["status"] == "FAILED"
    [backup_job] = client.get(JOBS_PATH, params={"id": created["job_id"]}).json()["jobs"]
    assert backup_job["status"] == "Failed"
    error_of(client.put(stop_path, json={"action": "stop"}), 403, "DBS.200011")


def test_a_stop_is_refused_for_an_unknown_backup_or_a_bad_action(client: TestClient) -> None:
    error_of(
        client.put(f"/v3/{PROJECT_ID}/backups/nosuch", json={"action": "stop"}), 400, "DBS.201214"
    )
    created = client.post(CREATE_PATH, json={"name": "to-stop", "description": ""}).json()
    path = f"/v3/{PROJECT_ID}/backups/{created['backup_id']}"
    error_of(client.put(path, json={"action": "go"}), 400, "DBS.200001")
    error_of(client.put(path, json={}), 400, "DBS.280040")


def _manual(client: TestClient, clock: Clock, count: int) -> list[str]:
    ids = []
    for index in range(count):
        response = client.post(CREATE_PATH, json={"name": f"manual-{index}", "description": ""})
        assert response.status_code == 202, response.text
        ids.append(response.json()["backup_id"])
        clock.advance(600)
    return ids


def test_a_batch_is_deleted_whole(client: TestClient, clock: Clock) -> None:
    ids = _manual(client, clock, 3)
    response = client.request("DELETE", BATCH_PATH, json={"backup_ids": ids[:2]})
    assert response.status_code == 200, response.text
    assert response.content == b""
    clock.advance(600)
    left = {
        b["id"]
        for b in client.get(BACKUPS_PATH, params={"backup_type": "Manual"}).json()["backups"]
    }
    assert left == {ids[2]}
    deletions = client.get(JOBS_PATH, params={"name": "DeleteBackup"}).json()
    assert deletions["total_count"] == 2


@pytest.mark.parametrize("culprit", ["unknown", "automated", "building"])
def test_a_batch_with_one_refused_backup_deletes_nothing_and_names_it(
    client: TestClient, clock: Clock, culprit: str
) -> None:
    ids = _manual(client, clock, 2)
    if culprit == "unknown":
        bad, status, code = "nosuchbackup", 400, "DBS.201214"
    elif culprit == "automated":
        bad, status, code = auto_backups(client)[0]["id"], 403, "DBS.280032"
    else:
        bad = client.post(CREATE_PATH, json={"name": "building", "description": ""}).json()[
            "backup_id"
        ]
        status, code = 403, "DBS.200019"
    # First in the batch: while a backup is being made, its instance is busy, which refuses
    # every manual backup of it too (the first refused is named).
    batch = {"backup_ids": [bad, *ids]}
    message = error_of(client.request("DELETE", BATCH_PATH, json=batch), status, code)
    assert message.endswith(f"Backup ID: {bad}.")
    clock.advance(3600)
    left = {b["id"] for b in client.get(BACKUPS_PATH).json()["backups"]}
    assert set(ids) <= left


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"backup_ids": [f"b{i}" for i in range(11)]}, "DBS.200001"),
        ({"backup_ids": ["b1", "b1"]}, "DBS.200001"),
        ({"backup_ids": []}, "DBS.280040"),
        ({}, "DBS.280040"),
    ],
)
def test_a_malformed_batch_is_refused(client: TestClient, body: dict[str, Any], code: str) -> None:
    error_of(client.request("DELETE", BATCH_PATH, json=body), 400, code)


def test_the_batch_path_wins_over_an_instance_template() -> None:
    router = Router(compile_operations())
    methods, _ = router.match(BATCH_PATH) or ({}, {})
    assert methods["DELETE"].operation_id == "batchDeleteBackups"
    # Whatever order the templates come in, the literal segment is tried first.
    reordered = Router(tuple(reversed(compile_operations())))
    methods, values = reordered.match(BATCH_PATH) or ({}, {})
    assert methods["DELETE"].operation_id == "batchDeleteBackups"
    assert values == {"project_id": PROJECT_ID}


def test_serve_can_start_with_a_policy_on(make_client: MakeClient, clock: Clock) -> None:
    client = make_client(
        policy={"keep_days": 2, "start_time": "00:00-01:00", "period": "1,2,3,4,5,6,7"}
    )
    assert policy(client)["keep_days"] == 2
    clock.advance(10 * DAY)
    made = auto_backups(client)
    assert 2 <= len(made) <= 3  # 2 days kept (the seeded one expired too)


def test_a_bad_seeded_policy_is_refused_with_the_specs_message() -> None:
    with pytest.raises(ValueError, match="every day"):
        ServerConfig(
            tokens=frozenset({TOKEN}),
            policy={"keep_days": 3, "start_time": "00:00-01:00", "period": "1"},
        )


def _epoch(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z").timestamp()
