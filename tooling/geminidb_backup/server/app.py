"""The reference server as an ASGI application: routing, auth, validation, handlers, faults.

Routes, parameters and bodies come from the spec (:mod:`.validation`), error messages from its
``x-error-codes`` (:mod:`.errors`), state from SQLite (:mod:`.state`). Routing is done here from
the spec's path templates rather than by Starlette's router, so that an unknown path, a wrong
method and every error answer the way the gateway does (an ``Error`` body with an
``X-Request-Id``) without a layer of exception handlers.

The API's requests are read and answered with plain ASGI messages, not Starlette's Request and
Response objects: on every request those cost (wrapping the scope, header lists rebuilt, a
mutable header view) about a tenth of what the rest of the request path does, for nothing this
application uses. The control API, off the hot path, keeps Starlette's objects.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import ClientDisconnect, Request
from starlette.types import Receive, Scope, Send

from geminidb_backup.rules import broken_rule
from geminidb_backup.server import errors
from geminidb_backup.server.auth import RAW_TOKEN_HEADER, Authenticator, PendingSignature
from geminidb_backup.server.config import ServerConfig
from geminidb_backup.server.control import CONTROL_PREFIX, ControlAPI
from geminidb_backup.server.errors import ApiError
from geminidb_backup.server.faults import DropConnection, Fault, FaultInjector
from geminidb_backup.server.http_date import DateHeader
from geminidb_backup.server.policy import Policy, policy_off
from geminidb_backup.server.rate_limit import RateLimiter
from geminidb_backup.server.state import Clock, Store, parse_time
from geminidb_backup.server.transport import ABORT_EXTENSION
from geminidb_backup.server.validation import Operation, Router, compile_operations
from geminidb_backup.spec import load_spec

logger = logging.getLogger("geminidb_backup.server")

# Larger bodies are refused 413 before more than this is read (the spec's "Request size").
MAX_BODY_BYTES = int(load_spec()["x-max-request-body-bytes"])
# listJobs: the window listed when no time is given (its description).
JOBS_WINDOW_SECONDS = 30 * 86_400
# listRestorableTimePeriods: the default window (its start_time's description).
RESTORABLE_WINDOW_SECONDS = 86_400


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which triples the
# cost of making one, and one of each is made per request.
@dataclass(slots=True)
class Answer:
    """A whole answer: status, ASGI header pairs (the request ID is added when sent), body."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


@dataclass(slots=True)
class Call:
    """What a handler reads of its request besides the path and the body."""

    # The ASGI scope's header pairs (lower-case names).
    raw_headers: list[tuple[bytes, bytes]]
    query_string: bytes

    def header(self, name: bytes) -> str | None:
        """The first value of header ``name`` (lower case), as Starlette's ``Request.headers``."""
        for key, value in self.raw_headers:
            if key == name:
                return value.decode("latin-1")
        return None


Handler = Callable[[Operation, Mapping[str, str], Call, bytes], Awaitable[Answer]]


# X-Request-Id: 32 hex digits, unique, not secret (as the IDs of the store, and for the same
# reason from a generator seeded once, not from os.urandom per request).
_request_ids = random.Random(int.from_bytes(os.urandom(16), "big"))

# Made once: json.dumps with any keyword makes a new encoder per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False)
_JSON_TYPE = (b"content-type", b"application/json")


def _answer(status: int, body: bytes, headers: Mapping[str, str]) -> Answer:
    # The headers Starlette's Response would send: the given ones (names lower-cased), then
    # Content-Length and Content-Type.
    pairs = [(b"content-length", str(len(body)).encode()), _JSON_TYPE]
    if headers:
        pairs[:0] = [(name.lower().encode("latin-1"), value.encode("latin-1"))
                     for name, value in headers.items()]  # fmt: skip
    return Answer(status, pairs, body)


def json_answer(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Answer:
    return _answer(status, _ENCODER.encode(body).encode(), headers or {})


def error_answer(error: ApiError) -> Answer:
    return _answer(error.status, error.body(), error.headers)


async def _read_body(receive: Receive, signature: PendingSignature | None) -> bytes:
    """The body, after the signature, if any, has been verified over its hash. A body longer than
    :data:`MAX_BODY_BYTES` is refused 413 as soon as it is: nothing past the limit is read or
    hashed, so neither memory nor the time of a request grows with what a client sends. Raises
    ``ClientDisconnect`` when the client hangs up first (as Starlette's ``Request.stream()``,
    whose loop this is)."""
    chunks = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        if message["type"] != "http.request":
            continue
        more = message.get("more_body", False)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ApiError(errors.BAD_REQUEST, status=413)
        chunks.append(chunk)
    body = b"".join(chunks)
    if signature is not None:
        signature.verify(hashlib.sha256(body).hexdigest())
    return body


class ReferenceServer:
    """The ASGI application. ``clock`` gives epoch seconds (tests pass a controllable one); by
    default a :class:`Clock` that follows the wall, which the control API can move."""

    def __init__(self, config: ServerConfig, *, clock: Callable[[], float] | None = None) -> None:
        clock = clock if clock is not None else Clock()
        errors.check_catalogue()
        self.config = config
        self.router = Router(compile_operations())
        self.store = Store(
            config.db_path,
            backup_seconds=config.backup_seconds,
            backup_limit=config.backup_limit,
            fsync=config.fsync,
            clock=clock,
            restore_seconds=config.restore_seconds,
            lock_timeout=config.lock_timeout_seconds,
            seed=config.seed,
        )
        self.store.seed(
            config.instances, auto_backups=config.auto_backups, policy=config.seed_policy()
        )
        self.auth = Authenticator(
            config.tokens,
            config.access_keys,
            token_projects=config.token_projects,
            access_key_projects=config.access_key_projects,
            max_skew_seconds=config.signature_skew_seconds,
            # A signature is dated by the caller's real clock, however far a test moved the
            # server's.
            clock=clock.wall if isinstance(clock, Clock) else clock,
        )
        self.faults = FaultInjector(config.faults)
        self.clock = clock
        # Every answer is dated by this clock, which the control API moves (uvicorn's own Date,
        # the wall's, is off: see geminidb_backup.cli.serve).
        self.date_header = DateHeader(clock)
        if config.rate_limit is not None:
            ApiError(config.rate_limit.code, status=429)  # a code the spec lacks fails here
        # None when no limit is set: the request path then pays one attribute test.
        self.rate_limiter = (
            RateLimiter(config.rate_limit, clock) if config.rate_limit is not None else None
        )
        self.handlers: dict[str, Handler] = {
            "createBackup": self.create_backup,
            "listJobs": self.list_jobs,
            "listBackups": self.list_backups,
            "deleteBackup": self.delete_backup,
            "stopBackup": self.stop_backup,
            "batchDeleteBackups": self.batch_delete_backups,
            "setBackupPolicy": self.set_backup_policy,
            "showBackupPolicy": self.show_backup_policy,
            "showBackupPolicies": self.show_backup_policies,
            "listInstances": self.list_instances,
            "createInstance": self.create_instance,
            "deleteInstance": self.delete_instance,
            "listRestorableTimePeriods": self.list_restorable_time_periods,
        }
        spec_operations = {op.operation_id for op in compile_operations()}
        if spec_operations != set(self.handlers):
            raise RuntimeError(f"the spec's operations {sorted(spec_operations)} have no handlers")
        # Not part of the API (not in the spec): absent unless an admin token was configured.
        self.control_api = ControlAPI(self, config.admin_token) if config.admin_token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        request_id = f"{_request_ids.getrandbits(128):032x}"
        try:
            answer = await self._handle(scope, receive)
        except ApiError as error:
            answer = error_answer(error)
        except DropConnection:
            await self._drop(scope)
            return
        except ClientDisconnect:
            # The client hung up before its request was whole: there is no one to answer, and
            # nothing went wrong here. Logging it as an error would let any client flood the log.
            return
        except Exception:
            # The detail goes to the log, under the request ID; the caller gets the catalogue's
            # message and never a stack trace.
            logger.exception("request %s failed", request_id)
            answer = error_answer(ApiError(errors.SERVER_ERROR))
        await send(
            {
                "type": "http.response.start",
                "status": answer.status,
                "headers": [
                    *answer.headers,
                    self.date_header.pair(),
                    (b"x-request-id", request_id.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer.body})

    def close(self) -> None:
        """Close the store; `geminidb-backup serve` does so after the server has stopped."""
        self.store.close()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                # The store stays open: in-process callers (Starlette's TestClient, schemathesis's
                # ASGI transport) may run a lifespan per request, and an in-memory store would
                # lose its state. Whoever made the app closes it (see close()).
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _drop(self, scope: Scope) -> None:
        abort = scope.get("extensions", {}).get(ABORT_EXTENSION)
        if abort is None:
            # No socket to drop (an in-process transport): fail the request at the transport
            # level, which a client sees as it sees a dropped connection.
            raise ConnectionAbortedError("fault injection: connection dropped")
        abort()
        # Let uvicorn notice the lost connection before this request ends, so that it does not
        # try to answer it with a 500.
        for _ in range(3):
            await asyncio.sleep(0)

    async def _handle(self, scope: Scope, receive: Receive) -> Answer:
        # The headers the gateway reads before anything else, in one pass (the token too, which
        # nearly every request carries: the full header map is made only for a signature).
        token = None
        hosts = 0
        length = None
        for name, value in scope["headers"]:
            if name == RAW_TOKEN_HEADER:
                token = value  # the last one, as in the map of _authenticate
            elif name == b"host":
                hosts += 1
            elif name == b"content-length":
                length = value
        # RFC 9112 3.2: a request with two Host headers, or an HTTP/1.1 one with none, is a 400.
        if hosts != 1 and (hosts or scope.get("http_version") == "1.1"):
            raise ApiError(errors.BAD_REQUEST)
        # Declared too long: refused before a byte of the body is read (the parsers checked that
        # Content-Length is digits; a long string of them is over any limit).
        if length is not None and (len(length) > 18 or int(length) > MAX_BODY_BYTES):
            raise ApiError(errors.BAD_REQUEST, status=413)
        path = scope["path"]
        if self.control_api is not None and path.startswith(CONTROL_PREFIX):
            response = await self.control_api.handle(Request(scope, receive))
            return Answer(response.status_code, response.raw_headers, bytes(response.body))
        found = self.router.match(path)
        if found is None:
            raise ApiError(errors.NO_SUCH_API)
        methods, path_values = found
        method = scope["method"]
        operation = methods.get(method)
        if operation is None:
            raise ApiError(
                errors.NO_SUCH_API, status=405, headers={"Allow": ", ".join(sorted(methods))}
            )
        if self.rate_limiter is not None:
            self._throttle(self.rate_limiter, path_values.get("project_id", ""))
        fault = self.faults.draw(operation.operation_id)
        if self.faults.config.latency_seconds:
            await asyncio.sleep(self.faults.config.latency_seconds)
        if fault is not None:
            self._before(fault)

        query_string: bytes = scope.get("query_string", b"")
        if token is not None:
            projects = self.auth.check_token(token)
            signature = None
        else:
            signature = self._authenticate(scope, method, path, query_string)
            projects = signature.projects if signature is not None else None
        body = await _read_body(receive, signature)
        path_params = operation.path_params(path_values)
        if projects is not None and path_params["project_id"] not in projects:
            # A credential of other projects, whatever this one is (team decision 2).
            raise ApiError(errors.TOKEN_INVALID)
        if not self.store.project_exists(path_params["project_id"]):
            raise ApiError(errors.INVALID_PROJECT_ID)
        answer = await self.handlers[operation.operation_id](
            operation, path_params, Call(scope["headers"], query_string), body
        )
        if fault is Fault.DROP_AFTER_COMMIT and answer.status < 300:
            raise DropConnection
        return answer

    def _authenticate(
        self, scope: Scope, method: str, path: str, query_string: bytes
    ) -> PendingSignature | None:
        """Check a request without a token: its signature (see Authenticator.check_headers)."""
        headers: dict[str, str] = {}
        repeated = []
        for raw_name, raw_value in scope["headers"]:
            name = raw_name.decode("latin-1")
            if name in headers:
                repeated.append(name)
            headers[name] = raw_value.decode("latin-1")
        checked = self.auth.check_headers(
            method,
            scope.get("raw_path", path.encode()).decode("latin-1"),
            query_string.decode("latin-1"),
            headers,
            repeated,
        )
        # No token was in the headers, so what came back is a signature.
        assert isinstance(checked, PendingSignature)
        return checked

    @staticmethod
    def _throttle(limiter: RateLimiter, project_id: str) -> None:
        """Refuse the request with 429 when its project is over the rate limit. Checked before
        the credentials, as the gateway that throttles sits in front of the service."""
        if not limiter.admit(project_id):
            seconds = limiter.limit.retry_after
            headers = {"Retry-After": str(seconds)} if seconds is not None else None
            raise ApiError(limiter.limit.code, status=429, headers=headers)

    def _before(self, fault: Fault) -> None:
        seconds = self.faults.config.retry_after_seconds
        retry_after = {"Retry-After": str(seconds)} if seconds is not None else {}
        if fault is Fault.SERVER_ERROR:
            raise ApiError(errors.SERVER_ERROR)
        if fault is Fault.UNAVAILABLE:
            raise ApiError(errors.SYSTEM_BUSY, status=503, headers=retry_after)
        if fault is Fault.THROTTLED:
            raise ApiError(errors.TOO_MANY_REQUESTS, headers=retry_after)
        if fault is Fault.DROP:
            raise DropConnection

    async def create_backup(
        self, operation: Operation, path: Mapping[str, str], call: Call, body: bytes
    ) -> Answer:
        data = operation.json_body(call.header(b"content-type"), body)
        job_id, backup_id = await self.store.create_backup(
            path["project_id"], path["instance_id"], data["name"], data["description"]
        )
        # The IDs are the store's own (hex digits and hyphens: nothing to escape), so the answer
        # is formatted directly, the same bytes the JSON encoder makes at a fifth of its cost.
        answer = f'{{"job_id": "{job_id}", "backup_id": "{backup_id}"}}'
        return _answer(202, answer.encode(), {})

    async def delete_backup(
        self, operation: Operation, path: Mapping[str, str], call: Call, body: bytes
    ) -> Answer:
        job_id = await self.store.delete_backup(path["project_id"], path["backup_id"])
        return json_answer(202, {"job_id": job_id})

    async def stop_backup(
        self, operation: Operation, path: Mapping[str, str], call: Call, body: bytes
    ) -> Answer:
        operation.json_body(call.header(b"content-type"), body)
        job_id = await self.store.stop_backup(path["project_id"], path["backup_id"])
        return json_answer(202, {"job_id": job_id})

    async def batch_delete_backups(
        self, operation: Operation, path: Mapping[str, str], call: Call, body: bytes
    ) -> Answer:
        data = operation.json_body(call.header(b"content-type"), body)
        await self.store.batch_delete(path["project_id"], list(data["backup_ids"]))
        return _no_body(200)

    async def set_backup_policy(
        self, operation: Operation, path: Mapping[str, str], call: Call, body: bytes
    ) -> Answer:
        data = operation.json_body(call.header(b"content-type"), body)
        _check_rules(operation, {}, data)
        policy = Policy.from_api(data["backup_policy"])
        await self.store.set_policy(path["project_id"], path["instance_id"], policy)
        return _no_body(204)

    async def show_backup_policy(
        self, operation: Operation, path: Mapping[str, str], call: Call, body: bytes
    ) -> Answer:
        policy = self.store.policy(path["project_id"], path["instance_id"])
        return json_answer(
            200, {"backup_policy": policy_off() if policy is None else policy.to_api()}
        )

    async def show_backup_policies(
        self, operation: Operation, path: Mapping[str, str], call: Call, body: bytes
    ) -> Answer:
        query = operation.query_params(QueryParams(call.query_string))
        policy = self.store.policy(path["project_id"], path["instance_id"])
        if policy is None or query.get("type") == "DatabaseTable":
            return json_answer(200, {"backup_policy": policy_off()})
        # This emulator makes full backups only: no differential or incremental ones.
        shown = {**policy.to_api(), "incremental_period": None, "differential_period": None}
        return json_answer(200, {"backup_policy": shown})

    async def list_backups(
        self, operation: Operation, path: Mapping[str, str], call: Call, body: bytes
    ) -> Answer:
        query = operation.query_params(QueryParams(call.query_string))
        begin = _time(query.get("begin_time"), errors.INVALID_END_TIME)
        end = _time(query.get("end_time"), errors.INVALID_END_TIME)
        _check_rules(operation, {**query, "begin_time": begin, "end_time": end})
        page = self.store.list_backups(
            path["project_id"],
            instance_id=query.get("instance_id"),
            backup_id=query.get("backup_id"),
            backup_type=query.get("backup_type"),
            table_level=query.get("type") == "DatabaseTable",
            begin=begin,
            end=end,
            offset=query["offset"],
            limit=query["limit"],
        )
        return json_answer(200, {"total_count": page.total_count, "backups": page.items})

    async def list_jobs(
        self, operation: Operation, path: Mapping[str, str], call: Call, body: bytes
    ) -> Answer:
        query = operation.query_params(QueryParams(call.query_string))
        start = _time(query.get("start_time"), errors.PARAMETER_ERROR)
        end = _time(query.get("end_time"), errors.PARAMETER_ERROR)
        if end is None:
            end = self.clock()
        if start is None:
            start = end - JOBS_WINDOW_SECONDS
        # The rules are judged on the window listed, defaults included (a lone start_time
        # 60 days ago spans 60 days up to now).
        _check_rules(operation, {**query, "start_time": start, "end_time": end})
        page = self.store.list_jobs(
            path["project_id"],
            job_id=query.get("id"),
            status=query.get("status"),
            name=query.get("name"),
            start=start,
            end=end,
            offset=query["offset"],
            limit=query["limit"],
        )
        return json_answer(200, {"total_count": page.total_count, "jobs": page.items})

    async def list_instances(
        self, operation: Operation, path: Mapping[str, str], call: Call, body: bytes
    ) -> Answer:
        query = operation.query_params(QueryParams(call.query_string))
        page = self.store.list_instances(path["project_id"], query)
        return json_answer(200, {"total_count": page.total_count, "instances": page.items})

    async def create_instance(
        self, operation: Operation, path: Mapping[str, str], call: Call, body: bytes
    ) -> Answer:
        data = operation.json_body(call.header(b"content-type"), body)
        # The rules judged from the request alone; not-below-source is judged by the store,
        # which holds the source instance.
        _check_rules(operation, {}, data)
        return json_answer(202, await self.store.create_instance(path["project_id"], data))

    async def delete_instance(
        self, operation: Operation, path: Mapping[str, str], call: Call, body: bytes
    ) -> Answer:
        job_id = await self.store.delete_instance(path["project_id"], path["instance_id"])
        return json_answer(202, {"job_id": job_id})

    async def list_restorable_time_periods(
        self, operation: Operation, path: Mapping[str, str], call: Call, body: bytes
    ) -> Answer:
        query = operation.query_params(QueryParams(call.query_string))
        start = _time(query.get("start_time"), errors.PARAMETER_ERROR)
        end = _time(query.get("end_time"), errors.PARAMETER_ERROR)
        if end is None:
            end = self.clock()
        if start is None:
            start = end - RESTORABLE_WINDOW_SECONDS
        _check_rules(operation, {**query, "start_time": start, "end_time": end})
        page = self.store.restorable_periods(
            path["project_id"], path["instance_id"], start, end, query["offset"], query["limit"]
        )
        return json_answer(
            200, {"total_count": page.total_count, "restorable_time_periods": page.items}
        )


def _no_body(status: int) -> Answer:
    return Answer(status, [(b"content-length", b"0")], b"")


def _check_rules(operation: Operation, query: Mapping[str, Any], body: Any = None) -> None:
    """Refuse a request that breaks one of the operation's ``x-request-rules``, as the rule says."""
    rule = broken_rule(operation.operation_id, query, body)
    if rule is not None:
        raise ApiError(rule.code, status=rule.status)


def _time(value: str | None, code: str) -> float | None:
    if value is None:
        return None
    try:
        return parse_time(value)
    except ValueError:
        raise ApiError(code) from None


def create_app(
    config: ServerConfig, *, clock: Callable[[], float] | None = None
) -> ReferenceServer:
    return ReferenceServer(config, clock=clock)
