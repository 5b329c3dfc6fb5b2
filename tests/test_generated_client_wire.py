"""The generated client speaks the reference page's wire format exactly (in-process transport)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import pytest

from conftest import operations, resolve
from geminidb_backup.spec import load_spec
from geminidb_backup_client import AuthenticatedClient
from geminidb_backup_client.api.backups import create_backup, delete_backup, list_backups
from geminidb_backup_client.api.jobs import list_jobs
from geminidb_backup_client.errors import UnexpectedStatus
from geminidb_backup_client.models import (
    CreateBackupRequest,
    CreateBackupResponse,
    Error,
)
from geminidb_backup_client.types import Response

SPEC = load_spec()
BASE_URL = "https://gaussdb-nosql.eu-de.otc.t-systems.com"
PROJECT_ID = "054e292c9880d4992f02c0196d3ea468"
INSTANCE_ID = "a4d8ea2584e047439a667703c0684119in06"
TOKEN = "MIIEXAMPLE-token"


class Recorder:
    """An httpx transport that records each request and answers with a fixed response."""

    def __init__(self, status: int, body: Any) -> None:
        self.status, self.body = status, body
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, json=self.body, headers={"X-Request-Id": "req-1"})


def client_for(recorder: Recorder, **kwargs: Any) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=BASE_URL,
        token=TOKEN,
        prefix="",
        auth_header_name="X-Auth-Token",
        httpx_args={"transport": httpx.MockTransport(recorder)},
        **kwargs,
    )


def test_authenticated_client_defaults_to_the_specs_token_scheme() -> None:
    """AuthenticatedClient(base_url, token) alone authenticates: its header and prefix default
    to the spec's `token` scheme, not upstream's `Authorization: Bearer`."""
    scheme = SPEC["components"]["securitySchemes"]["token"]
    assert (scheme["type"], scheme["in"]) == ("apiKey", "header")
    recorder = Recorder(200, example_of("listJobs", "200"))
    client = AuthenticatedClient(
        base_url=BASE_URL, token=TOKEN, httpx_args={"transport": httpx.MockTransport(recorder)}
    )
    list_jobs.sync_detailed(PROJECT_ID, client=client)
    (request,) = recorder.requests
    assert request.headers[scheme["name"]] == TOKEN
    assert "Authorization" not in request.headers


def example_of(operation_id: str, status: str, name: str | None = None) -> Any:
    (op,) = [op for _, _, op in operations(SPEC) if op["operationId"] == operation_id]
    media = resolve(SPEC, op["responses"][status])["content"]["application/json"]
    examples = media["examples"]
    return resolve(SPEC, examples[name] if name else next(iter(examples.values())))["value"]


def test_reference_request_goes_out_as_documented() -> None:
    recorder = Recorder(202, example_of("createBackup", "202"))
    body = CreateBackupRequest(name="backup-4f57", description="manual backup")

    create_backup.sync_detailed(PROJECT_ID, INSTANCE_ID, client=client_for(recorder), body=body)

    (request,) = recorder.requests
    assert request.method == "POST"
    assert str(request.url) == (
        "https://gaussdb-nosql.eu-de.otc.t-systems.com"
        "/v3/054e292c9880d4992f02c0196d3ea468/instances/a4d8ea2584e047439a667703c0684119in06/backups"
    )
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Auth-Token"] == TOKEN
    assert "Authorization" not in request.headers
    # The page's body, keys in its order. httpx writes JSON without insignificant white space,
    # so the bytes are the page's example in compact form.
    assert request.content == b'{"name":"backup-4f57","description":"manual backup"}'
    assert json.loads(request.content) == {"name": "backup-4f57", "description": "manual backup"}


def test_reference_response_parses_into_the_model() -> None:
    recorder = Recorder(202, {
        "job_id": "8061ceaf-b319-4315-9338-7f3de8e26f05",
        "backup_id": "646d88d0b03f4fd2ae944ae2a33bcb6ain06",
    })  # fmt: skip
    body = CreateBackupRequest(name="backup-4f57", description="manual backup")

    response = create_backup.sync_detailed(
        PROJECT_ID, INSTANCE_ID, client=client_for(recorder), body=body
    )

    assert response.status_code == 202
    assert response.headers["X-Request-Id"] == "req-1"
    assert response.parsed == CreateBackupResponse(
        job_id="8061ceaf-b319-4315-9338-7f3de8e26f05",
        backup_id="646d88d0b03f4fd2ae944ae2a33bcb6ain06",
    )


def test_path_parameters_are_percent_encoded() -> None:
    recorder = Recorder(202, example_of("deleteBackup", "202"))
    delete_backup.sync_detailed(PROJECT_ID, "a/b c", client=client_for(recorder))
    assert recorder.requests[0].url.raw_path == f"/v3/{PROJECT_ID}/backups/a%2Fb%20c".encode()


def test_list_jobs_sends_its_query_and_parses_the_example() -> None:
    example = example_of("listJobs", "200", "runningBackup")
    recorder = Recorder(200, example)

    parsed = list_jobs.sync(
        PROJECT_ID, client=client_for(recorder), id="8061ceaf-b319-4315-9338-7f3de8e26f05",
        status="Running", limit=10, offset=20,
    )  # fmt: skip

    assert dict(recorder.requests[0].url.params) == {
        "id": "8061ceaf-b319-4315-9338-7f3de8e26f05", "status": "Running",
        "limit": "10", "offset": "20",
    }  # fmt: skip
    assert recorder.requests[0].url.path == f"/v3/{PROJECT_ID}/jobs"
    assert parsed is not None and not isinstance(parsed, Error)
    assert parsed.to_dict() == example
    assert parsed.jobs[0].progress == "60%" and parsed.jobs[0].instance.id == INSTANCE_ID


def test_list_backups_sends_its_query_and_parses_the_example() -> None:
    example = example_of("listBackups", "200")
    recorder = Recorder(200, example)

    parsed = list_backups.sync(
        PROJECT_ID, client=client_for(recorder), instance_id=INSTANCE_ID, backup_type="Manual",
        begin_time="2019-05-27T00:00:00+0000", end_time="2019-05-28T00:00:00+0000", limit=5,
    )  # fmt: skip

    params = recorder.requests[0].url.params
    assert params["backup_type"] == "Manual" and params["limit"] == "5"
    assert params["begin_time"] == "2019-05-27T00:00:00+0000"  # the `+` survives encoding
    assert b"%2B0000" in recorder.requests[0].url.raw_path
    assert recorder.requests[0].url.path == f"/v4/{PROJECT_ID}/backups"
    assert parsed is not None and not isinstance(parsed, Error)
    assert parsed.to_dict() == example
    assert parsed.backups[0].status == "COMPLETED" and parsed.backups[0].size == 2803.0


def test_delete_backup_parses_the_example() -> None:
    example = example_of("deleteBackup", "202")
    recorder = Recorder(202, example)
    parsed = delete_backup.sync(
        PROJECT_ID, "646d88d0b03f4fd2ae944ae2a33bcb6ain06", client=client_for(recorder)
    )
    assert recorder.requests[0].method == "DELETE"
    assert parsed is not None and not isinstance(parsed, Error)
    assert parsed.job_id == example["job_id"]


def _generated_call(operation_id: str) -> Callable[[AuthenticatedClient], Response[Any]]:
    """The generated function of an operation, called with the spec's example path parameters
    and its first request example as the body."""
    import importlib
    import re
    import typing

    for template, item in SPEC["paths"].items():
        for operation in item.values():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                break
        else:
            continue
        break
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()
    module = importlib.import_module(f"geminidb_backup_client.api.{operation['tags'][0]}.{snake}")
    examples = {"project_id": PROJECT_ID, "instance_id": INSTANCE_ID, "backup_id": "b1"}
    args = [examples[name] for name in re.findall(r"{(\w+)}", template)]
    kwargs: dict[str, Any] = {}
    if "requestBody" in operation:
        content = resolve(SPEC, operation["requestBody"])["content"]["application/json"]
        value = next(iter(content["examples"].values()))
        body_type = typing.get_type_hints(module.sync_detailed)["body"]
        kwargs["body"] = body_type.from_dict(resolve(SPEC, value)["value"])
    return lambda c: module.sync_detailed(*args, client=c, **kwargs)  # type: ignore[no-any-return]


CALLS: dict[str, Callable[[AuthenticatedClient], Response[Any]]] = {
    operation["operationId"]: _generated_call(operation["operationId"])
    for _, _, operation in operations(SPEC)
}


def _error_examples() -> list[tuple[str, str, str, Mapping[str, str]]]:
    cases = []
    for _, _, op in operations(SPEC):
        for status, response in op["responses"].items():
            if status.startswith("2"):
                continue
            examples = resolve(SPEC, response)["content"]["application/json"]["examples"]
            for key, example in examples.items():
                cases.append((op["operationId"], status, key, resolve(SPEC, example)["value"]))
    return cases


ERROR_EXAMPLES = _error_examples()


@pytest.mark.parametrize(
    ("operation_id", "status", "key", "body"),
    ERROR_EXAMPLES,
    ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in ERROR_EXAMPLES],
)
def test_every_error_example_parses_into_error(
    operation_id: str, status: str, key: str, body: Mapping[str, str]
) -> None:
    response = CALLS[operation_id](client_for(Recorder(int(status), body)))
    assert response.status_code == int(status)
    assert response.parsed == Error(error_code=body["error_code"], error_msg=body["error_msg"])


@pytest.mark.parametrize("operation_id", sorted(CALLS))
def test_an_undocumented_status_raises_instead_of_returning_none(operation_id: str) -> None:
    recorder = Recorder(418, {"error_code": "X", "error_msg": "teapot"})
    with pytest.raises(UnexpectedStatus) as raised:
        CALLS[operation_id](client_for(recorder, raise_on_unexpected_status=True))
    assert raised.value.status_code == 418
