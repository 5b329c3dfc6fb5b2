"""Correct servers that take choices the spec leaves open, for proving the contract suite has no
false positives (issue 18, finding 6): the opposite of tests/broken_servers.py.

Each variant wraps the reference server in a small ASGI layer that changes what the spec allows to
change, and nothing else: IDs of other shapes (``+``, ``=``, ``:``), throttling (429 with and
without ``Retry-After``), an instance busy now and then (403 ``DBS.200019``, as with an automated
backup running), lists that show a change up to a second late (within the spec's ``lag``), jobs
that take time. The suite must pass every one.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from broken_servers import (
    TOKEN,
    ASGIApp,
    Receive,
    Scope,
    Send,
    edit_responses,
)

from geminidb_backup.server import ServerConfig, create_app
from geminidb_backup.server.state import Instance

# IDs with the characters a path must carry encoded: a project and an instance of the reference
# server with such IDs, and backup IDs given a suffix of them at the edge.
ODD_PROJECT_ID = "proj:a+b=1"
ODD_INSTANCE_ID = "inst:c+d=2"
ODD_OTHER_PROJECT_ID = "other:e+f=3"
BACKUP_ID = re.compile(r"[0-9a-f]{32}br06")
ODD_SUFFIX = "+=:x"


def odd_ids_app(backup_seconds: float = 0) -> ASGIApp:
    """The reference server whose project and instance IDs hold ``: + =``."""
    config = ServerConfig(
        tokens=frozenset({TOKEN}),
        instances=(
            Instance(ODD_PROJECT_ID, ODD_INSTANCE_ID, "odd"),
            Instance(ODD_OTHER_PROJECT_ID, "other:instance", "other"),
        ),
        backup_seconds=backup_seconds,
        backup_limit=0,
    )
    return create_app(config)  # type: ignore[return-value]


def odd_backup_ids(app: ASGIApp) -> ASGIApp:
    """Backup IDs end in ``+=:x`` on the wire (the server's own IDs inside)."""
    encoded = re.compile(rb"([0-9a-f]{32}br06)(?:%2B|\+)(?:%3D|=)(?:%3A|:)x")

    def inwards(scope: Scope, body: bytes) -> Scope:
        scope = dict(scope)
        scope["path"] = scope["path"].replace(ODD_SUFFIX, "")
        if scope.get("raw_path"):
            scope["raw_path"] = encoded.sub(rb"\1", scope["raw_path"])
        scope["query_string"] = encoded.sub(rb"\1", scope.get("query_string", b""))
        scope["headers"] = [
            (name, str(len(body)).encode() if name.lower() == b"content-length" else value)
            for name, value in scope.get("headers", [])
        ]
        return scope

    def outwards(scope: Scope, status: int, headers: Any, body: bytes) -> Any:
        text = BACKUP_ID.sub(lambda m: m.group(0) + ODD_SUFFIX, body.decode("utf-8", "replace"))
        return status, headers, text.encode()

    edited = edit_responses(app, outwards)

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await app(scope, receive, send)
        # IDs in request bodies too (batchDeleteBackups' backup_ids): the body is read whole
        # and passed on as one message.
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            more = message.get("more_body", False)
        body = encoded.sub(rb"\1", body)
        sent = False

        async def replay() -> Any:
            nonlocal sent
            if sent:
                return await receive()  # after the body: the disconnect, when it comes
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await edited(inwards(scope, body), replay, send)

    return wrapped


def _answer(status: int, code: str, message: str, headers: list[tuple[bytes, bytes]]) -> ASGIApp:
    async def answer(scope: Scope, receive: Receive, send: Send) -> None:
        body = json.dumps({"error_code": code, "error_msg": message}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"x-request-id", b"other-server"),
                    *headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return answer


def _every(app: ASGIApp, nth: int, when: Callable[[Scope], bool], instead: ASGIApp) -> ASGIApp:
    """Answer every ``nth`` request for which ``when`` holds with ``instead``."""
    count = 0
    lock = threading.Lock()

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal count
        if scope["type"] == "http" and when(scope):
            with lock:
                count += 1
                hit = count % nth == 0
            if hit:
                return await instead(scope, receive, send)
        await app(scope, receive, send)

    return wrapped


def _with_credentials(scope: Scope) -> bool:
    return any(k.lower() == b"x-auth-token" for k, _ in scope["headers"])


def throttles(app: ASGIApp) -> ASGIApp:
    """Every 7th request is throttled by the service, with ``Retry-After: 0``; every 41st by the
    gateway, without it (the suite backs off a second: a few dozen times in a run, where every
    11th made the run wait more than two minutes)."""
    service = _answer(
        429,
        "DBS.280443",
        "The maximum number of connections has been reached.",
        [(b"retry-after", b"0")],
    )
    gateway = _answer(429, "APIGW.0308", "The throttling threshold has been reached.", [])
    return _every(_every(app, 7, lambda s: True, service), 41, lambda s: True, gateway)


def is_busy_now_and_then(app: ASGIApp) -> ASGIApp:
    """Every 4th authenticated write finds the instance busy (an automated backup running)."""
    busy = _answer(
        403,
        "DBS.200019",
        "Another operation is being performed on the DB instance or the DB instance is faulty.",
        [],
    )

    def write(scope: Scope) -> bool:
        return scope["method"] in ("POST", "DELETE") and _with_credentials(scope)

    return _every(app, 4, write, busy)


def lists_lag_a_second(app: ASGIApp) -> ASGIApp:
    """A backup shows in listBackups a second after it was accepted (the spec's lag allows 10)."""
    accepted: dict[str, float] = {}
    lock = threading.Lock()

    def edit(scope: Scope, status: int, headers: Any, body: bytes) -> Any:
        try:
            data = json.loads(body)
        except ValueError:
            return status, headers, body
        now = time.monotonic()
        if scope["method"] == "POST" and status == 202 and isinstance(data, dict):
            with lock:
                accepted[str(data.get("backup_id"))] = now
        elif scope["method"] == "GET" and isinstance(data, dict) and "backups" in data:
            with lock:
                hidden = {i for i, at in accepted.items() if now - at < 1.0}
            kept = [b for b in data["backups"] if b.get("id") not in hidden]
            dropped = len(data["backups"]) - len(kept)
            data = {**data, "backups": kept, "total_count": data["total_count"] - dropped}
            body = json.dumps(data).encode()
        return status, headers, body

    return edit_responses(app, edit)


def slow_jobs_app() -> ASGIApp:
    """Jobs of half a second: the instance is busy while one runs."""
    from broken_servers import reference_app

    return reference_app(backup_seconds=0.5)
