"""AK/SK signing agrees with the official SDK's signer, and its parts behave as documented."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote, urlencode

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from geminidb_backup.signing import (
    canonical_query,
    canonical_uri,
    expected_signature,
    parse_authorization,
    parse_sdk_date,
    sign_headers,
)

ACCESS_KEY, SECRET_KEY = "HPUAEXAMPLEACCESSKEY", "secret/Key+with=odd&chars"
HOST = "gaussdb-nosql.eu-de.otc.t-systems.com"
WHEN = datetime(2026, 11, 27, 21, 15, 30, tzinfo=UTC)

CASES = [
    pytest.param(
        "POST",
        "/v3/054e292c9880d4992f02c0196d3ea468/instances/a4d8ea2584e047439a667703c0684119in06/backups",
        [],
        b'{"name":"backup-4f57","description":"manual backup"}',
        id="createBackup",
    ),
    pytest.param(
        "GET",
        "/v4/054e292c9880d4992f02c0196d3ea468/backups",
        [
            ("limit", "10"),
            ("begin_time", "2019-05-27T03:38:51+0000"),
            ("backup_type", "Manual"),
            ("end_time", "2019-05-28T00:00:00+0000"),
            ("instance_id", "a b/c~d"),
        ],
        b"",
        id="listBackups-with-encoded-query",
    ),
    pytest.param("GET", "/v3/p1/jobs", [("id", "j2"), ("id", "j1")], b"", id="repeated-key"),
    pytest.param("DELETE", "/v3/p1/backups/b%20c", [], b"", id="deleteBackup-encoded-path"),
]


def _sdk_authorization(method: str, path: str, query: list[tuple[str, str]], body: bytes) -> str:
    request = SdkRequest(
        method=method,
        schema="https",
        host=HOST,
        resource_path=path,
        query_params=list(query),
        header_params={"Content-Type": "application/json", "X-Sdk-Date": "20261127T211530Z"},
        body=body,
    )
    signed = Signer(BasicCredentials(ak=ACCESS_KEY, sk=SECRET_KEY)).sign(request)
    return str(signed.header_params["Authorization"])


@pytest.mark.parametrize(("method", "path", "query", "body"), CASES)
def test_signature_matches_the_official_sdk_signer(
    method: str, path: str, query: list[tuple[str, str]], body: bytes
) -> None:
    raw_query = urlencode(query, quote_via=quote)
    headers = {"Host": HOST, "Content-Type": "application/json", "User-Agent": "not-signed"}

    added = sign_headers(ACCESS_KEY, SECRET_KEY, method, path, raw_query, headers, body, now=WHEN)

    assert added["X-Sdk-Date"] == "20261127T211530Z"
    assert added["Authorization"] == _sdk_authorization(method, path, query, body)


def test_the_verifier_recomputes_the_signature_and_rejects_tampering() -> None:
    path, body = "/v3/p1/instances/i1/backups", b'{"name":"backup-1","description":"d"}'
    headers = {"Host": HOST, "Content-Type": "application/json"}
    added = sign_headers(ACCESS_KEY, SECRET_KEY, "POST", path, "", headers, body, now=WHEN)
    parsed = parse_authorization(added["Authorization"])
    received = {"host": HOST, "content-type": "application/json", "x-sdk-date": added["X-Sdk-Date"]}

    def verify(secret: str, path: str, body: bytes) -> str:
        return expected_signature(secret, "POST", path, "", received, parsed.signed_headers, body)

    assert parsed.access_key == ACCESS_KEY
    assert parsed.signed_headers == ("content-type", "host", "x-sdk-date")
    assert verify(SECRET_KEY, path, body) == parsed.signature
    assert verify(SECRET_KEY, path, body.replace(b"backup-1", b"backup-2")) != parsed.signature
    assert verify(SECRET_KEY, "/v3/p1/instances/i2/backups", body) != parsed.signature
    assert verify("another secret", path, body) != parsed.signature


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer abc",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=not-hex",
        "SDK-HMAC-SM3 Access=AK, SignedHeaders=host, Signature=abcd",
    ],
)
def test_malformed_authorization_headers_are_refused(header: str) -> None:
    with pytest.raises(ValueError, match="SDK-HMAC-SHA256"):
        parse_authorization(header)


def test_secrets_stay_out_of_the_parsed_header_repr() -> None:
    added = sign_headers(
        ACCESS_KEY, SECRET_KEY, "GET", "/v3/p1/jobs", "", {"Host": HOST}, b"", now=WHEN
    )
    parsed = parse_authorization(added["Authorization"])
    assert parsed.signature not in repr(parsed) and SECRET_KEY not in repr(parsed)


def test_canonical_parts() -> None:
    assert canonical_uri("/v3/p1/jobs") == "/v3/p1/jobs/"
    assert canonical_uri("/v3/p1/backups/a%2Fb") == "/v3/p1/backups/a/b/"
    assert canonical_query("b=2&a=1&a=0&c=x%2By") == "a=0&a=1&b=2&c=x%2By"
    assert canonical_query("") == ""
    assert parse_sdk_date("20261127T211530Z") == WHEN
    with pytest.raises(ValueError):
        parse_sdk_date("2026-11-27T21:15:30Z")


def test_the_signature_covers_the_body_whatever_a_content_hash_header_claims() -> None:
    path, body = "/v3/p1/instances/i1/backups", b'{"name":"backup-1","description":"d"}'
    plain = {"host": HOST, "content-type": "application/json", "x-sdk-date": "20261127T211530Z"}
    claiming = {**plain, "x-sdk-content-sha256": "UNSIGNED-PAYLOAD"}
    names = ("content-type", "host", "x-sdk-date")

    def sign(headers: dict[str, str], body: bytes) -> str:
        return expected_signature(SECRET_KEY, "POST", path, "", headers, names, body)

    assert sign(claiming, body) == sign(plain, body)
    assert sign(claiming, body) != sign(claiming, b"another body")
