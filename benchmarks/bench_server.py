"""Throughput and latency of createBackup against ``geminidb-backup serve``, next to a bare
Starlette endpoint that returns the same JSON without validation or state.

Not a test: run it by hand (it takes about half a minute)::

    .tools/bin/uv run python benchmarks/bench_server.py [--seconds 5] [--connections 16]

Both servers run as separate processes with one uvicorn worker, the same HTTP implementation
(h11) and no access log; the reference server keeps its state in a SQLite file (durable
commits) with no backup limit. The load comes from the small asyncio HTTP/1.1 client below over
keep-alive connections, on loopback, each request with a distinct backup name. httpx is not used
as the load tool because it is slower per request than the servers measured here, so it would
measure itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from geminidb_backup.server.process import serve_process

PROJECT_ID = "054e292c9880d4992f02c0196d3ea468"
INSTANCE_ID = "a4d8ea2584e047439a667703c0684119in06"
PATH = f"/v3/{PROJECT_ID}/instances/{INSTANCE_ID}/backups"
TOKEN = "bench-token"
SAME_JSON = {
    "job_id": "8061ceaf-b319-4315-9338-7f3de8e26f05",
    "backup_id": "646d88d0b03f4fd2ae944ae2a33bcb6ain06",
}


def bare_server(port_file: str) -> None:
    """The baseline: one Starlette route answering 202 with a fixed body, nothing else."""
    import socket

    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def create(request: Request) -> JSONResponse:
        await request.body()
        return JSONResponse(SAME_JSON, status_code=202)

    app = Starlette(routes=[Route(PATH, create, methods=["POST"])])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # as serve does
    sock.bind(("127.0.0.1", 0))
    Path(port_file).write_text(f"http://127.0.0.1:{sock.getsockname()[1]}")
    config = uvicorn.Config(app, http="h11", access_log=False, log_level="warning")
    uvicorn.Server(config).run(sockets=[sock])


async def _one_connection(
    host: str, port: int, prefix: str, deadline: float, latencies: list[float], failures: list[int]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    number = 0
    try:
        while time.perf_counter() < deadline:
            number += 1
            body = json.dumps({"name": f"{prefix}-{number}", "description": "bench"}).encode()
            request = (
                f"POST {PATH} HTTP/1.1\r\nHost: {host}:{port}\r\nX-Auth-Token: {TOKEN}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            status = int(head.split(b" ", 2)[1])
            if status != 202:
                failures.append(status)
    finally:
        writer.close()


async def load(url: str, seconds: float, connections: int, label: str) -> dict[str, float]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    # Warm-up, not measured.
    await asyncio.gather(
        *(_one_connection(host, port, f"warm-{label}-{c}", time.perf_counter() + 1.0, [], [])
          for c in range(connections))
    )  # fmt: skip
    latencies: list[float] = []
    failures: list[int] = []
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(_one_connection(host, port, f"{label}-{c}", deadline, latencies, failures)
          for c in range(connections))
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "failures": len(failures),
        "rps": len(latencies) / elapsed,
        "p50_ms": quantiles[49] * 1000,
        "p99_ms": quantiles[98] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--fsync", action="store_true", help="run serve with --fsync")
    parser.add_argument("--bare-server", metavar="PORT_FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        bare_server(args.bare_server)
        return

    with tempfile.TemporaryDirectory() as scratch:
        serve_args = ["--db", os.path.join(scratch, "bench.sqlite3"), "--token", TOKEN,
                      "--backup-limit", "0", "--backup-seconds", "0", "--no-access-log",
                      "--fsync" if args.fsync else "--no-fsync"]  # fmt: skip
        port_file = os.path.join(scratch, "bare-url")
        bare = subprocess.Popen(
            [sys.executable, __file__, "--bare-server", port_file],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            with serve_process(serve_args) as serve:
                while not os.path.exists(port_file) or not Path(port_file).read_text():
                    if bare.poll() is not None:
                        raise SystemExit("the bare Starlette server did not start")
                    time.sleep(0.05)
                time.sleep(0.5)  # the bare server writes its URL just before it starts listening
                bare_url = Path(port_file).read_text()
                results = {
                    "bare Starlette": asyncio.run(
                        load(bare_url, args.seconds, args.connections, "bare")
                    ),
                    "reference server": asyncio.run(
                        load(serve.url, args.seconds, args.connections, "serve")
                    ),
                }
        finally:
            bare.terminate()
            bare.wait()
    print(
        f"createBackup, {args.connections} connections, {args.seconds:g} s each, loopback,"
        f" serve {'--fsync' if args.fsync else '--no-fsync'}"
    )
    print(f"{'':18} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-202':>8}")
    for name, result in results.items():
        print(
            f"{name:18} {result['rps']:8.0f} {result['p50_ms']:8.2f} {result['p99_ms']:8.2f}"
            f" {result['failures']:8.0f}"
        )
    ratio = results["reference server"]["rps"] / results["bare Starlette"]["rps"]
    print(f"ratio (reference / bare): {ratio:.2f}")


if __name__ == "__main__":
    main()
