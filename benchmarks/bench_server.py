"""Throughput and latency of createBackup against ``geminidb-backup serve``, next to a bare
Starlette endpoint on the same stack that returns the same JSON without validation or state.

Not a test: run it by hand (about a minute)::

    .tools/bin/uv run python benchmarks/bench_server.py [--rounds 10] [--seconds 2] [--fsync]

The load comes from wrk (Debian package ``wrk``; installed here with apt-get when missing and
running as root), one thread and ``--connections`` keep-alive connections on loopback, each
request a valid createBackup with a distinct backup name (a Lua script numbers them). A Python
load client is not used: on a small machine it saturates near 1,200 requests a second and would
measure itself.

Both servers run as separate processes with one uvicorn worker on the fastest stack installed
(httptools and uvloop when present, as ``serve`` picks it) and no access log. Both stay up for the
whole run, and the load goes to one then the other, ``--rounds`` times, in alternating order: on
a shared machine the speed of the same code drifts by half within seconds to minutes, which a
ratio of two measurements made one after the other would take for a difference between the
servers. Short rounds (2 s each by default) put the two measurements of a round close in time;
the script prints each round's ratio and their median. The reference server
keeps its state in a SQLite file (every 202 sent after its COMMIT) with no backup limit; after the
run the script counts the backups in that file, which must be at least the 202s wrk saw. When
Prism (``prism`` on the PATH or in node_modules) is installed, it mocks the same spec under the
same load, for comparison.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from geminidb_backup.server.process import serve_process

ROOT = Path(__file__).resolve().parent.parent
PROJECT_ID = "054e292c9880d4992f02c0196d3ea468"
INSTANCE_ID = "a4d8ea2584e047439a667703c0684119in06"
PATH = f"/v3/{PROJECT_ID}/instances/{INSTANCE_ID}/backups"
TOKEN = "bench-token"
SAME_JSON = {
    "job_id": "8061ceaf-b319-4315-9338-7f3de8e26f05",
    "backup_id": "646d88d0b03f4fd2ae944ae2a33bcb6ain06",
}

# wrk's Lua hooks: a distinct name per request, the statuses counted, one parseable result line.
WRK_SCRIPT = """
prefix = os.getenv("BENCH_PREFIX") or "b"
counter = 0
non202 = 0  -- a global: done() reads it from each thread with thread:get()
threads = {}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Auth-Token"] = "@TOKEN@"

function setup(thread)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local body = '{"name": "' .. prefix .. '-' .. counter .. '", "description": "bench"}'
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 202 then non202 = non202 + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("non202") end
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
""".replace("@TOKEN@", TOKEN)


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non_202: int
    socket_errors: int
    # CPU time the server process used during the run (user + system), 0 where unknown.
    cpu_seconds: float = 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_us(self) -> float:
        """CPU microseconds per request: what the server's own work costs, which the load of a
        shared machine moves far less than requests per second."""
        return self.cpu_seconds / max(self.requests, 1) * 1e6


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit("wrk is missing: install it (Debian/Ubuntu: apt-get install wrk)")
    print("installing wrk with apt-get ...", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update", "-q"], check=True, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk") or "wrk"


def write_script() -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    return script.name


def run_wrk(wrk: str, script: str, url: str, *, seconds: float, connections: int,
            label: str, pid: int | None = None) -> Result:  # fmt: skip
    """One wrk run; ``label`` starts the backup names (distinct for each run); ``pid`` is the
    server's process, whose CPU time is measured."""
    cpu_before = cpu_seconds(pid)
    completed = subprocess.run(
        [wrk, "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "-s", script,
         url + PATH],
        env={**os.environ, "BENCH_PREFIX": label}, check=True, capture_output=True, text=True,
    )  # fmt: skip
    found = re.search(
        r"^RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", completed.stdout, re.MULTILINE
    )
    if found is None:
        raise SystemExit(f"unexpected wrk output:\n{completed.stdout}\n{completed.stderr}")
    requests, duration_us, p50_us, p99_us, non_202, errors = map(int, found.groups())
    return Result(requests, duration_us / 1e6, p50_us / 1e3, p99_us / 1e3, non_202, errors,
                  cpu_seconds(pid) - cpu_before)  # fmt: skip


def bare_server(port_file: str) -> None:
    """The baseline: one Starlette route answering 202 with a fixed body, nothing else, on the
    stack ``serve`` uses (httptools and uvloop when installed)."""
    import asyncio

    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from geminidb_backup.server.transport import httptools_available

    async def create(request: Request) -> JSONResponse:
        await request.body()
        return JSONResponse(SAME_JSON, status_code=202)

    app = Starlette(routes=[Route(PATH, create, methods=["POST"])])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # as serve does
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    Path(port_file).write_text(f"http://127.0.0.1:{sock.getsockname()[1]}")
    http = "httptools" if httptools_available() else "h11"
    config = uvicorn.Config(app, http=http, access_log=False, log_level="warning")
    server = uvicorn.Server(config)
    try:
        import uvloop

        loop_factory = uvloop.new_event_loop
    except ImportError:
        loop_factory = None
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(server.serve(sockets=[sock]))


def prism_command() -> list[str] | None:
    prism = shutil.which("prism") or shutil.which("prism", path=str(ROOT / "node_modules/.bin"))
    if prism is None:
        return None
    return [prism, "mock", str(ROOT / "openapi/geminidb-backup.yaml"), "--host", "127.0.0.1"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("a baseline server exited before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on port {port} after {timeout:g} s")


def count_manual_backups(db_path: str) -> int:
    with sqlite3.connect(db_path) as db:
        (count,) = db.execute("SELECT count(*) FROM backups WHERE type = 'Manual'").fetchone()
    return int(count)


@contextmanager
def bare_process() -> Iterator[tuple[str, int]]:
    """The bare endpoint in a process of its own; yields its URL and process ID."""
    with tempfile.TemporaryDirectory() as scratch:
        port_file = os.path.join(scratch, "bare-url")
        bare = subprocess.Popen([sys.executable, __file__, "--bare-server", port_file])
        try:
            while not Path(port_file).exists() or not Path(port_file).read_text():
                if bare.poll() is not None:
                    raise SystemExit("the bare Starlette server did not start")
                time.sleep(0.05)
            url = Path(port_file).read_text()
            wait_for_port(int(url.rsplit(":", 1)[1]), bare)
            yield url, bare.pid
        finally:
            bare.terminate()
            bare.wait()


def prism_result(wrk: str, script: str, seconds: float, connections: int) -> Result | None:
    prism = prism_command()
    if prism is None:
        return None
    port = free_port()
    process = subprocess.Popen(
        [*prism, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port, process)
        url = f"http://127.0.0.1:{port}"
        run_wrk(wrk, script, url, seconds=2, connections=connections, label="warm-prism")
        return run_wrk(wrk, script, url, seconds=seconds, connections=connections, label="prism")
    finally:
        process.terminate()
        process.wait()


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=2, help="of each server, each round")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--fsync", action="store_true", help="run serve with --fsync")
    parser.add_argument("--bare-server", metavar="PORT_FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        bare_server(args.bare_server)
        return
    wrk = ensure_wrk()
    script = write_script()
    load = {"seconds": args.seconds, "connections": args.connections}
    rounds: list[dict[str, Result]] = []
    load_before = _load()
    try:
        with tempfile.TemporaryDirectory() as scratch, bare_process() as (bare_url, bare_pid):
            db_path = os.path.join(scratch, "bench.sqlite3")
            serve_args = ["--db", db_path, "--token", TOKEN, "--backup-limit", "0",
                          "--backup-seconds", "0", "--no-access-log",
                          "--fsync" if args.fsync else "--no-fsync"]  # fmt: skip
            with serve_process(serve_args) as serve:
                shown = re.search(r"serving on \S+ \((.*)\)", "".join(serve.output))
                stack = shown[1] if shown else "?"
                urls = {"bare": bare_url, "serve": serve.url}
                pids = {"bare": bare_pid, "serve": serve.process.pid}
                # Warm-up (not measured): imports, caches, the SQLite file's first pages.
                for name, url in urls.items():
                    run_wrk(wrk, script, url, label=f"warm-{name}", seconds=2,
                            connections=args.connections)  # fmt: skip
                for number in range(args.rounds):
                    order = list(urls) if number % 2 == 0 else list(reversed(urls))
                    rounds.append(
                        {name: run_wrk(wrk, script, urls[name], label=f"{name}-{number}",
                                       pid=pids[name], **load)
                         for name in order}
                    )  # fmt: skip
            committed = count_manual_backups(db_path)
        prism = prism_result(wrk, script, **load)
    finally:
        os.unlink(script)

    print(
        f"createBackup, wrk -t1 -c{args.connections}, {args.rounds} rounds of {args.seconds:g} s"
        f" per server, loopback, one worker on {stack}, no access log,"
        f" serve {'--fsync' if args.fsync else '--no-fsync'}"
    )
    print(f"{'round':>5} {'server':8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-202':>8}"
          f" {'sock err':>8} {'CPU us':>7} {'ratio':>6}")  # fmt: skip
    for number, results in enumerate(rounds):
        ratio = results["serve"].rps / results["bare"].rps
        for name in ("bare", "serve"):
            result = results[name]
            print(
                f"{number:>5} {name:8} {result.rps:8.0f} {result.p50_ms:8.2f}"
                f" {result.p99_ms:8.2f} {result.non_202:8d} {result.socket_errors:8d}"
                f" {result.cpu_us:7.0f}" + (f" {ratio:6.2f}" if name == "serve" else "")
            )
    if prism is not None:
        print(f"{'':>5} {'Prism':8} {prism.rps:8.0f} {prism.p50_ms:8.2f} {prism.p99_ms:8.2f}"
              f" {prism.non_202:8d} {prism.socket_errors:8d}")  # fmt: skip
    else:
        print("Prism (mock): not installed (npm install @stoplight/prism-cli)")
    ratios = [results["serve"].rps / results["bare"].rps for results in rounds]
    serve_p99 = [results["serve"].p99_ms for results in rounds]
    # A shared machine's load moves every figure: say what it was.
    print(f"load average (1, 5, 15 min): before {load_before}, after {_load()}")
    print(
        f"ratio serve / bare: median {statistics.median(ratios):.2f}"
        f" (rounds {min(ratios):.2f} to {max(ratios):.2f});"
        f" serve p99 median {statistics.median(serve_p99):.1f} ms (max {max(serve_p99):.1f})"
    )
    cpu = {name: statistics.median(results[name].cpu_us for results in rounds)
           for name in ("bare", "serve")}  # fmt: skip
    if cpu["serve"]:
        # CPU time per request is the servers' own cost: a busy machine stretches both alike.
        print(
            f"CPU per request (median): bare {cpu['bare']:.0f} us, serve {cpu['serve']:.0f} us;"
            f" bare / serve {cpu['bare'] / cpu['serve']:.2f}"
        )
    answered = sum(results["serve"].requests - results["serve"].non_202 for results in rounds)
    # Warm-up requests are committed too; a request cut off at the end may be committed unanswered.
    print(
        f"durable: {committed} backups in the SQLite file after {answered} answered 202"
        f" ({'ok' if committed >= answered else 'LOST WRITES'})"
    )


if __name__ == "__main__":
    main()
