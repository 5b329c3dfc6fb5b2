"""``geminidb-backup show``: one backup."""

from __future__ import annotations

import click

from ._common import handled, open_client, show_fields, state_of, to_dict


@click.command()
@click.argument("backup_id")
@click.pass_context
def show(ctx: click.Context, backup_id: str) -> None:
    """Show one backup: its status, size and times."""
    state = state_of(ctx)
    with handled(state), open_client(state) as client:
        show_fields(state, to_dict(client.get_backup(backup_id)), f"backup {backup_id}")
