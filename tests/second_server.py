"""A second, independent server of the four backup operations (createBackup, listJobs,
listBackups, deleteBackup), written from the spec alone for issue 18's "no false positives": it
shares no code with the reference server (geminidb_backup.server) and takes other choices where the
spec leaves them open:

- IDs: backup IDs are base64 of 16 random bytes (``+``, ``:`` and ``=`` in them, 24 characters),
  job IDs ``job_`` and 16 URL-safe characters, projects and instances with ``. : + =``;
- the order of checks in createBackup: the instance, then its quota, then whether it is busy,
  then the body (its last schema error), then the name;
- jobs take ``job_seconds`` (configurable), times are kept to the microsecond and shown at UTC+01:00;
- an automated backup is seeded on each instance.

Plain ASGI: its own routing (on the raw path, each segment unquoted), state and answers; it reads
the spec for the schemas, their ``x-rules`` codes and the operations' ``x-request-rules``.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from importlib.resources import files
from typing import Any
from urllib.parse import parse_qsl, unquote

import yaml
from jsonschema import Draft202012Validator, ValidationError, validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC: dict[str, Any] = yaml.safe_load(
    files("geminidb_backup").joinpath("openapi.yaml").read_text("utf-8")
)
REGISTRY = Registry().with_resource("spec", Resource.from_contents(SPEC, DRAFT202012))
TOKEN = "second-server-token"
PROJECT_ID, INSTANCE_ID = "tenant.7f3e:a+b=", "gem:cass+1="
OTHER_PROJECT_ID, OTHER_INSTANCE_ID = "tenant.other=9", "gem:other+2="
SHOWN_ZONE = timezone(timedelta(hours=1))
# Codes named only in the prose of the list operations' 400 answers (not by a schema's x-rules).
PARAMETER_CODES = {"limit": "DBS.280439", "offset": "DBS.280440"}
PATHS = {
    ("POST", ("v3", None, "instances", None, "backups")): "createBackup",
    ("GET", ("v3", None, "jobs")): "listJobs",
    ("GET", ("v4", None, "backups")): "listBackups",
    ("DELETE", ("v3", None, "backups", None)): "deleteBackup",
}
OPERATIONS = tuple(PATHS.values())

Scope = dict[str, Any]
Message = dict[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
    Awaitable[None],
]


class Refused(Exception):
    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = dict(headers or {})


def _example(name: str, status: int = 400) -> Refused:
    """The refusal with the code and message of one of the spec's error examples."""
    value = SPEC["components"]["examples"][name]["value"]
    return Refused(status, value["error_code"], value["error_msg"])


def _ecma_pattern(validator: Any, pattern: str, value: Any, schema: Any) -> Iterator[Any]:
    """``pattern`` as ECMA-262 reads it: Python's ``$`` also matches before a final newline
    (which jsonschema's own keyword lets through, so ``"name\\n"`` would pass)."""
    anchored = pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern
    if isinstance(value, str) and not re.search(anchored, value):
        yield ValidationError(f"{value!r} does not match {pattern!r}")


Validator = validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})


def _validator(ref: str) -> Any:
    return Validator({"$ref": "spec" + ref}, registry=REGISTRY)


def _first_code(errors: list[Any], fallback: str) -> str:
    for error in errors:
        for rule in error.schema.get("x-rules", []) if isinstance(error.schema, dict) else []:
            if rule.get("keyword") == error.validator:
                return str(rule["code"])
    return fallback


def _shown(moment: float) -> str:
    return datetime.fromtimestamp(moment, SHOWN_ZONE).strftime("%Y-%m-%dT%H:%M:%S%z")


def _moment(text: str) -> float:
    """A query time as epoch seconds; a day that does not exist is a ValueError."""
    return datetime.strptime(text.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S%z").timestamp()


@dataclass
class Job:
    id: str
    name: str
    project_id: str
    instance_id: str
    started: float
    seconds: float

    def ended(self, now: float) -> bool:
        return now >= self.started + self.seconds

    def shown(self, now: float) -> dict[str, Any]:
        done = self.ended(now)
        progress = "" if done else f"{int(100 * (now - self.started) / self.seconds)}%"
        return {
            "id": self.id,
            "name": self.name,
            "status": "Completed" if done else "Running",
            "start_time": _shown(self.started),
            "end_time": _shown(self.started + self.seconds) if done else "",
            "progress": progress,
            "instance": {"id": self.instance_id, "name": f"cassandra {self.instance_id}"},
            "fail_reason": "",
        }


@dataclass
class Backup:
    id: str
    name: str
    description: str
    project_id: str
    instance_id: str
    kind: str
    made_by: Job | None = None
    deleted_by: Job | None = None

    def shown(self, now: float) -> dict[str, Any]:
        began = self.made_by.started if self.made_by else now - 86400
        done = self.made_by is None or self.made_by.ended(now)
        ended = began + (self.made_by.seconds if self.made_by else 60)
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "instance_id": self.instance_id,
            "instance_name": f"cassandra {self.instance_id}",
            "datastore": {"type": "cassandra", "version": "3.11"},
            "type": self.kind,
            "size": 4096.5 if done else 0,
            "status": "COMPLETED" if done else "BUILDING",
            "begin_time": _shown(began),
            "end_time": _shown(ended) if done else "",
            "database_tables": [],
        }


class SecondServer:
    """The state and the four operations; ``job_seconds`` is how long every job takes."""

    def __init__(self, job_seconds: float = 0.3, clock: Callable[[], float] = time.time):
        self.job_seconds, self.clock = job_seconds, clock
        self.instances = {(PROJECT_ID, INSTANCE_ID), (OTHER_PROJECT_ID, OTHER_INSTANCE_ID)}
        self.jobs: list[Job] = []
        self.backups: list[Backup] = []
        self.lock = threading.Lock()
        for project_id, instance_id in sorted(self.instances):
            self.backups.append(
                Backup(_backup_id(), "auto-" + instance_id, "", project_id, instance_id, "Auto")
            )
        self.create_body = _validator("#/components/schemas/CreateBackupRequest")
        self.quota = _operation("createBackup")["x-quota"]

    def _job(self, name: str, project_id: str, instance_id: str) -> Job:
        job = Job("job_" + secrets.token_urlsafe(12), name, project_id, instance_id,
                  self.clock(), self.job_seconds)  # fmt: skip
        self.jobs.append(job)
        return job

    def _live(self, project_id: str) -> list[Backup]:
        now = self.clock()
        return [
            b
            for b in self.backups
            if b.project_id == project_id and not (b.deleted_by and b.deleted_by.ended(now))
        ]

    def _busy(self, project_id: str, instance_id: str) -> bool:
        now = self.clock()
        return any(
            j.project_id == project_id and j.instance_id == instance_id and not j.ended(now)
            for j in self.jobs
        )

    def create_backup(self, path: list[str], body: Any) -> tuple[int, Any]:
        project_id, instance_id = path[1], path[3]
        if (project_id, instance_id) not in self.instances:
            raise _example("InstanceNotFound", 404)
        held = [b for b in self._live(project_id) if b.instance_id == instance_id]
        if sum(b.kind == "Manual" for b in held) >= int(self.quota["count"]):
            raise Refused(self.quota["status"], self.quota["code"], "Backup quota reached.")
        if self._busy(project_id, instance_id):
            raise _example("InstanceBusy", 403)
        errors = list(self.create_body.iter_errors(body))
        if errors:
            raise Refused(400, _first_code(errors[::-1], "DBS.200001"), errors[-1].message)
        if any(b.name == body["name"] for b in held):
            raise _example("BackupAlreadyExists")
        job = self._job("BackupInstance", project_id, instance_id)
        self.backups.append(Backup(_backup_id(), body["name"], body["description"],
                                   project_id, instance_id, "Manual", made_by=job))  # fmt: skip
        return 202, {"job_id": job.id, "backup_id": self.backups[-1].id}

    def delete_backup(self, path: list[str], body: Any) -> tuple[int, Any]:
        project_id, backup_id = path[1], path[3]
        found = [b for b in self._live(project_id) if b.id == backup_id]
        if not found:
            raise _example("BackupFileDoesNotExist")
        backup = found[0]
        if backup.kind == "Auto":
            raise _example("NoPermission", 403)
        if backup.deleted_by or self._busy(project_id, backup.instance_id):
            raise _example("InstanceBusy", 403)
        backup.deleted_by = self._job("DeleteBackup", project_id, backup.instance_id)
        return 202, {"job_id": backup.deleted_by.id}

    def list_jobs(self, path: list[str], query: dict[str, Any]) -> tuple[int, Any]:
        now = self.clock()
        upper = query.get("end_time", now)
        lower = query.get("start_time", upper - 30 * 86400)
        picked = [
            j.shown(now)
            for j in self.jobs[::-1]
            if j.project_id == path[1] and lower <= j.started <= upper
        ]
        picked = [j for j in picked if all(j[k] == query[k] for k in ("id", "status", "name")
                                           if k in query)]  # fmt: skip
        return 200, _page("jobs", picked, query, 50)

    def list_backups(self, path: list[str], query: dict[str, Any]) -> tuple[int, Any]:
        now = self.clock()
        live = sorted(self._live(path[1]), key=lambda b: b.made_by.started if b.made_by else 0)
        live.reverse()
        picked = [b.shown(now) for b in live if query.get("type", "Instance") == "Instance"]
        for name, field in (("instance_id", "instance_id"), ("backup_id", "id"),
                            ("backup_type", "type")):  # fmt: skip
            picked = [b for b in picked if name not in query or b[field] == query[name]]
        if "datastore_type" in query:
            picked = [b for b in picked if b["datastore"]["type"] == query["datastore_type"]]
        if "begin_time" in query:
            picked = [b for b in picked
                      if query["begin_time"] <= _moment(b["begin_time"]) <= query["end_time"]]  # fmt: skip
        return 200, _page("backups", picked, query, 100)


def _page(items: str, picked: list[Any], query: Mapping[str, Any], limit: int) -> dict[str, Any]:
    offset = int(query.get("offset", 0))
    return {
        "total_count": len(picked),
        items: picked[offset : offset + int(query.get("limit", limit))],
    }


def _backup_id() -> str:
    return base64.b64encode(uuid.uuid4().bytes, altchars=b"+:").decode()


def _operation(operation_id: str) -> dict[str, Any]:
    for item in SPEC["paths"].values():
        for definition in item.values():
            if isinstance(definition, dict) and definition.get("operationId") == operation_id:
                return definition
    raise KeyError(operation_id)


def _parameters(operation_id: str) -> dict[str, dict[str, Any]]:
    for item in SPEC["paths"].values():
        definition = item.get("get", {})
        if definition.get("operationId") == operation_id:
            nodes = [*item.get("parameters", []), *definition.get("parameters", [])]
            found = [SPEC["components"]["parameters"][n["$ref"].rsplit("/", 1)[1]]
                     if "$ref" in n else n for n in nodes]  # fmt: skip
            return {p["name"]: p for p in found if p["in"] == "query"}
    raise KeyError(operation_id)


def read_query(operation_id: str, raw: bytes) -> dict[str, Any]:
    """The query, each parameter checked against its schema, times as epoch seconds, then the
    operation's ``x-request-rules``."""
    query: dict[str, Any] = {}
    declared = _parameters(operation_id)
    day_code = next(c for c in _operation(operation_id)["x-schema-valid-refusals"]
                    if c != "DBS.280408")  # fmt: skip
    for name, text in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if name not in declared:
            continue
        schema = declared[name]["schema"]
        value: Any = text
        code = PARAMETER_CODES.get(name, "DBS.200001")
        if text.lstrip("-").isdigit() and name in PARAMETER_CODES:
            value = int(text)
        if list(_validator_of(schema).iter_errors(value)):
            raise Refused(400, code, f"Invalid {name}.")
        if name.endswith("_time"):
            try:
                value = _moment(text)
            except ValueError:
                raise Refused(400, day_code, f"{name} names no real time.") from None
        query[name] = value
    for rule in _operation(operation_id).get("x-request-rules", []):
        given = [query[f] for f in rule["fields"] if f in query]
        broken = {
            "together": 0 < len(given) < len(rule["fields"]),
            "ordered": len(given) == 2 and given[0] > given[1],
            "max-span": len(given) == 2 and given[1] - given[0] > rule.get("days", 0) * 86400,
        }[rule["rule"]]
        if broken:
            raise Refused(rule["status"], rule["code"], rule["message"])
    return query


def _validator_of(schema: Mapping[str, Any]) -> Any:
    if "$ref" in schema:
        return _validator(schema["$ref"])
    return Validator(schema, registry=REGISTRY)


def create_app(server: SecondServer | None = None) -> ASGIApp:
    state = server or SecondServer()
    most = int(SPEC["x-max-request-body-bytes"])

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        try:
            status, body, headers = 200, None, {}
            raw = await _read_body(receive, scope, most)
            operation_id, path = _route(scope)
            if dict(_headers(scope)).get("x-auth-token") != TOKEN:
                raise _example("IncorrectIamAuthentication", 401)
            if not any(path[1] == project for project, _ in state.instances):
                raise _example("InvalidProjectId")
            with state.lock:
                if operation_id == "createBackup":
                    media = dict(_headers(scope)).get("content-type", "")
                    if media.split(";")[0].strip().lower() != "application/json":
                        raise _example("InvalidRequest", 415)
                    try:
                        parsed = json.loads(raw)
                    except ValueError:
                        raise _example("ParameterError") from None
                    status, body = state.create_backup(path, parsed)
                elif operation_id == "deleteBackup":
                    status, body = state.delete_backup(path, None)
                elif operation_id == "listJobs":
                    status, body = state.list_jobs(
                        path, read_query(operation_id, scope["query_string"])
                    )
                else:
                    status, body = state.list_backups(
                        path, read_query(operation_id, scope["query_string"])
                    )
        except Refused as refused:
            status, headers = refused.status, dict(refused.headers)
            body = {"error_code": refused.code, "error_msg": refused.message}
        await respond(send, status, body, headers)

    return app


def _headers(scope: Scope) -> list[tuple[str, str]]:
    return [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"]]


async def _read_body(receive: Any, scope: Scope, most: int) -> bytes:
    """The body, refused with 413 as soon as it is longer than ``most`` (the rest is not read)."""
    declared = dict(_headers(scope)).get("content-length", "0")
    if declared.isdigit() and int(declared) > most:
        raise _example("RequestEntityTooLarge", 413)
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > most:
            raise _example("RequestEntityTooLarge", 413)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _route(scope: Scope) -> tuple[str, list[str]]:
    raw = scope.get("raw_path") or scope["path"].encode()
    path = [unquote(part) for part in raw.decode("latin-1").split("?")[0].strip("/").split("/")]
    allowed = []
    for (method, shape), operation_id in PATHS.items():
        if len(shape) == len(path) and all(
            s is None and p or s == p for s, p in zip(shape, path, strict=True)
        ):
            if method == scope["method"]:
                return operation_id, path
            allowed.append(method)
    if allowed:
        allowed = _spec_methods(path)
        raise Refused(405, "DBS.280042", "Method not allowed.", {"allow": ", ".join(allowed)})
    raise Refused(404, "APIGW.0101", "The API does not exist or has not been published.")


def _spec_methods(path: list[str]) -> list[str]:
    """The methods the spec gives the path (of which this server implements one)."""
    for template, item in SPEC["paths"].items():
        parts = template.strip("/").split("/")
        if len(parts) == len(path) and all(
            p.startswith("{") or p == q for p, q in zip(parts, path, strict=True)
        ):
            return [m.upper() for m in item if m in ("get", "post", "put", "delete", "patch")]
    return []


async def respond(send: Any, status: int, body: Any, headers: Mapping[str, str] = {}) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
        (b"x-request-id", uuid.uuid4().hex.encode()),
        *((k.encode(), v.encode()) for k, v in headers.items())]})  # fmt: skip
    await send({"type": "http.response.body", "body": data})


def throttling(app: ASGIApp, every: int = 5, bare_every: int = 41) -> ASGIApp:
    """Every ``every``-th request throttled by the service with ``Retry-After: 0``, every
    ``bare_every``-th by the gateway without it (each of those makes the suite back off a second:
    a few dozen in a run)."""
    count = 0

    async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
        nonlocal count
        count += 1
        if scope["type"] == "http" and count % bare_every == 0:
            value = SPEC["components"]["examples"]["GatewayThrottled"]["value"]
            return await respond(send, 429, value)
        if scope["type"] == "http" and count % every == 0:
            value = SPEC["components"]["examples"]["TooManyConnections"]["value"]
            return await respond(send, 429, value, {"retry-after": "0"})
        await app(scope, receive, send)

    return wrapped


def recording_calls(app: ASGIApp, operation_ids: Iterable[str]) -> tuple[ASGIApp, list[str]]:
    """``app``, and the list it appends the operationId of each request it gets that calls one of
    ``operation_ids`` (by the method and path template the spec gives them)."""
    wanted = set(operation_ids)
    calls = {
        (method.upper(), re.compile(re.sub(r"\\{[^/]+\\}", "[^/]+", re.escape(path)) + "$")): op
        for path, item in SPEC["paths"].items()
        for method, op in (
            (m, d.get("operationId")) for m, d in item.items() if isinstance(d, dict)
        )
        if op in wanted
    }
    assert set(calls.values()) == wanted, "an operationId the spec does not have"
    seen: list[str] = []

    async def recording(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            raw = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
            seen.extend(
                op
                for (method, path), op in calls.items()
                if method == scope["method"] and path.match(raw.split("?")[0])
            )
        await app(scope, receive, send)

    return recording, seen
