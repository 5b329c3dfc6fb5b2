"""``geminidb-backup serve`` sends its own clock's time in ``Date`` (RFC 9110 6.6.1), the clock the
control API moves: clients that take "now" from there (the CLI, ``from_env()``) see the moved time,
so ``prune --older-than`` against a server whose clock was moved on deletes what is old by it."""

from __future__ import annotations

import importlib.util
import socket
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest
from server_helpers import FakeClock
from test_e2e_serve import INSTANCE_ID, TOKEN, Server, Servers, as_json, cli
from test_e2e_serve import serve as serve  # noqa: PLC0414 - the fixture, used by name

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("geminidb_backup.server") is None,
    reason="the reference server is not part of this install",
)

ADMIN = "date-admin-token"
FORTY_DAYS = 40 * 86_400


def _control(server: Server, method: str, path: str, body: Any = None) -> httpx.Response:
    response = httpx.request(method, f"{server.url}/_emulator{path}", json=body,
                             headers={"Authorization": f"Bearer {ADMIN}"})  # fmt: skip
    assert response.status_code < 300, response.text
    return response


def _date(response: httpx.Response) -> float:
    dates = response.headers.get_list("date")
    assert len(dates) == 1, dates  # the server's, and not uvicorn's as well
    return parsedate_to_datetime(dates[0]).timestamp()


def test_prune_older_than_follows_the_clock_moved_through_the_control_api(
    serve: Servers,
) -> None:
    server = serve("--admin-token", ADMIN, "--backup-seconds", "0.2")
    created = as_json(cli(server, "-o", "json", "create", "-i", INSTANCE_ID, "-n", "old-1",
                          "--wait", "--interval", "0.1"))  # fmt: skip
    # Nothing is 30 days old yet.
    kept = cli(server, "-o", "json", "prune", "-i", INSTANCE_ID, "--older-than", "30d", "--yes")
    assert as_json(kept)["deleted"] == []
    _control(server, "POST", "/clock", {"advance": FORTY_DAYS})
    pruned = as_json(cli(server, "-o", "json", "prune", "-i", INSTANCE_ID, "--older-than", "30d",
                         "--yes", "--interval", "0.1"))  # fmt: skip
    assert [d["backup"]["id"] for d in pruned["deleted"]] == [created["id"]]
    listed = as_json(cli(server, "-o", "json", "list", "--backup-type", "Manual"))["backups"]
    assert listed == []


@pytest.mark.parametrize("stack", ["httptools", "h11"])
def test_every_answer_is_dated_by_the_server_clock(serve: Servers, stack: str) -> None:
    server = serve("--admin-token", ADMIN, "--http", stack)
    before = _control(server, "POST", "/clock", {"advance": FORTY_DAYS}).json()["now"]
    answers = [
        # An answer of the API, of the control API, and errors of both.
        httpx.get(f"{server.url}/v3/x/jobs", headers={"X-Auth-Token": TOKEN}),
        httpx.get(f"{server.url}/_emulator/state", headers={"Authorization": f"Bearer {ADMIN}"}),
        httpx.get(f"{server.url}/v3/x/jobs"),
        httpx.get(f"{server.url}/nowhere"),
        httpx.get(f"{server.url}/_emulator/state"),
    ]
    after = _control(server, "GET", "/state").json()["clock"]["now"]
    assert after - before < 60  # the clock ran on from where it was moved to
    for answer in answers:
        assert int(before) <= _date(answer) <= after, (answer.status_code, answer.headers)


REFUSED = {
    # A request head over the limit (16 KiB), and no end to it.
    "head-too-large": b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 40_000,
    "not-http": b"NOT HTTP AT ALL\x00\r\n\r\n",
    "two-framings": b"POST /v3/x/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
}


@pytest.mark.parametrize("request_kind", sorted(REFUSED))
@pytest.mark.parametrize("stack", ["httptools", "h11"])
def test_a_request_refused_before_the_application_is_dated_by_the_server_clock(
    serve: Servers, stack: str, request_kind: str
) -> None:
    # Refused by the transport, by uvicorn's parser, or before the application sees it.
    server = serve("--admin-token", ADMIN, "--http", stack)
    before = _control(server, "POST", "/clock", {"advance": FORTY_DAYS}).json()["now"]
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(REFUSED[request_kind])
        sock.settimeout(10)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head = answer.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    assert head[0].startswith("HTTP/1.1 400"), head
    dates = [line.split(":", 1)[1].strip() for line in head if line.lower().startswith("date:")]
    assert len(dates) == 1, head
    after = _control(server, "GET", "/state").json()["clock"]["now"]
    assert int(before) <= parsedate_to_datetime(dates[0]).timestamp() <= after


def test_the_date_is_formatted_once_per_second_of_the_server_clock() -> None:
    from geminidb_backup.server.http_date import DateHeader

    clock = FakeClock(1_800_000_000.25)
    dates = DateHeader(clock)
    first = dates.pair()
    assert first == (b"date", b"Fri, 15 Jan 2027 08:00:00 GMT")
    clock.advance(0.5)
    assert dates.pair() is first  # the same second: the bytes made before
    clock.advance(0.5)
    assert dates.pair() == (b"date", b"Fri, 15 Jan 2027 08:00:01 GMT")
