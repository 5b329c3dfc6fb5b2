"""The packaged OpenAPI document, read once, and JSON Schema validators built from it.

Everything that needs a constraint of the API (a pattern, a limit, an enum, an error code) reads
it from here, so that it is written in one place: this package's ``openapi.yaml`` (the
repository's ``openapi/geminidb-backup.yaml`` is a link to it).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema.protocols import Validator
    from referencing import Registry

# jsonschema and referencing are imported by the functions that build validators: reading the
# spec (the CLI's tab completion, the library's fast checks) must not pay for them.

SPEC_RESOURCE = "openapi.yaml"
# The document is registered under this URI so that "#/components/..." references resolve in it.
SPEC_URI = "urn:geminidb-backup:openapi"


class SpecError(RuntimeError):
    """The packaged spec is missing, unreadable, or does not match the generated client."""


@cache
def spec_bytes() -> bytes:
    """The raw bytes of the packaged spec."""
    beside = Path(__file__).with_name(SPEC_RESOURCE)
    if beside.is_file():
        # The usual install, a directory: read it directly. importlib.resources (needed for a
        # zipped install) costs a tab completion more than everything else it imports.
        return beside.read_bytes()
    from importlib.resources import files

    try:
        return files(__package__).joinpath(SPEC_RESOURCE).read_bytes()
    except OSError as exc:
        raise SpecError(
            f"the packaged OpenAPI spec {SPEC_RESOURCE!r} cannot be read: {exc}"
        ) from exc


@cache
def load_spec() -> Mapping[str, Any]:
    """The packaged spec as a mapping. Parsed once per process; treat it as read-only.

    Importing PyYAML and parsing the document cost a command more than its own work, so the
    parsed document is kept as JSON in the user's cache directory, under the spec's SHA-256 (as
    Python keeps bytecode in ``__pycache__``): a changed spec is parsed anew, and a cache that
    cannot be read or written is simply not used.
    """
    cached = _cache_path()
    if cached is not None:
        try:
            document = json.loads(cached.read_bytes())
            if isinstance(document, dict) and "openapi" in document:
                return document
        except (OSError, ValueError):
            pass
    document = _parse_yaml()
    if cached is not None:
        _write_cache(cached, document)
    return document


def _parse_yaml() -> dict[str, Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's is several times faster
    try:
        document = yaml.load(spec_bytes(), Loader=loader)
    except yaml.YAMLError as exc:
        raise SpecError(f"the packaged OpenAPI spec is not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or "openapi" not in document:
        raise SpecError("the packaged OpenAPI spec is not an OpenAPI document")
    return document


def cache_dir() -> Path | None:
    """This package's folder in the user's cache directory (``$XDG_CACHE_HOME``, else
    ``~/.cache``), for what is costly to compute and safe to lose; ``None`` when there is none."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(root):
        return None
    return Path(root) / "geminidb-backup"


def _cache_path() -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / f"openapi-{spec_sha256()[:32]}.json"


def _write_cache(path: Path, document: dict[str, Any]) -> None:
    try:
        text = json.dumps(document)
        if json.loads(text) != document:  # a YAML date or an integer key: not kept as JSON
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(text)
        os.replace(partial, path)  # readers never see half a file
    except (OSError, TypeError, ValueError):
        pass


def at_pointer(pointer: str, document: Mapping[str, Any] | None = None) -> Any:
    """The node at JSON pointer ``pointer`` (``/components/schemas/Backup``) of ``document``,
    by default the packaged spec."""
    node: Any = load_spec() if document is None else document
    for part in pointer.strip("/").split("/"):
        key = part.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def follow_refs(node: Any, document: Mapping[str, Any] | None = None) -> tuple[Any, str | None]:
    """``node`` with its local ``$ref``s followed until it is none, and the JSON pointer of the
    last one followed (None when ``node`` was no reference). ``document``: the packaged spec by
    default."""
    pointer = None
    while isinstance(node, Mapping) and "$ref" in node:
        pointer = str(node["$ref"]).removeprefix("#")
        node = at_pointer(pointer, document)
    return node, pointer


@cache
def spec_sha256() -> str:
    """The SHA-256 of the packaged spec, as recorded by the generator in the client."""
    return hashlib.sha256(spec_bytes()).hexdigest()


def check_client_matches_spec() -> None:
    """Raise :class:`SpecError` when the generated client was made from another spec."""
    from geminidb_backup_client.spec_hash import SPEC_SHA256

    if SPEC_SHA256 != spec_sha256():
        raise SpecError(
            "the generated client was not generated from the packaged spec "
            f"(client {SPEC_SHA256[:12]}, spec {spec_sha256()[:12]}): run scripts/regenerate-client"
        )


@cache
def _registry() -> Registry[Any]:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resource: Resource[Any] = Resource.from_contents(load_spec(), default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
    return registry


def validator_at(pointer: str) -> Validator:
    """A JSON Schema 2020-12 validator for the schema at JSON pointer ``pointer`` of the spec.

    ``pointer`` is like ``/components/schemas/Backup``; references inside the schema resolve
    within the spec, as they do for any OpenAPI tool.
    """
    from jsonschema import Draft202012Validator

    return Draft202012Validator(
        {"$ref": f"{SPEC_URI}#{pointer}"},
        registry=_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def component_validator(name: str) -> Validator:
    """A validator for ``#/components/schemas/<name>``."""
    if name not in load_spec().get("components", {}).get("schemas", {}):
        raise KeyError(f"the spec has no schema named {name!r}")
    return validator_at(f"/components/schemas/{name}")
