"""``serve`` facing hostile clients on a shared network: memory under pipelining, clients that never
read, oversized heads and bodies, upgrades, ambiguous framing, stops that must not wait for ever,
and logs a client must not be able to flood. Each on both stacks (httptools on uvloop, h11 on
asyncio) where it applies."""

from __future__ import annotations

import signal
import socket
import sys
import time
from pathlib import Path

import httpx
import pytest
from server_helpers import BACKUPS_PATH, CREATE_PATH, JOBS_PATH, TOKEN, serve
from test_server_connections import _address, _read_answer

STACKS = ["httptools", "h11"]
BASE = ["--db", ":memory:", "--token", TOKEN]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _send_for(sock: socket.socket, data: bytes, seconds: float, limit: int) -> int:
    """Send ``data`` over and over without reading, for ``seconds`` or ``limit`` bytes, as far
    as the server takes it; returns the bytes it took."""
    sock.setblocking(False)
    sent = 0
    end = time.monotonic() + seconds
    while sent < limit and time.monotonic() < end:
        try:
            sent += sock.send(data)
        except BlockingIOError:
            time.sleep(0.01)
        except OSError:  # closed by the server
            break
    return sent


def _answers(sock: socket.socket, seconds: float = 5.0) -> bytes:
    """What the server sends until it closes the connection (or ``seconds`` pass)."""
    sock.setblocking(True)
    sock.settimeout(0.5)
    received = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        except ConnectionResetError:
            break
        if not chunk:
            break
        received += chunk
    return received


@pytest.mark.parametrize("stack", STACKS)
def test_pipelined_requests_never_read_do_not_grow_the_server(stack: str) -> None:
    tiny = b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n"
    with serve([*BASE, "--http", stack]) as server:
        before = _rss_kib(server.process.pid)
        with socket.create_connection(_address(server.url)) as sock:
            _send_for(sock, tiny * 2000, seconds=4.0, limit=10_000_000)
            time.sleep(0.5)
            grown_mib = (_rss_kib(server.process.pid) - before) / 1024
        output = "".join(server.output)
    # Today's uvicorn on httptools queued every request read: ~300-400 MB for 10 MB sent.
    assert grown_mib < 30, f"the server grew {grown_mib:.0f} MiB"
    assert "Traceback" not in output


@pytest.mark.parametrize("stack", STACKS)
def test_a_client_that_never_reads_its_answers_is_cut_off(stack: str) -> None:
    request = f"GET {BACKUPS_PATH} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {TOKEN}\r\n\r\n".encode()
    args = [*BASE, "--http", stack, "--send-timeout", "1", "--max-pipelined", "1000000"]
    args += ["--keep-alive-timeout", "60", "--backup-seconds", "0", "--backup-limit", "0"]
    with serve(args) as server, httpx.Client(headers={"X-Auth-Token": TOKEN}) as client:
        for number in range(100):  # each list answer then holds 100 backups, about 60 KB
            created = client.post(
                server.url + CREATE_PATH, json={"name": f"backup-{number:03d}", "description": ""}
            )
            assert created.status_code == 202
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(_address(server.url))
        with sock:
            count = 400  # 24 MB of answers: more than any socket buffers hold
            _send_for(sock, request * count, seconds=5.0, limit=len(request) * count)
            time.sleep(4.0)  # past the send deadline, reading nothing
            sock.setblocking(True)
            sock.settimeout(10.0)
            received = 0
            try:
                while chunk := sock.recv(65536):  # until the server ends the connection
                    received += chunk.count(b"HTTP/1.1 200")
            except ConnectionResetError:
                pass
            # Without a send deadline the server answers everything and keeps the connection
            # open (keep-alive 60 s): the read times out instead.
    assert received < count, "the connection was not cut off"


@pytest.mark.parametrize("stack", STACKS)
def test_a_stop_does_not_wait_for_ever_for_a_request_under_way(stack: str) -> None:
    args = [*BASE, "--http", stack, "--fault-latency", "60", "--shutdown-timeout", "1"]
    with serve(args) as server, socket.create_connection(_address(server.url)) as sock:
        sock.sendall(
            f"GET {JOBS_PATH} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {TOKEN}\r\n\r\n".encode()
        )
        time.sleep(0.5)
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=15)
        assert time.monotonic() - started < 8


@pytest.mark.parametrize("stack", STACKS)
def test_a_request_head_over_the_limit_is_refused(stack: str) -> None:
    with (
        serve([*BASE, "--http", stack]) as server,
        socket.create_connection(_address(server.url)) as sock,
    ):
        sock.sendall(f"GET {JOBS_PATH} HTTP/1.1\r\nHost: x\r\nX-Pad: ".encode())
        _send_for(sock, b"a" * 4096, seconds=2.0, limit=200_000)
        answer = _answers(sock)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]


@pytest.mark.parametrize("stack", STACKS)
def test_a_streamed_body_past_the_limit_is_refused_as_it_arrives(stack: str) -> None:
    # A signed request (a known key, a wrong signature: the key travels in clear) streaming a
    # body: refused 413 once past the limit, not read (and hashed) to its end.
    from datetime import UTC, datetime

    date = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    head = (
        f"POST {CREATE_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Transfer-Encoding: chunked\r\nX-Sdk-Date: {date}\r\nAuthorization: SDK-HMAC-SHA256 "
        f"Access=AK, SignedHeaders=host;x-sdk-date, Signature={'0' * 64}\r\n\r\n"
    ).encode()
    chunk = b"10000\r\n" + b"a" * 0x10000 + b"\r\n"
    with (
        serve(["--db", ":memory:", "--access-key", "AK:SK", "--http", stack]) as server,
        socket.create_connection(_address(server.url)) as sock,
    ):
        sock.sendall(head)
        _send_for(sock, chunk * 16, seconds=4.0, limit=2_000_000_000)
        answer = _answers(sock)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def _upgrade(kind: str) -> bytes:
    extra = (
        "Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n"
        if kind == "websocket"
        else "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"
    )
    return f"GET {JOBS_PATH} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n{extra}\r\n".encode()


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("kind", ["websocket", "h2c"])
def test_an_upgrade_is_answered_as_any_request_without_a_log_line(stack: str, kind: str) -> None:
    with serve([*BASE, "--http", stack]) as server:
        answers = []
        for _ in range(20):
            with socket.create_connection(_address(server.url)) as sock:
                sock.sendall(_upgrade(kind))
                sock.settimeout(5.0)
                answers.append(_read_answer(sock))
        time.sleep(0.3)
        output = "".join(server.output)
    for answer in answers:
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 401"), answer[:200]
        assert b"x-request-id:" in head.lower() and b'"error_code": "APIGW.0301"' in body
    assert "ERROR" not in output and "WARNING" not in output, output[-2000:]


@pytest.mark.parametrize("stack", STACKS)
def test_malformed_requests_do_not_flood_the_log(stack: str) -> None:
    with serve([*BASE, "--http", stack]) as server:
        for _ in range(200):
            with socket.create_connection(_address(server.url)) as sock:
                sock.sendall(b"NOT HTTP AT ALL\x00\r\n\r\n")
                _answers(sock, seconds=2.0)
        time.sleep(0.3)
        lines = [line for line in server.output if "Invalid HTTP request" in line]
    assert 1 <= len(lines) <= 3, lines


@pytest.mark.parametrize("stack", STACKS)
def test_content_length_with_transfer_encoding_closes_the_connection(stack: str) -> None:
    smuggled = f"GET {JOBS_PATH} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {TOKEN}\r\n\r\n"
    request = (
        f"POST {CREATE_PATH} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {TOKEN}\r\n"
        "Content-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
        f"0\r\n\r\n{smuggled}"
    ).encode()
    with (
        serve([*BASE, "--http", stack]) as server,
        socket.create_connection(_address(server.url)) as sock,
    ):
        sock.sendall(request)
        answer = _answers(sock)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert answer.count(b"HTTP/1.1 ") == 1, answer  # the request behind it is never answered


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("hosts", [[], ["a", "b"]], ids=["none", "two"])
def test_http_1_1_without_exactly_one_host_is_400(stack: str, hosts: list[str]) -> None:
    lines = "".join(f"Host: {host}\r\n" for host in hosts)
    request = f"GET {JOBS_PATH} HTTP/1.1\r\n{lines}X-Auth-Token: {TOKEN}\r\n\r\n".encode()
    with (
        serve([*BASE, "--http", stack]) as server,
        socket.create_connection(_address(server.url)) as sock,
    ):
        sock.sendall(request)
        answer = _answers(sock, seconds=3.0)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]


def test_running_out_of_file_descriptors_does_not_flood_the_log(tmp_path: Path) -> None:
    # asyncio's accept loop logs a traceback per failed accept (h11 runs on asyncio).
    wrapper = tmp_path / "python"
    wrapper.write_text(f'#!/bin/sh\nulimit -n 40\nexec "{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    with serve([*BASE, "--http", "h11"], python=str(wrapper)) as server:
        held = []
        try:
            for _ in range(60):
                held.append(socket.create_connection(_address(server.url)))
            time.sleep(3.0)
        finally:
            for sock in held:
                sock.close()
        time.sleep(0.5)
        output = server.output
    assert len(output) < 200, f"{len(output)} lines, ending:\n{''.join(output[-20:])}"
