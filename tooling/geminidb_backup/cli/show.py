"""``geminidb-backup show``: one backup, by ID or by name."""

from __future__ import annotations

import click

from ._common import handled, open_client, show_fields, state_of, to_dict
from ._options import global_options
from ._resolve import resolve_backup


@click.command()
@click.argument("backup")
@click.option("--instance", "-i", "instance_id", help="Look a name up on this instance only.")
@global_options
@click.pass_context
def show(ctx: click.Context, backup: str, instance_id: str | None) -> None:
    """Show one backup, by ID or by name: its status, size and times.

    A name is looked up when no backup has that ID; when several instances have a backup of
    that name, --instance chooses (or give the ID).
    """
    state = state_of(ctx)
    with handled(state), open_client(state) as client:
        found = resolve_backup(state, client, backup, instance_id)
        show_fields(state, to_dict(found), f"backup {found.name}")
