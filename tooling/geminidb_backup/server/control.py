"""Control of the reference server's state from a test: its clock, failing backups, instances'
statuses, new projects and instances, armed faults, reset.

:class:`Control` is the Python side, used directly by :mod:`geminidb_backup.testing`;
:class:`ControlAPI` serves the same operations over HTTP under :data:`CONTROL_PREFIX` for tests
written in other languages (the idea of moto's ``/moto-api/`` and LocalStack's ``/_localstack/``).
The control API is not part of the GeminiDB API: it is not in the spec (so schemathesis and the
contract suite never see it), it exists only when the server was given an admin token, and every
call must carry that token as ``Authorization: Bearer <token>``. Without an admin token its paths
are unknown paths like any other (404 ``APIGW.0101``).
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from geminidb_backup.server.faults import Fault
from geminidb_backup.server.instances import DATASTORE_VERSION, Instance
from geminidb_backup.server.state import (
    INSTANCE_STATUSES,
    LAST_MOMENT,
    Clock,
    StoreBusy,
    format_time,
)
from geminidb_backup.spec import validator_at

if TYPE_CHECKING:
    from geminidb_backup.server.app import ReferenceServer

CONTROL_PREFIX = "/_emulator"
# Longer reasons are refused: a fail_reason is a sentence, and a test gains nothing from megabytes.
MAX_REASON_CHARS = 1024
MAX_CONTROL_BODY_BYTES = 64 * 1024


class ControlError(ValueError):
    """A control call that cannot be done; the message says why. ``status`` is its HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _check_text(kind: str, value: object) -> None:
    """Refuse a string that is no Unicode text (a lone surrogate, from a JSON escape such as
    ``"\ud800"``): SQLite cannot store it, and no client could send it back."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ControlError(f"{kind} must be Unicode text (it holds a lone surrogate)") from None


def _check_id(kind: str, parameter: str, value: object) -> str:
    """An ID the API's paths accept: valid by the spec's parameter schema, one path segment."""
    _check_text(kind, value)
    if not isinstance(value, str) or not value or "/" in value or value != value.strip():
        raise ControlError(f"{kind} must be a non-empty string without '/' or outer spaces")
    if not validator_at(f"/components/parameters/{parameter}/schema").is_valid(value):
        raise ControlError(f"{kind} {value!r} is not valid by the spec's {parameter} schema")
    return value


def _check_reason(reason: object) -> str:
    _check_text("reason", reason)
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON_CHARS:
        raise ControlError(f"reason must be a non-empty string of at most {MAX_REASON_CHARS} chars")
    return reason


class Control:
    """The control operations on one running :class:`ReferenceServer`.

    Calls are synchronous and must not run while a request is being handled on another thread;
    :class:`geminidb_backup.testing.Emulator` runs them on the server's event loop for that.
    """

    def __init__(self, server: ReferenceServer) -> None:
        self.server = server
        self.store = server.store

    @property
    def default_project(self) -> str:
        """The project of the first configured instance: what a call names when it names none."""
        return self.server.config.instances[0].project_id

    # The clock.

    @property
    def clock(self) -> Clock:
        clock = self.server.clock
        if not isinstance(clock, Clock):
            raise ControlError("this server's clock is not a Clock and cannot be moved", 409)
        return clock

    def now(self) -> float:
        return self.server.clock()

    def advance(self, seconds: float) -> float:
        """Move the clock ``seconds`` forward (jobs due by then end); returns the new time."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise ControlError("seconds must be a number")
        try:
            now = self.clock.advance(float(seconds))
        except ValueError as error:
            raise ControlError(str(error)) from None
        self.store.save_time(now)
        return now

    def freeze(self, frozen: bool = True) -> None:
        """Stop the clock (only :meth:`advance` moves it then), or let it run on from its time."""
        self.clock.freeze(frozen)

    def clock_state(self) -> dict[str, Any]:
        now = self.now()
        frozen = isinstance(self.server.clock, Clock) and self.server.clock.frozen
        return {"now": now, "time": format_time(now), "frozen": frozen}

    # Projects and instances.

    def add_project(self, project_id: str | None = None) -> str:
        """Make a project exist (with no instance); returns its ID (a new one if none given)."""
        project_id = self.store.new_hex() if project_id is None else project_id
        self.store.add_project(_check_id("project_id", "ProjectId", project_id))
        return project_id

    def add_instance(
        self,
        instance_id: str | None = None,
        *,
        project_id: str | None = None,
        name: str | None = None,
        datastore_version: str = DATASTORE_VERSION,
        status: str = "normal",
        auto_backup: bool | None = None,
    ) -> Instance:
        """Make an instance exist, in ``project_id`` (made if new; default: the default project),
        with an ID shaped like the service's (``<32 hex>in06``) unless given. ``auto_backup``
        (default: as the server was configured) gives it an automated backup of last night."""
        project_id = self.default_project if project_id is None else project_id
        instance_id = self.store.new_hex() + "in06" if instance_id is None else instance_id
        _check_id("project_id", "ProjectId", project_id)
        _check_id("instance_id", "InstanceId", instance_id)
        name = f"cassandra-{instance_id[:8]}" if name is None else name
        _check_text("name", name)
        _check_text("datastore_version", datastore_version)
        if not isinstance(name, str) or not name.strip():
            raise ControlError("name must be a non-empty string")
        if not isinstance(datastore_version, str) or not datastore_version.strip():
            raise ControlError("datastore_version must be a non-empty string, like '3.11'")
        self._check_status(status)
        instance = Instance(project_id, instance_id, name, datastore_version, status)
        try:
            self.store.add_instance(
                instance,
                auto_backup=self.server.config.auto_backups if auto_backup is None else auto_backup,
            )
        except ValueError as error:
            raise ControlError(str(error), 409) from None
        return instance

    def set_policy(
        self, instance_id: str, policy: Mapping[str, Any], project_id: str | None = None
    ) -> dict[str, Any]:
        """Set an instance's automated backup policy directly (setBackupPolicy's
        ``backup_policy``: ``{"keep_days": 0}`` turns it off); checked against the spec."""
        from geminidb_backup.server.config import check_policy
        from geminidb_backup.server.policy import Policy

        project_id = self.default_project if project_id is None else project_id
        self.instance(instance_id, project_id)
        if not isinstance(policy, Mapping):
            raise ControlError('policy must be an object such as {"keep_days": 7, ...}')
        try:
            check_policy(policy)
        except ValueError as error:
            raise ControlError(str(error)) from None
        self.store.put_policy(project_id, instance_id, Policy.from_api(policy))
        return self.policies(project_id)[instance_id]

    def policies(self, project_id: str | None = None) -> dict[str, dict[str, Any]]:
        """Each instance's policy (of ``project_id`` when given), by instance ID."""
        return {
            instance.id: self.store.shown_policy(instance.project_id, instance.id)
            for instance in self.store.instances(project_id)
        }

    def instance(self, instance_id: str, project_id: str | None = None) -> Instance:
        project_id = self.default_project if project_id is None else project_id
        found = self.store.instance(project_id, instance_id)
        if found is None:
            raise ControlError(f"no instance {instance_id!r} in project {project_id!r}", 404)
        return found

    @staticmethod
    def _check_status(status: object) -> str:
        if status not in INSTANCE_STATUSES:
            raise ControlError(f"status must be one of {', '.join(INSTANCE_STATUSES)}")
        return str(status)

    def set_instance_status(
        self,
        instance_id: str,
        status: str,
        *,
        project_id: str | None = None,
        seconds: float | None = None,
    ) -> Instance:
        """Give an instance a status (``busy``, ``abnormal``, ``frozen`` or ``normal``), for
        ``seconds`` of the server's clock (then back to ``normal``) or until changed."""
        self._check_status(status)
        if seconds is not None and (
            isinstance(seconds, bool)
            or not isinstance(seconds, int | float)
            or not 0 < seconds < LAST_MOMENT - self.now()
        ):
            raise ControlError("seconds must be a positive number, ending before the year 9999")
        until = None if seconds is None else self.now() + seconds
        instance = replace(
            self.instance(instance_id, project_id), status=status, status_until=until
        )
        self.store.update_instance(instance)
        return instance

    # Failing backups.

    def fail_next_backup(
        self, reason: str, *, instance_id: str | None = None, project_id: str | None = None
    ) -> None:
        """The next backup accepted (of ``instance_id`` when given, else of any instance) ends
        ``FAILED``, its job ``Failed`` with ``reason``. Calls queue up: three calls fail the
        next three backups."""
        _check_reason(reason)
        if instance_id is not None:
            project_id = self.instance(instance_id, project_id).project_id
        self.store.queue_failure(reason, project_id, instance_id)

    def fail_next_restore(
        self, reason: str, *, instance_id: str | None = None, project_id: str | None = None
    ) -> None:
        """The next restore accepted (from ``instance_id`` or one of its backups when given, else
        from any instance) ends with the new instance ``createfail``, its job ``Failed`` with
        ``reason``. Calls queue up."""
        _check_reason(reason)
        if instance_id is not None:
            project_id = self.instance(instance_id, project_id).project_id
        self.store.queue_failure(reason, project_id, instance_id, kind="restore")

    def fail_every_backup(
        self, instance_id: str, reason: str | None, *, project_id: str | None = None
    ) -> Instance:
        """Every backup of the instance fails with ``reason`` from now on (None: none fails)."""
        if reason is not None:
            _check_reason(reason)
        instance = replace(self.instance(instance_id, project_id), fail_reason=reason)
        self.store.update_instance(instance)
        return instance

    def clear_failures(self) -> None:
        self.store.clear_failures()

    # Faults.

    def arm_fault(self, fault: str | Fault, count: int = 1, operation: str | None = None) -> None:
        """The next ``count`` calls (of ``operation``, an operationId, when given) meet ``fault``:
        ``500``, ``503``, ``429`` (with ``Retry-After``), ``drop`` (the connection closes before
        the call is handled) or ``drop-after-commit`` (handled, then closed with no answer)."""
        try:
            kind = fault if isinstance(fault, Fault) else Fault(str(fault))
        except ValueError:
            names = ", ".join(item.value for item in Fault)
            raise ControlError(f"fault must be one of {names}") from None
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ControlError("count must be a whole number of at least 1")
        if operation is not None and operation not in self.server.handlers:
            raise ControlError(
                f"operation must be one of {', '.join(sorted(self.server.handlers))}"
            )
        self.server.faults.arm(kind, count, operation)

    def disarm_faults(self) -> None:
        self.server.faults.disarm()

    # Everything.

    def reset(self) -> None:
        """Back to the state of start-up: the configured instances, their automated backups, no
        failure, no armed fault. The clock keeps its time (it never goes back)."""
        config = self.server.config
        self.store.reset(
            config.instances, auto_backups=config.auto_backups, policy=config.seed_policy()
        )
        self.disarm_faults()
        if self.server.rate_limiter is not None:
            self.server.rate_limiter.reset()

    def state(self) -> dict[str, Any]:
        now = self.now()
        return {
            "clock": self.clock_state(),
            "projects": self.store.projects(),
            "instances": [instance.to_dict(now) for instance in self.store.instances()],
            "backups": self.store.all_backups(),
            "jobs": self.store.all_jobs(),
            "failures": self.store.queued_failures(),
            "policies": [
                {
                    "project_id": instance.project_id,
                    "instance_id": instance.id,
                    "backup_policy": self.store.shown_policy(instance.project_id, instance.id),
                }
                for instance in self.store.instances()
            ],
            "faults": [armed.to_dict() for armed in self.server.faults.armed],
            "rate_limit": self.rate_limit_state(),
        }

    def rate_limit_state(self) -> dict[str, Any] | None:
        """The limit and how many requests it has refused; None when there is no limit."""
        limiter = self.server.rate_limiter
        if limiter is None:
            return None
        return {"limit": str(limiter.limit), "code": limiter.limit.code, "refused": limiter.refused}


# The HTTP side.

Route = Callable[[Control, Mapping[str, str], Any], Any]


def _json(status: int, body: Any) -> Response:
    return Response(json.dumps(body).encode(), status_code=status, media_type="application/json")


_KIND_NAMES: dict[object, str] = {str: "a string", bool: "true or false", int: "a whole number"}


def _field(body: Mapping[str, Any], name: str, kind: type | tuple[type, ...], default: Any) -> Any:
    """``body[name]`` checked to be of ``kind`` (a bool is no number); ``default`` if absent."""
    value = body.get(name)
    if value is None:
        return default
    if kind is bool:
        valid = isinstance(value, bool)
    else:
        valid = isinstance(value, kind) and not isinstance(value, bool)
    if not valid:
        raise ControlError(f"{name} must be {_KIND_NAMES.get(kind, 'a number')}")
    return value


def _state(control: Control, path: Mapping[str, str], body: Any) -> Any:
    return control.state()


def _reset(control: Control, path: Mapping[str, str], body: Any) -> Any:
    control.reset()
    return control.state()


def _clock(control: Control, path: Mapping[str, str], body: Any) -> Any:
    if not set(body) <= {"advance", "frozen"}:
        raise ControlError("the body may hold 'advance' (seconds) and 'frozen' (true/false)")
    frozen = _field(body, "frozen", bool, None)
    if frozen is not None:
        control.freeze(frozen)
    if "advance" in body:
        control.advance(body["advance"])
    return control.clock_state()


def _projects(control: Control, path: Mapping[str, str], body: Any) -> Any:
    return {"project_id": control.add_project(_field(body, "project_id", str, None))}


def _instances(control: Control, path: Mapping[str, str], body: Any) -> Any:
    known = {"project_id", "instance_id", "name", "datastore_version", "status", "auto_backup"}
    if not set(body) <= known:
        raise ControlError(f"unknown fields {sorted(set(body) - known)}; known: {sorted(known)}")
    instance = control.add_instance(
        _field(body, "instance_id", str, None),
        project_id=_field(body, "project_id", str, None),
        name=_field(body, "name", str, None),
        datastore_version=_field(body, "datastore_version", str, DATASTORE_VERSION),
        status=_field(body, "status", str, "normal"),
        auto_backup=_field(body, "auto_backup", bool, None),
    )
    return instance.to_dict(control.now())


def _instance_status(control: Control, path: Mapping[str, str], body: Any) -> Any:
    instance = control.set_instance_status(
        path["instance_id"],
        _field(body, "status", str, None),
        project_id=path["project_id"],
        seconds=_field(body, "seconds", (int, float), None),
    )
    return instance.to_dict(control.now())


def _policy(control: Control, path: Mapping[str, str], body: Any) -> Any:
    return control.set_policy(path["instance_id"], body, path["project_id"])


def _failures(control: Control, path: Mapping[str, str], body: Any) -> Any:
    reason = _field(body, "reason", str, None)
    instance_id = _field(body, "instance_id", str, None)
    project_id = _field(body, "project_id", str, None)
    if _field(body, "every", bool, False):
        if instance_id is None:
            raise ControlError("every: true needs an instance_id")
        control.fail_every_backup(instance_id, reason, project_id=project_id)
    else:
        control.fail_next_backup(reason or "", instance_id=instance_id, project_id=project_id)
    return {"failures": control.store.queued_failures()}


def _clear_failures(control: Control, path: Mapping[str, str], body: Any) -> Any:
    control.clear_failures()
    return {"failures": []}


def _faults(control: Control, path: Mapping[str, str], body: Any) -> Any:
    control.arm_fault(
        _field(body, "fault", str, ""),
        _field(body, "count", int, 1),
        _field(body, "operation", str, None),
    )
    return {"faults": [armed.to_dict() for armed in control.server.faults.armed]}


def _disarm(control: Control, path: Mapping[str, str], body: Any) -> Any:
    control.disarm_faults()
    return {"faults": []}


_SEGMENT = r"(?P<{}>[^/]+)"
ROUTES: tuple[tuple[str, re.Pattern[str], Route, int], ...] = tuple(
    (method, re.compile(re.escape(CONTROL_PREFIX) + pattern), route, status)
    for method, pattern, route, status in (
        ("GET", "/state", _state, 200),
        ("POST", "/reset", _reset, 200),
        ("POST", "/clock", _clock, 200),
        ("POST", "/projects", _projects, 201),
        ("POST", "/instances", _instances, 201),
        (
            "PUT",
            f"/instances/{_SEGMENT.format('project_id')}/{_SEGMENT.format('instance_id')}/status",
            _instance_status,
            200,
        ),
        (
            "PUT",
            f"/instances/{_SEGMENT.format('project_id')}/{_SEGMENT.format('instance_id')}/policy",
            _policy,
            200,
        ),
        ("POST", "/failures", _failures, 201),
        ("DELETE", "/failures", _clear_failures, 200),
        ("POST", "/faults", _faults, 201),
        ("DELETE", "/faults", _disarm, 200),
    )
)


class ControlAPI:
    """The HTTP control API: JSON in and out, ``{"error": "..."}`` when a call is refused."""

    def __init__(self, server: ReferenceServer, admin_token: str) -> None:
        self.control = Control(server)
        self._token = admin_token.encode()

    def _authorized(self, request: Request) -> bool:
        scheme, _, credential = request.headers.get("authorization", "").partition(" ")
        given = credential.strip().encode("utf-8", "surrogateescape")
        return scheme.lower() == "bearer" and hmac.compare_digest(given, self._token)

    async def handle(self, request: Request) -> Response:
        if not self._authorized(request):
            response = _json(
                401, {"error": "the control API needs Authorization: Bearer <admin token>"}
            )
            response.headers["WWW-Authenticate"] = 'Bearer realm="geminidb-backup control"'
            return response
        path = request.scope["path"]
        allowed = []
        for method, pattern, route, status in ROUTES:
            found = pattern.fullmatch(path)
            if found is None:
                continue
            if method != request.method:
                allowed.append(method)
                continue
            try:
                body = await _body(request)
                result = route(self.control, found.groupdict(), body)
                return _json(status, result)
            except ControlError as error:
                return _json(error.status, {"error": str(error)})
            except StoreBusy:
                busy = _json(503, {"error": "another process holds the state file's lock"})
                busy.headers["Retry-After"] = "1"
                return busy
        if allowed:
            response = _json(405, {"error": f"use {' or '.join(allowed)} on {path}"})
            response.headers["Allow"] = ", ".join(allowed)
            return response
        return _json(404, {"error": f"no control call at {path}; see docs/testing.md"})


async def _body(request: Request) -> dict[str, Any]:
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_CONTROL_BODY_BYTES:
            raise ControlError("the body is too large", 413)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ControlError("the body must be a JSON object") from None
    except RecursionError:
        raise ControlError("the body is nested too deeply") from None
    if not isinstance(body, dict):
        raise ControlError("the body must be a JSON object")
    return body
