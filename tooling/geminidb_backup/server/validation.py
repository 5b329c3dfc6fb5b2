"""Request validation compiled from the packaged spec.

At start-up each operation of the spec becomes an :class:`Operation`: a regular expression for its
path template, one JSON Schema validator per path and query parameter, and one for its body. A
request is then checked against these; nothing of the spec (a pattern, a limit, an enum) is
repeated here. What this module adds is the service's choice of error code for each kind of
violation, which the spec states in prose (the 400 descriptions of each operation).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

import jsonschema_rs

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

from geminidb_backup.server import errors
from geminidb_backup.server.errors import ApiError
from geminidb_backup.spec import follow_refs, load_spec

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

# Which code a bad query parameter gets, by operation and parameter; any other bad parameter is
# DBS.200001 ("Parameter error."). From the 400 descriptions of listJobs and listBackups.
_QUERY_ERROR_CODES: Mapping[tuple[str, str], str] = {
    ("listJobs", "limit"): errors.INVALID_LIMIT,
    ("listJobs", "offset"): errors.INVALID_OFFSET,
    ("listBackups", "limit"): errors.INVALID_LIMIT,
    ("listBackups", "offset"): errors.INVALID_OFFSET,
    ("listBackups", "begin_time"): errors.INVALID_END_TIME,
    ("listBackups", "end_time"): errors.INVALID_END_TIME,
    ("listInstances", "limit"): errors.INVALID_LIMIT,
    ("listInstances", "offset"): errors.INVALID_OFFSET,
    ("listRestorableTimePeriods", "limit"): errors.INVALID_LIMIT,
    ("listRestorableTimePeriods", "offset"): errors.INVALID_OFFSET,
}
# Which code a body field that breaks its rules gets, by operation (the 400 descriptions of
# createBackup and createInstance); any other field's is DBS.200001.
_OPERATION_FIELD_ERROR_CODES: Mapping[str, Mapping[str, str]] = {
    "createBackup": {
        "name": errors.INVALID_BACKUP_NAME,
        "description": errors.INVALID_BACKUP_DESCRIPTION,
    },
    "createInstance": {"restore_info": errors.INVALID_RESTORE_INFO},
}
_FIELD_ERROR_CODES = _OPERATION_FIELD_ERROR_CODES["createBackup"]
# Python's json accepts these words; JSON does not.
_NOT_JSON = frozenset({"NaN", "Infinity", "-Infinity"})
_INTEGER = re.compile(r"-?[0-9]{1,18}")
# A cheap test of the raw body: only an escape can put a lone surrogate into a parsed string
# (the body is decoded as strict UTF-8, which has none). It may match "\\ud800" (an escaped
# backslash): the parsed value is then searched, which tells.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Schema:
    """One schema of the spec, compiled twice: jsonschema-rs (compiled Rust, about 1 µs a check)
    answers "valid?" on every request; the pure-Python jsonschema lists the errors of an invalid
    value, which only a refused request needs, to pick its error code. That one is built when a
    refusal first needs it: importing jsonschema and building its validators was a third of a
    server's start-up, and most requests are valid."""

    fast: Any
    schema: Any
    # The same, for each property of an object schema (to tell which field broke its rules).
    properties: Mapping[str, Schema]

    def is_valid(self, value: Any) -> bool:
        return bool(self.fast.is_valid(value))

    @cached_property
    def detailed(self) -> Validator:
        from jsonschema import Draft202012Validator

        return Draft202012Validator(self.schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@dataclass(frozen=True)
class Parameter:
    name: str
    is_integer: bool
    validator: Schema
    error_code: str
    # The schema's default (for example limit 50 or 100), used when the parameter is absent.
    default: Any = None


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    template: str
    path_parameters: tuple[Parameter, ...]
    query_parameters: tuple[Parameter, ...]
    body_validator: Schema | None
    media_types: tuple[str, ...]

    def path_params(self, values: Mapping[str, str]) -> dict[str, str]:
        for parameter in self.path_parameters:
            if not parameter.validator.is_valid(values.get(parameter.name)):
                raise ApiError(parameter.error_code)
        return dict(values)

    def query_params(self, query: Mapping[str, str]) -> dict[str, Any]:
        """The declared query parameters that are present, converted and checked, and the
        defaults of those that are absent."""
        result: dict[str, Any] = {}
        for parameter in self.query_parameters:
            raw = query.get(parameter.name)
            if raw is None:
                if parameter.default is not None:
                    result[parameter.name] = parameter.default
                continue
            value: Any = raw
            if parameter.is_integer:
                # A bounded digit count: int() of a huge string is slow, and no limit or offset
                # the spec allows is that long.
                if not _INTEGER.fullmatch(raw):
                    raise ApiError(parameter.error_code)
                value = int(raw)
            if not parameter.validator.is_valid(value):
                raise ApiError(parameter.error_code)
            result[parameter.name] = value
        return result

    def json_body(self, content_type: str | None, raw: bytes) -> Any:
        """The body, parsed and checked against the operation's schema."""
        media_type = (content_type or "").split(";", 1)[0].strip().lower()
        if media_type not in self.media_types:
            raise ApiError(errors.INVALID_REQUEST)
        body = parse_json(raw)
        if _SURROGATE_ESCAPE.search(raw):
            _refuse_lone_surrogates(body, _OPERATION_FIELD_ERROR_CODES.get(self.operation_id, {}))
        assert self.body_validator is not None
        if not self.body_validator.is_valid(body):
            codes = _OPERATION_FIELD_ERROR_CODES.get(self.operation_id, {})
            raise ApiError(body_error_code(self.body_validator, body, codes))
        return body


def _reject_constant(word: str) -> Any:
    raise ValueError(f"{word} is not JSON")


# Made once: json.loads with any keyword makes a new decoder per call, a tenth of a request's
# own cost here.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def parse_json(raw: bytes) -> Any:
    """Strict JSON from bytes; any failure is DBS.200001, never an exception of the parser's."""
    try:
        return _DECODER.decode(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(errors.PARAMETER_ERROR) from None


def _refuse_lone_surrogates(body: Any, field_codes: Mapping[str, str]) -> None:
    """Refuse a body holding a lone UTF-16 surrogate (from an escape such as ``"\\ud800"``).

    JSON allows the escape, but the string it makes is no Unicode text: jsonschema-rs cannot take
    it (it raises rather than answer "invalid") and SQLite cannot store it. A name or description
    holding one breaks its rules (the field's code); anywhere else it is a malformed body.
    """

    def has_surrogate(value: Any) -> bool:
        if isinstance(value, str):
            return _LONE_SURROGATE.search(value) is not None
        if isinstance(value, dict):
            return any(has_surrogate(key) or has_surrogate(item) for key, item in value.items())
        if isinstance(value, list):
            return any(has_surrogate(item) for item in value)
        return False

    if not isinstance(body, dict):
        if has_surrogate(body):
            raise ApiError(errors.PARAMETER_ERROR)
        return
    for field, value in body.items():
        if has_surrogate(field) or has_surrogate(value):
            if isinstance(value, str) and field in field_codes:
                raise ApiError(field_codes[field])
            raise ApiError(errors.PARAMETER_ERROR)


def body_error_code(
    schema: Schema, body: Any, field_codes: Mapping[str, str] = _FIELD_ERROR_CODES
) -> str:
    """The code of the most telling violation: the body is not an object or a field has the wrong
    type (DBS.200001), a required field is missing or null (DBS.280040), then the field's own code."""
    if not isinstance(body, dict):
        return errors.PARAMETER_ERROR
    found: set[str] = set()
    ruled: list[str] = []
    for error in schema.detailed.iter_errors(body):
        path = list(error.absolute_path)
        code = _rule_code(error)
        if code is not None and error.validator != "type" and path:
            # The code the spec's x-rules give the broken keyword (setBackupPolicy's fields).
            ruled.append(code)
        elif error.validator == "required" and not path or path and body.get(path[0], 0) is None:
            found.add(errors.PARAMETER_IS_NULL)
        elif error.validator == "type":
            found.add(errors.PARAMETER_ERROR)
        elif path and str(path[0]) in field_codes:
            # Including a rule of the field's own parts (restore_info's either/or).
            found.add(field_codes[str(path[0])])
        elif error.validator == "required":
            found.add(errors.PARAMETER_IS_NULL)
        else:
            found.add(errors.PARAMETER_ERROR)
    for code in (
        errors.PARAMETER_ERROR,
        errors.PARAMETER_IS_NULL,
        *field_codes.values(),
    ):
        if code in found:
            return code
    if ruled:
        return ruled[0]
    # Python's re lets "$" match before a final newline; the Rust regex of jsonschema-rs does not
    # (nor does the service). Where only the latter refuses, find the field it refuses.
    for field, code in field_codes.items():
        sub = schema.properties.get(field)
        if field in body and sub is not None and not sub.is_valid(body[field]):
            return code
    return errors.PARAMETER_ERROR


def _rule_code(error: Any) -> str | None:
    """The ``code`` of the schema's ``x-rules`` entry for the keyword ``error`` broke, if any."""
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    for rule in schema.get("x-rules", ()):
        if rule.get("keyword") == error.validator and "code" in rule:
            return str(rule["code"])
    return None


def _inline(document: Mapping[str, Any], node: Any, depth: int = 0) -> Any:
    """``node`` with every local ``$ref`` replaced by what it points to.

    geminidb_backup.spec.validator_at() validates through a ``referencing`` registry, which
    resolves each ``$ref`` again on every validation: about 1 ms per createBackup body, more
    than the rest of the request. The spec's schemas are not recursive, so they are inlined once
    here and the validators work on plain schemas.
    """
    if depth > 50:
        raise ValueError("the spec's schemas are too deeply nested (a recursive $ref?)")
    if isinstance(node, Mapping):
        if "$ref" in node:
            target, _ = _resolve(document, {"$ref": node["$ref"]}, "")
            resolved = _inline(document, target, depth + 1)
            siblings = {k: _inline(document, v, depth + 1) for k, v in node.items() if k != "$ref"}
            return {"allOf": [resolved], **siblings} if siblings else resolved
        return {key: _inline(document, value, depth + 1) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(document, item, depth + 1) for item in node]
    return node


def _validator(document: Mapping[str, Any], schema: Any) -> Schema:
    return _compile(_inline(document, schema))


def _compile(inlined: Any) -> Schema:
    properties = inlined.get("properties", {}) if isinstance(inlined, Mapping) else {}
    return Schema(
        # Checks the schema against the meta-schema of its draft, and refuses an invalid one.
        fast=jsonschema_rs.Draft202012Validator(inlined, validate_formats=True),
        schema=inlined,
        properties={name: _compile(sub) for name, sub in properties.items()},
    )


def _resolve(document: Mapping[str, Any], node: Any, pointer: str) -> tuple[Any, str]:
    """Follow local ``$ref``s; returns the node and its JSON pointer (``pointer`` when ``node``
    was no reference)."""
    resolved, followed = follow_refs(node, document)
    return resolved, pointer if followed is None else followed


def _is_integer(document: Mapping[str, Any], schema: Any) -> bool:
    resolved, _ = _resolve(document, schema, "")
    return isinstance(resolved, Mapping) and resolved.get("type") == "integer"


def _parameters(
    document: Mapping[str, Any], operation_id: str, sources: Sequence[tuple[Any, str]]
) -> tuple[list[Parameter], list[Parameter]]:
    path: list[Parameter] = []
    query: list[Parameter] = []
    for node, pointer in sources:
        parameter, _ = _resolve(document, node, pointer)
        compiled = Parameter(
            name=parameter["name"],
            is_integer=_is_integer(document, parameter.get("schema", {})),
            validator=_validator(document, parameter.get("schema", {})),
            default=_inline(document, parameter.get("schema", {})).get("default"),
            error_code=_QUERY_ERROR_CODES.get(
                (operation_id, parameter["name"]), errors.PARAMETER_ERROR
            ),
        )
        if parameter["in"] == "path":
            path.append(compiled)
        elif parameter["in"] == "query":
            query.append(compiled)
    return path, query


@cache
def compile_operations() -> tuple[Operation, ...]:
    """Every operation of the packaged spec, ready to check requests.

    Compiled once per process (about 50 ms): the spec does not change while it runs, and the
    compiled operations are immutable, so every application made (one per test by
    :mod:`geminidb_backup.testing`) shares them."""
    document = load_spec()
    operations = []
    for template, item in document["paths"].items():
        for method in HTTP_METHODS:
            if method not in item:
                continue
            operation = item[method]
            sources = [
                (node, f"/paths/{_escape(template)}/parameters/{index}")
                for index, node in enumerate(item.get("parameters", []))
            ] + [
                (node, f"/paths/{_escape(template)}/{method}/parameters/{index}")
                for index, node in enumerate(operation.get("parameters", []))
            ]
            path_parameters, query_parameters = _parameters(
                document, operation["operationId"], sources
            )
            body_validator = None
            media_types: tuple[str, ...] = ()
            if "requestBody" in operation:
                request_body, _ = _resolve(document, operation["requestBody"], "")
                media_types = tuple(request_body["content"])
                body_validator = _validator(
                    document, request_body["content"][media_types[0]]["schema"]
                )
            operations.append(
                Operation(
                    operation_id=operation["operationId"],
                    method=method.upper(),
                    template=template,
                    path_parameters=tuple(path_parameters),
                    query_parameters=tuple(query_parameters),
                    body_validator=body_validator,
                    media_types=media_types,
                )
            )
    return tuple(operations)


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


class Router:
    """Finds the operation for a method and a (percent-decoded) path, from the spec's templates."""

    def __init__(self, operations: Sequence[Operation]) -> None:
        by_template: dict[str, dict[str, Operation]] = {}
        for operation in operations:
            by_template.setdefault(operation.template, {})[operation.method] = operation
        # A literal segment wins over a parameter at the same place
        # (DELETE /v3/{project_id}/instances/backups is not deleteInstance of "backups").
        self._routes = [
            (_template_regex(template), methods)
            for template, methods in sorted(by_template.items(), key=lambda t: _literal_first(t[0]))
        ]

    def match(self, path: str) -> tuple[Mapping[str, Operation], dict[str, str]] | None:
        """The operations of the path by method, and the path's parameters; None: no such path."""
        for regex, methods in self._routes:
            found = regex.fullmatch(path)
            if found is not None:
                return methods, found.groupdict()
        return None


def _literal_first(template: str) -> tuple[int, ...]:
    return tuple(int(part.startswith("{")) for part in template.split("/"))


def _template_regex(template: str) -> re.Pattern[str]:
    pattern = ""
    for piece in re.split(r"(\{[^}]+\})", template):
        if piece.startswith("{") and piece.endswith("}"):
            pattern += f"(?P<{piece[1:-1]}>[^/]+)"
        else:
            pattern += re.escape(piece)
    return re.compile(pattern)
