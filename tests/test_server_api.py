"""The reference server's behaviour, in-process: each error of the reference, the lifecycle of a
backup and of its deletion, pagination and filters. A hand-moved clock replaces waiting."""

from __future__ import annotations

from collections.abc import Callable
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
from geminidb_backup.server.config import parse_instance
from geminidb_backup.server.errors import catalogue
from geminidb_backup.spec import component_validator

AUTH = {"X-Auth-Token": TOKEN}
EXAMPLE = {"name": "backup-4f57", "description": "manual backup"}
OTHER_INSTANCE = "0123456789abcdef0123456789abcdefin06"

MakeClient = Callable[..., TestClient]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(clock: FakeClock) -> MakeClient:
    def make(**settings: Any) -> TestClient:
        settings.setdefault("tokens", frozenset({TOKEN}))
        settings.setdefault("backup_seconds", 0.0)
        app = create_app(ServerConfig(**settings), clock=clock)
        return TestClient(app, headers=AUTH)

    return make


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()


def create(client: TestClient, name: str = "backup-4f57", **kwargs: Any) -> httpx.Response:
    return client.post(CREATE_PATH, json={"name": name, "description": "manual backup"}, **kwargs)


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"]
    body = response.json()
    component_validator("Error").validate(body)
    assert body == {
        "error_code": code,
        "error_msg": catalogue()[code].message.format(INSTANCE_ID, "createBackup"),
    }


def backups(client: TestClient, **query: Any) -> dict[str, Any]:
    response = client.get(BACKUPS_PATH, params=query)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    component_validator("ListBackupsResponse").validate(body)
    return body


def jobs(client: TestClient, **query: Any) -> dict[str, Any]:
    response = client.get(JOBS_PATH, params=query)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    component_validator("ListJobsResponse").validate(body)
    return body


# --- the lifecycle ---------------------------------------------------------------------------


def test_the_reference_example_request_works_verbatim(client: TestClient) -> None:
    response = client.post(CREATE_PATH, json=EXAMPLE)
    assert response.status_code == 202
    assert response.headers["x-request-id"]
    body = response.json()
    component_validator("CreateBackupResponse").validate(body)
    assert set(body) == {"job_id", "backup_id"}


def test_a_backup_is_building_with_a_growing_job_then_completed(
    make_client: MakeClient, clock: FakeClock
) -> None:
    client = make_client(backup_seconds=10.0)
    started = create(client).json()

    clock.advance(1)
    (job,) = jobs(client, id=started["job_id"])["jobs"]
    (backup,) = backups(client, backup_id=started["backup_id"])["backups"]
    assert (job["name"], job["status"], job["progress"], job["end_time"]) == (
        "BackupInstance", "Running", "10%", ""
    )  # fmt: skip
    assert job["instance"] == {"id": INSTANCE_ID, "name": "cassandra-prod"}
    assert (backup["status"], backup["size"], backup["end_time"], backup["type"]) == (
        "BUILDING", 0, "", "Manual"
    )  # fmt: skip
    assert backup["begin_time"] == job["start_time"]
    assert backup["begin_time"].endswith("+0000")

    clock.advance(5)
    (job,) = jobs(client, id=started["job_id"])["jobs"]
    assert (job["status"], job["progress"]) == ("Running", "60%")

    clock.advance(4)
    (job,) = jobs(client, id=started["job_id"])["jobs"]
    (backup,) = backups(client, backup_id=started["backup_id"])["backups"]
    assert (job["status"], job["progress"], job["fail_reason"]) == ("Completed", "", "")
    assert job["end_time"] == backup["end_time"] != ""
    assert backup["status"] == "COMPLETED"
    assert backup["size"] > 0
    assert backup["name"] == "backup-4f57" and backup["description"] == "manual backup"
    assert backup["datastore"] == {"type": "cassandra", "version": "3.11"}


def test_deleting_a_backup_runs_a_job_then_the_backup_is_gone(
    make_client: MakeClient, clock: FakeClock
) -> None:
    client = make_client(backup_seconds=10.0)
    backup_id = create(client).json()["backup_id"]
    # Its own creation is still running: the backup is busy.
    assert_error(client.delete(f"/v3/{PROJECT_ID}/backups/{backup_id}"), 403, "DBS.200019")
    clock.advance(10)

    response = client.delete(f"/v3/{PROJECT_ID}/backups/{backup_id}")
    assert response.status_code == 202
    component_validator("DeleteBackupResponse").validate(response.json())
    (job,) = jobs(client, id=response.json()["job_id"])["jobs"]
    assert (job["name"], job["status"]) == ("DeleteBackup", "Running")
    assert backups(client, backup_id=backup_id)["total_count"] == 1
    # The deletion is running: neither a second deletion nor a new backup may start.
    assert_error(client.delete(f"/v3/{PROJECT_ID}/backups/{backup_id}"), 403, "DBS.200019")
    assert_error(create(client, "another-one"), 403, "DBS.200019")

    clock.advance(10)
    (job,) = jobs(client, id=response.json()["job_id"])["jobs"]
    assert job["status"] == "Completed"
    assert backups(client, backup_id=backup_id) == {"total_count": 0, "backups": []}
    assert_error(client.delete(f"/v3/{PROJECT_ID}/backups/{backup_id}"), 400, "DBS.201214")
    # The name is free again.
    assert create(client).status_code == 202


# --- errors ----------------------------------------------------------------------------------

LONG = "a" * 65


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "bk1", "description": ""}, "DBS.280277"),
        ({"name": LONG, "description": ""}, "DBS.280277"),
        ({"name": "1backup", "description": ""}, "DBS.280277"),
        ({"name": "back up", "description": ""}, "DBS.280277"),
        ({"name": "backup-1", "description": "a<b"}, "DBS.280127"),
        ({"name": "backup-1", "description": "x" * 257}, "DBS.280127"),
        ({"description": "manual backup"}, "DBS.280040"),
        ({"name": "backup-1"}, "DBS.280040"),
        ({"name": None, "description": ""}, "DBS.280040"),
        ({"name": 42, "description": ""}, "DBS.200001"),
        ({"name": "backup-1", "description": ["x"]}, "DBS.200001"),
        (["backup-1"], "DBS.200001"),
        ("backup-1", "DBS.200001"),
    ],
)
def test_create_rejects_a_bad_body(client: TestClient, body: Any, code: str) -> None:
    assert_error(client.post(CREATE_PATH, json=body), 400, code)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": "backup-1", "description": ',
        b"\xff\xfe{}",
        b'{"name": "backup-1", "description": NaN}',
        b'{"name": ' + b"9" * 5000 + b', "description": ""}',
        b'{"name": 1e999999, "description": ""}',
        b"[" * 60_000,  # under the body size limit
        b"",
    ],
    ids=["truncated", "not-utf8", "nan", "huge-integer", "huge-float", "deep", "empty"],
)
def test_create_rejects_a_body_that_is_not_json(client: TestClient, raw: bytes) -> None:
    response = client.post(CREATE_PATH, content=raw, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "DBS.200001")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (rb'{"name": "\ud800", "description": ""}', "DBS.280277"),
        (rb'{"name": "backup-1\udfff", "description": ""}', "DBS.280277"),
        (rb'{"name": "backup-1", "description": "x\uDC00y"}', "DBS.280127"),
        (rb'{"name": "backup-1", "description": "", "extra": "\ud800"}', "DBS.200001"),
        (rb'{"name": "backup-1", "description": "", "\ud800": 1}', "DBS.200001"),
        (rb'{"name": "backup-1", "description": "", "extra": ["\ud83d"]}', "DBS.200001"),
    ],
    ids=["name", "name-tail", "description", "extra-value", "extra-key", "nested"],
)
def test_a_lone_surrogate_escape_is_the_fields_400(
    client: TestClient, raw: bytes, code: str
) -> None:
    # Valid JSON (an escape names any UTF-16 unit) but no Unicode text: it cannot be validated
    # by jsonschema-rs nor stored, so it is refused as the field that holds it.
    response = client.post(CREATE_PATH, content=raw, headers={"Content-Type": "application/json"})
    assert_error(response, 400, code)


def test_an_escaped_surrogate_pair_is_one_character(client: TestClient) -> None:
    raw = rb'{"name": "backup-1", "description": "smile \ud83d\ude00 and a \\ud800 text"}'
    response = client.post(CREATE_PATH, content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 202, response.text
    assert backups(client, backup_type="Manual")["backups"][0]["description"] == (
        "smile \U0001f600 and a \\ud800 text"
    )


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", None])
def test_create_rejects_another_content_type(client: TestClient, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post(CREATE_PATH, content=b'{"name": "backup-1"}', headers=headers)
    assert_error(response, 415, "DBS.280042")


def test_json_with_a_charset_is_json(client: TestClient) -> None:
    response = client.post(
        CREATE_PATH,
        content=b'{"name": "backup-1", "description": ""}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 202


def test_unknown_instance(client: TestClient) -> None:
    response = client.post(f"/v3/{PROJECT_ID}/instances/{OTHER_INSTANCE}/backups", json=EXAMPLE)
    assert_error(response, 404, "DBS.200002")


def test_duplicate_name_on_the_instance_is_400_and_case_sensitive(client: TestClient) -> None:
    assert create(client).status_code == 202
    assert_error(create(client), 400, "DBS.201201")
    assert create(client, "Backup-4f57").status_code == 202


def test_the_same_name_on_another_instance_is_allowed(make_client: MakeClient) -> None:
    client = make_client(
        instances=(
            parse_instance(f"{PROJECT_ID}/{INSTANCE_ID}"),
            parse_instance(f"{PROJECT_ID}/{OTHER_INSTANCE}"),
        )
    )
    assert create(client).status_code == 202
    response = client.post(f"/v3/{PROJECT_ID}/instances/{OTHER_INSTANCE}/backups", json=EXAMPLE)
    assert response.status_code == 202


def test_a_running_backup_makes_the_instance_busy(
    make_client: MakeClient, clock: FakeClock
) -> None:
    client = make_client(backup_seconds=30.0)
    assert create(client).status_code == 202
    assert_error(create(client, "backup-2"), 403, "DBS.200019")
    clock.advance(30)
    assert create(client, "backup-2").status_code == 202


def test_the_51st_manual_backup_is_refused(client: TestClient) -> None:
    for number in range(50):
        assert create(client, f"backup-{number}").status_code == 202
    response = create(client, "backup-50")
    assert_error(response, 403, "DBS.201000")
    assert INSTANCE_ID in response.json()["error_msg"]
    # Automated backups do not count: the seeded one is there too.
    assert backups(client, backup_type="Auto")["total_count"] == 1


def test_the_backup_limit_can_be_changed_or_lifted(make_client: MakeClient) -> None:
    client = make_client(backup_limit=2)
    assert create(client, "backup-1").status_code == 202
    assert create(client, "backup-2").status_code == 202
    assert_error(create(client, "backup-3"), 403, "DBS.201000")

    unlimited = make_client(backup_limit=0)
    for number in range(55):
        assert create(unlimited, f"backup-{number}").status_code == 202


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Auth-Token": "wrong"}, {"X-Auth-Token": ""}, {"Authorization": "Bearer x"}],
    ids=["missing", "unknown", "empty", "other-scheme"],
)
def test_a_missing_or_unknown_token_is_401(
    make_client: MakeClient, headers: dict[str, str]
) -> None:
    client = make_client()
    client.headers.pop("X-Auth-Token")
    for method, path in [("POST", CREATE_PATH), ("GET", JOBS_PATH), ("GET", BACKUPS_PATH)]:
        response = client.request(method, path, json=EXAMPLE, headers=headers)
        assert_error(response, 401, "APIGW.0301")


@pytest.mark.parametrize(
    "path",
    ["/", "/v3", f"/v3/{PROJECT_ID}", f"/v3/{PROJECT_ID}/backups", f"/v5/{PROJECT_ID}/backups",
     f"/v3/{PROJECT_ID}/jobs/x"],
)  # fmt: skip
def test_an_unknown_route_is_404(client: TestClient, path: str) -> None:
    assert_error(client.get(path), 404, "APIGW.0101")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", CREATE_PATH, "POST"),
        ("PUT", JOBS_PATH, "GET"),
        ("POST", BACKUPS_PATH, "GET"),
        ("GET", f"/v3/{PROJECT_ID}/backups/x", "DELETE, PUT"),
        ("PATCH", CREATE_PATH, "POST"),
    ],
)
def test_a_wrong_method_is_405_with_allow(
    client: TestClient, method: str, path: str, allow: str
) -> None:
    response = client.request(method, path)
    assert_error(response, 405, "APIGW.0101")
    assert response.headers["allow"] == allow


@pytest.mark.parametrize(
    ("path", "query", "code"),
    [
        (JOBS_PATH, {"limit": "7"}, "DBS.280439"),
        (JOBS_PATH, {"limit": "abc"}, "DBS.280439"),
        (JOBS_PATH, {"limit": ""}, "DBS.280439"),
        (JOBS_PATH, {"offset": "-1"}, "DBS.280440"),
        (JOBS_PATH, {"offset": "1.5"}, "DBS.280440"),
        (JOBS_PATH, {"offset": "9" * 400}, "DBS.280440"),
        (JOBS_PATH, {"status": "Done"}, "DBS.200001"),
        (JOBS_PATH, {"start_time": "yesterday"}, "DBS.200001"),
        (JOBS_PATH, {"start_time": "2026-11-01T00:00:00Z", "end_time": "2026-12-31T00:00:00Z"}, "DBS.200001"),
        (JOBS_PATH, {"start_time": "2026-11-02T00:00:00Z", "end_time": "2026-11-01T00:00:00Z"}, "DBS.200001"),
        (JOBS_PATH, {"end_time": "2026-13-01T00:00:00Z"}, "DBS.200001"),
        (BACKUPS_PATH, {"limit": "0"}, "DBS.280439"),
        (BACKUPS_PATH, {"limit": "101"}, "DBS.280439"),
        (BACKUPS_PATH, {"offset": "-5"}, "DBS.280440"),
        (BACKUPS_PATH, {"begin_time": "2026-11-01T00:00:00+0000"}, "DBS.280416"),
        (BACKUPS_PATH, {"end_time": "2026-11-01T00:00:00+0000"}, "DBS.280416"),
        (BACKUPS_PATH, {"begin_time": "2026-11-02T00:00:00Z", "end_time": "2026-11-01T00:00:00Z"}, "DBS.280416"),
        (BACKUPS_PATH, {"begin_time": "2026-11-01 00:00:00", "end_time": "2026-11-02T00:00:00Z"}, "DBS.280416"),
        (BACKUPS_PATH, {"backup_type": "manual"}, "DBS.200001"),
        (BACKUPS_PATH, {"datastore_type": "redis"}, "DBS.200001"),
        (BACKUPS_PATH, {"type": "Table"}, "DBS.200001"),
    ],
)  # fmt: skip
def test_bad_query_parameters(
    client: TestClient, path: str, query: dict[str, str], code: str
) -> None:
    assert_error(client.get(path, params=query), 400, code)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", f"/v3/nope/instances/{INSTANCE_ID}/backups"),
        ("GET", "/v3/nope/jobs"),
        ("GET", "/v4/nope/backups"),
        ("DELETE", "/v3/nope/backups/x"),
        ("GET", "/v3/%F0%9F%92%A9/jobs"),
        ("GET", "/v3/%FF%FE/jobs"),
        ("GET", "/v3/%00/jobs"),
        ("GET", "/v3/\u202e\u0301/jobs"),
    ],
)
def test_an_unknown_or_strange_project_is_400(client: TestClient, method: str, path: str) -> None:
    assert_error(client.request(method, path, json=EXAMPLE), 400, "DBS.280408")


def test_strange_ids_never_cause_a_server_error(client: TestClient) -> None:
    for backup_id in ["%FF", "%F0%9F%92%A9", "%2E%2E", "a" * 5000, "%00"]:
        response = client.delete(f"/v3/{PROJECT_ID}/backups/{backup_id}")
        assert response.status_code < 500
        assert_error(response, 400, "DBS.201214")
    response = client.post(f"/v3/{PROJECT_ID}/instances/%FF%FE/backups", json=EXAMPLE)
    assert_error(response, 404, "DBS.200002")


def test_deleting_an_unknown_backup_is_400(client: TestClient) -> None:
    assert_error(client.delete(f"/v3/{PROJECT_ID}/backups/nope"), 400, "DBS.201214")


def test_deleting_an_automated_backup_is_403(client: TestClient) -> None:
    (automated,) = backups(client, backup_type="Auto")["backups"]
    assert automated["status"] == "COMPLETED"
    response = client.delete(f"/v3/{PROJECT_ID}/backups/{automated['id']}")
    assert_error(response, 403, "DBS.280032")


def test_without_automated_backups(make_client: MakeClient) -> None:
    client = make_client(auto_backups=False)
    assert backups(client) == {"total_count": 0, "backups": []}


# --- lists -----------------------------------------------------------------------------------


def test_backups_are_listed_newest_first_a_page_at_a_time(
    client: TestClient, clock: FakeClock
) -> None:
    created = []
    for number in range(5):
        created.append(create(client, f"backup-{number}").json()["backup_id"])
        clock.advance(60)
    newest_first = [*reversed(created)]
    manual = backups(client, backup_type="Manual")
    assert manual["total_count"] == 5
    assert [b["id"] for b in manual["backups"]] == newest_first

    page = backups(client, backup_type="Manual", limit=2, offset=1)
    assert page["total_count"] == 5
    assert [b["id"] for b in page["backups"]] == newest_first[1:3]
    assert backups(client, backup_type="Manual", offset=5)["backups"] == []

    everything = backups(client)
    assert everything["total_count"] == 6
    assert everything["backups"][-1]["type"] == "Auto"  # the oldest


def test_backup_filters(make_client: MakeClient, clock: FakeClock) -> None:
    client = make_client(
        instances=(
            parse_instance(f"{PROJECT_ID}/{INSTANCE_ID}"),
            parse_instance(f"{PROJECT_ID}/{OTHER_INSTANCE}/other"),
        )
    )
    first = create(client, "backup-a").json()["backup_id"]
    begin = clock.now
    clock.advance(3600)
    second = client.post(
        f"/v3/{PROJECT_ID}/instances/{OTHER_INSTANCE}/backups", json=EXAMPLE
    ).json()["backup_id"]

    def ids(**query: Any) -> set[str]:
        return {b["id"] for b in backups(client, backup_type="Manual", **query)["backups"]}

    assert ids() == {first, second}
    assert ids(instance_id=OTHER_INSTANCE) == {second}
    assert ids(backup_id=first) == {first}
    assert ids(datastore_type="cassandra") == {first, second}
    assert ids(type="Instance") == {first, second}
    assert ids(type="DatabaseTable") == set()
    window = {"begin_time": _stamp(begin - 60), "end_time": _stamp(begin + 60)}
    assert ids(**window) == {first}
    assert ids(begin_time=_stamp(begin + 1800), end_time=_stamp(begin + 7200)) == {second}
    # The same moment written with another offset.
    assert ids(begin_time=_stamp(begin - 60, "+0100", 3600), end_time=_stamp(begin + 60)) == {first}
    (other,) = backups(client, instance_id=OTHER_INSTANCE)["backups"][:1]
    assert other["instance_name"] == "other"


def test_job_filters_and_pages(make_client: MakeClient, clock: FakeClock) -> None:
    client = make_client(backup_seconds=10.0)
    job_ids = []
    for number in range(12):
        job_ids.append(create(client, f"backup-{number}").json()["job_id"])
        clock.advance(10)
    running = create(client, "backup-running").json()["job_id"]
    newest_first = [running, *reversed(job_ids)]

    everything = jobs(client)
    assert everything["total_count"] == 13
    assert [j["id"] for j in everything["jobs"]] == newest_first
    page = jobs(client, limit=10, offset=10)
    assert [j["id"] for j in page["jobs"]] == newest_first[10:]
    assert [j["id"] for j in jobs(client, status="Running")["jobs"]] == [running]
    assert jobs(client, status="Completed")["total_count"] == 12
    assert jobs(client, status="Failed")["total_count"] == 0
    assert jobs(client, name="BackupInstance")["total_count"] == 13
    assert jobs(client, name="DeleteBackup")["total_count"] == 0
    assert [j["id"] for j in jobs(client, id=job_ids[3])["jobs"]] == [job_ids[3]]
    window = jobs(client, start_time=_stamp(clock.now - 25), end_time=_stamp(clock.now))
    assert [j["id"] for j in window["jobs"]] == newest_first[:3]
    # Older than the default window of 30 days: not listed without a window.
    clock.advance(31 * 86_400)
    assert jobs(client)["total_count"] == 0


def _stamp(epoch: float, zone: str = "+0000", shift: int = 0) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch + shift, UTC).strftime("%Y-%m-%dT%H:%M:%S") + zone


def test_every_answer_has_a_request_id(client: TestClient) -> None:
    seen = set()
    for response in [create(client), create(client), client.get("/nope"), client.put(JOBS_PATH)]:
        seen.add(response.headers["x-request-id"])
    assert len(seen) == 4


def test_concurrent_creates_share_a_commit_but_not_their_fate(clock: FakeClock) -> None:
    """Requests that arrive together are committed together (group commit); each is still
    checked on its own: a duplicate among them is refused and the others are kept."""
    import asyncio

    app = create_app(
        ServerConfig(tokens=frozenset({TOKEN}), backup_seconds=0.0, backup_limit=0), clock=clock
    )
    names = [f"backup-{number % 5}" for number in range(10)]

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://x", headers=AUTH) as c:
            return await asyncio.gather(
                *(c.post(CREATE_PATH, json={"name": name, "description": ""}) for name in names)
            )

    responses = asyncio.run(run())
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [202] * 5 + [400] * 5
    for response in responses:
        if response.status_code == 400:
            assert response.json()["error_code"] == "DBS.201201"
    listed = app.store.list_backups(PROJECT_ID, backup_type="Manual", offset=0, limit=100)
    assert sorted(b["name"] for b in listed.items) == sorted(set(names))


def test_ids_have_the_services_forms_and_follow_creation_order() -> None:
    # Time-ordered (UUIDv7 layout), so that new rows land at the end of the ID indexes.
    import time
    import uuid

    from geminidb_backup.server.state import new_backup_id, new_job_id

    jobs, backups = [], []
    for _ in range(50):
        jobs.append(new_job_id())
        backups.append(new_backup_id())
        time.sleep(0.001)
    assert all(uuid.UUID(job).version == 7 and str(uuid.UUID(job)) == job for job in jobs)
    assert all(len(b) == 36 and b.endswith("br06") and int(b[:32], 16) for b in backups)
    assert jobs == sorted(jobs) and backups == sorted(backups)
    assert len(set(jobs)) == len(set(backups)) == 50


@pytest.mark.parametrize("db", ["file-fsync", "file", ":memory:"])
def test_concurrent_creates_on_a_file_are_grouped_and_checked_each(tmp_path: Any, db: str) -> None:
    """The same as above with a file, through the writer thread (fsync) or not, and in memory."""
    import asyncio

    path = str(tmp_path / "state.sqlite3") if db.startswith("file") else db
    app = create_app(
        ServerConfig(
            tokens=frozenset({TOKEN}),
            db_path=path,
            backup_limit=0,
            backup_seconds=0.0,
            fsync=db == "file-fsync",
        )
    )
    names = [f"backup-{number % 7}" for number in range(40)]

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://x", headers=AUTH) as c:
            return await asyncio.gather(
                *(c.post(CREATE_PATH, json={"name": name, "description": ""}) for name in names)
            )

    try:
        responses = asyncio.run(run())
        assert sorted(r.status_code for r in responses) == [202] * 7 + [400] * 33
        listed = app.store.list_backups(PROJECT_ID, backup_type="Manual", offset=0, limit=100)
        assert sorted(b["name"] for b in listed.items) == sorted(set(names))
    finally:
        app.close()


def test_the_event_loop_serves_on_while_a_commit_waits_for_the_disk(tmp_path: Any) -> None:
    """With --fsync, a batch is written by the writer thread: a slow commit (a slow disk) holds
    up the requests of its batch, not the event loop."""
    import asyncio
    import time

    app = create_app(
        ServerConfig(tokens=frozenset({TOKEN}), db_path=str(tmp_path / "s.sqlite3"), fsync=True)
    )
    slow_change = app.store._create_backup

    def slowly(*args: Any) -> Any:
        time.sleep(0.5)
        return slow_change(*args)

    app.store._create_backup = slowly  # type: ignore[method-assign]

    async def run() -> tuple[float, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://x", headers=AUTH) as c:
            create = asyncio.ensure_future(c.post(CREATE_PATH, json=EXAMPLE))
            started = time.perf_counter()
            await asyncio.sleep(0.05)  # the create is now being written
            listed = await c.get(JOBS_PATH)
            took = time.perf_counter() - started
            assert listed.status_code == 200
            return took, (await create).status_code

    try:
        took, status = asyncio.run(run())
    finally:
        app.close()
    assert status == 202
    assert took < 0.35, f"the list waited {took:.2f} s for the commit"
