"""Deliberately broken variants of the reference server, for proving the contract suite.

Each variant wraps the real application in a small ASGI layer that breaks one promise of the API,
the way a buggy gateway or implementation would.
"""

from __future__ import annotations

import json
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
from geminidb_backup.spec import component_validator

TOKEN = "contract-test-token"
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


def reference_app() -> ASGIApp:
    config = ServerConfig(
        tokens=frozenset({TOKEN}),
        access_keys={ACCESS_KEY: SECRET_KEY},
        backup_seconds=0,
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


def junit_failures(report_dir: Path) -> str:
    """The text of every failure in the run's JUnit report."""
    tree = ElementTree.parse(report_dir / "junit.xml")
    return "\n".join(failure.text or "" for failure in tree.iter("failure"))
