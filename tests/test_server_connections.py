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
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"),
                    (b"content-length", b"1000"),
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


# --- deadlines: a request must arrive in time ---------------------------------------------------

TIMEOUTS = ["--header-timeout", "0.5", "--body-timeout", "0.5", "--keep-alive-timeout", "0.5"]
STACKS = ["httptools", "h11"]


def _closed_after(sock: socket.socket, trickle: bytes = b"", limit: float = 5.0) -> float:
    """Seconds until the server closes ``sock``, sending ``trickle`` a byte at a time meanwhile
    (every 0.1 s); fails when it stays open ``limit`` seconds."""
    start = time.monotonic()
    sock.settimeout(0.1)
    pending = list(trickle)
    while time.monotonic() - start < limit:
        if pending:
            try:
                sock.sendall(bytes([pending.pop(0)]))
            except OSError:  # closed by the server
                return time.monotonic() - start
        try:
            if sock.recv(4096) == b"":
                return time.monotonic() - start
        except TimeoutError:
            continue
        except ConnectionResetError:
            return time.monotonic() - start
    pytest.fail(f"the connection was still open after {limit} s")


def _read_answer(sock: socket.socket) -> bytes:
    """One whole answer (head and Content-Length body), however many reads it takes."""

    def more() -> bytes:
        chunk = sock.recv(4096)
        if not chunk:
            pytest.fail("the server closed the connection before its answer was whole")
        return chunk

    received = b""
    while b"\r\n\r\n" not in received:
        received += more()
    head, _, body = received.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")))  # fmt: skip
    while len(body) < length:
        body += more()
    return head + b"\r\n\r\n" + body


REQUEST_HEAD = (
    f"POST {CREATE_PATH} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {TOKEN}\r\n"
    "Content-Type: application/json\r\nContent-Length: 60\r\n\r\n"
).encode()


@pytest.mark.parametrize("stack", STACKS)
def test_connections_that_never_finish_their_request_are_closed(stack: str) -> None:
    with serve(["--db", ":memory:", "--token", TOKEN, "--http", stack, *TIMEOUTS]) as server:
        address = _address(server.url)
        with socket.create_connection(address) as idle:
            assert 0.3 < _closed_after(idle) < 3.0
        with socket.create_connection(address) as slow_headers:
            assert 0.3 < _closed_after(slow_headers, trickle=REQUEST_HEAD * 3) < 3.0
        with socket.create_connection(address) as slow_body:
            slow_body.sendall(REQUEST_HEAD)
            assert 0.3 < _closed_after(slow_body, trickle=b'{"name": "backup-1"' * 3) < 3.0
        # A keep-alive connection is closed once idle after its answer.
        with socket.create_connection(address) as kept:
            body = b'{"name": "backup-kept", "description": ""}'
            kept.sendall(REQUEST_HEAD.replace(b"60", str(len(body)).encode()) + body)
            kept.settimeout(3.0)
            assert kept.recv(4096).startswith(b"HTTP/1.1 202")
            assert _closed_after(kept) < 3.0
        output = "".join(server.output)
    assert f"({stack}, " in output
    assert "Traceback" not in output and "ERROR" not in output, output


@pytest.mark.parametrize("stack", STACKS)
def test_after_an_answer_the_wait_for_the_next_request_is_the_keep_alive(stack: str) -> None:
    """Between an answer and a next request's first byte only the keep-alive deadline runs; the
    header deadline starts with that byte (as nginx's client_header_timeout does)."""
    timeouts = ["--header-timeout", "0.5", "--body-timeout", "0.5", "--keep-alive-timeout", "3"]
    args = ["--db", ":memory:", "--token", TOKEN, "--backup-seconds", "0", "--http", stack]
    with (
        serve([*args, *timeouts]) as server,
        socket.create_connection(_address(server.url)) as kept,
    ):
        kept.settimeout(3.0)
        for number in range(2):
            body = b'{"name": "backup-kept-%d", "description": ""}' % number
            kept.sendall(REQUEST_HEAD.replace(b"60", str(len(body)).encode()) + body)
            assert _read_answer(kept).startswith(b"HTTP/1.1 202")
            time.sleep(1.0)  # twice the header deadline, a third of the keep-alive
        # A request trickled after the wait is still held to the header deadline.
        assert 0.3 < _closed_after(kept, trickle=REQUEST_HEAD * 3) < 3.0


@pytest.mark.parametrize("stack", STACKS)
def test_the_applications_own_time_is_not_limited(stack: str) -> None:
    # --fault-latency delays the answer past both deadlines: the request is whole, so it is served.
    args = [
        "--db",
        ":memory:",
        "--token",
        TOKEN,
        "--http",
        stack,
        *TIMEOUTS,
        "--fault-latency",
        "1.2",
    ]
    with serve(args) as server, socket.create_connection(_address(server.url)) as sock:
        body = b'{"name": "backup-slow", "description": ""}'
        sock.sendall(REQUEST_HEAD.replace(b"60", str(len(body)).encode()) + body)
        sock.settimeout(5.0)
        assert sock.recv(4096).startswith(b"HTTP/1.1 202")


def test_an_answer_goes_out_in_one_write() -> None:
    from geminidb_backup.server.transport import _OneWrite

    class Recording:
        def __init__(self) -> None:
            self.writes: list[bytes] = []
            self.closed = False

        def write(self, data: bytes) -> None:
            self.writes.append(data)

        def is_closing(self) -> bool:
            return self.closed

        def close(self) -> None:
            self.closed = True

    async def answer(interim: bool, body: bool) -> Recording:
        inner = Recording()
        wrapped: Any = _OneWrite(inner, asyncio.get_running_loop())  # type: ignore[arg-type]
        if interim:
            wrapped.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        wrapped.write(b"HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\n")
        if body:
            wrapped.write(b"{}")
        await asyncio.sleep(0)  # the end of the turn
        wrapped.close()
        return inner

    both = asyncio.run(answer(interim=False, body=True))
    assert both.writes == [b"HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\n{}"] and both.closed
    continued = asyncio.run(answer(interim=True, body=True))
    assert continued.writes[0] == b"HTTP/1.1 100 Continue\r\n\r\n" and len(continued.writes) == 2
    head_only = asyncio.run(answer(interim=False, body=False))
    assert head_only.writes == [b"HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\n"]


@pytest.mark.parametrize("stack", STACKS)
def test_a_connection_answered_before_its_body_ended_is_still_timed_out(stack: str) -> None:
    # 413 is answered before the body is read; once the body has arrived, the connection waits
    # for a next request and must be closed when none comes.
    args = ["--db", ":memory:", "--token", TOKEN, "--http", stack, *TIMEOUTS]
    with serve(args) as server, socket.create_connection(_address(server.url)) as sock:
        body = b'{"name": "backup-big", "description": "' + b"a" * 70_000 + b'"}'
        sock.sendall(
            f"POST {CREATE_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
        )
        sock.settimeout(3.0)
        assert sock.recv(4096).startswith(b"HTTP/1.1 413")
        sock.sendall(body)
        assert _closed_after(sock) < 3.0
