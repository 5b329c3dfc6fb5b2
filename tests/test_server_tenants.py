"""Who may call what: credentials bound to projects (403 ``DBS.280056`` elsewhere), and AK/SK
requests the server would read differently from how they were signed (400 ``APIGW.0201``),
while requests signed by the official SDK's signer keep working."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from server_helpers import BACKUPS_PATH, CREATE_PATH, INSTANCE_ID, JOBS_PATH, PROJECT_ID, FakeClock
from starlette.testclient import TestClient

from geminidb_backup import signing
from geminidb_backup.server import ServerConfig, create_app
from geminidb_backup.server.config import load_file_settings, parse_bound_access_key, parse_token
from geminidb_backup.server.state import Instance

ACCESS_KEY, SECRET_KEY = "HPUAEXAMPLEACCESSKEY", "secret/Key+with=odd&chars"
BOUND_KEY = "HPUABOUNDACCESSKEY00"
HOST = "testserver"
OTHER_PROJECT = "0123456789abcdef0123456789abcdef"
UNKNOWN_PROJECT = "fedcba9876543210fedcba9876543210"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(clock: FakeClock) -> TestClient:
    config = ServerConfig(
        tokens=frozenset({"everywhere", "home-only"}),
        access_keys={ACCESS_KEY: SECRET_KEY, BOUND_KEY: SECRET_KEY},
        token_projects={"home-only": frozenset({PROJECT_ID})},
        access_key_projects={BOUND_KEY: frozenset({PROJECT_ID})},
        instances=(
            Instance(PROJECT_ID, INSTANCE_ID, "cassandra-prod"),
            Instance(OTHER_PROJECT, "b" * 32 + "in06", "cassandra-other"),
        ),
        backup_seconds=0.0,
    )
    return TestClient(create_app(config, clock=clock), base_url=f"http://{HOST}")


def _signed(
    clock: FakeClock, method: str, path: str, query: str = "", body: bytes = b"", key: str = ""
) -> dict[str, str]:
    headers = {"Host": HOST, **({"Content-Type": "application/json"} if body else {})}
    added = signing.sign_headers(
        key or ACCESS_KEY, SECRET_KEY, method, path, query, headers, body,
        now=datetime.fromtimestamp(clock.now, UTC),
    )  # fmt: skip
    return {**headers, **added}


# --- credentials bound to projects ----------------------------------------------------------------


@pytest.mark.parametrize("project", [OTHER_PROJECT, UNKNOWN_PROJECT], ids=["other", "unknown"])
def test_a_bound_token_is_refused_403_in_any_other_project(
    client: TestClient, project: str
) -> None:
    response = client.get(f"/v3/{project}/jobs", headers={"X-Auth-Token": "home-only"})
    assert response.status_code == 403, response.text
    assert response.json() == {"error_code": "DBS.280056", "error_msg": "Token invalid."}
    deleted = client.delete(f"/v3/{project}/backups/x", headers={"X-Auth-Token": "home-only"})
    assert deleted.status_code == 403
    assert client.get(JOBS_PATH, headers={"X-Auth-Token": "home-only"}).status_code == 200


def test_an_unbound_token_is_valid_in_every_project(client: TestClient) -> None:
    headers = {"X-Auth-Token": "everywhere"}
    assert client.get(f"/v3/{OTHER_PROJECT}/jobs", headers=headers).status_code == 200
    # An unknown project with credentials valid for every project: the x-unknown answer.
    unknown = client.get(f"/v3/{UNKNOWN_PROJECT}/jobs", headers=headers)
    assert unknown.status_code == 400 and unknown.json()["error_code"] == "DBS.280408"


def test_a_bound_access_key_is_refused_403_in_another_project(
    client: TestClient, clock: FakeClock
) -> None:
    path = f"/v3/{OTHER_PROJECT}/jobs"
    refused = client.get(path, headers=_signed(clock, "GET", path, key=BOUND_KEY))
    assert refused.status_code == 403 and refused.json()["error_code"] == "DBS.280056"
    home = client.get(JOBS_PATH, headers=_signed(clock, "GET", JOBS_PATH, key=BOUND_KEY))
    assert home.status_code == 200
    # A bad signature is still a 401 first: the 403 tells only a caller who holds the key.
    bad = _signed(clock, "GET", path, key=BOUND_KEY)
    bad["Authorization"] = bad["Authorization"][:-4] + "0000"
    assert client.get(path, headers=bad).status_code == 401


def test_binding_syntax_on_the_command_line_and_in_a_file(tmp_path: Any) -> None:
    assert parse_token("tok") == ("tok", None)
    assert parse_token(f"tok@{PROJECT_ID},{OTHER_PROJECT}") == (
        "tok",
        frozenset({PROJECT_ID, OTHER_PROJECT}),
    )
    assert parse_bound_access_key(f"AK:SK@{PROJECT_ID}") == ("AK", "SK", frozenset({PROJECT_ID}))
    with pytest.raises(ValueError, match="no empty project") as refused:
        parse_token("secret-token@")
    assert "secret-token" not in str(refused.value)
    config = tmp_path / "serve.yaml"
    config.write_text(
        f"tokens: [open, 'bound@{PROJECT_ID}']\naccess_keys: ['AK:SK@{PROJECT_ID}']\n"
    )
    settings = load_file_settings(config)
    assert set(settings.tokens) == {"open", "bound"}
    assert settings.token_projects == {"bound": frozenset({PROJECT_ID})}
    assert settings.access_key_projects == {"AK": frozenset({PROJECT_ID})}


# --- what a signature does not say is refused ---------------------------------------------------


def test_a_repeated_query_parameter_in_another_order_is_refused(
    client: TestClient, clock: FakeClock
) -> None:
    headers = _signed(clock, "GET", BACKUPS_PATH, "backup_type=Auto&backup_type=Manual")
    # Same canonical query (sorted), but the server would read the last value: refused.
    response = client.get(f"{BACKUPS_PATH}?backup_type=Manual&backup_type=Auto", headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["error_code"] == "APIGW.0201"


def test_a_plus_is_signed_as_it_is_read(client: TestClient, clock: FakeClock) -> None:
    # "+" is read as a space: signed as "%2B" (a plus), it is not the same request.
    plus = _signed(clock, "GET", BACKUPS_PATH, "instance_id=a%2Bb")
    response = client.get(f"{BACKUPS_PATH}?instance_id=a+b", headers=plus)
    assert response.status_code == 401, response.text
    assert client.get(f"{BACKUPS_PATH}?instance_id=a%2Bb", headers=plus).status_code == 200
    # Signed as it is read (a space, as httpx and requests encode it), it is served.
    space = _signed(clock, "GET", BACKUPS_PATH, "instance_id=a+b")
    assert client.get(f"{BACKUPS_PATH}?instance_id=a+b", headers=space).status_code == 200
    assert client.get(f"{BACKUPS_PATH}?instance_id=a%20b", headers=space).status_code == 200


@pytest.mark.parametrize("name", ["Host", "Authorization", "X-Sdk-Date"])
def test_a_second_signed_header_prepended_is_refused(
    client: TestClient, clock: FakeClock, name: str
) -> None:
    signed = _signed(clock, "GET", JOBS_PATH)
    extra = {"Host": "evil.example", "Authorization": "Bearer x", "X-Sdk-Date": "20000101T000000Z"}
    headers = [(name, extra[name]), *signed.items()]
    response = client.get(JOBS_PATH, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["error_code"] == "APIGW.0201"


SDK_CASES = [
    ("POST", CREATE_PATH, [], {"name": "sdk-backup", "description": "signed by the SDK"}),
    ("GET", BACKUPS_PATH, [("limit", "10"), ("instance_id", "a b+c"), ("offset", "0")], None),
    ("GET", JOBS_PATH, [("status", "Completed"), ("name", "BackupInstance")], None),
    ("DELETE", f"/v3/{PROJECT_ID}/backups/nope", [], None),
]


@pytest.mark.parametrize(("method", "path", "query", "body"), SDK_CASES)
def test_requests_signed_by_the_official_sdk_are_served(
    client: TestClient, clock: FakeClock, method: str, path: str, query: Any, body: Any
) -> None:
    raw = json.dumps(body).encode() if body is not None else b""
    request = SdkRequest(
        method=method,
        schema="http",
        host=HOST,
        resource_path=path,
        query_params=list(query),
        header_params={
            "Content-Type": "application/json",
            "X-Sdk-Date": datetime.fromtimestamp(clock.now, UTC).strftime("%Y%m%dT%H%M%SZ"),
        },
        body=raw,
    )
    signed = Signer(BasicCredentials(ak=ACCESS_KEY, sk=SECRET_KEY)).sign(request)
    response = client.request(method, signed.uri, headers=signed.header_params, content=raw)
    # Served: no 400 APIGW.0201 and no 401; deleting an unknown backup is the service's 400.
    expected = {"POST": 202, "GET": 200, "DELETE": 400}[method]
    assert response.status_code == expected, response.text
    assert response.json().get("error_code") in (None, "DBS.201214")
