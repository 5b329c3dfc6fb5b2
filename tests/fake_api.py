"""A small in-process stand-in for the GeminiDB backup API and for IAM (Keystone v3), on the
standard library's HTTP server, for the tests of the library and the CLI.

It is not the reference server (``geminidb-backup serve``, issue 3): it keeps just enough state
to answer the four operations as the spec says, counts what reached it, and injects faults
(503 with ``Retry-After``; a create that is carried out but whose answer is never sent).
"""

from __future__ import annotations

import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from geminidb_backup.signing import expected_signature, parse_authorization

PROJECT_ID = "054e292c9880d4992f02c0196d3ea468"
INSTANCE_ID = "a4d8ea2584e047439a667703c0684119in06"
TOKEN = "fake-token-0123456789"
ACCESS_KEY, SECRET_KEY = "FAKEACCESSKEY", "fake/secret+key"
USER, PASSWORD, DOMAIN = "alice", "s3cret-password", "alice-domain"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


@dataclass
class FakeState:
    backup_seconds: float = 0.6
    fail_next_backup: bool = False
    busy_answers: int = 0  # answer the next N API calls with 503 and Retry-After: 0
    drop_creates: int = 0  # carry out the next N creates, then close without answering
    failing_answers: int = 0  # answer the next N API calls with 500, doing nothing
    requests: list[tuple[str, str]] = field(default_factory=list)
    backups: dict[str, dict[str, Any]] = field(default_factory=dict)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=lambda: {TOKEN})
    token_lifetime: timedelta = timedelta(hours=24)
    issue_token: str | None = None  # what IAM hands out; a fresh random token when None
    lock: threading.Lock = field(default_factory=threading.Lock)
    # listInstances answers these: the spec's example instance (INSTANCE_ID) by default.
    instances: list[dict[str, Any]] = field(default_factory=lambda: [_example_instance()])

    def api_calls(self, method: str | None = None) -> list[tuple[str, str]]:
        return [r for r in self.requests if "/auth/tokens" not in r[1]
                and (method is None or r[0] == method)]  # fmt: skip

    def refresh(self) -> None:
        """Move jobs along: progress grows with time, and ends after ``backup_seconds``."""
        for job in self.jobs.values():
            if job["status"] != "Running":
                continue
            elapsed = time.monotonic() - job["_started"]
            if elapsed >= self.backup_seconds:
                job.update(status="Failed" if job["_fail"] else "Completed", progress="",
                           end_time=_now(), fail_reason="disk full" if job["_fail"] else "")  # fmt: skip
                backup = self.backups.get(job["_backup"])
                if backup is not None and job["name"] == "BackupInstance":
                    backup.update(status="FAILED" if job["_fail"] else "COMPLETED",
                                  size=0 if job["_fail"] else 2803.0, end_time=_now())  # fmt: skip
                elif backup is not None:
                    del self.backups[job["_backup"]]
            else:
                job["progress"] = f"{min(99, int(100 * elapsed / self.backup_seconds))}%"


def _example_instance() -> dict[str, Any]:
    from geminidb_backup.spec import at_pointer

    examples = at_pointer("/paths/~1v3~1{project_id}~1instances/get/responses/200/content/"
                          "application~1json/examples")  # fmt: skip
    instance: dict[str, Any] = next(iter(examples.values()))["value"]["instances"][0]
    return dict(instance)


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not k.startswith("_")}


class Handler(BaseHTTPRequestHandler):
    server: FakeServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Request-Id", uuid.uuid4().hex)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, code: str, message: str, **headers: str) -> None:
        self._send(status, {"error_code": code, "error_msg": message}, headers)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _authorized(self, body: bytes) -> bool:
        state = self.server.state
        if self.headers.get("X-Auth-Token") in state.tokens:
            return True
        authorization = self.headers.get("Authorization")
        if not authorization:
            return False
        try:
            parsed = parse_authorization(authorization)
        except ValueError:
            return False
        split = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        expected = expected_signature(SECRET_KEY, self.command, split.path, split.query,
                                      headers, parsed.signed_headers, body)  # fmt: skip
        return parsed.access_key == ACCESS_KEY and hmac.compare_digest(expected, parsed.signature)

    def _handle(self) -> None:
        state = self.server.state
        body = self._body()
        split = urlsplit(self.path)
        with state.lock:
            state.requests.append((self.command, self.path))
        if split.path == "/v3/auth/tokens" and self.command == "POST":
            return self._keystone(body)
        if not self._authorized(body):
            return self._error(401, "APIGW.0301", "Incorrect IAM authentication information.")
        with state.lock:
            if state.busy_answers > 0:
                state.busy_answers -= 1
                return self._error(503, "DBS.200998", "The system is busy. Try again later.",
                                   **{"Retry-After": "0"})  # fmt: skip
            if state.failing_answers > 0:
                state.failing_answers -= 1
                return self._error(500, "DBS.280005", "Server error. Try again later.")
            state.refresh()
            parts = split.path.strip("/").split("/")
            query = {k: v[-1] for k, v in parse_qs(split.query).items()}
            if len(parts) < 2 or parts[1] != PROJECT_ID:
                return self._error(400, "DBS.280408", "Invalid project id.")
            if self.command == "POST" and len(parts) == 5 and parts[2] == "instances":
                return self._create(parts[3], body)
            if self.command == "GET" and parts[0] == "v3" and parts[2:] == ["jobs"]:
                return self._list(
                    "jobs",
                    query,
                    lambda j: all(
                        str(j.get(k)) == query[k] for k in ("id", "status", "name") if k in query
                    ),
                )
            if self.command == "GET" and parts[0] == "v3" and parts[2:] == ["instances"]:
                return self._list(
                    "instances", query, lambda i: i["id"] == query["id"] if "id" in query else True
                )
            if self.command == "GET" and parts[0] == "v4" and parts[2:] == ["backups"]:
                return self._list(
                    "backups",
                    query,
                    lambda b: (
                        all(
                            b.get({"backup_id": "id"}.get(k, k)) == query[k]
                            for k in ("instance_id", "backup_id")
                            if k in query
                        )
                        and (b["type"] == query["backup_type"] if "backup_type" in query else True)
                    ),
                )
            if self.command == "DELETE" and len(parts) == 4 and parts[2] == "backups":
                return self._delete(parts[3])
        return self._error(404, "APIGW.0101", "The API does not exist.")

    do_GET = do_POST = do_DELETE = _handle

    def _list(self, kind: str, query: dict[str, str], keep: Any) -> None:
        held = getattr(self.server.state, kind)
        listed = held.values() if isinstance(held, dict) else held
        items = [_public(i) for i in reversed(list(listed)) if keep(i)]
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 50))
        self._send(200, {"total_count": len(items), kind: items[offset : offset + limit]})

    def _new_job(self, name: str, backup_id: str, fail: bool = False) -> str:
        job_id = str(uuid.uuid4())
        self.server.state.jobs[job_id] = {
            "id": job_id, "name": name, "status": "Running", "start_time": _now(),
            "end_time": "", "progress": "0%", "fail_reason": "",
            "instance": {"id": INSTANCE_ID, "name": "cassandra-prod"},
            "_started": time.monotonic(), "_backup": backup_id, "_fail": fail,
        }  # fmt: skip
        return job_id

    def _create(self, instance_id: str, body: bytes) -> None:
        state = self.server.state
        if instance_id != INSTANCE_ID:
            return self._error(404, "DBS.200002", "The DB instance does not exist.")
        request = json.loads(body)
        if any(b["name"] == request["name"] for b in state.backups.values()):
            return self._error(400, "DBS.201201", "The backup already exists.")
        backup_id = uuid.uuid4().hex + "br06"
        now = _now()
        state.backups[backup_id] = {
            "id": backup_id, "name": request["name"], "description": request["description"],
            "instance_id": instance_id, "instance_name": "cassandra-prod",
            "datastore": {"type": "cassandra", "version": "3.11"}, "type": "Manual",
            "size": 0, "status": "BUILDING", "begin_time": now, "end_time": "",
            "database_tables": [],
        }  # fmt: skip
        job_id = self._new_job("BackupInstance", backup_id, state.fail_next_backup)
        state.fail_next_backup = False
        if state.drop_creates > 0:
            state.drop_creates -= 1
            self.close_connection = True
            self.connection.shutdown(2)  # carried out, but the answer never leaves
            return
        self._send(202, {"job_id": job_id, "backup_id": backup_id})

    def _delete(self, backup_id: str) -> None:
        if backup_id not in self.server.state.backups:
            return self._error(400, "DBS.201214", "The backup file does not exist.")
        self._send(202, {"job_id": self._new_job("DeleteBackup", backup_id)})

    def _keystone(self, body: bytes) -> None:
        state = self.server.state
        try:
            user = json.loads(body)["auth"]["identity"]["password"]["user"]
            ok = (user["name"], user["password"], user["domain"]["name"]) == (
                USER,
                PASSWORD,
                DOMAIN,
            )
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            return self._send(
                401,
                {
                    "error": {
                        "code": 401,
                        "message": "The request you have made requires authentication.",
                    }
                },
            )
        token = state.issue_token or f"keystone-{uuid.uuid4().hex}"
        state.tokens.add(token)
        expires = (datetime.now(UTC) + state.token_lifetime).isoformat().replace("+00:00", "Z")
        self._send(201, {"token": {"expires_at": expires, "project": {"id": PROJECT_ID}}},
                   {"X-Subject-Token": token})  # fmt: skip


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: FakeState) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = state

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def running(state: FakeState | None = None) -> Iterator[FakeServer]:
    server = FakeServer(state or FakeState())
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
