"""Fault injection: each mode in-process, determinism under a seed, and real dropped connections
over HTTP (before handling, and after the backup is committed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from server_helpers import BACKUPS_PATH, CREATE_PATH, JOBS_PATH, NO_ANSWER, PROJECT_ID, TOKEN, serve
from starlette.testclient import TestClient

from geminidb_backup.server import FaultConfig, ReferenceServer, ServerConfig, create_app
from geminidb_backup.server import app as app_module
from geminidb_backup.server.faults import Fault, FaultInjector

AUTH = {"X-Auth-Token": TOKEN}
EXAMPLE = {"name": "backup-4f57", "description": "manual backup"}


def client_with(**faults: Any) -> TestClient:
    config = ServerConfig(
        tokens=frozenset({TOKEN}), backup_seconds=0.0, faults=FaultConfig(**faults)
    )
    return TestClient(create_app(config), headers=AUTH)


def manual_backups(client: TestClient) -> int:
    """How many manual backups the client's server holds, read from its store directly."""
    app: ReferenceServer = client.app  # type: ignore[assignment]
    return app.store.list_backups(PROJECT_ID, backup_type="Manual", offset=0, limit=100).total_count


def test_no_faults_by_default() -> None:
    client = client_with()
    for _ in range(20):
        assert client.get(JOBS_PATH).status_code == 200


@pytest.mark.parametrize(
    ("share", "status", "code", "retry_after"),
    [
        ("server_error", 500, "DBS.280005", None),
        ("unavailable", 503, "DBS.200998", "7"),
        ("throttled", 429, "DBS.280443", "7"),
    ],
)
def test_error_answers(share: str, status: int, code: str, retry_after: str | None) -> None:
    client = client_with(**{share: 1.0}, retry_after_seconds=7)
    response = client.post(CREATE_PATH, json=EXAMPLE)
    assert response.status_code == status
    assert response.json()["error_code"] == code
    assert response.headers.get("retry-after") == retry_after
    assert response.headers["x-request-id"]
    assert manual_backups(client) == 0


def test_a_drop_before_handling_creates_nothing() -> None:
    client = client_with(drop=1.0)
    with pytest.raises(ConnectionAbortedError):
        client.post(CREATE_PATH, json=EXAMPLE)
    assert manual_backups(client) == 0


def test_a_drop_after_commit_keeps_the_backup() -> None:
    config = ServerConfig(
        tokens=frozenset({TOKEN}),
        backup_seconds=0.0,
        faults=FaultConfig(drop_after_commit=0.5, seed=3),
    )
    client = TestClient(create_app(config), headers=AUTH)
    dropped = 0
    for number in range(20):
        try:
            client.post(CREATE_PATH, json={"name": f"backup-{number}", "description": ""})
        except ConnectionAbortedError:
            dropped += 1
    assert 0 < dropped < 20
    # Every request was committed, answered or not.
    assert manual_backups(client) == 20


def test_latency_is_added(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(app_module.asyncio, "sleep", fake_sleep)
    client = client_with(latency_seconds=0.25)
    assert client.get(JOBS_PATH).status_code == 200
    assert slept == [0.25]


def test_draws_are_deterministic_under_a_seed() -> None:
    config = FaultConfig(server_error=0.2, unavailable=0.2, throttled=0.2, drop=0.1, seed=42)
    first = [FaultInjector(config).draw() for _ in range(1)]
    one, two = FaultInjector(config), FaultInjector(config)
    sequence = [one.draw() for _ in range(200)]
    assert sequence == [two.draw() for _ in range(200)]
    assert first == sequence[:1]
    # Each fault and no fault at all occur, near their shares.
    counts = {fault: sequence.count(fault) for fault in [*Fault, None]}
    assert counts[Fault.DROP_AFTER_COMMIT] == 0
    for fault in (Fault.SERVER_ERROR, Fault.UNAVAILABLE, Fault.THROTTLED):
        assert 20 <= counts[fault] <= 60
    assert counts[None] >= 40


@pytest.mark.parametrize("bad", [{"server_error": 1.5}, {"drop": 0.6, "throttled": 0.6},
                                 {"latency_seconds": -1}])  # fmt: skip
def test_impossible_fault_settings_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        FaultConfig(**bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("stack", ["httptools", "h11"])
def test_over_http_a_dropped_connection_is_a_transport_error(tmp_path: Path, stack: str) -> None:
    args = ["--token", TOKEN, "--db", str(tmp_path / "s.db"), "--backup-seconds", "0"]
    with serve([*args, "--http", stack, "--fault-drop", "1"]) as server:
        assert f"({stack}, " in "".join(server.output)
        with pytest.raises(NO_ANSWER):
            httpx.post(server.url + CREATE_PATH, json=EXAMPLE, headers=AUTH)
    with serve(args) as server:
        listed = httpx.get(
            server.url + BACKUPS_PATH, params={"backup_type": "Manual"}, headers=AUTH
        )
        assert listed.json()["total_count"] == 0


@pytest.mark.parametrize("stack", ["httptools", "h11"])
def test_over_http_a_drop_after_commit_leaves_a_backup_and_a_naive_retry_fails(
    tmp_path: Path, stack: str
) -> None:
    args = ["--token", TOKEN, "--db", str(tmp_path / "s.db"), "--backup-seconds", "0"]
    with (
        serve([*args, "--http", stack, "--fault-drop-after-commit", "1"]) as server,
        pytest.raises(NO_ANSWER),
    ):
        httpx.post(server.url + CREATE_PATH, json=EXAMPLE, headers=AUTH)
    with serve(args) as server:
        listed = httpx.get(
            server.url + BACKUPS_PATH, params={"backup_type": "Manual"}, headers=AUTH
        )
        (backup,) = listed.json()["backups"]
        assert backup["name"] == EXAMPLE["name"]
        retry = httpx.post(server.url + CREATE_PATH, json=EXAMPLE, headers=AUTH)
        assert retry.json()["error_code"] == "DBS.201201"
