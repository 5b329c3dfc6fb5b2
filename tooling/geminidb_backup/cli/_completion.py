"""Tab completion of the options whose values the spec enumerates (``--backup-type``,
``--status``, ...), read from the spec when a completion is asked for, never copied here.

Only click and the YAML spec are loaded: a Tab must answer within a tenth of a second.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import click
from click.shell_completion import CompletionItem


def enum_values(operation_id: str, parameter: str) -> list[str]:
    """The ``enum`` of a parameter of an operation of the spec (empty when it has none)."""
    from ..spec import follow_refs, load_spec

    spec = load_spec()
    for item in spec["paths"].values():
        for operation in item.values():
            if not isinstance(operation, Mapping) or operation.get("operationId") != operation_id:
                continue
            for listed in [*item.get("parameters", []), *operation.get("parameters", [])]:
                found, _ = follow_refs(listed, spec)
                if found.get("name") == parameter:
                    schema, _ = follow_refs(found.get("schema", {}), spec)
                    return [str(value) for value in schema.get("enum", [])]
    return []


def spec_enum(
    operation_id: str, parameter: str
) -> Callable[[click.Context, click.Parameter, str], list[CompletionItem]]:
    """A ``shell_complete`` callback offering the spec's values of ``parameter``."""

    def complete(
        ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        values = enum_values(operation_id, parameter)
        return [CompletionItem(value) for value in values if value.startswith(incomplete)]

    return complete
