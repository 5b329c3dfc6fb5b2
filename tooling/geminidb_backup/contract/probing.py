"""What the domain scenarios send, and the values they make from the spec's schemas.

A :class:`Prober` sends follow-up requests through schemathesis's own case machinery (so they go
over HTTP or to an in-process ASGI app alike, with the run's credentials) and keeps each answer
with a one-line account of its request, which a failure quotes. The value makers read a schema
of the spec and its extensions (``x-rules``, ``x-case-sensitive``) to build fresh valid values
and values that break exactly one rule: nothing of the API's rules is written down here.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

import requests
from schemathesis import APIOperation
from schemathesis import Case as GenericCase

from geminidb_backup.contract import safety
from geminidb_backup.spec import follow_refs, load_spec, validator_at

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

Case = GenericCase[APIOperation[Any, Any, Any, Any]]

_MISSING: Any = object()
# Characters tried against every pattern: printable ASCII, the usual white space and control
# characters, and some beyond ASCII (a letter with an accent, a CJK letter, a no-break space, an
# emoji). Those a pattern refuses are each sent on their own.
CANDIDATE_CHARACTERS = (
    [chr(code) for code in range(0x20, 0x7F)]
    + ["\t", "\n", "\r", "\x00", "\x7f"]
    + ["é", "ß", "中", "\u00a0", "\U0001f600"]
)
SHOWN_BODY_CHARACTERS = 160


@dataclass(frozen=True)
class Answer:
    """One request of a scenario and what the server said."""

    request: str  # "METHOD URL body", without credentials
    status: int
    body: Any  # the parsed JSON body, or None
    curl: str = ""  # the command that sends the request again (credentials from the environment)

    @property
    def code(self) -> str | None:
        code = self.body.get("error_code") if isinstance(self.body, dict) else None
        return code if isinstance(code, str) else None

    def shows(self) -> str:
        """The request and the answer, for a failure message."""
        return f"{self.request} -> {self.status} {self.code or ''}".rstrip()


def curl_of(request: Any) -> str:
    """A curl command that sends ``request`` again, with the token from ``$GEMINIDB_TOKEN``
    (never the run's own credentials)."""
    import shlex

    parts = ["curl", "-X", str(request.method)]
    content_type = (request.headers or {}).get("Content-Type")
    if content_type:
        parts += ["-H", f"Content-Type: {content_type}"]
    command = " ".join(shlex.quote(part) for part in parts)
    command += ' -H "X-Auth-Token: $GEMINIDB_TOKEN"'
    body = request.body
    if body:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        command += " -d " + shlex.quote(text)
    return f"{command} {shlex.quote(str(request.url))}"


def describe_request(request: Any) -> str:
    body = request.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    text = f"{request.method} {request.url}"
    if body:
        shown = body if len(body) <= SHOWN_BODY_CHARACTERS else body[:SHOWN_BODY_CHARACTERS] + "..."
        text += f" {shown}"
    return text


def parse_json(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None


class Prober:
    """Sends requests of any operation of the spec with the credentials of one run."""

    def __init__(self, case: Case, credentials: Mapping[str, str]) -> None:
        self.case = case
        self.credentials = dict(credentials)
        self.last: Answer | None = None  # the latest answer, whose request a failure reproduces
        # One connection for a scenario's requests over HTTP (schemathesis opens one per call
        # without a session); an in-process app needs none.
        self._session = requests.Session() if case.operation.app is None else None

    def close(self) -> None:
        if self._session is not None:
            self._session.close()

    def call(
        self,
        operation_id: str,
        path: Mapping[str, str],
        *,
        query: Mapping[str, Any] | None = None,
        body: Any = _MISSING,
        media_type: str = "application/json",
        credentials: Mapping[str, str] | None = None,
    ) -> Answer:
        from geminidb_backup.contract.checks import while_busy

        operation = self.case.operation.schema.find_operation_by_id(operation_id)
        headers = dict(self.credentials if credentials is None else credentials)

        def send() -> Any:
            kwargs: dict[str, Any] = {"path_parameters": dict(path), "headers": dict(headers)}
            if query is not None:
                kwargs["query"] = dict(query)
            if body is not _MISSING:
                kwargs["body"] = copy.deepcopy(body)
                kwargs["media_type"] = media_type
            follow_up: Case = operation.Case(**kwargs)
            return follow_up.call(session=self._session) if self._session else follow_up.call()

        # A write may meet an instance busy with another job (an automated backup, another
        # worker's): the spec orders that answer before no other, so it is waited out.
        response = send() if operation.method.upper() == "GET" else while_busy(send)
        self.last = Answer(
            describe_request(response.request),
            response.status_code,
            parse_json(response.content),
            curl_of(response.request),
        )
        return self.last


# --- the spec -----------------------------------------------------------------------------


def operations() -> Iterator[tuple[str, str, Mapping[str, Any], Mapping[str, Any]]]:
    """(operationId, path template, path item, operation) of every operation of the spec."""
    for template, item in load_spec()["paths"].items():
        for operation in item.values():
            if isinstance(operation, Mapping) and "operationId" in operation:
                yield operation["operationId"], template, item, operation


def operation(operation_id: str) -> Mapping[str, Any]:
    for found, _, _, definition in operations():
        if found == operation_id:
            return definition
    raise KeyError(operation_id)


def parameters(operation_id: str) -> list[Mapping[str, Any]]:
    """The resolved parameters of an operation, those of its path item first."""
    for found, _, item, definition in operations():
        if found == operation_id:
            nodes = [*item.get("parameters", []), *definition.get("parameters", [])]
            return [follow_refs(node)[0] for node in nodes]
    raise KeyError(operation_id)


def response_codes(operation_id: str, status: int) -> frozenset[str]:
    """The error codes of the examples of one documented response of an operation."""
    response = operation(operation_id).get("responses", {}).get(str(status))
    if response is None:
        return frozenset()
    response, _ = follow_refs(response)
    codes = set()
    for media in response.get("content", {}).values():
        for example in media.get("examples", {}).values():
            value = follow_refs(example)[0].get("value")
            if isinstance(value, Mapping) and isinstance(value.get("error_code"), str):
                codes.add(value["error_code"])
    return frozenset(codes)


def catalogue_statuses(code: str) -> frozenset[int]:
    """The statuses the catalogue (``x-error-codes``) gives a code (``status``: one or a list)."""
    found: set[int] = set()
    for entry in load_spec().get("x-error-codes", []):
        if entry.get("code") == code:
            status = entry.get("status", entry.get("statuses"))
            found.update(status if isinstance(status, list) else [status])
    return frozenset(int(s) for s in found)


@dataclass(frozen=True)
class Field:
    """A property of a request body schema, with its validator and rules."""

    name: str
    schema: Mapping[str, Any]
    pointer: str

    def errors(self, value: Any) -> set[str]:
        """The keywords ``value`` breaks."""
        return {str(error.validator) for error in validator_at(self.pointer).iter_errors(value)}

    def fresh(self, length: int | None = None) -> str:
        """A valid value no one has used, ``length`` characters long if given (for a field
        with an ``enum``, its first value: there is no other)."""
        if self.schema.get("enum"):
            return str(self.schema["enum"][0])
        example: str = str((self.schema.get("examples") or ["x"])[0]) or "x"
        hexes = uuid.uuid4().hex + uuid.uuid4().hex
        # A name the run creates starts with the run's prefix (safety: leftovers can be found).
        starts: tuple[str, ...] = (safety.SCOPE.prefix,) if self.name == safety.NAME_FIELD else ()
        for first in (*starts, example[0], "x", "X"):
            for body in (hexes, "".join(chr(ord("a") + int(c, 16)) for c in hexes)):
                value = first + body
                if length is not None:
                    while len(value) < length:
                        value += body
                    value = value[:length]
                else:
                    value = value[: min(len(value), int(self.schema.get("maxLength", 33)))]
                if not self.errors(value):
                    return value
        raise ValueError(f"cannot make a valid value of {self.name} from its schema")


def body_fields(operation_id: str) -> tuple[Mapping[str, Any], list[Field]]:
    """The resolved JSON body schema of an operation and its string properties."""
    body = operation(operation_id).get("requestBody")
    if body is None:
        return {}, []
    body, _ = follow_refs(body)
    schema, pointer = follow_refs(body["content"]["application/json"]["schema"])
    fields = []
    for name, node in schema.get("properties", {}).items():
        resolved, field_pointer = follow_refs(node)
        if resolved.get("type") == "string":
            fields.append(Field(name, resolved, field_pointer or f"{pointer}/properties/{name}"))
    return schema, fields


@cache
def body_validator(operation_id: str) -> Validator | None:
    """The validator of an operation's JSON body schema (None: it has no body)."""
    body = operation(operation_id).get("requestBody")
    if body is None:
        return None
    body, _ = follow_refs(body)
    _, pointer = follow_refs(body["content"]["application/json"]["schema"])
    return validator_at(pointer) if pointer else None


def fresh_body(operation_id: str, **overrides: Any) -> dict[str, Any]:
    """A valid body of fresh values; ``overrides`` replace fields. A field no fresh string can
    fill (an enum, a password's rules, an object) keeps the value of the operation's first
    request example."""
    schema, fields = body_fields(operation_id)
    body: dict[str, Any] = copy.deepcopy(first_body_example(operation_id))
    required = set(schema.get("required", []))
    for field in fields:
        if field.name not in body and field.name not in required:
            continue  # an optional field the example leaves out
        try:
            body[field.name] = field.fresh()
        except ValueError:
            if field.name not in body:
                raise
    body.update(overrides)
    return body


def first_body_example(operation_id: str) -> dict[str, Any]:
    """The value of the first example of the operation's JSON request body ({} when none)."""
    body = operation(operation_id).get("requestBody")
    if body is None:
        return {}
    content = follow_refs(body)[0]["content"]["application/json"]
    for example in content.get("examples", {}).values():
        value = follow_refs(example)[0].get("value")
        if isinstance(value, dict):
            return value
    return {}


@dataclass(frozen=True)
class Violation:
    """A value of one field that breaks exactly one of its ``x-rules``."""

    field: Field
    rule: Mapping[str, Any]
    value: str
    label: str


def violations(field: Field) -> Iterator[Violation]:
    """One value per bound of the field, and one per character its pattern refuses (in the
    middle of a valid value, and, for those allowed there, as the first character)."""
    schema = field.schema
    for rule in schema.get("x-rules", []):
        keyword = rule.get("keyword")
        if keyword == "minLength" and int(schema["minLength"]) > 0:
            value = field.fresh()[: int(schema["minLength"]) - 1]
            if field.errors(value) == {keyword}:
                yield Violation(field, rule, value, f"{len(value)} characters")
        elif keyword == "maxLength":
            value = field.fresh()
            value = (value * (int(schema["maxLength"]) // len(value) + 2))[
                : int(schema["maxLength"]) + 1
            ]
            if field.errors(value) == {keyword}:
                yield Violation(field, rule, value, f"{len(value)} characters")
        elif keyword == "pattern":
            for character in CANDIDATE_CHARACTERS:
                base = field.fresh(min(12, int(schema.get("maxLength", 12)) - 1))
                inside = base[:1] + character + base[1:]
                first = character + base
                if field.errors(inside) == {keyword}:
                    yield Violation(field, rule, inside, f"the character {character!r}")
                    # A server that trims values would let these through. (A character refused
                    # inside a value is refused at its ends too; Python's re alone would let a
                    # final newline match "$", so only the other rules are asked of these.)
                    if character.isspace():
                        for value, where in ((first, "leading"), (base + character, "trailing")):
                            if field.errors(value) <= {keyword}:
                                label = f"a {where} {character!r}"
                                yield Violation(field, rule, value, label)
                elif field.errors(first) == {keyword}:
                    yield Violation(field, rule, first, f"{character!r} as first character")


def case_variants(field: Field) -> tuple[str, str] | None:
    """Two valid values that differ only in case, when the field's schema says it is
    case-sensitive (``x-case-sensitive``); at its greatest length, to probe that bound too."""
    if not field.schema.get("x-case-sensitive"):
        return None
    length = field.schema.get("maxLength")
    value = field.fresh(int(length) if length is not None else None)
    other = value.swapcase()
    if other == value or field.errors(other):
        return None
    return value, other


# --- times ----------------------------------------------------------------------------------


def parse_timestamp(text: Any) -> datetime | None:
    """A ``Timestamp`` of the spec (``+hhmm`` offset or ``Z``), or None."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


def format_timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S%z")
