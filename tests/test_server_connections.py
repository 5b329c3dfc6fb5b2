"""Connections that misbehave: a client that hangs up mid-body, and connections that never finish
their request (timeouts). Neither is a server error, and neither may hold the server."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from server_helpers import CREATE_PATH, TOKEN, serve

from geminidb_backup.server import ServerConfig, create_app


def _partial_body_then_disconnect(credentials: list[tuple[bytes, bytes]]) -> list[dict[str, Any]]:
    """Run one createBackup in-process whose client sends 10 of 1000 bytes and hangs up."""
    app = create_app(ServerConfig(tokens=frozenset({TOKEN})))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": CREATE_PATH,
        "raw_path": CREATE_PATH.encode(),
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"1000"),
                    *credentials],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8080),
    }  # fmt: skip
    messages = iter(
        [
            {"type": "http.request", "body": b'{"name": "', "more_body": True},
            {"type": "http.disconnect"},
        ]
    )
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return next(messages)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    app.close()
    return sent


@pytest.mark.parametrize(
    "credentials",
    [[(b"x-auth-token", TOKEN.encode())], []],
    ids=["with-token", "without-credentials"],
)
def test_a_client_that_hangs_up_mid_body_is_not_a_server_error(
    caplog: pytest.LogCaptureFixture, credentials: list[tuple[bytes, bytes]]
) -> None:
    with caplog.at_level(logging.INFO, logger="geminidb_backup"):
        sent = _partial_body_then_disconnect(credentials)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    # Without credentials the 401 is answered before the body is read; with them there is no
    # one left to answer.
    assert [m.get("status") for m in sent if m["type"] == "http.response.start"] in ([], [401])


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


def test_hang_ups_mid_body_leave_no_traceback_in_the_log(tmp_path: Any) -> None:
    with serve(["--db", ":memory:", "--token", TOKEN]) as server:
        for _ in range(5):
            with socket.create_connection(_address(server.url)) as sock:
                sock.sendall(
                    f"POST {CREATE_PATH} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {TOKEN}\r\n"
                    "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                    '{"name": "'.encode()
                )
                time.sleep(0.2)  # the server is now reading the body
        time.sleep(0.5)
        output = "".join(server.output)
    assert "Traceback" not in output and "ERROR" not in output, output
