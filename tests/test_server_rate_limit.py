"""The per-project rate limit of ``serve`` and the emulator: a token bucket on the server's clock,
answering 429 with the service's code, with or without Retry-After; and the seeded fleet."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest
from server_helpers import PROJECT_ID, SERVE, TOKEN, FakeClock, serve
from starlette.testclient import TestClient

from geminidb_backup.server import ServerConfig, create_app, example_instance
from geminidb_backup.server.config import fleet_instances
from geminidb_backup.server.rate_limit import RateLimit, parse_rate_limit
from geminidb_backup.server.state import Instance
from geminidb_backup.testing import Emulator

AUTH = {"X-Auth-Token": TOKEN}
OTHER_PROJECT = "0" * 32


def jobs_path(project_id: str = PROJECT_ID) -> str:
    return f"/v3/{project_id}/jobs"


def limited(limit: RateLimit, clock: FakeClock, *instances: Instance) -> TestClient:
    config = ServerConfig(
        tokens=frozenset({TOKEN}),
        backup_seconds=0.0,
        rate_limit=limit,
        **({"instances": instances} if instances else {}),
    )
    return TestClient(create_app(config, clock=clock), headers=AUTH)


@pytest.mark.parametrize(
    ("text", "per_second", "burst"),
    [("20", 20.0, 20.0), ("20/s", 20.0, 20.0), ("2.5/s", 2.5, 2.5), ("600/min", 10.0, 600.0),
     (" 30 / min ", 0.5, 30.0)],
)  # fmt: skip
def test_rates_are_read_per_second_or_per_minute(
    text: str, per_second: float, burst: float
) -> None:
    limit = parse_rate_limit(text)
    assert limit.per_second == pytest.approx(per_second)
    assert limit.burst == pytest.approx(burst)


@pytest.mark.parametrize("text", ["", "0", "-3", "fast", "20/h", "20/s/s"])
def test_a_bad_rate_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="20/s or 600/min"):
        parse_rate_limit(text)


def test_no_limiter_when_no_limit_is_set() -> None:
    app = create_app(ServerConfig(tokens=frozenset({TOKEN})))
    assert app.rate_limiter is None


@pytest.mark.parametrize("retry_after", [None, 3])
def test_requests_beyond_the_rate_are_answered_429(retry_after: int | None) -> None:
    clock = FakeClock()
    client = limited(RateLimit(3, retry_after=retry_after), clock)
    statuses = [client.get(jobs_path()).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    refused = client.get(jobs_path())
    assert refused.json()["error_code"] == "DBS.280443"
    assert refused.headers.get("retry-after") == (None if retry_after is None else "3")
    assert refused.headers["x-request-id"]
    # Refused requests took no token: a third of a second (and a bit) refills exactly one.
    clock.advance(0.34)
    assert [client.get(jobs_path()).status_code for _ in range(2)] == [200, 429]
    clock.advance(10)  # the bucket holds one second's allowance at most
    assert [client.get(jobs_path()).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_the_gateway_code_is_an_option() -> None:
    client = limited(RateLimit(1, code="APIGW.0308", retry_after=1), FakeClock())
    assert client.get(jobs_path()).status_code == 200
    refused = client.get(jobs_path())
    assert refused.status_code == 429
    assert refused.json() == {"error_code": "APIGW.0308",
                              "error_msg": "The throttling threshold has been reached."}  # fmt: skip
    assert refused.headers["retry-after"] == "1"
    with Emulator(rate_limit=1, rate_limit_code="APIGW.0308") as emulator:
        http = emulator.generated_client().get_httpx_client()
        codes = [http.get(jobs_path()).json().get("error_code") for _ in range(2)]
        assert codes == [None, "APIGW.0308"]


def test_the_limit_is_per_project() -> None:
    clock = FakeClock()
    other = Instance(OTHER_PROJECT, "1" * 32 + "in06", "other")
    client = limited(RateLimit(2), clock, fleet_instances(PROJECT_ID, 1)[0], other)
    assert [client.get(jobs_path()).status_code for _ in range(3)] == [200, 200, 429]
    assert [client.get(jobs_path(OTHER_PROJECT)).status_code for _ in range(3)] == [200, 200, 429]


def test_a_throttled_create_makes_no_backup() -> None:
    clock = FakeClock()
    instance = fleet_instances(PROJECT_ID, 1)[0]
    client = limited(RateLimit(1), clock, instance)
    path = f"/v3/{PROJECT_ID}/instances/{instance.id}/backups"
    assert client.post(path, json={"name": "first", "description": ""}).status_code == 202
    assert client.post(path, json={"name": "second", "description": ""}).status_code == 429
    app = client.app
    names = [row["name"] for row in app.store.all_backups(PROJECT_ID) if row["type"] == "Manual"]  # type: ignore[attr-defined]
    assert names == ["first"]


def test_fleet_instances_are_shaped_like_the_service_and_stable() -> None:
    fleet = fleet_instances(PROJECT_ID, 12)
    assert [instance.name for instance in fleet[:2]] == ["cassandra-0001", "cassandra-0002"]
    assert all(len(i.id) == 36 and i.id.endswith("in06") for i in fleet)
    assert all(int(i.id[:32], 16) >= 0 for i in fleet)
    assert len({i.id for i in fleet}) == 12
    assert fleet_instances(PROJECT_ID, 12) == fleet  # the same on every start


def test_the_emulator_throttles_on_its_own_clock() -> None:
    with Emulator(instances=3, rate_limit="2/s", retry_after_seconds=None) as emulator:
        assert [i.name for i in emulator.instances()] == [f"cassandra-000{n}" for n in (1, 2, 3)]
        http = emulator.generated_client().get_httpx_client()
        path = jobs_path(emulator.project_id)
        assert [http.get(path).status_code for _ in range(3)] == [200, 200, 429]
        refused = http.get(path)
        assert "retry-after" not in refused.headers
        assert emulator.state()["rate_limit"] == {"limit": "2/s", "code": "DBS.280443",
                                                  "refused": 2}  # fmt: skip
        emulator.advance(0.5)  # the frozen clock refills only when it moves
        assert [http.get(path).status_code for _ in range(2)] == [200, 429]
        emulator.reset()
        assert emulator.state()["rate_limit"]["refused"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--rate-limit", "lots"], "20/s or 600/min"), (["--retry-after", "soon"], "'none'"),
     (["--instances", "-1"], "--instances")],
)  # fmt: skip
def test_bad_limits_are_refused_by_serve(args: list[str], message: str) -> None:
    result = subprocess.run(
        [*SERVE, "--port", "0", "--db", ":memory:", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert message in result.stderr


def test_serve_seeds_a_fleet_and_throttles_it(tmp_path: Path) -> None:
    fleet = fleet_instances(PROJECT_ID, 5)
    args = ["--db", str(tmp_path / "s.db"), "--token", TOKEN, "--backup-seconds", "0",
            "--instances", "5", "--rate-limit", "3/min", "--retry-after", "none"]  # fmt: skip
    with serve(args) as server, httpx.Client(base_url=server.url, headers=AUTH) as http:
        created = [
            http.post(f"/v3/{PROJECT_ID}/instances/{instance.id}/backups",
                      json={"name": "nightly", "description": ""}).status_code
            for instance in fleet[:4]
        ]  # fmt: skip
        assert created == [202, 202, 202, 429]
        refused = http.get(jobs_path())
        assert refused.status_code == 429
        assert refused.json()["error_code"] == "DBS.280443"
        assert "retry-after" not in refused.headers
    # Started again on the same state, the same five instances exist (none added).
    with serve(args[:-4]) as server, httpx.Client(base_url=server.url, headers=AUTH) as http:
        example = example_instance().id
        refused = http.post(f"/v3/{PROJECT_ID}/instances/{example}/backups",
                            json={"name": "nightly", "description": ""})  # fmt: skip
        assert refused.status_code == 404  # --instances replaces the example's instance
        listed = http.get(f"/v4/{PROJECT_ID}/backups", params={"backup_type": "Manual"}).json()
        assert listed["total_count"] == 3
