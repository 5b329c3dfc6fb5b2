"""Deliberately broken variants of the reference server, for proving the contract suite.

Each variant wraps the real application in a small ASGI layer that breaks one promise of the API,
the way a buggy gateway or implementation would.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import uvicorn

from geminidb_backup import signing
from geminidb_backup.contract.runner import ContractOptions, run
from geminidb_backup.server import ServerConfig, create_app, example_instance
from geminidb_backup.server.instances import Instance
from geminidb_backup.spec import component_validator

TOKEN = "contract-test-token"
INSTANCE_ID = example_instance().id
OTHER_PROJECT_ID = "other-project-0001"
ACCESS_KEY, SECRET_KEY = "CONTRACTTESTAK", "contract-test-secret-key"
Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
# (scope, status, headers, body) -> (status, headers, body)
ResponseEdit = Callable[
    [Scope, int, list[tuple[bytes, bytes]], bytes], tuple[int, list[tuple[bytes, bytes]], bytes]
]
# (scope, body) -> (scope, body)
RequestEdit = Callable[[Scope, bytes], tuple[Scope, bytes]]


def reference_app(backup_seconds: float = 0) -> ASGIApp:
    """The reference server, with instant backups (unless ``backup_seconds``), the spec's
    example instance and an instance of a second project (OTHER_PROJECT_ID)."""
    config = ServerConfig(
        tokens=frozenset({TOKEN}),
        access_keys={ACCESS_KEY: SECRET_KEY},
        instances=(example_instance(), Instance(OTHER_PROJECT_ID, "other-instance", "other")),
        backup_seconds=backup_seconds,
        restore_seconds=0,
        backup_limit=0,
    )
    return create_app(config)  # type: ignore[return-value]


def edit_responses(app: ASGIApp, edit: ResponseEdit) -> ASGIApp:
    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await app(scope, receive, send)
        start: Message = {}
        chunks: list[bytes] = []

        async def buffer(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    status, headers, body = edit(
                        scope, start["status"], list(start.get("headers", [])), b"".join(chunks)
                    )
                    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                    headers.append((b"content-length", str(len(body)).encode()))
                    await send(
                        {"type": "http.response.start", "status": status, "headers": headers}
                    )
                    await send({"type": "http.response.body", "body": body})

        await app(scope, receive, buffer)

    return wrapped


async def _read_body(receive: Receive) -> bytes:
    body, more = b"", True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    return body


def _replay(body: bytes) -> Receive:
    """A ``receive`` that hands the application the already-read body once."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def edit_requests(app: ASGIApp, edit: RequestEdit) -> ASGIApp:
    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await app(scope, receive, send)
        edited_scope, body = edit(dict(scope), await _read_body(receive))
        await app(edited_scope, _replay(body), send)

    return wrapped


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _is_create(scope: Scope) -> bool:
    return scope["method"] == "POST" and scope["path"].endswith("/backups")


# --- the variants -------------------------------------------------------------------------


def accepts_any_token(app: ASGIApp) -> ASGIApp:
    def edit(scope: Scope, body: bytes) -> tuple[Scope, bytes]:
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"x-auth-token"]
        scope["headers"] = [*headers, (b"x-auth-token", TOKEN.encode())]
        return scope, body

    return edit_requests(app, edit)


def accepts_any_signature(app: ASGIApp) -> ASGIApp:
    """Takes a well-formed AK/SK ``Authorization`` of a known access key without checking the
    signature: a gateway that parses the header and trusts it."""

    def edit(scope: Scope, body: bytes) -> tuple[Scope, bytes]:
        authorization = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        try:
            parsed = signing.parse_authorization(authorization)
        except ValueError:
            return scope, body
        if parsed.access_key == ACCESS_KEY:
            headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"authorization"]
            scope["headers"] = [*headers, (b"x-auth-token", TOKEN.encode())]
        return scope, body

    return edit_requests(app, edit)


def _renaming_creates(app: ASGIApp, rename: Callable[[str], str | None]) -> ASGIApp:
    """Pass createBackup bodies on with the name ``rename`` gives (``None``: unchanged)."""

    def edit(scope: Scope, body: bytes) -> tuple[Scope, bytes]:
        data = _json(body)
        name = data.get("name") if isinstance(data, dict) else None
        new_name = rename(name) if _is_create(scope) and isinstance(name, str) else None
        if new_name is not None:
            data["name"] = new_name
            body = json.dumps(data).encode()
        return scope, body

    return edit_requests(app, edit)


def skips_the_name_pattern(app: ASGIApp) -> ASGIApp:
    name_is_valid = component_validator("BackupName").is_valid
    # What it stores instead of refusing an invalid name.
    return _renaming_creates(
        app, lambda name: None if name_is_valid(name) else "n" + uuid.uuid4().hex[:12]
    )


def accepts_duplicate_names(app: ASGIApp) -> ASGIApp:
    name_is_valid = component_validator("BackupName").is_valid
    # Every valid name looks new to the store.
    return _renaming_creates(
        app, lambda name: name[:50] + uuid.uuid4().hex[:8] if name_is_valid(name) else None
    )


def drops_a_required_response_field(app: ASGIApp) -> ASGIApp:
    def edit(scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Any:
        data = _json(body)
        if _is_create(scope) and status == 202 and isinstance(data, dict):
            data.pop("backup_id", None)
            body = json.dumps(data).encode()
        return status, headers, body

    return edit_responses(app, edit)


def answers_405_without_allow(app: ASGIApp) -> ASGIApp:
    def edit(scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Any:
        if status == 405:
            headers = [(k, v) for k, v in headers if k.lower() != b"allow"]
        return status, headers, body

    return edit_responses(app, edit)


def answers_problem_json(app: ASGIApp) -> ASGIApp:
    def edit(scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Any:
        if status >= 400:
            headers = [(k, v) for k, v in headers if k.lower() != b"content-type"]
            headers.append((b"content-type", b"application/problem+json"))
        return status, headers, body

    return edit_responses(app, edit)


def fails_on_non_utf8_bodies(app: ASGIApp) -> ASGIApp:
    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await app(scope, receive, send)
        body = await _read_body(receive)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            payload = b'{"error_code": "DBS.280005", "error_msg": "Server error. Try again later."}'
            headers = [(b"content-type", b"application/json"), (b"x-request-id", b"broken")]
            await send({"type": "http.response.start", "status": 500, "headers": headers})
            await send({"type": "http.response.body", "body": payload})
            return
        await app(scope, _replay(body), send)

    return wrapped


def hides_backups_from_the_list(app: ASGIApp) -> ASGIApp:
    def edit(scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Any:
        if scope["method"] == "GET" and "/backups" in scope["path"] and status == 200:
            body = b'{"total_count": 0, "backups": []}'
        return status, headers, body

    return edit_responses(app, edit)


def uses_uncatalogued_error_codes(app: ASGIApp) -> ASGIApp:
    def edit(scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Any:
        data = _json(body)
        if status >= 400 and isinstance(data, dict):
            data["error_code"] = "DBS.999999"
            body = json.dumps(data).encode()
        return status, headers, body

    return edit_responses(app, edit)


# --- variants that break the workflow's meaning (issue 14) ----------------------------------
# Each breaks one promise the way a buggy implementation or gateway would, and keeps every answer
# schema-valid, so that only a check of what the workflow means can tell.

JsonEdit = Callable[[Scope, int, Any], tuple[int, Any]]


def edit_json_responses(app: ASGIApp, edit: JsonEdit) -> ASGIApp:
    """Let ``edit`` change the status and the parsed JSON body of every answer."""

    def on_response(
        scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        data = _json(body)
        new_status, new_data = edit(scope, status, data)
        if (new_status, new_data) != (status, data):
            body = json.dumps(new_data).encode()
        return new_status, headers, body

    return edit_responses(app, on_response)


def _query(scope: Scope) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))


def dropping_query_parameters(app: ASGIApp, path_end: str, *names: str) -> ASGIApp:
    """Forget the query parameters ``names`` of GET requests to paths ending in ``path_end``."""
    from urllib.parse import urlencode

    def edit(scope: Scope, body: bytes) -> tuple[Scope, bytes]:
        if scope["method"] == "GET" and scope["path"].endswith(path_end):
            kept = {k: v for k, v in _query(scope).items() if k not in names}
            scope["query_string"] = urlencode(kept).encode()
        return scope, body

    return edit_requests(app, edit)


def _editing_create_bodies(app: ASGIApp, change: Callable[[dict[str, Any]], None]) -> ASGIApp:
    """Pass createBackup bodies on as ``change`` leaves them (a server that "repairs" input)."""

    def edit(scope: Scope, body: bytes) -> tuple[Scope, bytes]:
        data = _json(body)
        if _is_create(scope) and isinstance(data, dict):
            change(data)
            body = json.dumps(data).encode()
        return scope, body

    return edit_requests(app, edit)


def _fake_job() -> dict[str, str]:
    return {"job_id": str(uuid.uuid4())}


def _code(data: Any) -> Any:
    return data.get("error_code") if isinstance(data, dict) else None


def _error(code: str, message: str = "Invalid request.") -> dict[str, str]:
    return {"error_code": code, "error_msg": message}


# rules of the body: each_rule_is_refused_with_its_code / bounds_are_accepted


def accepts_three_character_names(app: ASGIApp) -> ASGIApp:
    """Checks ``len(name) >= 3`` instead of 4 (and stores the name padded)."""

    def change(data: dict[str, Any]) -> None:
        name = data.get("name")
        if isinstance(name, str) and len(name) == 3:
            data["name"] = name + "x"

    return _editing_create_bodies(app, change)


def truncates_long_names(app: ASGIApp) -> ASGIApp:
    def change(data: dict[str, Any]) -> None:
        if isinstance(data.get("name"), str):
            data["name"] = data["name"][:64]

    return _editing_create_bodies(app, change)


def truncates_long_descriptions(app: ASGIApp) -> ASGIApp:
    def change(data: dict[str, Any]) -> None:
        if isinstance(data.get("description"), str):
            data["description"] = data["description"][:256]

    return _editing_create_bodies(app, change)


def allows_dots_in_names(app: ASGIApp) -> ASGIApp:
    """A name rule of ``[A-Za-z0-9._-]`` (stored with the dot made a hyphen)."""

    def change(data: dict[str, Any]) -> None:
        if isinstance(data.get("name"), str):
            data["name"] = data["name"].replace(".", "-")

    return _editing_create_bodies(app, change)


def allows_names_starting_with_a_digit(app: ASGIApp) -> ASGIApp:
    def change(data: dict[str, Any]) -> None:
        name = data.get("name")
        if isinstance(name, str) and name[:1].isdigit():
            data["name"] = "n" + name

    return _editing_create_bodies(app, change)


def allows_non_ascii_letters_in_names(app: ASGIApp) -> ASGIApp:
    """Checks names with ``str.isalnum``, which takes any Unicode letter."""

    def change(data: dict[str, Any]) -> None:
        name = data.get("name")
        if isinstance(name, str):
            data["name"] = "".join(c if c.isascii() or not c.isalnum() else "a" for c in name)

    return _editing_create_bodies(app, change)


def trims_whitespace_around_names(app: ASGIApp) -> ASGIApp:
    def change(data: dict[str, Any]) -> None:
        if isinstance(data.get("name"), str):
            data["name"] = data["name"].strip()

    return _editing_create_bodies(app, change)


def allows_equals_signs_in_descriptions(app: ASGIApp) -> ASGIApp:
    def change(data: dict[str, Any]) -> None:
        if isinstance(data.get("description"), str):
            data["description"] = data["description"].replace("=", "")

    return _editing_create_bodies(app, change)


def escapes_quotes_in_descriptions(app: ASGIApp) -> ASGIApp:
    """Refuses only the HTML characters < > & and drops quotes instead of refusing them."""

    def change(data: dict[str, Any]) -> None:
        if isinstance(data.get("description"), str):
            data["description"] = data["description"].replace('"', "").replace("'", "")

    return _editing_create_bodies(app, change)


def makes_the_description_optional(app: ASGIApp) -> ASGIApp:
    def change(data: dict[str, Any]) -> None:
        data.setdefault("description", "")

    return _editing_create_bodies(app, change)


def answers_name_rules_with_the_description_code(app: ASGIApp) -> ASGIApp:
    def edit(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        if _code(data) == "DBS.280277":
            return status, _error("DBS.280127", "Invalid backup description.")
        return status, data

    return edit_json_responses(app, edit)


def answers_missing_fields_as_parameter_errors(app: ASGIApp) -> ASGIApp:
    def edit(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        if _code(data) == "DBS.280040":
            return status, _error("DBS.200001", "Parameter error.")
        return status, data

    return edit_json_responses(app, edit)


def refuses_names_of_the_greatest_length(app: ASGIApp) -> ASGIApp:
    """Checks ``len(name) < 64`` instead of ``<= 64``."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_create(scope):
            return await app(scope, receive, send)
        body = await _read_body(receive)
        data = _json(body)
        if isinstance(data, dict) and isinstance(data.get("name"), str) and len(data["name"]) == 64:
            await _send_json(send, 400, _error("DBS.280277", "Invalid backup name."))
            return
        await app(scope, _replay(body), send)

    return wrapped


# the Content-Type rule: content_type_is_enforced


def ignores_the_content_type(app: ASGIApp) -> ASGIApp:
    def edit(scope: Scope, body: bytes) -> tuple[Scope, bytes]:
        if _is_create(scope):
            headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-type"]
            scope["headers"] = [*headers, (b"content-type", b"application/json")]
        return scope, body

    return edit_requests(app, edit)


def refuses_other_media_types_with_400(app: ASGIApp) -> ASGIApp:
    def edit(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        if status == 415:
            return 400, _error("DBS.200001", "Parameter error.")
        return status, data

    return edit_json_responses(app, edit)


# names_are_case_sensitive


def compares_names_case_insensitively(app: ASGIApp) -> ASGIApp:
    """The duplicate check of a store with a case-insensitive collation: a name that differs
    from a live backup's only in case is looked up as that backup's name."""
    names: dict[tuple[str, str], tuple[str, str]] = {}  # (path, lower name) -> (name, backup ID)

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (_is_create(scope) or _is_delete(scope)):
            return await app(scope, receive, send)
        body = await _read_body(receive)
        data = _json(body)
        name = data.get("name") if isinstance(data, dict) and _is_create(scope) else None
        if isinstance(name, str) and (scope["path"], name.lower()) in names:
            data["name"] = names[(scope["path"], name.lower())][0]
            body = json.dumps(data).encode()
        status, answer = await _forward(app, scope, body, send)
        created = _json(answer)
        if isinstance(name, str) and status == 202 and isinstance(created, dict):
            names[(scope["path"], name.lower())] = (name, str(created.get("backup_id")))
        if _is_delete(scope) and status == 202:
            gone = scope["path"].rsplit("/", 1)[-1]
            for key in [key for key, (_, backup_id) in names.items() if backup_id == gone]:
                del names[key]

    return wrapped


# the backup after its job: backup_is_completed_after_its_job, created_backup_stays_listed


def _editing_listed_backups(
    app: ASGIApp, change: Callable[[dict[str, Any]], dict[str, Any] | None]
) -> ASGIApp:
    """Pass each backup of listBackups through ``change`` (None: leave it out)."""

    def edit(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        listed = scope["method"] == "GET" and scope["path"].endswith("/backups")
        if listed and status == 200 and isinstance(data, dict) and "backups" in data:
            kept = [b for b in (change(dict(b)) for b in data["backups"]) if b is not None]
            data = {**data, "backups": kept}
        return status, data

    return edit_json_responses(app, edit)


def leaves_backups_building(app: ASGIApp) -> ASGIApp:
    """The job ends, but the backup's status is never updated."""

    def change(backup: dict[str, Any]) -> dict[str, Any]:
        if backup.get("type") == "Manual":
            backup.update(status="BUILDING", size=0.0, end_time="")
        return backup

    return _editing_listed_backups(app, change)


def marks_completed_backups_failed(app: ASGIApp) -> ASGIApp:
    def change(backup: dict[str, Any]) -> dict[str, Any]:
        if backup.get("type") == "Manual" and backup.get("status") == "COMPLETED":
            backup["status"] = "FAILED"
        return backup

    return _editing_listed_backups(app, change)


def forgets_backups_after_a_while(app: ASGIApp) -> ASGIApp:
    """A cache in front of the store that loses new backups after 40 further requests."""
    requests = 0
    born: dict[str, int] = {}

    def on_response(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        nonlocal requests
        requests += 1
        if _is_create(scope) and status == 202 and isinstance(data, dict):
            born[str(data.get("backup_id"))] = requests
        return status, data

    def change(backup: dict[str, Any]) -> dict[str, Any] | None:
        return None if requests - born.get(str(backup.get("id")), requests) > 40 else backup

    return edit_json_responses(_editing_listed_backups(app, change), on_response)


# a job that never ends: backup_job_completes, within --job-timeout


def never_ends_jobs(app: ASGIApp) -> ASGIApp:
    def edit(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        if scope["path"].endswith("/jobs") and status == 200 and isinstance(data, dict):
            jobs = [
                {**job, "status": "Running", "end_time": "", "progress": "99%"}
                for job in data.get("jobs", [])
            ]
            data = {**data, "jobs": jobs}
        return status, data

    return edit_json_responses(app, edit)


# deletes: created_backup_can_be_deleted, unknown_ids_are_refused, forbidden_targets_are_refused


def _is_delete(scope: Scope) -> bool:
    return bool(scope["method"] == "DELETE" and "/backups/" in scope["path"])


def keeps_deleted_backups_listed(app: ASGIApp) -> ASGIApp:
    """A read cache that nobody tells about deletions: listBackups?backup_id= of a deleted backup
    still finds it."""
    seen: dict[str, dict[str, Any]] = {}
    deleted: set[str] = set()

    def edit(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        if _is_delete(scope) and status == 202:
            deleted.add(scope["path"].rsplit("/", 1)[-1])
        listed = scope["method"] == "GET" and scope["path"].endswith("/backups")
        if listed and status == 200 and isinstance(data, dict):
            for backup in data.get("backups", []):
                seen[str(backup.get("id"))] = backup
            wanted = _query(scope).get("backup_id")
            if wanted in deleted and wanted in seen and not data.get("backups"):
                data = {"total_count": 1, "backups": [seen[wanted]]}
        return status, data

    return edit_json_responses(app, edit)


def refuses_to_delete_manual_backups(app: ASGIApp) -> ASGIApp:
    def edit(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        if _is_delete(scope) and status == 202:
            return 403, _error("DBS.280032", "You do not have permission.")
        return status, data

    return edit_json_responses(app, edit)


def accepts_deletes_of_unknown_backups(app: ASGIApp) -> ASGIApp:
    """Idempotent deletes: "it is gone, as you wished"."""

    def edit(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        if _is_delete(scope) and _code(data) == "DBS.201214":
            return 202, _fake_job()
        return status, data

    return edit_json_responses(app, edit)


def answers_unknown_backups_with_404(app: ASGIApp) -> ASGIApp:
    def edit(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        if _code(data) == "DBS.201214":
            return 404, data
        return status, data

    return edit_json_responses(app, edit)


def deletes_automated_backups(app: ASGIApp) -> ASGIApp:
    def edit(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        if _is_delete(scope) and _code(data) == "DBS.280032":
            return 202, _fake_job()
        return status, data

    return edit_json_responses(app, edit)


# unknown IDs (also with pinned IDs): unknown_ids_are_refused


def answers_unknown_instances_with_400(app: ASGIApp) -> ASGIApp:
    def edit(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        if _code(data) == "DBS.200002":
            return 400, _error("DBS.280404", "Invalid DB instance ID.")
        return status, data

    return edit_json_responses(app, edit)


def lists_nothing_for_unknown_projects(app: ASGIApp) -> ASGIApp:
    def edit(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        if scope["method"] == "GET" and _code(data) == "DBS.280408":
            items = "jobs" if scope["path"].endswith("/jobs") else "backups"
            return 200, {"total_count": 0, items: []}
        return status, data

    return edit_json_responses(app, edit)


# lists that lie: list_filters_hold, list_paging_holds


def ignores_the_backup_type_filter(app: ASGIApp) -> ASGIApp:
    return dropping_query_parameters(app, "/backups", "backup_type")


def ignores_the_instance_filter(app: ASGIApp) -> ASGIApp:
    return dropping_query_parameters(app, "/backups", "instance_id")


def ignores_the_backup_id_filter(app: ASGIApp) -> ASGIApp:
    return dropping_query_parameters(app, "/backups", "backup_id")


def ignores_the_time_window_of_backups(app: ASGIApp) -> ASGIApp:
    return dropping_query_parameters(app, "/backups", "begin_time", "end_time")


def ignores_the_job_status_filter(app: ASGIApp) -> ASGIApp:
    return dropping_query_parameters(app, "/jobs", "status")


def ignores_the_job_name_filter(app: ASGIApp) -> ASGIApp:
    return dropping_query_parameters(app, "/jobs", "name")


def ignores_the_offset_of_backups(app: ASGIApp) -> ASGIApp:
    return dropping_query_parameters(app, "/backups", "offset")


def ignores_the_offset_of_jobs(app: ASGIApp) -> ASGIApp:
    return dropping_query_parameters(app, "/jobs", "offset")


def lists_every_project(app: ASGIApp) -> ASGIApp:
    """Lists that forget the project once it has been checked: every project's items."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        listing = scope["type"] == "http" and scope["method"] == "GET"
        if not listing or not path.endswith(("/jobs", "/backups")):
            return await app(scope, receive, send)
        await _read_body(receive)
        status, _, body = await _call(app, scope, b"")
        data = _json(body)
        key = "jobs" if path.endswith("/jobs") else "backups"
        if status == 200 and isinstance(data, dict):
            own = path.split("/")[2]
            for project in {example_instance().project_id, OTHER_PROJECT_ID} - {own}:
                other_path = path.replace(f"/{own}/", f"/{project}/", 1)
                other = {**scope, "path": other_path, "raw_path": other_path.encode()}
                _, _, more = await _call(app, other, b"")
                extra = _json(more)
                if isinstance(extra, dict):
                    data[key] += extra.get(key, [])
                    data["total_count"] += extra.get("total_count", 0)
        await _send_json(send, status, data)

    return wrapped


def accepts_a_lone_begin_time(app: ASGIApp) -> ASGIApp:
    """A half-open time window is taken as "from then on" instead of being refused."""

    def edit(scope: Scope, body: bytes) -> tuple[Scope, bytes]:
        from urllib.parse import urlencode

        query = _query(scope)
        if scope["path"].endswith("/backups") and ("begin_time" in query) != ("end_time" in query):
            query.pop("begin_time", None)
            query.pop("end_time", None)
            scope["query_string"] = urlencode(query).encode()
        return scope, body

    return edit_requests(app, edit)


def allows_job_spans_over_30_days(app: ASGIApp) -> ASGIApp:
    """A wide window of listJobs is narrowed to its last 30 days instead of being refused."""
    from datetime import datetime, timedelta
    from urllib.parse import urlencode

    def edit(scope: Scope, body: bytes) -> tuple[Scope, bytes]:
        query = _query(scope)
        if scope["path"].endswith("/jobs") and "start_time" in query and "end_time" in query:
            try:
                end = datetime.strptime(query["end_time"], "%Y-%m-%dT%H:%M:%S%z")
                start = datetime.strptime(query["start_time"], "%Y-%m-%dT%H:%M:%S%z")
            except ValueError:
                return scope, body
            if end - start > timedelta(days=30):
                query["start_time"] = (end - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S%z")
                scope["query_string"] = urlencode(query).encode()
        return scope, body

    return edit_requests(app, edit)


def counts_the_page_as_the_total(app: ASGIApp) -> ASGIApp:
    def edit(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        if scope["method"] == "GET" and status == 200 and isinstance(data, dict):
            items = data.get("backups", data.get("jobs"))
            if isinstance(items, list):
                data = {**data, "total_count": len(items)}
        return status, data

    return edit_json_responses(app, edit)


def counts_every_backup_as_the_total(app: ASGIApp) -> ASGIApp:
    """total_count from a count that forgets the filters (it asks the store again without them)."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        listing = scope["type"] == "http" and scope["method"] == "GET"
        if not listing or not scope["path"].endswith("/backups"):
            return await app(scope, receive, send)
        await _read_body(receive)
        status, _, body = await _call(app, scope, b"")
        unfiltered = {**scope, "query_string": b"limit=1"}
        _, _, everything = await _call(app, unfiltered, b"")
        data, total = _json(body), _json(everything)
        if status == 200 and isinstance(data, dict) and isinstance(total, dict):
            body = json.dumps({**data, "total_count": total.get("total_count")}).encode()
        await _send_json(send, status, _json(body))

    return wrapped


# answers to bad credentials: unauthorized_answer_is_documented


def answers_401_in_the_gateways_own_shape(app: ASGIApp) -> ASGIApp:
    def edit(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        if status == 401:
            return 401, {"message": "Unauthorized", "request_id": uuid.uuid4().hex}
        return status, data

    return edit_json_responses(app, edit)


def answers_401_with_a_service_code(app: ASGIApp) -> ASGIApp:
    def edit(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        if status == 401:
            return 401, _error("DBS.280056", "Token invalid.")
        return status, data

    return edit_json_responses(app, edit)


def answers_missing_credentials_with_403(app: ASGIApp) -> ASGIApp:
    def edit(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        if status == 401:
            return 403, _error("DBS.280032", "You do not have permission.")
        return status, data

    return edit_json_responses(app, edit)


# restores to a new instance: the restore scenario (allowed to create instances)


def _is_create_instance(scope: Scope) -> bool:
    return bool(scope["method"] == "POST" and scope["path"].endswith("/instances"))


def _is_list_instances(scope: Scope) -> bool:
    return bool(scope["method"] == "GET" and scope["path"].endswith("/instances"))


def _editing_restore_bodies(app: ASGIApp, change: Callable[[dict[str, Any]], None]) -> ASGIApp:
    def edit(scope: Scope, body: bytes) -> tuple[Scope, bytes]:
        data = _json(body)
        restore = isinstance(data, dict) and isinstance(data.get("restore_info"), dict)
        if _is_create_instance(scope) and restore:
            change(data)
            body = json.dumps(data).encode()
        return scope, body

    return edit_requests(app, edit)


def accepts_restores_below_the_source(app: ASGIApp) -> ASGIApp:
    """Never compares the new instance with its source: it sizes every restore itself."""

    def change(data: dict[str, Any]) -> None:
        for flavor in data.get("flavor") or []:
            if isinstance(flavor, dict):
                flavor.update(num="60", size="99999")

    return _editing_restore_bodies(app, change)


def restores_any_point_in_time(app: ASGIApp) -> ASGIApp:
    """Restores the latest state whatever restore_time asks for."""

    def change(data: dict[str, Any]) -> None:
        if "restore_time" in data["restore_info"]:
            data["restore_info"]["restore_time"] = int(time.time() * 1000)

    return _editing_restore_bodies(app, change)


def answers_unknown_restore_backups_with_404(app: ASGIApp) -> ASGIApp:
    def edit(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        if _is_create_instance(scope) and _code(data) == "DBS.201214":
            return 404, _error("DBS.200002", "The DB instance does not exist.")
        return status, data

    return edit_json_responses(app, edit)


def _editing_listed_instances(
    app: ASGIApp, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
) -> ASGIApp:
    """``change`` edits the instances of every listInstances answer but the seeded ones."""
    seeded = {INSTANCE_ID, "other-instance"}

    def edit(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        if _is_list_instances(scope) and status == 200 and isinstance(data, dict):
            items = data.get("instances") or []
            kept = [i for i in items if i.get("id") in seeded]
            changed = change([i for i in items if i.get("id") not in seeded])
            data = {**data, "instances": kept + changed}
            data["total_count"] = data["total_count"] - len(items) + len(kept + changed)
        return status, data

    return edit_json_responses(app, edit)


def hides_restored_instances(app: ASGIApp) -> ASGIApp:
    """A list read from a replica that never sees new instances."""
    return _editing_listed_instances(app, lambda items: [])


def restores_another_version(app: ASGIApp) -> ASGIApp:
    """Restores to the newest database version instead of the source's."""

    def change(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**i, "datastore": {**i["datastore"], "version": "4.0"}} for i in items]

    return _editing_listed_instances(app, change)


def misnames_restore_jobs(app: ASGIApp) -> ASGIApp:
    """Lists a restore's job under the name of a plain creation."""

    def edit(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        if scope["path"].endswith("/jobs") and status == 200 and isinstance(data, dict):
            # A new body (edit_json_responses sends an edit only when the answer differs).
            jobs = [
                {**job, "name": "CreateInstance"} if job.get("name") == "RestoreNewInstance"
                else job
                for job in data.get("jobs") or []
            ]  # fmt: skip
            return status, {**data, "jobs": jobs}
        return status, data

    return edit_json_responses(app, edit)


def keeps_deleted_instances_listed(app: ASGIApp) -> ASGIApp:
    """A read cache that nobody tells about deleted instances."""
    seen: dict[str, dict[str, Any]] = {}
    deleted: set[str] = set()

    def edit(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        if scope["method"] == "DELETE" and "/instances/" in scope["path"] and status == 202:
            deleted.add(scope["path"].rsplit("/", 1)[-1])
        if _is_list_instances(scope) and status == 200 and isinstance(data, dict):
            for instance in data.get("instances") or []:
                seen[str(instance.get("id"))] = instance
            wanted = _query(scope).get("id")
            if wanted in deleted and wanted in seen and not data.get("instances"):
                data = {"total_count": 1, "instances": [seen[wanted]]}
        return status, data

    return edit_json_responses(app, edit)


async def _send_json(send: Send, status: int, data: Any) -> None:
    payload = json.dumps(data).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"x-request-id", uuid.uuid4().hex.encode()),
        (b"content-length", str(len(payload)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def _call(
    app: ASGIApp, scope: Scope, body: bytes
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Call ``app`` with a request; return its answer."""
    start: Message = {}
    chunks: list[bytes] = []

    async def collect(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        else:
            chunks.append(message.get("body", b""))

    await app(dict(scope), _replay(body), collect)
    return start["status"], list(start.get("headers", [])), b"".join(chunks)


async def _forward(app: ASGIApp, scope: Scope, body: bytes, send: Send) -> tuple[int, bytes]:
    """Pass a request (whose body was read) on to ``app``; return its status and body."""
    status, headers, answer = await _call(app, scope, body)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": answer})
    return status, answer


# --- the lifecycle beyond create: stop, batch deletion, policy ---------------------------------


def _is_stop(scope: Scope) -> bool:
    path = scope["path"]
    return scope["method"] == "PUT" and "/backups/" in path and "/instances/" not in path


def _is_batch(scope: Scope) -> bool:
    return scope["method"] == "DELETE" and scope["path"].endswith("/instances/backups")


def _is_set_policy(scope: Scope) -> bool:
    return scope["method"] == "PUT" and scope["path"].endswith("/backups/policy")


def slow_reference_app() -> ASGIApp:
    """The reference server with backups (and deletions) that take half a second, long enough to
    stop one; a create that finds the instance busy waits for it (as the runs of the matrix, on
    one server one after the other, expect an idle instance at the start)."""
    config = ServerConfig(
        tokens=frozenset({TOKEN}),
        access_keys={ACCESS_KEY: SECRET_KEY},
        instances=(example_instance(), Instance(OTHER_PROJECT_ID, "other-instance", "other")),
        backup_seconds=0.5,
        backup_limit=0,
    )
    app: ASGIApp = create_app(config)  # type: ignore[assignment]

    async def patient(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_create(scope):
            return await app(scope, receive, send)
        raw = await _read_body(receive)
        answered: list[Message] = []

        async def keep(message: Message) -> None:
            answered.append(message)

        for _ in range(40):
            answered.clear()
            await app(scope, _replay(raw), keep)
            if answered[0]["status"] != 403:
                break
            await asyncio.sleep(0.05)
        for message in answered:
            await send(message)

    return patient


def stops_made_backups(app: ASGIApp) -> ASGIApp:
    """A stop of a backup already made is accepted (a job that does nothing)."""

    def edit(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        if _is_stop(scope) and status == 403:
            return 202, {"job_id": str(uuid.uuid4())}
        return status, data

    return edit_json_responses(app, edit)


def lets_stopped_backups_complete(app: ASGIApp) -> ASGIApp:
    """A stopped backup is shown COMPLETED (on a server whose backups take time to make)."""
    stopped: set[str] = set()

    def edit(scope: Scope, status: int, data: Any) -> tuple[int, Any]:
        if _is_stop(scope) and status == 202:
            stopped.add(scope["path"].rsplit("/", 1)[-1])
        if scope["method"] == "GET" and isinstance(data, dict) and "backups" in data:
            shown = [
                {**b, "status": "COMPLETED"}
                if b.get("id") in stopped and b.get("status") == "FAILED"
                else b
                for b in data["backups"]
            ]
            return status, {**data, "backups": shown}
        return status, data

    return edit_json_responses(slow_reference_app(), edit)


def _batch_edit(change: Callable[[list[Any]], list[Any]]) -> RequestEdit:
    def edit(scope: Scope, body: bytes) -> tuple[Scope, bytes]:
        data = _json(body)
        ids = data.get("backup_ids") if isinstance(data, dict) else None
        if _is_batch(scope) and isinstance(ids, list):
            data["backup_ids"] = change(ids)
            body = json.dumps(data).encode()
        return scope, body

    return edit


def cuts_batches_to_ten(app: ASGIApp) -> ASGIApp:
    """A batch of more than 10 IDs is cut to its first 10 instead of being refused."""
    return edit_requests(app, _batch_edit(lambda ids: ids[:10]))


def skips_unknown_ids_in_batches(app: ASGIApp) -> ASGIApp:
    """An ID of a batch that names nothing is skipped instead of refusing the batch."""
    return edit_requests(app, _batch_edit(lambda ids: [i for i in ids if "unknown" not in str(i)]))


async def _answer(send: Send, status: int) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-length", b"0")]})  # fmt: skip
    await send({"type": "http.response.body", "body": b""})


def answers_batches_without_deleting(app: ASGIApp) -> ASGIApp:
    """A valid batch deletion is answered 200 and nothing is deleted."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_batch(scope):
            return await app(scope, receive, send)
        raw = await _read_body(receive)
        data = _json(raw)
        ids = data.get("backup_ids") if isinstance(data, dict) else None
        if (
            isinstance(ids, list)
            and 1 < len(ids) <= 10
            and all("unknown" not in str(i) for i in ids)
        ):
            return await _answer(send, 200)
        return await app(scope, _replay(raw), send)

    return wrapped


def clamps_long_retention(app: ASGIApp) -> ASGIApp:
    """keep_days over the range is clamped to it instead of being refused."""

    def edit(scope: Scope, body: bytes) -> tuple[Scope, bytes]:
        data = _json(body)
        policy = data.get("backup_policy") if isinstance(data, dict) else None
        keep = policy.get("keep_days") if isinstance(policy, dict) else None
        if _is_set_policy(scope) and isinstance(policy, dict) and isinstance(keep, int):
            policy["keep_days"] = min(keep, 35)
            body = json.dumps(data).encode()
        return scope, body

    return edit_requests(app, edit)


def forgets_policies(app: ASGIApp) -> ASGIApp:
    """setBackupPolicy answers 204 to a valid policy that is on, and keeps nothing."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_set_policy(scope):
            return await app(scope, receive, send)
        raw = await _read_body(receive)
        data = _json(raw)
        policy = data.get("backup_policy") if isinstance(data, dict) else None
        if isinstance(policy, dict) and policy.get("keep_days") == 7:
            return await _answer(send, 204)
        return await app(scope, _replay(raw), send)

    return wrapped


# What each run of the mutation matrix tests (tests/test_contract_mutations.py): the operations
# whose answers start the scenarios that reach the fault, so that the matrix keeps to its time
# budget. The matrix seeds each server with backups and jobs (seed_data), which the list
# scenarios need when no createBackup is tested.
CREATES: dict[str, Any] = {"include_operations": ["createBackup"]}
LISTS: dict[str, Any] = {"include_operations": ["listJobs", "listBackups"]}
ONE_READ: dict[str, Any] = {"include_operations": ["listJobs"]}
OTHER_PROJECT: dict[str, Any] = {**LISTS, "other_project_id": OTHER_PROJECT_ID}
# The policy promises change the instance's policy: only with the run's consent.
POLICY: dict[str, Any] = {**CREATES, "allow": ["policy"]}
RESTORES: dict[str, Any] = {**CREATES, "allow": ["instances"]}

# variant -> the check that must catch it, and the run's options beyond the defaults
MEANING_VARIANTS: list[tuple[Callable[[ASGIApp], ASGIApp], str, dict[str, Any]]] = [
    (accepts_three_character_names, "each_rule_is_refused_with_its_code", CREATES),
    (truncates_long_names, "each_rule_is_refused_with_its_code", CREATES),
    (truncates_long_descriptions, "each_rule_is_refused_with_its_code", CREATES),
    (allows_dots_in_names, "each_rule_is_refused_with_its_code", CREATES),
    (allows_names_starting_with_a_digit, "each_rule_is_refused_with_its_code", CREATES),
    (allows_non_ascii_letters_in_names, "each_rule_is_refused_with_its_code", CREATES),
    (trims_whitespace_around_names, "each_rule_is_refused_with_its_code", CREATES),
    (allows_equals_signs_in_descriptions, "each_rule_is_refused_with_its_code", CREATES),
    (escapes_quotes_in_descriptions, "each_rule_is_refused_with_its_code", CREATES),
    (makes_the_description_optional, "each_rule_is_refused_with_its_code", CREATES),
    (answers_name_rules_with_the_description_code, "each_rule_is_refused_with_its_code", CREATES),
    (answers_missing_fields_as_parameter_errors, "each_rule_is_refused_with_its_code", CREATES),
    (refuses_names_of_the_greatest_length, "bounds_are_accepted", CREATES),
    (ignores_the_content_type, "content_type_is_enforced", CREATES),
    (refuses_other_media_types_with_400, "content_type_is_enforced", CREATES),
    (compares_names_case_insensitively, "names_are_case_sensitive", CREATES),
    (leaves_backups_building, "backup_is_completed_after_its_job", CREATES),
    (marks_completed_backups_failed, "backup_is_completed_after_its_job", CREATES),
    (forgets_backups_after_a_while, "created_backup_stays_listed", CREATES),
    (never_ends_jobs, "backup_job_completes", {**CREATES, "job_timeout": 1.0}),
    (keeps_deleted_backups_listed, "created_backup_can_be_deleted", CREATES),
    (refuses_to_delete_manual_backups, "created_backup_can_be_deleted", CREATES),
    (accepts_deletes_of_unknown_backups, "unknown_ids_are_refused", CREATES),
    (answers_unknown_backups_with_404, "unknown_ids_are_refused", CREATES),
    # A foreign automated backup is sent its refused deletion only with the opt-in.
    (
        deletes_automated_backups,
        "forbidden_targets_are_refused",
        {**CREATES, "allow": ["foreign-refusals"]},
    ),
    # with pinned IDs, the suite still sends unknown ones
    (
        answers_unknown_instances_with_400,
        "unknown_ids_are_refused",
        {**CREATES, "instance_id": INSTANCE_ID},
    ),
    (
        lists_nothing_for_unknown_projects,
        "unknown_ids_are_refused",
        {**LISTS, "instance_id": INSTANCE_ID},
    ),
    (ignores_the_backup_type_filter, "list_filters_hold", LISTS),
    (ignores_the_instance_filter, "list_filters_hold", LISTS),
    (ignores_the_backup_id_filter, "list_filters_hold", LISTS),
    (ignores_the_time_window_of_backups, "list_filters_hold", LISTS),
    (ignores_the_job_status_filter, "list_filters_hold", LISTS),
    (ignores_the_job_name_filter, "list_filters_hold", LISTS),
    (ignores_the_offset_of_backups, "list_paging_holds", LISTS),
    (ignores_the_offset_of_jobs, "list_paging_holds", LISTS),
    (counts_the_page_as_the_total, "list_paging_holds", LISTS),
    (counts_every_backup_as_the_total, "list_filters_hold", LISTS),
    (lists_every_project, "lists_keep_to_their_project", OTHER_PROJECT),
    (accepts_a_lone_begin_time, "documented_refusals_happen", LISTS),
    (allows_job_spans_over_30_days, "documented_refusals_happen", LISTS),
    (answers_401_in_the_gateways_own_shape, "unauthorized_answer_is_documented", ONE_READ),
    (answers_401_with_a_service_code, "unauthorized_answer_is_documented", ONE_READ),
    (answers_missing_credentials_with_403, "unauthorized_answer_is_documented", ONE_READ),
    (stops_made_backups, "stop_of_a_made_backup_is_refused", CREATES),
    (lets_stopped_backups_complete, "stopped_backup_ends_as_documented", CREATES),
    (cuts_batches_to_ten, "batch_is_checked_whole", CREATES),
    (skips_unknown_ids_in_batches, "batch_is_checked_whole", CREATES),
    (answers_batches_without_deleting, "batch_deletes_the_runs_backups", CREATES),
    (clamps_long_retention, "policy_rules_are_refused_with_their_codes", POLICY),
    (forgets_policies, "policy_is_read_back", POLICY),
    (accepts_restores_below_the_source, "restore_refusals_are_documented", RESTORES),
    (restores_any_point_in_time, "restore_refusals_are_documented", RESTORES),
    (answers_unknown_restore_backups_with_404, "restore_refusals_are_documented", RESTORES),
    (hides_restored_instances, "restored_instance_is_listed", RESTORES),
    (restores_another_version, "restored_instance_is_listed", RESTORES),
    (misnames_restore_jobs, "instance_jobs_are_named", RESTORES),
    (keeps_deleted_instances_listed, "deleted_instance_is_gone", RESTORES),
]


@contextmanager
def serving(app: ASGIApp) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port, in a thread; yields the base URL."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def seed_data(url: str, backups: int = 2) -> None:
    """Create ``backups`` manual backups (and so their jobs) on each instance of the server at
    ``url``."""
    import httpx

    # One client: making one loads the CA certificates, which costs more than the requests.
    with httpx.Client(base_url=url, headers={"X-Auth-Token": TOKEN}) as client:
        for project_id, instance_id in (
            (example_instance().project_id, INSTANCE_ID),
            (OTHER_PROJECT_ID, "other-instance"),
        ):
            path = f"/v3/{project_id}/instances/{instance_id}/backups"
            for _ in range(backups):
                body = {"name": "seed-" + uuid.uuid4().hex[:12], "description": "seeded"}
                answer = client.post(path, json=body)
                for _ in range(100):  # a server whose backups take time: the instance is busy
                    if answer.status_code != 403:
                        break
                    time.sleep(0.05)
                    answer = client.post(path, json=body)
                if answer.status_code != 202:
                    raise RuntimeError(f"seeding failed: {answer.status_code} {answer.text}")


def run_suite(url: str, report_dir: Path, **options: Any) -> int:
    """The contract suite against ``url``, quietly: seed 1, the seeded project, the token, a JUnit
    report in ``report_dir``; ``options`` (fields of ContractOptions) change any of it."""
    settings: dict[str, Any] = {
        "url": url,
        "token": TOKEN,
        "seed": 1,
        "reports": ["junit"],
        "report_dir": report_dir,
        "project_id": example_instance().project_id,
        **options,
    }
    return run(ContractOptions(**settings), echo=lambda line: None)


def contract_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``geminidb-backup contract ARGS`` (or ``geminidb-backup ARGS`` when they name the command)
    as a user runs it, in a subprocess: no input, and none of this environment's GEMINIDB_* or
    OS_* settings (credentials the run must not pick up)."""
    command = list(args) if "contract" in args else ["contract", *args]
    return subprocess.run(
        [sys.executable, "-m", "geminidb_backup", *command],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith(("GEMINIDB_", "OS_"))},
    )


def junit_failures(report_dir: Path) -> str:
    """The text of every failure in the run's JUnit report."""
    tree = ElementTree.parse(report_dir / "junit.xml")
    return "\n".join(failure.text or "" for failure in tree.iter("failure"))
