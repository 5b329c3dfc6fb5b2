"""The global options (``--endpoint``, ``-o``, ``-v``, ...), accepted before the command as
``geminidb-backup -o json list`` and after it as ``geminidb-backup list -o json``, as the AWS CLI
and gcloud take them anywhere. Imports only click.

click has no options shared by a group and its commands; each command therefore declares them
again, unexposed, with a callback that writes what was given onto the group's
:class:`~geminidb_backup.cli._state.State` (the group's callback has run by the time a command's
arguments are parsed). A value given after the command wins over one given before it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from ._state import State

F = TypeVar("F", bound=Callable[..., Any])

OUTPUTS = ("table", "json", "yaml", "value")

# (attribute of State, option declarations, keyword arguments of click.option)
GLOBAL_OPTIONS: list[tuple[str, tuple[str, ...], dict[str, Any]]] = [
    ("endpoint", ("--endpoint",), {"metavar": "URL", "help": "API endpoint [env GEMINIDB_ENDPOINT]."}),
    ("region", ("--region",), {"metavar": "REGION", "help": "Derive the endpoint from a region, e.g. eu-de."}),
    ("project_id", ("--project-id",), {"metavar": "ID", "help": "Project ID [env GEMINIDB_PROJECT_ID]."}),
    ("token", ("--token",), {"metavar": "TOKEN", "help": "IAM token [env GEMINIDB_TOKEN]."}),
    ("cloud", ("--cloud",), {"metavar": "NAME", "help": "Cloud of clouds.yaml to use [env OS_CLOUD]."}),
    ("insecure", ("--insecure",), {"is_flag": True, "default": None,
                                   "help": "Do not verify the server's TLS certificate (unsafe)."}),
    ("output", ("--output", "-o", "--format", "-f"), {
        "type": click.Choice(OUTPUTS),
        "help": "table for people (the default on a terminal; into a pipe, tab-separated "
        "rows), json or yaml for scripts, value for one field per line (with -c) to put in a "
        "shell variable.",
    }),
    ("columns", ("--column", "-c"), {
        "multiple": True, "metavar": "FIELD",
        "help": "Show only this field (repeatable), e.g. -o value -c id.",
    }),
    ("verbose", ("--verbose", "-v"), {"is_flag": True, "default": None,
                                      "help": "Log each HTTP request and retry (never credentials)."}),
]  # fmt: skip


def _store(attribute: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def store(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value is None or value == ():
            return  # not given here: the value given before the command (or the default) stays
        state = ctx.ensure_object(State)
        if attribute == "columns":
            state.columns = [*state.columns, *value]
        else:
            setattr(state, attribute, value)

    return store


def global_options(command: F) -> F:
    """Declare the global options on ``command`` (a command of the group, not the group)."""
    for attribute, declarations, options in reversed(GLOBAL_OPTIONS):
        command = click.option(
            *declarations, **options, expose_value=False, callback=_store(attribute),
        )(command)  # fmt: skip
    return command


def group_options(group: F) -> F:
    """Declare the global options on the group itself; every value is stored by ``_store``."""
    return global_options(group)
