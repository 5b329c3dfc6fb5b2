"""Per-request overhead of the facade's ``create_backup`` against raw httpx posting the same JSON
to the same server, in the same run, interleaved in rounds.

The server is the reference server (``geminidb-backup serve``, backups that finish at once and
no backup limit) when it is installed, else the tests' in-process stand-in. Both clients keep one
connection open. Run: ``.tools/bin/uv run python benchmarks/create_overhead.py [REQUESTS]``.
Target: facade / raw at most 1.15.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from geminidb_backup.auth import TokenAuth
from geminidb_backup.client import BackupClient
from geminidb_backup.server.process import serve_process

TOKEN = "benchmark-token"
PROJECT_ID = "054e292c9880d4992f02c0196d3ea468"
INSTANCE_ID = "a4d8ea2584e047439a667703c0684119in06"


@contextmanager
def reference_server() -> Iterator[str]:
    args = ["--token", TOKEN, "--db", ":memory:", "--backup-seconds", "0", "--backup-limit", "0",
            "--no-access-log"]  # fmt: skip
    with serve_process(args) as server:
        yield server.url


@contextmanager
def stand_in() -> Iterator[str]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from fake_api import FakeState, running

    with running(FakeState(backup_seconds=0, tokens={TOKEN})) as server:
        yield server.url


def measure(call: Callable[[str], object], names: Iterator[str], count: int) -> list[float]:
    times = []
    for _ in range(count):
        name = next(names)
        start = time.perf_counter()
        call(name)
        times.append(time.perf_counter() - start)
    return times


def main(requests: int) -> None:
    has_server = importlib.util.find_spec("geminidb_backup.server") is not None
    server = reference_server() if has_server else stand_in()
    with server as url:
        print(f"server: {'geminidb-backup serve' if has_server else 'tests/fake_api.py stand-in'}")
        path = f"/v3/{PROJECT_ID}/instances/{INSTANCE_ID}/backups"
        raw = httpx.Client(base_url=url, headers={"X-Auth-Token": TOKEN})
        facade = BackupClient(url, PROJECT_ID, TokenAuth(TOKEN))
        names = (f"bench-{index}" for index in range(10**9))

        def post_raw(name: str) -> None:
            response = raw.post(path, json={"name": name, "description": "manual backup"})
            assert response.status_code == 202, response.text

        def create(name: str) -> None:
            facade.create_backup(INSTANCE_ID, name, "manual backup")

        measure(post_raw, names, 50)  # warm up: connections, caches, validators
        measure(create, names, 50)
        raw_times: list[float] = []
        facade_times: list[float] = []
        for _ in range(10):
            raw_times += measure(post_raw, names, requests // 10)
            facade_times += measure(create, names, requests // 10)
        raw_median = statistics.median(raw_times)
        facade_median = statistics.median(facade_times)
        print(f"raw httpx POST:        {raw_median * 1e3:7.3f} ms median of {len(raw_times)}")
        print(f"BackupClient.create:   {facade_median * 1e3:7.3f} ms median of {len(facade_times)}")
        print(f"facade / raw:          {facade_median / raw_median:.3f}x  (target <= 1.15)")
        raw.close()
        facade.close()


def in_process(requests: int) -> None:
    """The same comparison without a network: both clients answered by an httpx.MockTransport,
    which shows the facade's own cost (validation, retry wrapper, parsing) in microseconds."""
    body = b'{"job_id": "8061ceaf-b319-4315-9338-7f3de8e26f05", "backup_id": "646d88d0b03f4fd2ae944ae2a33bcb6ain06"}'

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(202, content=body, headers={"Content-Type": "application/json"})

    url, path = "http://api.invalid", f"/v3/{PROJECT_ID}/instances/{INSTANCE_ID}/backups"
    raw = httpx.Client(base_url=url, headers={"X-Auth-Token": TOKEN},
                       transport=httpx.MockTransport(answer))  # fmt: skip
    facade = BackupClient(url, PROJECT_ID, TokenAuth(TOKEN), transport=httpx.MockTransport(answer))
    names = (f"bench-{index}" for index in range(10**9))

    def post_raw(name: str) -> None:
        raw.post(path, json={"name": name, "description": "manual backup"}).json()

    def create(name: str) -> None:
        facade.create_backup(INSTANCE_ID, name, "manual backup")

    measure(post_raw, names, 200)
    measure(create, names, 200)
    raw_times = measure(post_raw, names, requests)
    facade_times = measure(create, names, requests)
    raw_median, facade_median = statistics.median(raw_times), statistics.median(facade_times)
    print(f"in-process raw httpx:  {raw_median * 1e6:7.1f} us median")
    print(f"in-process facade:     {facade_median * 1e6:7.1f} us median "
          f"(+{(facade_median - raw_median) * 1e6:.1f} us per create)")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
    in_process(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
