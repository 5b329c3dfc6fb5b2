"""The spec's rules across parameters and fields (``x-request-rules``), read and evaluated.

JSON Schema says what one value may be; some rules of the API tie several together (``begin_time``
and ``end_time`` go together, a span of at most 30 days). An operation states them as
``x-request-rules``: each entry has a kind (``rule``), the ``fields`` it reads (query parameter
names, or JSON pointers into the body such as ``/backup_policy/keep_days``), an optional ``when``
(``{field, schema}``: the rule applies only when that field's value matches the JSON Schema), the
``message``, ``status`` and ``code`` of the refusal, and an ``example`` request breaking it alone.

The client checks them before sending, the reference server answers them, the contract suite
sends each example: all three call :func:`broken_rule` on the rules of the packaged spec.

A kind is a function of the rule and the values of its fields (:data:`ABSENT` for a field not
given) that returns whether they break it; :func:`kind` registers one under its spec name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from .spec import load_spec

__all__ = ["ABSENT", "KINDS", "STATEFUL_KINDS", "RequestRule", "broken_rule", "kind", "rules_of"]


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()
"""The value of a field the request does not give (a query parameter that is missing or None)."""


@dataclass(frozen=True)
class RequestRule:
    """One entry of an operation's ``x-request-rules``."""

    operation_id: str
    kind: str
    fields: tuple[str, ...]
    message: str
    status: int
    code: str
    when: Mapping[str, Any] | None
    example: Mapping[str, Any]
    # The whole entry, for the options of a kind (``days`` of ``max-span``).
    entry: Mapping[str, Any]

    def values(self, query: Mapping[str, Any], body: Any) -> list[Any]:
        return [_value(name, query, body) for name in self.fields]

    def applies(self, query: Mapping[str, Any], body: Any) -> bool:
        if self.when is None:
            return True
        value = _value(str(self.when["field"]), query, body)
        return value is not ABSENT and _matches(self.when.get("schema", {}), value)

    def broken_by(self, query: Mapping[str, Any], body: Any = None) -> bool:
        """Whether a request with this query (parameter name → value, None for not given) and
        body (the JSON document, or None) breaks the rule."""
        if not self.applies(query, body):
            return False
        return KINDS[self.kind](self, self.values(query, body))


Kind = Callable[[RequestRule, list[Any]], bool]
KINDS: dict[str, Kind] = {}
"""Each kind of rule the evaluator knows, by its name in the spec."""


def kind(name: str) -> Callable[[Kind], Kind]:
    """Register a kind of rule: ``@kind("together")`` over a function (rule, values) → broken."""

    def register(check: Kind) -> Kind:
        KINDS[name] = check
        return check

    return register


@kind("together")
def _together(rule: RequestRule, values: list[Any]) -> bool:
    """All of the fields or none of them."""
    given = [value is not ABSENT for value in values]
    return any(given) and not all(given)


@kind("ordered")
def _ordered(rule: RequestRule, values: list[Any]) -> bool:
    """fields[0] ≤ fields[1] when both are given (times compared as moments)."""
    first, second = (_comparable(value) for value in values[:2])
    return first is not None and second is not None and second < first


@kind("max-span")
def _max_span(rule: RequestRule, values: list[Any]) -> bool:
    """fields[1] − fields[0] ≤ ``days`` days when both are given."""
    first, second = (_comparable(value) for value in values[:2])
    if first is None or second is None:
        return False
    return second - first > float(rule.entry["days"]) * 86_400


@kind("one-hour-window")
def _one_hour_window(rule: RequestRule, values: list[Any]) -> bool:
    """The field, ``hh:mm-HH:MM``, does not span exactly one hour (``23:00-00:00`` does). A
    value not of that form is left to its schema's pattern, which has its own code."""
    window = values[0]
    if not isinstance(window, str) or len(window) != 11 or window[5] != "-":
        return False
    try:
        start = int(window[0:2]) * 60 + int(window[3:5])
        end = int(window[6:8]) * 60 + int(window[9:11])
    except ValueError:
        return False
    return (start + 60) % (24 * 60) != end


@kind("not-below-source")
def _not_below_source(rule: RequestRule, values: list[Any]) -> bool:
    """The numbers at ``fields`` not below the source instance's (named by ``source``). The
    request names the source but does not hold it, so the request alone never breaks this rule:
    the server judges it against the instance it holds, the client's ``restore()`` against the
    instance it reads first, and the contract suite with a promise of its own."""
    return False


# Kinds that need what the request names (an instance), not only what it holds: they have no
# example a request alone breaks.
STATEFUL_KINDS = frozenset({"not-below-source"})


@cache
def rules_of(operation_id: str) -> tuple[RequestRule, ...]:
    """The ``x-request-rules`` of an operation of the packaged spec (none when it has none)."""
    for item in load_spec()["paths"].values():
        for operation in item.values():
            if isinstance(operation, Mapping) and operation.get("operationId") == operation_id:
                return tuple(_read(operation_id, e) for e in operation.get("x-request-rules", []))
    raise KeyError(f"the spec has no operation {operation_id!r}")


def all_rules() -> list[RequestRule]:
    """Every rule of every operation of the packaged spec, in the spec's order."""
    found: list[RequestRule] = []
    for item in load_spec()["paths"].values():
        for operation in item.values():
            if isinstance(operation, Mapping) and "operationId" in operation:
                found.extend(rules_of(str(operation["operationId"])))
    return found


def broken_rule(
    operation_id: str, query: Mapping[str, Any], body: Any = None
) -> RequestRule | None:
    """The first rule of the operation the request breaks, or None."""
    for rule in rules_of(operation_id):
        if rule.broken_by(query, body):
            return rule
    return None


def _read(operation_id: str, entry: Mapping[str, Any]) -> RequestRule:
    name = str(entry["rule"])
    if name not in KINDS:
        raise ValueError(
            f"{operation_id}: x-request-rules has a rule of unknown kind {name!r} "
            f"(known: {', '.join(sorted(KINDS))})"
        )
    return RequestRule(
        operation_id=operation_id,
        kind=name,
        fields=tuple(str(field) for field in entry["fields"]),
        message=str(entry["message"]),
        status=int(entry["status"]),
        code=str(entry["code"]),
        when=entry.get("when"),
        example=entry.get("example", {}),
        entry=entry,
    )


def _value(field: str, query: Mapping[str, Any], body: Any) -> Any:
    """A query parameter by name, or a body field by JSON pointer; :data:`ABSENT` if not given."""
    if not field.startswith("/"):
        value = query.get(field)
        return ABSENT if value is None else value
    node = body
    for part in field[1:].split("/"):
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and key in node:
            node = node[key]
        elif isinstance(node, Sequence) and not isinstance(node, str) and key.isdigit():
            if int(key) >= len(node):
                return ABSENT
            node = node[int(key)]
        else:
            return ABSENT
    return ABSENT if node is None else node


def _comparable(value: Any) -> float | None:
    """A number as itself, a time (a datetime, or the spec's ``Timestamp`` form) as epoch
    seconds; None for anything else, which the rule then does not judge (its schema does)."""
    if value is ABSENT or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, datetime):
        return value.timestamp() if value.tzinfo else None
    if isinstance(value, str):
        try:
            return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").timestamp()
        except ValueError:
            return None
    return None


def _matches(schema: Any, value: Any) -> bool:
    from .validation import quick_supported, quick_valid

    if quick_supported(schema):
        return quick_valid(schema, value)
    from jsonschema import Draft202012Validator

    return bool(Draft202012Validator(schema).is_valid(value))
