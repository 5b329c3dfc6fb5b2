"""Client-side validation of a call against the packaged spec, before anything is sent.

The rules (patterns, lengths, enums, ranges) are read from the spec, never copied here. A broken
rule is worded with the schema's ``x-rules`` message for that keyword when the spec gives one
(``name 'b1' must be at least 4 characters long``), else from the keyword and its value in the
schema (``limit 7 must be one of 10, 20, 50``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from .errors import RequestRuleError, ValidationError
from .spec import at_pointer, load_spec, validator_at

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError as SchemaError
    from jsonschema.protocols import Validator

# How a standard keyword's failure is worded, given the keyword's value in the schema.
_WORDING = {
    "minLength": "must be at least {} characters long",
    "maxLength": "must be at most {} characters long",
    "pattern": "must match the pattern {}",
    "minimum": "must be at least {}",
    "maximum": "must be at most {}",
    "type": "must be of type {}",
}


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


@cache
def _operation(operation_id: str) -> tuple[dict[str, str], str | None]:
    """Pointers to the schema of each parameter of an operation, and to its body schema."""
    spec = load_spec()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, Mapping) or operation.get("operationId") != operation_id:
                continue
            base = f"/paths/{_escape(path)}"
            parameters: dict[str, str] = {}
            for where, listed in (
                (f"{base}/parameters", item.get("parameters", [])),
                (f"{base}/{method}/parameters", operation.get("parameters", [])),
            ):
                for index, parameter in enumerate(listed):
                    pointer = f"{where}/{index}"
                    if "$ref" in parameter:
                        pointer = parameter["$ref"].removeprefix("#")
                        parameter = at_pointer(pointer)
                    parameters[parameter["name"]] = f"{pointer}/schema"
            body = None
            if "requestBody" in operation:
                body = f"{base}/{method}/requestBody/content/application~1json/schema"
            return parameters, body
    raise KeyError(f"the spec has no operation {operation_id!r}")


def _inline(node: Any) -> Any:
    """``node`` with every local ``$ref`` replaced by the schema it names.

    The validators check the same schemas as :func:`geminidb_backup.spec.validator_at`, but
    resolving ``$ref``s through the registry on every call cost most of the facade's per-request
    overhead; the spec's schemas are not recursive, so they can be inlined once.
    """
    if isinstance(node, Mapping):
        if "$ref" in node and str(node["$ref"]).startswith("#/"):
            target = _inline(at_pointer(str(node["$ref"]).removeprefix("#")))
            siblings = {key: _inline(value) for key, value in node.items() if key != "$ref"}
            return {**target, **siblings}
        return {key: _inline(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item) for item in node]
    return node


# The quick check. Importing jsonschema (with referencing, its format checkers and their
# dependencies) costs more than everything else a command does besides importing httpx; the
# schemas of the API's parameters and bodies use a handful of keywords, which a few lines check
# as jsonschema does (tests/test_validation.py compares the two on generated values). A value
# the quick check finds valid is sent; any other value, and any schema with another keyword,
# goes through jsonschema, which words the error.
_ANNOTATIONS = frozenset(
    {"description", "examples", "default", "title", "x-rules", "$comment", "deprecated"}
)
# OpenAPI's number formats: JSON Schema 2020-12 knows no such format, so jsonschema's format
# checker ignores them (the bounds they imply are written as minimum and maximum).
_OPENAPI_NUMBER_FORMATS = frozenset({"int32", "int64", "float", "double"})
_QUICK_KEYWORDS = frozenset(
    {"type", "enum", "pattern", "minLength", "maxLength", "minimum", "maximum", "required",
     "properties", "additionalProperties", "items"}
)  # fmt: skip
_TYPES: dict[str, Any] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


def quick_supported(schema: Any) -> bool:
    """Whether :func:`quick_valid` understands every keyword of ``schema``."""
    if not isinstance(schema, Mapping):
        return isinstance(schema, bool)
    for keyword, value in schema.items():
        # The spec's own extensions (x-rules, x-case-sensitive, ...) never constrain a value.
        if keyword in _ANNOTATIONS or keyword.startswith("x-"):
            continue
        if keyword == "format" and value in _OPENAPI_NUMBER_FORMATS:
            continue
        if keyword not in _QUICK_KEYWORDS:
            return False
        if keyword == "type" and not all(t in _TYPES for t in _as_list(value)):
            return False
        if keyword == "properties" and not all(quick_supported(s) for s in value.values()):
            return False
        if keyword in ("additionalProperties", "items") and not quick_supported(value):
            return False
    return True


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _same(a: Any, b: Any) -> bool:
    # JSON equality: true is not 1, as jsonschema has it.
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def quick_valid(schema: Any, value: Any) -> bool:
    """Whether ``value`` is valid against ``schema`` (one :func:`quick_supported` accepts)."""
    if isinstance(schema, bool):
        return schema
    if "type" in schema and not any(_TYPES[t](value) for t in _as_list(schema["type"])):
        return False
    if "enum" in schema and not any(_same(value, option) for option in schema["enum"]):
        return False
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            return False
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return False
        if "pattern" in schema and re.search(schema["pattern"], value) is None:
            return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return False
        if "maximum" in schema and value > schema["maximum"]:
            return False
    if isinstance(value, dict):
        if any(name not in value for name in schema.get("required", [])):
            return False
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            if not quick_valid(properties.get(name, extra), item):
                return False
    if isinstance(value, list) and "items" in schema:
        return all(quick_valid(schema["items"], item) for item in value)
    return True


@cache
def _quick_schema(pointer: str) -> Any:
    """The inlined schema at ``pointer`` when the quick check understands it, else None."""
    schema = _inline(at_pointer(pointer))
    return schema if quick_supported(schema) else None


def _valid(pointer: str, value: Any) -> bool:
    schema = _quick_schema(pointer)
    if schema is not None and quick_valid(schema, value):
        return True
    return _validator(pointer).is_valid(value)


@cache
def _validator(pointer: str) -> Validator:
    schema = _inline(at_pointer(pointer))
    validator = validator_at(pointer)  # the spec's own validator class and format checker
    return validator.evolve(schema=schema)


def _rule(error: SchemaError) -> str:
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    for rule in schema.get("x-rules", []):
        if rule.get("keyword") == error.validator:
            return str(rule["message"])
    value: Any = error.validator_value
    if error.validator == "enum":
        return "must be one of " + ", ".join(str(v) for v in value)
    if error.validator == "pattern" and schema.get("examples"):
        # A regular expression tells a person little; the schema's example shows the form.
        return f"must look like {schema['examples'][0]!r} (pattern {value})"
    if error.validator == "minLength" and value == 1:
        return "must not be empty"
    if error.validator in _WORDING:
        return _WORDING[str(error.validator)].format(value)
    return error.message


def _rank(error: SchemaError) -> int:
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    keywords = [rule.get("keyword") for rule in schema.get("x-rules", [])]
    return keywords.index(error.validator) if error.validator in keywords else len(keywords)


def _raise_first(errors: list[SchemaError], field: str, value: Any) -> None:
    if not errors:
        return
    # The error of the deepest field first, then in the order of the schema's x-rules.
    error = min(errors, key=lambda e: (-len(e.path), _rank(e)))
    if error.validator == "required":
        required: Any = error.validator_value
        instance: Any = error.instance
        missing = [name for name in required if name not in instance]
        raise ValidationError(".".join([field, missing[0]]).lstrip("."), None, "is required")
    path = ".".join(str(p) for p in error.path)
    # A password is never shown, not even in the error about it.
    shown = None if _is_secret(error.schema) else error.instance
    raise ValidationError(path or field, shown, _rule(error))


def _is_secret(schema: Any) -> bool:
    return isinstance(schema, Mapping) and (
        schema.get("format") == "password" or schema.get("writeOnly") is True
    )


def validate_call(
    operation_id: str, params: Mapping[str, Any], body: Mapping[str, Any] | None = None
) -> None:
    """Raise :class:`ValidationError` when a parameter or the body breaks a rule of the spec
    (:class:`RequestRuleError` for a rule across several of them, ``x-request-rules``).

    ``params`` holds the path and query parameters given (``None`` means "not given").
    """
    parameters, body_pointer = _operation(operation_id)
    for name, value in params.items():
        if value is None:
            continue
        if name not in parameters:
            raise TypeError(f"{operation_id} has no parameter {name!r}")
        if not _valid(parameters[name], value):
            validator = _validator(parameters[name])
            _raise_first(list(validator.iter_errors(value)), name, value)
    if body_pointer is not None and body is not None and not _valid(body_pointer, body):
        validator = _validator(body_pointer)
        _raise_first(list(validator.iter_errors(body)), "", body)
    from .rules import broken_rule

    rule = broken_rule(operation_id, params, body)
    if rule is not None:
        raise RequestRuleError(rule.fields, rule.message, rule.status, rule.code)


def expand_name(template: str, now: datetime | None = None) -> str:
    """A backup name from a template, ``{now:FORMAT}`` replaced by the time (UTC) in strftime's
    FORMAT, so that a cron line needs no shell date arithmetic: ``daily-{now:%Y%m%d}`` ->
    ``daily-20261128``. ``{{`` and ``}}`` stand for braces. Any other field, or a template that
    is not well formed, is a :class:`ValidationError`; the name made is not checked here (the
    call that sends it checks it against the spec's rule).
    """
    from string import Formatter

    try:
        parsed = [(field, conversion) for _, field, _, conversion in Formatter().parse(template)]
    except ValueError as exc:
        raise ValidationError("name", template, f"is not a valid template ({exc})") from None
    fields = [f"{field}!{conversion}" if conversion else field for field, conversion in parsed
              if field is not None]  # fmt: skip
    wrong = [field for field in fields if field != "now"]
    if wrong:
        raise ValidationError(
            "name", template, f"has the field {{{wrong[0]}}}; a template knows only {{now:FORMAT}}"
        )
    when = now if now is not None else datetime.now(UTC)
    try:
        return template.format(now=when)
    except ValueError as exc:
        raise ValidationError("name", template, f"is not a valid template ({exc})") from None
