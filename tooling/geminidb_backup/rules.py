"""The spec's ``x-request-rules``: rules across fields that an operation's schemas do not state.

Each entry of an operation's ``x-request-rules`` names a kind (``rule``), the fields it reads
(query parameter names, or JSON pointers into the body such as ``/backup_policy/start_time``),
an optional ``when`` (a field and a JSON Schema its value must match for the rule to apply), and
the answer to a request that breaks it (``message``, ``status``, ``code``). The client checks them
before sending, the reference server answers them, the contract suite sends each ``example``.
What a kind means is written once here, in :data:`KINDS`, and listed in the spec's "Extensions"
paragraph.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from .spec import load_spec

_ABSENT = object()


@dataclass(frozen=True)
class RequestRule:
    operation_id: str
    kind: str
    fields: tuple[str, ...]
    message: str
    status: int
    code: str
    when: Mapping[str, Any] | None
    example: Mapping[str, Any]


def _one_hour_window(values: Sequence[Any]) -> bool:
    """``hh:mm-HH:MM`` (already of that form, by its schema) spans exactly one hour."""
    (window,) = values
    if not isinstance(window, str) or len(window) != 11:
        return True  # the schema's pattern refuses it, with its own code
    start = int(window[0:2]) * 60 + int(window[3:5])
    end = int(window[6:8]) * 60 + int(window[9:11])
    return (start + 60) % (24 * 60) == end


# kind -> whether the given values (one per field, all present) keep the rule.
KINDS: Mapping[str, Callable[[Sequence[Any]], bool]] = {
    "one-hour-window": _one_hour_window,
}


@cache
def request_rules(operation_id: str) -> tuple[RequestRule, ...]:
    """The ``x-request-rules`` of an operation, in the spec's order."""
    for item in load_spec()["paths"].values():
        for operation in item.values():
            if isinstance(operation, Mapping) and operation.get("operationId") == operation_id:
                return tuple(
                    RequestRule(
                        operation_id=operation_id,
                        kind=str(entry["rule"]),
                        fields=tuple(entry["fields"]),
                        message=str(entry["message"]),
                        status=int(entry["status"]),
                        code=str(entry["code"]),
                        when=entry.get("when"),
                        example=entry.get("example", {}),
                    )
                    for entry in operation.get("x-request-rules", [])
                )
    raise KeyError(f"the spec has no operation {operation_id!r}")


def field_value(field: str, query: Mapping[str, Any], body: Any) -> Any:
    """A query parameter (a plain name) or a value in the body (a JSON pointer); ``_ABSENT``."""
    if not field.startswith("/"):
        return query.get(field, _ABSENT)
    node = body
    for part in field.strip("/").split("/"):
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return _ABSENT
    return node


def _applies(rule: RequestRule, query: Mapping[str, Any], body: Any) -> bool:
    if rule.when is None:
        return True
    value = field_value(str(rule.when["field"]), query, body)
    if value is _ABSENT:
        return False
    from .validation import quick_supported, quick_valid

    schema = rule.when["schema"]
    if quick_supported(schema):
        return quick_valid(schema, value)
    from jsonschema import Draft202012Validator

    return bool(Draft202012Validator(schema).is_valid(value))


def broken_rule(
    operation_id: str, query: Mapping[str, Any] | None = None, body: Any = None
) -> RequestRule | None:
    """The first rule of the operation that the request breaks, or None. A rule whose fields are
    not all given does not apply (whether a field is required is the schemas' business)."""
    for rule in request_rules(operation_id):
        values = [field_value(field, query or {}, body) for field in rule.fields]
        if any(value is _ABSENT for value in values) or not _applies(rule, query or {}, body):
            continue
        if not KINDS[rule.kind](values):
            return rule
    return None
