"""What a run may change on its target: only what it created itself (the team's decision 7).

Every request of the run, from every phase of schemathesis, every domain check and every scenario,
goes through :func:`guard` (a ``before_call`` hook) before it is sent:

- a request that changes state (any method but GET, HEAD, OPTIONS) and names a resource in its
  last path parameter (``DELETE /v3/{project_id}/backups/{backup_id}``, and the unsupported-method
  probes on such paths) is sent only for a resource this run created; any other ID is replaced
  with one that cannot exist, so the request still tests the refusal of an unknown ID. A request
  that the suite sends on purpose to a foreign resource (``forbidden_targets_are_refused``) is let
  through only under :func:`permitting`, which the scenario uses only when ``--allow
  foreign-refusals`` (or the embedded server) allows it;
- a create with a valid body gets a name that starts with the run's prefix (:attr:`Scope.prefix`),
  so that what a killed run leaves can be found, and counts against the run's budget of creates
  (:attr:`Scope.create_budget`): beyond it, the request is aimed at an instance that cannot exist
  (a 404 the spec documents), so it creates nothing;
- an operation that changes what no path parameter names (a policy of an instance, say) must
  have a guard of its own in :data:`OPERATION_GUARDS`, which the promises that need it register,
  together with the ``--allow`` value that permits it; without one it is not sent.

The embedded server is the suite's own: there every ``--allow`` value holds and no budget applies.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import schemathesis

from geminidb_backup.spec import load_spec

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What `--allow` can permit on a target that is not the embedded server.
ALLOW_VALUES: dict[str, str] = {
    "policy": "change an instance's backup policy (read first and put back afterwards)",
    "instances": "create and delete instances (billable)",
    "foreign-refusals": (
        "send the refused requests of x-refused-targets (DELETE of an automated backup) to "
        "resources the suite did not create"
    ),
}
# The most backups a default run creates on a target that is not the embedded server.
DEFAULT_CREATE_BUDGET = 8
CREATE = "createBackup"
# The body field that names a created backup, and so carries the run's prefix.
NAME_FIELD = "name"


class UnsafeRequest(RuntimeError):
    """A request would change what the run did not create, and nothing permits it."""


@dataclass
class CreatedBackup:
    backup_id: str
    project_id: str
    instance_id: str | None = None
    job_id: str | None = None
    name: str | None = None


@dataclass
class Scope:
    """The run's limits and what it created."""

    prefix: str = field(default_factory=lambda: "ct" + secrets.token_hex(3))
    embedded: bool = False
    allow: frozenset[str] = frozenset()
    create_budget: int | None = DEFAULT_CREATE_BUDGET
    # Creates the domain scenarios need, kept back from schemathesis's phases until they ran.
    reserved: int = 0
    created: dict[str, CreatedBackup] = field(default_factory=dict)  # not deleted yet
    made: set[str] = field(default_factory=set)  # every backup the run created
    creates_in_flight: int = 0
    creates_refused_for_budget: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def allows(self, value: str) -> bool:
        return self.embedded or value in self.allow


SCOPE = Scope()
_local = threading.local()


def begin(scope: Scope) -> Scope:
    """Make ``scope`` the one of the run that starts."""
    global SCOPE
    SCOPE = scope
    return scope


def spec_title() -> str:
    return str(load_spec()["info"]["title"])


def is_suite_case(case: Any) -> bool:
    """Whether ``case`` belongs to a schema of the packaged spec (another schema in the same
    process is left alone)."""
    raw = getattr(case.operation.schema, "raw_schema", None)
    info = raw.get("info") if isinstance(raw, Mapping) else None
    return isinstance(info, Mapping) and info.get("title") == spec_title()


def raw_path_parameters(case: Any) -> dict[str, str]:
    """The path parameters of ``case`` as the server sees them.

    schemathesis keeps generated path parameters percent-encoded in ``case.path_parameters``
    (``a+b`` as ``a%2Bb``); sending them again, in a query or another path, would encode them a
    second time. Every use of them in the suite goes through here.
    """
    return {name: unquote(str(value)) for name, value in (case.path_parameters or {}).items()}


def record_created(
    backup_id: str,
    project_id: str,
    instance_id: str | None,
    job_id: str | None,
    name: str | None = None,
) -> None:
    with SCOPE.lock:
        known = SCOPE.created.get(backup_id)
        SCOPE.made.add(backup_id)
        SCOPE.created[backup_id] = CreatedBackup(
            backup_id,
            project_id,
            instance_id or (known.instance_id if known else None),
            job_id or (known.job_id if known else None),
            name or (known.name if known else None),
        )


def forget_created(backup_id: str) -> None:
    """The run deleted it (its deletion job completed)."""
    with SCOPE.lock:
        SCOPE.created.pop(backup_id, None)


def created_ids() -> frozenset[str]:
    with SCOPE.lock:
        return frozenset(SCOPE.created)


@contextmanager
def permitting(resource_id: str) -> Iterator[None]:
    """Let a state-changing request to ``resource_id`` through, in this thread, for the block."""
    previous: frozenset[str] = getattr(_local, "permitted", frozenset())
    _local.permitted = previous | {resource_id}
    try:
        yield
    finally:
        _local.permitted = previous


def is_permitted(resource_id: str) -> bool:
    """Whether :func:`permitting` lets ``resource_id`` (or an operation so named) through here."""
    return resource_id in getattr(_local, "permitted", frozenset())


@contextmanager
def using_reserve() -> Iterator[None]:
    """Creates in this block may use the creates kept for the scenarios."""
    previous = getattr(_local, "reserve", False)
    _local.reserve = True
    try:
        yield
    finally:
        _local.reserve = previous


def release_reserve() -> None:
    """The scenarios that needed the reserve have run: schemathesis may use what is left."""
    with SCOPE.lock:
        SCOPE.reserved = 0


def unknown_id() -> str:
    """An ID no server holds."""
    return "unknown" + uuid.uuid4().hex


def prefixed(name: str) -> str:
    """``name`` starting with the run's prefix, as long as before when it was longer."""
    prefix = SCOPE.prefix
    if name.startswith(prefix):
        return name
    return prefix + name[len(prefix) :]


# --- the guard ----------------------------------------------------------------------------

# operationId -> a guard of its own, for operations whose effect no path parameter names; it
# changes the case (or raises UnsafeRequest) as the rule above says. Promises that need such an
# operation register it here with the --allow value it needs.
OPERATION_GUARDS: dict[str, Callable[[Any, Scope], None]] = {}


def _operation_id(case: Any) -> str:
    raw = case.operation.definition.raw
    return str(raw.get("operationId", "")) if isinstance(raw, Mapping) else ""


def _valid_body(case: Any) -> bool:
    from geminidb_backup.contract.probing import body_validator

    validator = body_validator(_operation_id(case))
    return isinstance(case.body, dict) and validator is not None and validator.is_valid(case.body)


def _guard_create(case: Any) -> None:
    params = case.path_parameters
    if not isinstance(case.body, dict) or not _valid_body(case) or params is None:
        return  # a body the server must refuse: it creates nothing
    name = case.body.get(NAME_FIELD)
    if isinstance(name, str):
        renamed = prefixed(name)
        if renamed != name:
            case.body[NAME_FIELD] = renamed
            if not _valid_body(case):
                case.body[NAME_FIELD] = name  # the prefix would break a rule: keep the name
    scope = SCOPE
    with scope.lock:
        if case.body.get(NAME_FIELD) in {made.name for made in scope.created.values()}:
            return  # the name of a backup the run holds: the server must refuse it
        budget = scope.create_budget
        if budget is not None:
            reserve = 0 if getattr(_local, "reserve", False) else scope.reserved
            if len(scope.made) + scope.creates_in_flight + reserve >= budget:
                scope.creates_refused_for_budget += 1
                params["instance_id"] = unknown_id()
                return
        scope.creates_in_flight += 1
    _local.create_in_flight = True


def guard(case: Any) -> None:
    """Change ``case`` so that it changes nothing the run did not create (see the module)."""
    method = str(case.method).upper()
    if method in SAFE_METHODS:
        return
    operation_id = _operation_id(case)
    own_method = method == str(case.operation.method).upper()
    if operation_id == CREATE and own_method:
        _guard_create(case)
        return
    template = str(case.operation.path)
    params = case.path_parameters
    if template.endswith("}") and params:
        target = template.rsplit("{", 1)[1].rstrip("}")
        value = params.get(target)
        if value is None or str(value) == "":
            return  # names nothing
        raw = unquote(str(value))
        if raw in created_ids() or raw in getattr(_local, "permitted", frozenset()):
            return
        params[target] = unknown_id()
        return
    if not own_method:
        return  # a method the path does not have, on a collection: the spec says it is refused
    own_guard = OPERATION_GUARDS.get(operation_id)
    if own_guard is None:
        raise UnsafeRequest(
            f"{operation_id} changes what no path parameter names, and the suite has no guard "
            "for it: not sent"
        )
    own_guard(case, SCOPE)


def settle_create(case: Any, status: int, body: Any) -> None:
    """After any create: a create the guard counted is no longer in flight, and every backup a
    create was answered 202 for (even one the server should have refused) is recorded, so that
    the clean-up deletes it."""
    if getattr(_local, "create_in_flight", False):
        _local.create_in_flight = False
        with SCOPE.lock:
            SCOPE.creates_in_flight = max(0, SCOPE.creates_in_flight - 1)
    if _operation_id(case) != CREATE or str(case.method).upper() != "POST" or status != 202:
        return
    if isinstance(body, Mapping) and isinstance(body.get("backup_id"), str):
        params = raw_path_parameters(case)
        job_id = body.get("job_id")
        sent = case.body.get(NAME_FIELD) if isinstance(case.body, dict) else None
        record_created(
            body["backup_id"],
            params.get("project_id", ""),
            params.get("instance_id"),
            job_id if isinstance(job_id, str) else None,
            sent if isinstance(sent, str) else None,
        )


@schemathesis.hook("before_call")
def _guard_every_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    if is_suite_case(case):
        guard(case)


@schemathesis.hook("after_call")
def _settle_every_call(context: Any, case: Any, response: Any) -> None:
    if is_suite_case(case):
        try:
            body = response.json()
        except ValueError:
            body = None
        settle_create(case, int(response.status_code), body)


@schemathesis.hook("after_network_error")
def _settle_failed_call(context: Any, case: Any, request: Any) -> None:
    if is_suite_case(case):
        settle_create(case, 0, None)
