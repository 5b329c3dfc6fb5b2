"""What a test controls in the reference server: failing backups, instance statuses, projects
and instances added at run time, armed faults, the clock, reset; and the HTTP control API,
refused without the admin token and absent when the server has none."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_helpers import BACKUPS_PATH, CREATE_PATH, INSTANCE_ID, JOBS_PATH, PROJECT_ID, TOKEN
from starlette.testclient import TestClient

from geminidb_backup import AKSKAuth
from geminidb_backup.server import ServerConfig, create_app
from geminidb_backup.server.app import ReferenceServer
from geminidb_backup.server.control import CONTROL_PREFIX, Control, ControlError
from geminidb_backup.server.state import Clock, Store
from geminidb_backup.spec import component_validator

AUTH = {"X-Auth-Token": TOKEN}
ADMIN = "admin-secret"
BEARER = {"Authorization": f"Bearer {ADMIN}"}
START = 1_800_000_000.0


def body(name: str = "backup-4f57") -> dict[str, str]:
    return {"name": name, "description": "manual backup"}


@pytest.fixture
def app() -> Iterator[ReferenceServer]:
    server = create_app(
        ServerConfig(
            tokens=frozenset({TOKEN}),
            access_keys={"AK1": "SK1"},
            backup_seconds=10,
            admin_token=ADMIN,
        ),
        clock=Clock(frozen_at=START),
    )
    yield server
    server.close()


@pytest.fixture
def client(app: ReferenceServer) -> TestClient:
    return TestClient(app, base_url="http://testserver")


@pytest.fixture
def control(app: ReferenceServer) -> Control:
    return Control(app)


def job(client: TestClient, job_id: str) -> dict[str, Any]:
    response = client.get(JOBS_PATH, params={"id": job_id}, headers=AUTH)
    assert response.status_code == 200, response.text
    (found,) = response.json()["jobs"]
    component_validator("Job").validate(found)
    return dict(found)


def backup(client: TestClient, backup_id: str) -> dict[str, Any]:
    response = client.get(BACKUPS_PATH, params={"backup_id": backup_id}, headers=AUTH)
    (found,) = response.json()["backups"]
    component_validator("Backup").validate(found)
    return dict(found)


def create(client: TestClient, name: str, path: str = CREATE_PATH) -> httpx.Response:
    return client.post(path, json=body(name), headers=AUTH)


def test_the_next_backup_fails_with_its_reason_then_backups_succeed_again(
    client: TestClient, control: Control
) -> None:
    control.fail_next_backup("The disk of node 2 is full.")
    failing = create(client, "backup-0001").json()
    running = job(client, failing["job_id"])
    assert (running["status"], running["fail_reason"]) == ("Running", "")
    assert backup(client, failing["backup_id"])["status"] == "BUILDING"

    control.advance(10)
    ended = job(client, failing["job_id"])
    assert ended["status"] == "Failed"
    assert ended["fail_reason"] == "The disk of node 2 is full."
    assert ended["end_time"] and ended["progress"] == ""
    failed = backup(client, failing["backup_id"])
    assert (failed["status"], failed["size"]) == ("FAILED", 0)
    assert failed["end_time"]

    succeeding = create(client, "backup-0002").json()
    control.advance(10)
    assert job(client, succeeding["job_id"])["status"] == "Completed"
    assert backup(client, succeeding["backup_id"])["status"] == "COMPLETED"

    by_status = {
        status: [j["id"] for j in client.get(JOBS_PATH, params={"status": status},
                                              headers=AUTH).json()["jobs"]]
        for status in ("Failed", "Completed", "Running")
    }  # fmt: skip
    assert by_status["Failed"] == [failing["job_id"]]
    assert by_status["Completed"] == [succeeding["job_id"]]
    assert by_status["Running"] == []
    # A failed backup keeps its name and can be deleted, as in the console.
    assert create(client, "backup-0001").json()["error_code"] == "DBS.201201"
    deleting = client.delete(f"/v3/{PROJECT_ID}/backups/{failing['backup_id']}", headers=AUTH)
    assert deleting.status_code == 202


def test_every_backup_of_one_instance_fails_until_told_otherwise(
    client: TestClient, control: Control
) -> None:
    other = control.add_instance(auto_backup=False)
    control.fail_every_backup(INSTANCE_ID, "Instance is abnormal.")
    first = create(client, "backup-0001").json()
    fine = create(client, "backup-0001", f"/v3/{PROJECT_ID}/instances/{other.id}/backups").json()
    control.advance(10)
    second = create(client, "backup-0002").json()
    control.advance(10)
    assert job(client, first["job_id"])["fail_reason"] == "Instance is abnormal."
    assert job(client, second["job_id"])["status"] == "Failed"
    assert job(client, fine["job_id"])["status"] == "Completed"

    control.fail_every_backup(INSTANCE_ID, None)
    third = create(client, "backup-0003").json()
    control.advance(10)
    assert job(client, third["job_id"])["status"] == "Completed"


def test_a_queued_failure_is_used_only_by_a_backup_that_was_accepted(
    client: TestClient, control: Control
) -> None:
    control.fail_next_backup("boom", instance_id=INSTANCE_ID)
    assert create(client, "x").status_code == 400  # refused by the spec: no backup, no failure
    assert len(control.store.queued_failures()) == 1
    created = create(client, "backup-0001").json()
    control.advance(10)
    assert job(client, created["job_id"])["fail_reason"] == "boom"
    assert control.store.queued_failures() == []


@pytest.mark.parametrize(
    ("status", "code", "message_part"),
    [
        ("busy", "DBS.200019", "Another operation"),
        ("abnormal", "DBS.200019", "faulty"),
        ("frozen", "DBS.201000", f"{INSTANCE_ID} does not allow the createBackup operation"),
    ],
)
def test_an_instance_status_refuses_backups_as_the_api_does(
    client: TestClient, control: Control, status: str, code: str, message_part: str
) -> None:
    control.set_instance_status(INSTANCE_ID, status, seconds=60)
    refused = create(client, "backup-0001")
    assert refused.status_code == 403
    assert refused.json()["error_code"] == code
    assert message_part in refused.json()["error_msg"]
    control.advance(60)  # the status was for a minute
    assert create(client, "backup-0001").status_code == 202


def test_a_busy_instance_refuses_deletions_too(client: TestClient, control: Control) -> None:
    created = create(client, "backup-0001").json()
    control.advance(10)
    control.set_instance_status(INSTANCE_ID, "busy")
    deleting = client.delete(f"/v3/{PROJECT_ID}/backups/{created['backup_id']}", headers=AUTH)
    assert (deleting.status_code, deleting.json()["error_code"]) == (403, "DBS.200019")
    control.set_instance_status(INSTANCE_ID, "normal")
    deleting = client.delete(f"/v3/{PROJECT_ID}/backups/{created['backup_id']}", headers=AUTH)
    assert deleting.status_code == 202


def test_projects_and_instances_added_at_run_time_are_served_with_their_attributes(
    client: TestClient, control: Control
) -> None:
    unknown = client.get("/v4/0123456789abcdef0123456789abcdef/backups", headers=AUTH)
    assert unknown.json()["error_code"] == "DBS.280408"
    project = control.add_project("0123456789abcdef0123456789abcdef")
    empty = client.get(f"/v4/{project}/backups", headers=AUTH)
    assert (empty.status_code, empty.json()["total_count"]) == (200, 0)

    instance = control.add_instance(
        project_id=project, name="cassandra-eu", datastore_version="4.0", auto_backup=True
    )
    assert instance.id.endswith("in06") and len(instance.id) == 36
    created = client.post(
        f"/v3/{project}/instances/{instance.id}/backups", json=body(), headers=AUTH
    ).json()
    control.advance(10)
    backups = client.get(f"/v4/{project}/backups", headers=AUTH).json()["backups"]
    assert {b["type"] for b in backups} == {"Auto", "Manual"}
    made = next(b for b in backups if b["id"] == created["backup_id"])
    assert made["instance_name"] == "cassandra-eu"
    assert made["datastore"] == {"type": "cassandra", "version": "4.0"}
    found = client.get(f"/v3/{project}/jobs", params={"id": created["job_id"]}, headers=AUTH)
    assert found.json()["jobs"][0]["instance"] == {"id": instance.id, "name": "cassandra-eu"}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.add_instance(INSTANCE_ID), "exists"),
        (lambda c: c.add_instance("a/b"), "without '/'"),
        (lambda c: c.add_project(""), "non-empty"),
        (lambda c: c.add_instance(status="sleepy"), "status must be one of"),
        (lambda c: c.fail_next_backup(""), "reason must be"),
        (lambda c: c.fail_next_backup("x", instance_id="nope"), "no instance 'nope'"),
        (lambda c: c.set_instance_status(INSTANCE_ID, "busy", seconds=0), "positive"),
        (lambda c: c.set_instance_status(INSTANCE_ID, "busy", seconds=1e300), "year 9999"),
        (lambda c: c.arm_fault("418"), "fault must be one of 500, 503, 429, drop"),
        (lambda c: c.arm_fault("503", 0), "count must be"),
        (lambda c: c.arm_fault("503", operation="getBackup"), "operation must be one of"),
        (lambda c: c.advance(-1), "only moves forward"),
        (lambda c: c.advance(float("inf")), "past the year 9999"),
        (lambda c: c.advance(1e13), "past the year 9999"),
    ],
)
def test_bad_control_calls_say_what_is_wrong(control: Control, call: Any, message: str) -> None:
    with pytest.raises(ControlError, match=message):
        call(control)


def test_armed_faults_hit_the_next_calls_of_their_operation_only(
    client: TestClient, control: Control
) -> None:
    control.arm_fault("503", 2, operation="listJobs")
    control.arm_fault("429")
    first = client.get(BACKUPS_PATH, headers=AUTH)  # the 429 (any operation), not the 503
    assert first.status_code == 429 and "Retry-After" in first.headers
    statuses = [client.get(JOBS_PATH, headers=AUTH).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert client.get(BACKUPS_PATH, headers=AUTH).status_code == 200
    assert control.server.faults.armed == []


def test_a_drop_after_commit_loses_the_answer_but_keeps_the_backup(
    app: ReferenceServer, control: Control
) -> None:
    control.arm_fault("drop-after-commit", operation="createBackup")
    transport = httpx.ASGITransport(app)

    async def run() -> None:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            with pytest.raises(ConnectionAbortedError):
                await http.post(CREATE_PATH, json=body(), headers=AUTH)

    import asyncio

    asyncio.run(run())
    assert [b["name"] for b in control.store.all_backups(PROJECT_ID, INSTANCE_ID)
            if b["type"] == "Manual"] == ["backup-4f57"]  # fmt: skip


def test_reset_forgets_everything_but_the_configured_instances(
    client: TestClient, control: Control
) -> None:
    create(client, "backup-0001")
    control.add_instance("0123456789abcdef0123456789abcdefin06")
    control.fail_next_backup("x")
    control.arm_fault("500", 5)
    control.set_instance_status(INSTANCE_ID, "frozen")
    control.reset()
    state = control.state()
    assert [i["id"] for i in state["instances"]] == [INSTANCE_ID]
    assert state["instances"][0]["status"] == "normal"
    assert [b["type"] for b in state["backups"]] == ["Auto"]
    assert state["jobs"] == state["failures"] == state["faults"] == []
    assert create(client, "backup-0001").status_code == 202


def test_the_clock_is_frozen_until_advanced_and_never_goes_back() -> None:
    wall = [100.0]
    clock = Clock(frozen_at=50.0, wall=lambda: wall[0])
    wall[0] = 200.0
    assert clock() == 50.0 and clock.wall() == 200.0
    assert clock.advance(10) == 60.0
    clock.freeze(False)  # runs on from 60 at the wall's pace
    wall[0] = 205.0
    assert clock() == 65.0
    with pytest.raises(ValueError, match="forward"):
        clock.advance(float("nan"))


def test_a_signature_is_checked_against_the_wall_however_far_the_clock_moved(
    app: ReferenceServer, control: Control
) -> None:
    # The server's clock is frozen at START, weeks from the wall, and moved a month further:
    # far beyond the 15 minutes of skew a signature may have.
    control.advance(30 * 86_400)
    signed = TestClient(app, base_url="http://testserver")
    signed.auth = AKSKAuth("AK1", "SK1")
    assert signed.get(BACKUPS_PATH).status_code == 200


def test_a_state_file_of_the_first_release_opens_and_gains_the_new_columns(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        """
        CREATE TABLE instances (project_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL,
            PRIMARY KEY (project_id, id));
        CREATE TABLE backups (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
            project_id TEXT NOT NULL, instance_id TEXT NOT NULL, name TEXT NOT NULL,
            description TEXT NOT NULL, type TEXT NOT NULL, begin REAL NOT NULL,
            duration REAL NOT NULL, size REAL NOT NULL, delete_begin REAL, delete_duration REAL);
        CREATE TABLE jobs (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
            project_id TEXT NOT NULL, instance_id TEXT NOT NULL, name TEXT NOT NULL,
            begin REAL NOT NULL, duration REAL NOT NULL);
        INSERT INTO instances VALUES ('p1', 'i1', 'old-instance');
        INSERT INTO backups (id, project_id, instance_id, name, description, type, begin,
            duration, size) VALUES ('b1', 'p1', 'i1', 'kept', '', 'Manual', 10, 5, 2048);
        INSERT INTO jobs (id, project_id, instance_id, name, begin, duration)
            VALUES ('j1', 'p1', 'i1', 'BackupInstance', 10, 5);
        """
    )
    old.close()
    store = Store(str(path), backup_seconds=5, backup_limit=50, clock=lambda: 100.0)
    try:
        assert store.project_exists("p1")
        (kept,) = store.all_backups("p1")
        assert (kept["name"], kept["status"], kept["datastore"]["version"]) == (
            "kept", "COMPLETED", "3.11",
        )  # fmt: skip
        (done,) = store.all_jobs("p1")
        assert (done["status"], done["fail_reason"]) == ("Completed", "")
    finally:
        store.close()


# The HTTP control API.


def test_without_an_admin_token_the_control_api_does_not_exist() -> None:
    app = create_app(ServerConfig(tokens=frozenset({TOKEN})))
    try:
        client = TestClient(app, base_url="http://testserver")
        for method in ("GET", "POST"):
            answer = client.request(method, f"{CONTROL_PREFIX}/state", headers=BEARER)
            assert answer.status_code == 404
            assert answer.json()["error_code"] == "APIGW.0101"  # as any unknown path
    finally:
        app.close()


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": ADMIN}, AUTH,
     {"Authorization": f"Basic {ADMIN}"}],
    ids=["none", "wrong", "no-scheme", "api-token", "basic"],
)  # fmt: skip
def test_the_control_api_refuses_calls_without_the_admin_token(
    client: TestClient, headers: dict[str, str]
) -> None:
    for method, path in (("GET", "/state"), ("POST", "/reset"), ("POST", "/faults")):
        answer = client.request(method, CONTROL_PREFIX + path, headers=headers, json={})
        assert answer.status_code == 401
        assert "Bearer" in answer.headers["WWW-Authenticate"]
        assert ADMIN not in answer.text


def test_the_control_api_over_http(client: TestClient) -> None:
    def call(method: str, path: str, payload: Any = None, status: int = 200) -> Any:
        answer = client.request(method, CONTROL_PREFIX + path, json=payload, headers=BEARER)
        assert answer.status_code == status, answer.text
        return answer.json()

    project = call("POST", "/projects", {"project_id": "p" * 32}, 201)["project_id"]
    instance = call("POST", "/instances", {"project_id": project, "name": "cass-1"}, 201)
    assert instance["status"] == "normal" and instance["name"] == "cass-1"
    call("PUT", f"/instances/{project}/{instance['id']}/status", {"status": "busy"})
    path = f"/v3/{project}/instances/{instance['id']}/backups"
    assert client.post(path, json=body(), headers=AUTH).status_code == 403
    call("PUT", f"/instances/{project}/{instance['id']}/status", {"status": "normal"})
    call("POST", "/failures", {"reason": "snapshot timed out", "instance_id": instance["id"],
                               "project_id": project}, 201)  # fmt: skip
    created = client.post(path, json=body(), headers=AUTH).json()
    clock = call("POST", "/clock", {"advance": 10})
    assert clock["now"] == START + 10 and clock["frozen"] is True
    jobs = client.get(f"/v3/{project}/jobs", params={"id": created["job_id"]}, headers=AUTH)
    assert jobs.json()["jobs"][0]["fail_reason"] == "snapshot timed out"

    call("POST", "/faults", {"fault": "500", "count": 1, "operation": "listBackups"}, 201)
    assert client.get(BACKUPS_PATH, headers=AUTH).status_code == 500
    state = call("GET", "/state")
    mine = [b for b in state["backups"] if b["project_id"] == project and b["type"] == "Manual"]
    assert [(b["id"], b["status"]) for b in mine] == [(created["backup_id"], "FAILED")]
    assert instance["id"] in {i["id"] for i in state["instances"]}
    assert call("POST", "/reset")["backups"][0]["type"] == "Auto"
    assert call("DELETE", "/faults") == {"faults": []}
    assert call("DELETE", "/failures") == {"failures": []}


@pytest.mark.parametrize(
    ("method", "path", "payload", "status", "message"),
    [
        ("POST", "/clock", {"advance": "soon"}, 400, "seconds must be a number"),
        ("POST", "/clock", {"rewind": 5}, 400, "may hold"),
        ("POST", "/instances", {"colour": "red"}, 400, "unknown fields"),
        ("POST", "/instances", {"instance_id": 7}, 400, "instance_id must be a string"),
        ("POST", "/failures", {"every": True, "reason": "x"}, 400, "needs an instance_id"),
        ("PUT", "/instances/p/i/status", {"status": "busy"}, 404, "no instance"),
        ("POST", "/faults", {"fault": "drop", "count": True}, 400, "count must be"),
        ("GET", "/reset", None, 405, "use POST"),
        ("GET", "/nothing", None, 404, "no control call"),
    ],
)
def test_bad_control_requests_are_refused_with_a_reason(
    client: TestClient, method: str, path: str, payload: Any, status: int, message: str
) -> None:
    answer = client.request(method, CONTROL_PREFIX + path, json=payload, headers=BEARER)
    assert answer.status_code == status
    assert message in answer.json()["error"]


def test_a_body_that_is_not_a_json_object_is_refused(client: TestClient) -> None:
    for raw in (b"[1]", b"{", b"\xff"):
        answer = client.post(f"{CONTROL_PREFIX}/clock", content=raw, headers=BEARER)
        assert (answer.status_code, answer.json()["error"]) == (
            400, "the body must be a JSON object",
        )  # fmt: skip


def test_serve_with_an_admin_token_offers_the_control_api(tmp_path: Path) -> None:
    from server_helpers import serve

    args = ["--token", TOKEN, "--db", str(tmp_path / "s.db"), "--backup-seconds", "3600"]
    with serve(args, env={"GEMINIDB_SERVER_ADMIN_TOKEN": ADMIN}) as server:
        control = f"{server.url}{CONTROL_PREFIX}"
        assert httpx.get(f"{control}/state").status_code == 401
        created = httpx.post(server.url + CREATE_PATH, json=body(), headers=AUTH).json()
        # The wall-following clock of `serve` moves too: an hour's backup ends now.
        clock = httpx.post(f"{control}/clock", json={"advance": 3600}, headers=BEARER).json()
        assert clock["frozen"] is False
        frozen = httpx.post(f"{control}/clock", json={"frozen": True}, headers=BEARER).json()
        assert frozen["frozen"] is True and frozen["now"] >= clock["now"]
        again = httpx.get(f"{control}/state", headers=BEARER).json()["clock"]
        assert again["now"] == frozen["now"]  # stopped: only advance moves it now
        jobs = httpx.get(server.url + JOBS_PATH, params={"id": created["job_id"]}, headers=AUTH)
        assert jobs.json()["jobs"][0]["status"] == "Completed"
        httpx.post(f"{control}/faults", json={"fault": "drop"}, headers=BEARER)
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(server.url + BACKUPS_PATH, headers=AUTH)
    assert ADMIN not in "".join(server.output)


def test_serve_without_an_admin_token_has_no_control_api(tmp_path: Path) -> None:
    from server_helpers import serve

    with serve(["--token", TOKEN, "--db", str(tmp_path / "s.db")]) as server:
        answer = httpx.get(f"{server.url}{CONTROL_PREFIX}/state", headers=BEARER)
        assert (answer.status_code, answer.json()["error_code"]) == (404, "APIGW.0101")


# --- the control API refuses what it cannot keep, with a clear 400 -----------------------------


def test_a_running_clock_moved_to_the_end_of_9999_keeps_every_call_working() -> None:
    wall = [1_800_000_000.0]
    server = create_app(
        ServerConfig(tokens=frozenset({TOKEN}), backup_seconds=10, admin_token=ADMIN),
        clock=Clock(wall=lambda: wall[0]),
    )
    client = TestClient(server, base_url="http://testserver")
    try:
        assert create(client, "backup-before-the-end").status_code == 202
        last = 253_402_300_799.0  # 9999-12-31T23:59:59+0000, a moment the API can show
        moved = client.post(
            f"{CONTROL_PREFIX}/clock", json={"advance": last - 0.5 - wall[0]}, headers=BEARER
        )
        assert moved.status_code == 200, moved.text
        wall[0] += 60  # the running clock passes the year 9999
        for answer in (
            client.get(f"{CONTROL_PREFIX}/state", headers=BEARER),
            client.post(f"{CONTROL_PREFIX}/reset", headers=BEARER),
            client.get(JOBS_PATH, params={"start_time": "9999-12-30T00:00:00Z"}, headers=AUTH),
            client.get(BACKUPS_PATH, headers=AUTH),
        ):
            assert answer.status_code == 200, answer.text
        assert client.get(f"{CONTROL_PREFIX}/state", headers=BEARER).json()["clock"]["time"] == (
            "9999-12-31T23:59:59+0000"
        )
    finally:
        server.close()


@pytest.mark.parametrize(
    ("path", "raw"),
    [
        ("/projects", rb'{"project_id": "abc\ud800def"}'),
        ("/failures", rb'{"reason": "disk \udfff full"}'),
        ("/instances", rb'{"name": "cassandra-\ud800"}'),
        ("/instances", b'{"name": ' + b"[" * 30_000 + b"]" * 30_000 + b"}"),
        ("/clock", b"[" * 30_000),
    ],
    ids=["project-surrogate", "reason-surrogate", "name-surrogate", "deep-field", "deep-body"],
)
def test_control_bodies_that_are_no_text_or_too_deep_are_clear_400s(
    client: TestClient, path: str, raw: bytes
) -> None:
    answer = client.post(
        f"{CONTROL_PREFIX}{path}",
        content=raw,
        headers={**BEARER, "Content-Type": "application/json"},
    )
    assert answer.status_code == 400, answer.text
    assert "error" in answer.json()
    # Nothing half-done: the state still answers.
    assert client.get(f"{CONTROL_PREFIX}/state", headers=BEARER).status_code == 200
