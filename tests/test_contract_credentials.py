"""Credentials of the contract suite, as in the CLI: a token, AK/SK signatures, or an IAM password.

The AK/SK signer signs exactly what schemathesis marked for signing; the suite run with AK/SK
passes the reference server and catches servers that do not check signatures; refused credentials
fail a run instead of letting it pass on 401s."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import broken_servers
import pytest
import requests
from broken_servers import (
    ACCESS_KEY,
    SECRET_KEY,
    TOKEN,
    junit_failures,
    reference_app,
    run_suite,
    serving,
)
from fake_api import DOMAIN, PASSWORD, USER, FakeState, running

from conftest import operations, run_pytest_file
from geminidb_backup.contract import aksk
from geminidb_backup.server import example_instance
from geminidb_backup.server.auth import Authenticator
from geminidb_backup.server.errors import ApiError
from geminidb_backup.spec import load_spec

Variant = Callable[[broken_servers.ASGIApp], broken_servers.ASGIApp]
PROJECT_ID = example_instance().project_id
URL = f"http://127.0.0.1:8080/v3/{PROJECT_ID}/instances/i%20d/backups?b=2&a=1"


@pytest.fixture
def placeholder() -> Iterator[str]:
    with aksk.signing_with(ACCESS_KEY, SECRET_KEY, PROJECT_ID) as value:
        yield value


def _prepared(
    authorization: str | None, body: bytes = b'{"name":"backup-1"}'
) -> requests.PreparedRequest:
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    return requests.Request("POST", URL, data=body, headers=headers).prepare()


def _verify(request: requests.PreparedRequest) -> None:
    """What the reference server does with the request as it would arrive."""
    path, _, query = (request.path_url or "").partition("?")
    headers = {name.lower(): str(value) for name, value in request.headers.items()}
    body = request.body if isinstance(request.body, bytes) else b""
    Authenticator((), {ACCESS_KEY: SECRET_KEY}, max_skew_seconds=300).check(
        "POST", path, query, headers, body
    )


def test_a_placeholder_is_replaced_by_a_signature_the_server_accepts(placeholder: str) -> None:
    signed = aksk.SIGNER(_prepared(placeholder))
    _verify(signed)
    assert signed.headers["Authorization"].startswith(f"SDK-HMAC-SHA256 Access={ACCESS_KEY}, ")
    assert signed.headers["Host"] == "127.0.0.1:8080"
    assert signed.headers["X-Project-Id"] == PROJECT_ID
    assert SECRET_KEY not in json.dumps(dict(signed.headers))


def test_anything_but_a_registered_placeholder_goes_out_unchanged(placeholder: str) -> None:
    stale = placeholder.rsplit("#", 1)[0] + "#0000"  # right access key, not a registered value
    for authorization in (None, "SCHEMATHESIS-INVALID-VALUE", stale):
        request = _prepared(authorization)
        before = dict(request.headers)
        assert dict(aksk.SIGNER(request).headers) == before


def test_a_text_body_is_signed_as_the_bytes_sent_and_the_host_has_no_user_info(
    placeholder: str,
) -> None:
    signed = requests.Request(
        "POST",
        URL.replace("http://", "http://user:pw@"),
        data='{"name":"bäckup"}',
        headers={"Authorization": placeholder, "Content-Type": "application/json"},
        auth=aksk.SIGNER,  # as the hook passes it: requests then ignores the URL's user:pw
    ).prepare()
    assert signed.body == '{"name":"bäckup"}'.encode()
    assert signed.headers["Content-Length"] == str(len(signed.body))
    assert signed.headers["Host"] == "127.0.0.1:8080"
    _verify(signed)


def test_each_registration_has_its_own_placeholder() -> None:
    with aksk.signing_with(ACCESS_KEY, SECRET_KEY) as first:
        with aksk.signing_with(ACCESS_KEY, "another-secret") as second:
            assert first != second
        _verify(aksk.SIGNER(_prepared(first)))  # the inner run's end left the outer key in place


class _Case:
    def __init__(self, authorization: str | None) -> None:
        self.headers = {} if authorization is None else {"Authorization": authorization}


def test_the_hook_signs_only_calls_that_carry_a_placeholder(placeholder: str) -> None:
    """Other schemas in the process keep their own auth; signed calls follow no redirect (the
    signature is for one URL)."""
    for case in (_Case(None), _Case("Basic dXNlcjpwdw=="), _Case("SCHEMATHESIS-INVALID-VALUE")):
        kwargs: dict[str, object] = {"auth": "theirs"}
        aksk.before_call(None, case, kwargs)
        assert kwargs == {"auth": "theirs"}
    for value in (placeholder, placeholder + aksk.TAMPERED_SUFFIX):
        kwargs = {}
        aksk.before_call(None, _Case(value), kwargs)
        assert kwargs == {"auth": aksk.SIGNER, "allow_redirects": False}


def test_a_tampered_placeholder_gets_a_signature_that_fails(placeholder: str) -> None:
    spoilt = aksk.SIGNER(_prepared(placeholder + aksk.TAMPERED_SUFFIX))
    assert spoilt.headers["Authorization"].startswith(f"SDK-HMAC-SHA256 Access={ACCESS_KEY}, ")
    with pytest.raises(ApiError):
        _verify(spoilt)


def test_the_signature_covers_the_body(placeholder: str) -> None:
    signed = aksk.SIGNER(_prepared(placeholder, body=b'{"name":"backup-1"}'))
    signed.body = b'{"name":"backup-2"}'
    with pytest.raises(ApiError):
        _verify(signed)


def test_a_key_signs_only_while_it_is_registered() -> None:
    with aksk.signing_with(ACCESS_KEY, SECRET_KEY) as value:
        pass
    request = _prepared(value)
    assert aksk.SIGNER(request).headers["Authorization"] == value
    kwargs: dict[str, object] = {}
    aksk.before_call(None, _Case(value), kwargs)
    assert kwargs == {}
    with pytest.raises(ValueError, match="secret key"):
        aksk.register(ACCESS_KEY, "")


def _run(url: str, report_dir: Path, **overrides: object) -> int:
    """The suite signing with AK/SK, with JUnit and HAR reports."""
    settings: dict[str, object] = {
        "token": None,
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "max_examples": 10,
        "reports": ["junit", "har"],
        **overrides,
    }
    return run_suite(url, report_dir, **settings)


def test_the_reference_server_passes_every_check_with_aksk(tmp_path: Path) -> None:
    with serving(reference_app()) as url:
        code = _run(url, tmp_path)
    assert junit_failures(tmp_path) == ""
    assert code == 0
    entries = json.loads((tmp_path / "network.har").read_text())["log"]["entries"]
    accepted = [e for e in entries if e["response"]["status"] in (200, 202)]
    assert accepted, "no request was accepted: the run tested nothing"
    for entry in accepted:  # every accepted request was signed, none carried a token
        names = {header["name"].lower() for header in entry["request"]["headers"]}
        assert {"authorization", "x-sdk-date"} <= names and "x-auth-token" not in names
    for report in tmp_path.iterdir():
        assert SECRET_KEY not in report.read_text()


@pytest.mark.parametrize(
    ("variant", "operation", "expected"),
    [
        (broken_servers.accepts_any_signature, "listJobs", "`wrong_signature_is_refused`"),
        (
            broken_servers.accepts_any_token,
            "listJobs",
            "API accepts requests without authentication",
        ),
    ],
    ids=["accepts_any_signature", "accepts_any_token"],
)
def test_servers_that_do_not_check_signatures_are_reported(
    variant: Variant, operation: str, expected: str, tmp_path: Path
) -> None:
    with serving(variant(reference_app())) as url:
        code = _run(
            url, tmp_path, phases=["examples"], include_operations=[operation], max_examples=5
        )
    assert code == 1
    assert expected in junit_failures(tmp_path)


@pytest.mark.parametrize(
    "credentials",
    [{"token": "not-a-token"}, {"access_key": ACCESS_KEY, "secret_key": "not-the-secret"}],
    ids=["token", "aksk"],
)
def test_refused_credentials_fail_the_run(
    credentials: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every answer a 401 is allowed to each request alone; a run that tested nothing is not."""
    with serving(reference_app()) as url:
        overrides = {"access_key": None, "secret_key": None, **credentials}
        code = _run(url, tmp_path, phases=["examples"], **overrides)
    assert code == 1
    assert "Authentication failed" in capsys.readouterr().out


def test_the_cli_signs_with_the_environment_s_access_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINIDB_", "OS_"))}
    env |= {"GEMINIDB_ACCESS_KEY": ACCESS_KEY, "GEMINIDB_SECRET_KEY": SECRET_KEY}
    with serving(reference_app()) as url:
        result = subprocess.run(
            [sys.executable, "-m", "geminidb_backup", "contract", "--url", url,
             "--project-id", PROJECT_ID, "-n", "5", "--phases", "examples,stateful",
             "--report", "junit,har", "--report-dir", str(tmp_path)],
            capture_output=True, text=True, timeout=300, env=env, check=False,
        )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "authenticating with AK/SK signatures" in result.stderr
    for text in (result.stdout, result.stderr, *(p.read_text() for p in tmp_path.iterdir())):
        assert SECRET_KEY not in text


def test_the_cli_gets_a_token_from_iam_with_a_password(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINIDB_", "OS_"))}
    with running(FakeState(issue_token=TOKEN)) as keystone, serving(reference_app()) as url:
        env |= {"OS_AUTH_URL": f"{keystone.url}/v3", "OS_USERNAME": USER,
                "OS_PASSWORD": PASSWORD, "OS_USER_DOMAIN_NAME": DOMAIN,
                "OS_PROJECT_ID": PROJECT_ID}  # fmt: skip
        result = subprocess.run(
            [sys.executable, "-m", "geminidb_backup", "contract", "--url", url, "-n", "3",
             "--phases", "examples", "--report", "har", "--report-dir", str(tmp_path)],
            capture_output=True, text=True, timeout=300, env=env, check=False,
        )  # fmt: skip
        token_requests = [path for _, path in keystone.state.requests]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "a token from IAM" in result.stderr and token_requests == ["/v3/auth/tokens"]
    for text in (result.stdout, result.stderr, (tmp_path / "network.har").read_text()):
        assert PASSWORD not in text and TOKEN not in text


def test_the_pytest_entry_point_signs_with_aksk_in_process(tmp_path: Path) -> None:
    result = run_pytest_file(
        tmp_path,
        f"""
            from hypothesis import settings
            from geminidb_backup.contract.pytest import contract_schema
            from geminidb_backup.server import ServerConfig, create_app

            app = create_app(ServerConfig(tokens=frozenset(), access_keys={{{ACCESS_KEY!r}: {SECRET_KEY!r}}},
                                          backup_seconds=0, backup_limit=0))
            schema = contract_schema(app=app, access_key={ACCESS_KEY!r}, secret_key={SECRET_KEY!r},
                                     project_id={PROJECT_ID!r})

            @schema.parametrize()
            @settings(max_examples=5, deadline=None)
            def test_operation(case):
                response = case.call_and_validate()
                assert response.status_code != 401, "the request was not signed"
            """,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    every_operation = len(list(operations(load_spec())))  # one test per operation
    assert f"{every_operation} passed" in result.stdout


def test_an_unreachable_iam_is_a_usage_error(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINIDB_", "OS_"))}
    env |= {"OS_AUTH_URL": "http://127.0.0.1:9/v3", "OS_USERNAME": USER, "OS_PASSWORD": PASSWORD,
            "OS_USER_DOMAIN_NAME": DOMAIN, "OS_PROJECT_ID": PROJECT_ID}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "geminidb_backup", "contract", "--url", "http://127.0.0.1:9"],
        capture_output=True, text=True, timeout=120, env=env, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "cannot reach IAM" in result.stderr and "Traceback" not in result.stderr
    assert PASSWORD not in result.stdout + result.stderr
