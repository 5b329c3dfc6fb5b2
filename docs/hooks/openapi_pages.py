"""MkDocs hook: renders the API reference and the error-code page from the packaged spec.

The pages ``docs/api-reference.md`` and ``docs/error-codes.md`` hold a marker comment
(``<!-- openapi:reference -->``, ``<!-- openapi:error-codes -->``; the overview's table of
operations is ``<!-- openapi:operations -->``); at build time the marker is
replaced by Markdown generated from ``geminidb_backup.spec.load_spec()``, the same document the
client, the reference server and the tests read. Nothing of the spec is copied into ``docs/``.

The hook also adds the spec to the built site as ``openapi.yaml`` (for the Swagger UI page and
for download), from the packaged bytes.

It is a plain module: the tests import it (``render_reference``, ``render_error_codes``) too.

Why a hook of our own rather than neoteroi-mkdocs' ``[OAD(...)]`` (essentials-openapi 1.4.0,
tried on this spec): OAD printed no ``pattern``, ``minLength``/``maxLength`` or ranges at all,
its parameter tables say whether a parameter is nullable but not whether it is required, it
showed request and response schemas as raw JSON with unresolved ``$ref``s, and it left out the
``links``. The constraints are the point of
this API's reference, so the page is rendered here, statically (it needs no JavaScript).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from geminidb_backup.spec import load_spec, spec_bytes

REFERENCE_MARKER = "<!-- openapi:reference -->"
ERROR_CODES_MARKER = "<!-- openapi:error-codes -->"
OPERATIONS_MARKER = "<!-- openapi:operations -->"
SPEC_SITE_PATH = "openapi.yaml"

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
REASONS = {
    "200": "OK",
    "201": "Created",
    "202": "Accepted",
    "204": "No Content",
    "400": "Bad Request",
    "401": "Unauthorized",
    "403": "Forbidden",
    "404": "Not Found",
    "405": "Method Not Allowed",
    "409": "Conflict",
    "413": "Request Entity Too Large",
    "415": "Unsupported Media Type",
    "422": "Unprocessable Entity",
    "429": "Too Many Requests",
    "500": "Internal Server Error",
    "501": "Not Implemented",
    "503": "Service Unavailable",
}

Node = Mapping[str, Any]


# --- helpers ---------------------------------------------------------------------------------


def resolve(document: Node, node: Any) -> Any:
    """Follow local ``$ref``s until ``node`` is not a reference."""
    while isinstance(node, Mapping) and "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def ref_name(node: Any) -> str | None:
    """``Backup`` for ``{"$ref": "#/components/schemas/Backup"}``, else None."""
    if isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref: str = node["$ref"]
        if ref.startswith("#/components/schemas/"):
            return ref.rsplit("/", 1)[1]
    return None


def schema_anchor(name: str) -> str:
    return f"schema-{name.lower()}"


def operations(document: Node) -> Iterator[tuple[str, str, Node, Node]]:
    """(path, method, path item, operation) for every operation, in the spec's order."""
    for path, item in document.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item, item[method]


def cell(text: Any) -> str:
    """Markdown text made safe for one table cell: one line, pipes escaped."""
    if text is None:
        return ""
    paragraphs = [" ".join(p.split()) for p in str(text).strip().split("\n\n")]
    one_line = "<br><br>".join(p for p in paragraphs if p)
    # Python-Markdown's tables do not split cells at pipes inside code spans: escape the others.
    parts = re.split(r"(`+[^`]*?`+)", one_line)
    return "".join(p if p.startswith("`") else p.replace("|", "\\|") for p in parts)


def code(value: Any) -> str:
    """``value`` as an inline code span (JSON for non-strings); tables keep pipes inside it."""
    text = value if isinstance(value, str) else json.dumps(value)
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") or text == "" else ""
    span = f"{fence}{pad}{text}{pad}{fence}"
    # Long values (patterns, IDs) may wrap anywhere; short ones never break (see api.css).
    return f'<span class="api-long">{span}</span>' if len(text) > 24 else span


def json_block(value: Any, indent: str = "") -> str:
    body = json.dumps(value, indent=2, ensure_ascii=False)
    lines = ["```json", *body.splitlines(), "```"]
    return "\n".join(indent + line if line else line for line in lines)


def indent_text(text: str, indent: str) -> str:
    return "\n".join(indent + line if line.strip() else "" for line in text.splitlines())


# --- schemas ---------------------------------------------------------------------------------


def type_label(document: Node, schema: Any) -> str:
    """A short type: ``string``, ``integer``, ``array of Job``, a link to a named schema."""
    name = ref_name(schema)
    target = resolve(document, schema)
    if not isinstance(target, Mapping):
        return ""
    if name is not None:
        kind = target.get("type", "")
        if kind == "object" or "properties" in target:
            return f"[{name}](#{schema_anchor(name)})"
        return f"{kind} ([{name}](#{schema_anchor(name)}))"
    kind = target.get("type", "")
    if isinstance(kind, list):
        kind = " or ".join(str(k) for k in kind)
    if kind == "array":
        return f"array of {type_label(document, target.get('items', {}))}"
    fmt = target.get("format")
    return f"{kind} ({fmt})" if fmt else str(kind)


def constraints(document: Node, schema: Any) -> list[str]:
    """Every constraint of a (resolved) schema, as short Markdown phrases."""
    target = resolve(document, schema)
    if not isinstance(target, Mapping):
        return []
    out: list[str] = []
    low, high = target.get("minLength"), target.get("maxLength")
    if low is not None and high is not None:
        out.append(f"length {low}–{high} characters")
    elif low is not None:
        out.append(f"at least {low} character{'s' if low != 1 else ''}")
    elif high is not None:
        out.append(f"at most {high} characters")
    if "pattern" in target:
        out.append(f"pattern {code(target['pattern'])}")
    if "enum" in target:
        out.append("one of " + ", ".join(code(v) for v in target["enum"]))
    if "const" in target:
        out.append(f"always {code(target['const'])}")
    bounds = []
    if "minimum" in target:
        bounds.append(f"≥ {target['minimum']}")
    if "exclusiveMinimum" in target:
        bounds.append(f"> {target['exclusiveMinimum']}")
    if "maximum" in target:
        bounds.append(f"≤ {target['maximum']}")
    if "exclusiveMaximum" in target:
        bounds.append(f"< {target['exclusiveMaximum']}")
    if bounds:
        out.append("value " + " and ".join(bounds))
    if "minItems" in target or "maxItems" in target:
        out.append(
            "items: "
            + " and ".join(
                part
                for part in (
                    f"at least {target['minItems']}" if "minItems" in target else "",
                    f"at most {target['maxItems']}" if "maxItems" in target else "",
                )
                if part
            )
        )
    if "default" in target:
        out.append(f"default {code(target['default'])}")
    for rule in target.get("x-rules", []):
        message = rule.get("message")
        if message:
            out.append(f"*{message}*")
    return out


def schema_examples(document: Node, schema: Any) -> list[Any]:
    target = resolve(document, schema)
    if not isinstance(target, Mapping):
        return []
    examples = list(target.get("examples", []))
    if "example" in target:
        examples.append(target["example"])
    return examples


def field_rows(
    document: Node, schema: Any, prefix: str = "", seen: frozenset[str] = frozenset()
) -> Iterator[tuple[str, str, bool, str, str]]:
    """(field, type, required, constraints, description) for an object schema, nested fields
    included with dotted names (``jobs[].instance.id``)."""
    name = ref_name(schema)
    if name in seen:
        return
    seen = seen | {name} if name else seen
    target = resolve(document, schema)
    if not isinstance(target, Mapping):
        return
    if target.get("type") == "array" and prefix:
        yield from field_rows(document, target.get("items", {}), prefix + "[]", seen)
        return
    required = set(target.get("required", []))
    for prop, prop_schema in target.get("properties", {}).items():
        resolved = resolve(document, prop_schema)
        description = (
            prop_schema.get("description") if isinstance(prop_schema, Mapping) else None
        ) or (resolved.get("description") if isinstance(resolved, Mapping) else None)
        details = constraints(document, prop_schema)
        examples = schema_examples(document, prop_schema)
        if examples:
            details.append("example " + ", ".join(code(e) for e in examples))
        field = f"{prefix}.{prop}" if prefix else prop
        yield (
            field,
            type_label(document, prop_schema),
            prop in required,
            "<br>".join(details),
            cell(description),
        )
        if isinstance(resolved, Mapping):
            nested = resolved.get("items", {}) if resolved.get("type") == "array" else resolved
            nested_target = resolve(document, nested)
            if isinstance(nested_target, Mapping) and "properties" in nested_target:
                inner_prefix = field + "[]" if resolved.get("type") == "array" else field
                yield from field_rows(document, nested, inner_prefix, seen)


def fields_table(document: Node, schema: Any, indent: str = "") -> str:
    rows = list(field_rows(document, schema))
    if not rows:
        target = resolve(document, schema)
        details = "<br>".join(constraints(document, schema))
        description = cell(target.get("description") if isinstance(target, Mapping) else "")
        return indent + f"{type_label(document, schema)}. {details} {description}".strip()
    lines = [
        "| Field | Type | Required | Constraints | Description |",
        "|---|---|---|---|---|",
    ]
    for field, kind, required, details, description in rows:
        lines.append(
            f"| `{field}` | {kind} | {'yes' if required else 'no'} | {details} | {description} |"
        )
    return "\n".join(indent + line for line in lines)


# --- operations ------------------------------------------------------------------------------


def parameters_table(document: Node, parameters: list[Any]) -> str:
    lines = [
        "| Name | In | Type | Required | Constraints | Description |",
        "|---|---|---|---|---|---|",
    ]
    for raw in parameters:
        parameter = resolve(document, raw)
        schema = parameter.get("schema", {})
        details = constraints(document, schema)
        if "example" in parameter:
            details.append(f"example {code(parameter['example'])}")
        lines.append(
            f"| `{parameter['name']}` | {parameter['in']} | {type_label(document, schema)} | "
            f"{'yes' if parameter.get('required') else 'no'} | {'<br>'.join(details)} | "
            f"{cell(parameter.get('description'))} |"
        )
    return "\n".join(lines)


def examples_tabs(document: Node, media: Node, indent: str = "") -> str:
    """The examples of a media type object as content tabs of JSON blocks."""
    examples = media.get("examples", {})
    parts: list[str] = []
    if not examples and "example" in media:
        examples = {"example": {"value": media["example"]}}
    for key, raw in examples.items():
        example = resolve(document, raw)
        label = example.get("summary") or key
        parts.append(
            f'{indent}=== "{label}"\n\n{json_block(example.get("value"), indent + "    ")}\n'
        )
    return "\n".join(parts)


def error_examples_table(document: Node, media: Node) -> str:
    """The error codes an error response's examples document, as a table."""
    lines = ["| Error code | `error_msg` | When |", "|---|---|---|"]
    for raw in media.get("examples", {}).values():
        example = resolve(document, raw)
        value = example.get("value")
        if isinstance(value, Mapping) and "error_code" in value:
            lines.append(
                f"| [`{value['error_code']}`](error-codes.md) | {cell(value.get('error_msg'))} | "
                f"{cell(example.get('summary'))} |"
            )
    return "\n".join(lines) if len(lines) > 2 else ""


def operation_link(document: Node, operation_id: str) -> str:
    for _path, _method, _item, operation in operations(document):
        if operation.get("operationId") == operation_id:
            return f"[`{operation_id}`](#{operation_id.lower()})"
    return f"`{operation_id}`"


def links_list(document: Node, links: Mapping[str, Any], indent: str = "") -> str:
    lines = []
    for name, raw in links.items():
        link = resolve(document, raw)
        target = operation_link(document, link.get("operationId", ""))
        params = ", ".join(
            f"`{key}` = `{value}`" for key, value in link.get("parameters", {}).items()
        )
        lines.append(
            f"{indent}- **{name}** → {target}: {cell(link.get('description'))} "
            f"Parameters: {params}."
        )
    return "\n".join(lines)


def response_section(document: Node, status: str, raw: Any) -> str:
    response = resolve(document, raw)
    reason = REASONS.get(status, "")
    is_error = not status.startswith("2")
    body: list[str] = [
        f"#### {status} {reason}".rstrip(),
        "",
        response.get("description", "").strip(),
        "",
    ]
    headers = response.get("headers", {})
    if headers:
        body += ["Headers:", "", "| Header | Type | Required | Description |", "|---|---|---|---|"]
        for header_name, header_raw in headers.items():
            header = resolve(document, header_raw)
            details = " ".join(constraints(document, header.get("schema", {})))
            body.append(
                f"| `{header_name}` | {type_label(document, header.get('schema', {}))} | "
                f"{'yes' if header.get('required') else 'no'} | "
                f"{cell(header.get('description'))} {details} |"
            )
        body.append("")
    for media_type, media in response.get("content", {}).items():
        schema = media.get("schema", {})
        name = ref_name(schema)
        shown = f"[{name}](#{schema_anchor(name)})" if name else type_label(document, schema)
        body += [f"Body (`{media_type}`): {shown}", ""]
        if not is_error:
            body += [fields_table(document, schema), ""]
        if is_error:
            body += [error_examples_table(document, media), ""]
        tabs = examples_tabs(document, media)
        if tabs:
            if is_error:
                body += ['??? example "Example bodies"', "", indent_text(tabs, "    "), ""]
            else:
                body += ["Examples:", "", tabs, ""]
    links = response.get("links", {})
    if links:
        body += ["Links (the next calls of the workflow):", "", links_list(document, links), ""]
    return "\n".join(body)


def operation_section(document: Node, path: str, method: str, item: Node, operation: Node) -> str:
    operation_id = operation.get("operationId", f"{method}-{path}")
    out = [
        f"## {operation.get('summary', operation_id)} {{#{operation_id.lower()}}}",
        "",
        (
            f'<p class="api-endpoint"><span class="api-method api-method-{method}">'
            f"{method.upper()}</span> <code>{path}</code></p>"
        ),
        "",
        f"Operation ID: `{operation_id}` · tags: "
        + ", ".join(f"`{tag}`" for tag in operation.get("tags", [])),
        "",
        operation.get("description", "").strip(),
        "",
    ]
    parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
    if parameters:
        out += ["### Parameters", "", parameters_table(document, parameters), ""]
    security = operation.get("security", document.get("security", []))
    if security:
        # Requirements are alternatives; the schemes of one requirement are all needed.
        alternatives = [
            " and ".join(f"[`{name}`](#authentication)" for name in requirement)
            for requirement in security
        ]
        out += ["Authentication: " + " or ".join(alternatives), ""]
    request_body = resolve(document, operation.get("requestBody"))
    if isinstance(request_body, Mapping):
        out += ["### Request body", ""]
        out += [
            f"{'Required' if request_body.get('required') else 'Optional'}. "
            + cell(request_body.get("description")),
            "",
        ]
        for media_type, media in request_body.get("content", {}).items():
            schema = media.get("schema", {})
            name = ref_name(schema)
            shown = f"[{name}](#{schema_anchor(name)})" if name else type_label(document, schema)
            out += [f"Body (`{media_type}`): {shown}", "", fields_table(document, schema), ""]
            tabs = examples_tabs(document, media)
            if tabs:
                out += ["Examples:", "", tabs, ""]
    responses = operation.get("responses", {})
    out += ["### Responses", "", "| Status | Meaning | Body |", "|---|---|---|"]
    for status, raw in responses.items():
        response = resolve(document, raw)
        names = [ref_name(media.get("schema")) for media in response.get("content", {}).values()]
        bodies = ", ".join(f"[{n}](#{schema_anchor(n)})" for n in names if n)
        out.append(
            f"| **{status}** {REASONS.get(status, '')} | {cell(response.get('description'))} | "
            f"{bodies} |"
        )
    out.append("")
    for status, raw in responses.items():
        out += [response_section(document, status, raw), ""]
    return "\n".join(out)


# --- pages -----------------------------------------------------------------------------------


def render_reference(document: Node | None = None) -> str:
    """The whole API reference as Markdown."""
    document = load_spec() if document is None else document
    info = document.get("info", {})
    out = [
        (
            f"Version {code(info.get('version', ''))} of the API, OpenAPI "
            f"{document.get('openapi', '')}. {info.get('summary', '')}"
        ),
        "",
        "## Overview",
        "",
        info.get("description", "").strip(),
        "",
        "### Operations",
        "",
        render_operations(document),
    ]
    out += ["", "### Servers", ""]
    for server in document.get("servers", []):
        out += [f"- `{server['url']}`: {cell(server.get('description'))}"]
        for variable, spec in server.get("variables", {}).items():
            out += [
                (
                    f"    - `{{{variable}}}` (default `{spec.get('default', '')}`): "
                    f"{cell(spec.get('description'))}"
                )
            ]
    out += ["", "### Authentication {#authentication}", ""]
    for name, raw in document.get("components", {}).get("securitySchemes", {}).items():
        scheme = resolve(document, raw)
        where = f"{scheme.get('in', '')} `{scheme.get('name', '')}`".strip()
        out += [
            f"`{name}`: {scheme.get('type', '')} in the {where}.",
            "",
            scheme.get("description", "").strip(),
            "",
        ]
    out.append("")
    for path, method, item, operation in operations(document):
        out += [operation_section(document, path, method, item, operation), ""]
    out += ["## Schemas", ""]
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        out += [f"### {name} {{#{schema_anchor(name)}}}", ""]
        description = schema.get("description", "").strip()
        if description:
            out += [description, ""]
        if "properties" in schema:
            out += [fields_table(document, schema), ""]
        else:
            details = constraints(document, schema)
            out += [f"Type: {type_label(document, schema)}", ""]
            out += [f"- {detail}" for detail in details]
            examples = schema_examples(document, schema)
            if examples:
                out.append("- example " + ", ".join(code(e) for e in examples))
            out.append("")
    return "\n".join(out)


def render_operations(document: Node | None = None, page: str = "") -> str:
    """A table of the operations: ID (a link to its section of ``page``), call, answer."""
    document = load_spec() if document is None else document
    out = ["| Operation | Call | Summary | Success |", "|---|---|---|---|"]
    for path, method, _item, operation in operations(document):
        operation_id = operation.get("operationId", "")
        success = ", ".join(
            f"{status} {REASONS.get(status, '')}".strip()
            for status in operation.get("responses", {})
            if status.startswith("2")
        )
        out.append(
            f"| [`{operation_id}`]({page}#{operation_id.lower()}) | `{method.upper()} {path}` | "
            f"{cell(operation.get('summary'))} | {success} |"
        )
    return "\n".join(out)


def codes_used_by(document: Node) -> dict[tuple[str, str], list[str]]:
    """(status, error code) → the operations whose documented examples return it with that
    status (a code may come with two statuses, each its own row)."""
    used: dict[tuple[str, str], list[str]] = {}
    for _path, _method, _item, operation in operations(document):
        for status, raw in operation.get("responses", {}).items():
            response = resolve(document, raw)
            for media in response.get("content", {}).values():
                for example_raw in media.get("examples", {}).values():
                    value = resolve(document, example_raw).get("value")
                    if isinstance(value, Mapping) and "error_code" in value:
                        ops = used.setdefault((str(status), value["error_code"]), [])
                        if operation["operationId"] not in ops:
                            ops.append(operation["operationId"])
    return used


def render_error_codes(document: Node | None = None) -> str:
    """The error-code page's table, from the spec's ``x-error-codes``."""
    document = load_spec() if document is None else document
    used = codes_used_by(document)
    out = [
        "| Status | Error code | Message (`error_msg`) | Meaning | Returned by |",
        "|---|---|---|---|---|",
    ]
    for entry in sorted(document.get("x-error-codes", []), key=lambda e: (e["status"], e["code"])):
        status = str(entry["status"])
        returned_by = ", ".join(
            f"[`{op}`](api-reference.md#{op.lower()})"
            for op in used.get((status, entry["code"]), [])
        )
        # A code no operation documents is the gateway's answer to a request that matches no
        # operation (an unknown path, another method), or one they never answer (`unanswered`).
        meaning = entry["meaning"]
        if "unanswered" in entry:
            returned_by = "none"
            meaning += " Not answered: " + entry["unanswered"]
        out.append(
            f"| {status} {REASONS.get(status, '')} | `{entry['code']}` | {cell(entry['message'])} | "
            f"{cell(meaning)} | {returned_by or 'the gateway, for no operation'} |"
        )
    return "\n".join(out)


# --- MkDocs events ---------------------------------------------------------------------------


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if REFERENCE_MARKER in markdown:
        markdown = markdown.replace(REFERENCE_MARKER, render_reference())
    if OPERATIONS_MARKER in markdown:
        markdown = markdown.replace(OPERATIONS_MARKER, render_operations(page="api-reference.md"))
    if ERROR_CODES_MARKER in markdown:
        markdown = markdown.replace(ERROR_CODES_MARKER, render_error_codes())
    return markdown


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    files.append(File.generated(config, SPEC_SITE_PATH, content=spec_bytes()))
    return files
