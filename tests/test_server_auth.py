"""Who may call the reference server: configured tokens, and AK/SK signatures (SDK-HMAC-SHA256).

The first signature test builds the canonical request by hand, step by step as the reference
describes it, so that it checks the server against the description and not only against
geminidb_backup.signing (which the server uses to verify)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
from server_helpers import BACKUPS_PATH, CREATE_PATH, JOBS_PATH, PROJECT_ID, FakeClock
from starlette.testclient import TestClient

from geminidb_backup import signing
from geminidb_backup.server import ServerConfig, create_app

ACCESS_KEY = "HPUAEXAMPLEACCESSKEY"
SECRET_KEY = "example-secret-key-0123456789"
HOST = "testserver"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(clock: FakeClock) -> TestClient:
    config = ServerConfig(
        tokens=frozenset({"token-1", "token-2"}),
        access_keys={ACCESS_KEY: SECRET_KEY},
        backup_seconds=0.0,
    )
    return TestClient(create_app(config, clock=clock), base_url=f"http://{HOST}")


def test_every_configured_token_is_accepted(client: TestClient) -> None:
    for token in ["token-1", "token-2"]:
        assert client.get(JOBS_PATH, headers={"X-Auth-Token": token}).status_code == 200
    assert client.get(JOBS_PATH, headers={"X-Auth-Token": "token-3"}).status_code == 401


def _sdk_date(clock: FakeClock, shift: float = 0.0) -> str:
    return datetime.fromtimestamp(clock.now + shift, UTC).strftime("%Y%m%dT%H%M%SZ")


def test_a_request_signed_as_the_reference_describes_is_accepted(
    client: TestClient, clock: FakeClock
) -> None:
    body = json.dumps({"name": "signed-backup", "description": "signed"}).encode()
    sdk_date = _sdk_date(clock)
    # The canonical request: method, URI with a trailing "/", sorted query (none), the signed
    # headers as name:value lines, their names joined by ";", and the hex SHA-256 of the body.
    canonical = "\n".join(
        [
            "POST",
            CREATE_PATH + "/",
            "",
            f"content-type:application/json\nhost:{HOST}\nx-sdk-date:{sdk_date}\n",
            "content-type;host;x-sdk-date",
            hashlib.sha256(body).hexdigest(),
        ]
    )
    to_sign = f"SDK-HMAC-SHA256\n{sdk_date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    signature = hmac.new(SECRET_KEY.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "X-Sdk-Date": sdk_date,
        "Authorization": f"SDK-HMAC-SHA256 Access={ACCESS_KEY}, "
        f"SignedHeaders=content-type;host;x-sdk-date, Signature={signature}",
    }
    response = client.post(CREATE_PATH, content=body, headers=headers)
    assert response.status_code == 202, response.text


def _signed(
    clock: FakeClock,
    method: str,
    path: str,
    query: str = "",
    body: bytes = b"",
    *,
    secret_key: str = SECRET_KEY,
    access_key: str = ACCESS_KEY,
    shift: float = 0.0,
) -> dict[str, str]:
    headers = {"Host": HOST}
    if body:
        headers["Content-Type"] = "application/json"
    signed = signing.sign_headers(
        access_key,
        secret_key,
        method,
        path,
        query,
        headers,
        body,
        now=datetime.fromtimestamp(clock.now, UTC) + timedelta(seconds=shift),
    )
    return {**headers, **signed}


def test_a_signed_query_is_accepted(client: TestClient, clock: FakeClock) -> None:
    query = "limit=10&start_time=2027-01-01T00%3A00%3A00%2B0000"
    response = client.get(f"{JOBS_PATH}?{query}", headers=_signed(clock, "GET", JOBS_PATH, query))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "tamper",
    ["body", "path", "query", "signature", "secret", "access-key", "unsigned-date", "no-date"],
)
def test_a_tampered_signature_is_401(client: TestClient, clock: FakeClock, tamper: str) -> None:
    body = b'{"name": "signed-backup", "description": "signed"}'
    headers = _signed(
        clock,
        "POST",
        CREATE_PATH,
        body=body,
        secret_key="wrong-secret" if tamper == "secret" else SECRET_KEY,
        access_key="UNKNOWNKEY" if tamper == "access-key" else ACCESS_KEY,
    )
    path = CREATE_PATH
    if tamper == "body":
        body = body.replace(b"signed-backup", b"signed-backuq")
    elif tamper == "path":
        path = CREATE_PATH.replace("/instances/", "/instances/x")
    elif tamper == "query":
        path = CREATE_PATH + "?x=1"
    elif tamper == "signature":
        value = headers["Authorization"]
        headers["Authorization"] = value[:-1] + ("0" if value[-1] != "0" else "1")
    elif tamper == "unsigned-date":
        headers["Authorization"] = headers["Authorization"].replace(";x-sdk-date", "")
    elif tamper == "no-date":
        del headers["X-Sdk-Date"]
    response = client.post(path, content=body, headers=headers)
    assert response.status_code == 401, response.text
    assert response.json()["error_code"] == "APIGW.0301"


@pytest.mark.parametrize("shift", [-3600.0, 3600.0, -16 * 60.0])
def test_a_stale_or_future_sdk_date_is_401(
    client: TestClient, clock: FakeClock, shift: float
) -> None:
    response = client.get(BACKUPS_PATH, headers=_signed(clock, "GET", BACKUPS_PATH, shift=shift))
    assert response.status_code == 401
    assert response.json()["error_code"] == "APIGW.0301"


def test_a_slightly_skewed_sdk_date_is_accepted(client: TestClient, clock: FakeClock) -> None:
    headers = _signed(clock, "GET", BACKUPS_PATH, shift=-14 * 60.0)
    assert client.get(BACKUPS_PATH, headers=headers).status_code == 200


def test_a_malformed_authorization_is_401(client: TestClient, clock: FakeClock) -> None:
    for value in [b"SDK-HMAC-SHA256", b"SDK-HMAC-SHA256 Access=a", b"Basic dXNlcjpwYXNz", b"\xe9"]:
        headers = {b"Authorization": value, b"X-Sdk-Date": _sdk_date(clock).encode()}
        response = client.get(f"/v3/{PROJECT_ID}/jobs", headers=headers)
        assert response.status_code == 401


def test_no_secret_in_the_config_repr() -> None:
    config = ServerConfig(tokens=frozenset({"token-secret"}), access_keys={"AK": "sk-secret"})
    assert "token-secret" not in repr(config)
    assert "sk-secret" not in repr(config)


# --- the signature binds the body the server received ------------------------------------------


def _with_claimed_hash(clock: FakeClock, body: bytes, claimed: str) -> dict[str, str]:
    """Headers signing ``body`` with an ``X-Sdk-Content-Sha256`` header of ``claimed``."""
    headers = {"Host": HOST, "Content-Type": "application/json", "X-Sdk-Content-Sha256": claimed}
    signed = signing.sign_headers(
        ACCESS_KEY, SECRET_KEY, "POST", CREATE_PATH, "", headers, body,
        now=datetime.fromtimestamp(clock.now, UTC),
        header_names=(*signing.DEFAULT_SIGNED_HEADERS, "x-sdk-content-sha256"),
    )  # fmt: skip
    return {**headers, **signed}


def test_a_captured_signed_request_cannot_carry_another_body(
    client: TestClient, clock: FakeClock
) -> None:
    # The attack: a request whose signature covers a body hash given in X-Sdk-Content-Sha256,
    # replayed with another body. The server hashes the body it received.
    signed_body = b'{"name": "signed-backup", "description": "signed"}'
    headers = _with_claimed_hash(clock, signed_body, hashlib.sha256(signed_body).hexdigest())
    replayed = client.post(
        CREATE_PATH, content=b'{"name": "evil-backup", "description": "x"}', headers=headers
    )
    assert replayed.status_code == 401, replayed.text
    assert replayed.json()["error_code"] == "APIGW.0301"
    genuine = client.post(CREATE_PATH, content=signed_body, headers=headers)
    assert genuine.status_code == 202, genuine.text


@pytest.mark.parametrize("claimed", ["UNSIGNED-PAYLOAD", "0" * 64, ""])
def test_a_content_hash_header_that_is_not_the_bodys_hash_is_401(
    client: TestClient, clock: FakeClock, claimed: str
) -> None:
    body = b'{"name": "signed-backup", "description": "signed"}'
    response = client.post(
        CREATE_PATH, content=body, headers=_with_claimed_hash(clock, body, claimed)
    )
    assert response.status_code == 401, response.text


def _sdk_signed(clock: FakeClock, method: str, path: str, body: bytes) -> dict[str, str]:
    """The headers the official SDK's signer sends: it signs every header it has."""
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.sdk_request import SdkRequest
    from huaweicloudsdkcore.signer.signer import Signer

    header_params = {"X-Sdk-Date": _sdk_date(clock), "X-Project-Id": PROJECT_ID}
    if body:
        header_params["Content-Type"] = "application/json;charset=UTF-8"
    request = SdkRequest(
        method=method, schema="http", host=HOST, resource_path=path, query_params=[],
        header_params=header_params, body=body,
    )  # fmt: skip
    signed = Signer(BasicCredentials(ak=ACCESS_KEY, sk=SECRET_KEY)).sign(request)
    return {str(name): str(value) for name, value in signed.header_params.items()}


def test_the_official_sdks_requests_are_accepted_and_bound_to_their_body(
    client: TestClient, clock: FakeClock
) -> None:
    body = b'{"name": "sdk-backup", "description": "from the SDK"}'
    headers = _sdk_signed(clock, "POST", CREATE_PATH, body)
    assert client.post(CREATE_PATH, content=body, headers=headers).status_code == 202
    other = body.replace(b"sdk-backup", b"sdk-backuq")
    assert client.post(CREATE_PATH, content=other, headers=headers).status_code == 401
    listed = client.get(BACKUPS_PATH, headers=_sdk_signed(clock, "GET", BACKUPS_PATH, b""))
    assert listed.status_code == 200, listed.text


# --- the body size limit: 413 whatever the credentials, before the body is read -------------

BIG_BODY = b'{"name": "big-backup", "description": "' + b"a" * 70_000 + b'"}'


def _credentials(clock: FakeClock, kind: str) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if kind in ("token", "unknown-token"):
        headers["X-Auth-Token"] = "token-1" if kind == "token" else "token-3"
    elif kind == "signature":
        headers = _signed(clock, "POST", CREATE_PATH, body=BIG_BODY)
    elif kind == "unknown-key":
        headers = _signed(clock, "POST", CREATE_PATH, body=BIG_BODY, access_key="UNKNOWNKEY")
    elif kind == "bad-signature":
        headers = _signed(clock, "POST", CREATE_PATH, body=BIG_BODY, secret_key="wrong-secret")
    return headers


ALL_CREDENTIALS = ["none", "token", "unknown-token", "signature", "unknown-key", "bad-signature"]


@pytest.mark.parametrize("credentials", ALL_CREDENTIALS)
def test_a_body_declared_over_the_limit_is_413_whatever_the_credentials(
    client: TestClient, clock: FakeClock, credentials: str
) -> None:
    response = client.post(CREATE_PATH, content=BIG_BODY, headers=_credentials(clock, credentials))
    assert response.status_code == 413, response.text
    assert response.json() == {
        "error_code": "APIGW.0201",
        "error_msg": "Request entity too large.",
    }


# --- a signer written from the spec's words alone ----------------------------------------------


def _aksk_text() -> str:
    from geminidb_backup.spec import load_spec

    return " ".join(
        str(load_spec()["components"]["securitySchemes"]["aksk"]["description"]).split()
    )


# Each step of the signer below relies on these sentences of the spec (white space normalised):
# a change of the text that drops one fails here, and a step missing from the text fails the calls.
SPEC_SENTENCES = [
    (
        "every byte of the UTF-8 text as `%XX` (upper-case hex), except the letters `A`-`Z` and "
        "`a`-`z`, the digits `0`-`9`, and `-`, `_`, `.` and `~`"
    ),
    "six parts, each followed by a newline (`\\n`) except the last",
    "the method, in upper case",
    (
        "the path as sent, percent-decoded, split at each `/`, each segment percent-encoded, joined "
        "again with `/`, and a `/` appended when it does not end with one"
    ),
    (
        "split at `&`, then at the first `=`; a pair without `=` has an empty value) percent-decoded "
        "(a `+` stays a `+`), sorted by key then by value (decoded, by code point), each written "
        "`key=value` with key and value percent-encoded, joined with `&`; empty when there is no query"
    ),
    (
        "a line `name:value` with the name in lower case and the value without the white space around "
        "it, each line ending with a newline. This block ends with its own newline, so an empty line "
        "separates it from the next part"
    ),
    "the signed header names, in lower case, sorted and joined with `;`",
    "must include `x-sdk-date`",
    "the hex (lower-case) SHA-256 of the body's bytes as sent; with no body, of the empty string",
    (
        "The string to sign is `SDK-HMAC-SHA256\\n<X-Sdk-Date>\\n<hex SHA-256 of the canonical "
        "request>`"
    ),
    "the lower-case hex HMAC-SHA256 of the string to sign, keyed with the secret key (both as UTF-8)",
    "`Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2;...>, Signature=<hex>`",
]


def test_the_spec_states_every_step_of_the_signer() -> None:
    text = _aksk_text()
    for sentence in SPEC_SENTENCES:
        assert sentence in text, sentence


def _spec_percent_encode(text: str) -> str:
    unreserved = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
    return "".join(chr(b) if b in unreserved else f"%{b:02X}" for b in text.encode("utf-8"))


def _spec_percent_decode(text: str) -> str:
    from urllib.parse import unquote_to_bytes

    return unquote_to_bytes(text).decode("utf-8")  # "+" is not touched


def _spec_signer(
    method: str, path: str, query: str, headers: dict[str, str], body: bytes, sdk_date: str
) -> str:
    """The Authorization value, each step as the spec's text says it (not geminidb_backup.signing)."""
    segments = _spec_percent_decode(path).split("/")
    canonical_path = "/".join(_spec_percent_encode(segment) for segment in segments)
    if not canonical_path.endswith("/"):
        canonical_path += "/"
    pairs = []
    for item in query.split("&") if query else []:
        key, _, value = item.partition("=")
        pairs.append((_spec_percent_decode(key), _spec_percent_decode(value)))
    canonical_query = "&".join(
        f"{_spec_percent_encode(k)}={_spec_percent_encode(v)}" for k, v in sorted(pairs)
    )
    lowered = {name.lower(): value.strip() for name, value in headers.items()}
    names = sorted(lowered)
    assert "x-sdk-date" in names
    canonical_headers = "".join(f"{name}:{lowered[name]}\n" for name in names)
    parts = [
        method.upper(),
        canonical_path,
        canonical_query,
        canonical_headers,
        ";".join(names),
        hashlib.sha256(body).hexdigest(),
    ]
    canonical = "".join(part + "\n" for part in parts[:-1]) + parts[-1]
    to_sign = f"SDK-HMAC-SHA256\n{sdk_date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    signature = hmac.new(SECRET_KEY.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    return f"SDK-HMAC-SHA256 Access={ACCESS_KEY}, SignedHeaders={';'.join(names)}, Signature={signature}"


@pytest.mark.parametrize(
    ("method", "path", "query", "body", "status"),
    [
        ("POST", CREATE_PATH, "", b'{"name": "spec-signed", "description": "caf\xc3\xa9"}', 202),
        ("GET", BACKUPS_PATH, "", b"", 200),
        (
            "GET",
            BACKUPS_PATH,
            (
                "limit=10&end_time=2027-01-01T00%3A00%3A00%2B0000&begin_time=2026-01-01T00%3A00%3A00Z"
                "&instance_id=a%20b~c&backup_type=Manual"
            ),
            b"",
            200,
        ),
        ("GET", JOBS_PATH, "status=Running&name&limit=20", b"", 200),
        ("DELETE", f"/v3/{PROJECT_ID}/backups/no%20such~backup", "", b"", 400),
    ],
    ids=["createBackup", "listBackups", "listBackups-query", "listJobs-bare-key", "deleteBackup"],
)
def test_a_signer_written_from_the_spec_is_accepted(
    client: TestClient,
    clock: FakeClock,
    method: str,
    path: str,
    query: str,
    body: bytes,
    status: int,
) -> None:
    sdk_date = _sdk_date(clock)
    headers = {"Host": HOST, "X-Sdk-Date": sdk_date}
    if body:
        headers["Content-Type"] = "application/json"
    authorization = _spec_signer(method, path, query, headers, body, sdk_date)
    url = f"{path}?{query}" if query else path
    response = client.request(
        method, url, content=body or None, headers={**headers, "Authorization": authorization}
    )
    # 400 for the deletion: authenticated, and then no such backup (DBS.201214).
    assert response.status_code == status, response.text
    if status == 400:
        assert response.json()["error_code"] == "DBS.201214"
