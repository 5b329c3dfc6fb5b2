"""``geminidb-backup show``: one backup, by ID or by name."""

from __future__ import annotations

import click

from ..errors import NotFound
from ._common import EXIT_USAGE, fail, handled, open_client, show_fields, state_of, to_dict
from ._options import global_options


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
        try:
            found = client.get_backup(backup)
        except NotFound:
            named = [b for b in client.iter_backups(instance_id=instance_id) if b.name == backup]
            if not named:
                raise NotFound(f"no backup has the ID or the name {backup!r}") from None
            if len(named) > 1:
                fail(state, EXIT_USAGE, f"{len(named)} backups are named {backup!r}",
                     "Give the ID, or the instance with --instance: " + ", ".join(
                         f"{b.id} (instance {b.instance_id})" for b in named))  # fmt: skip
            found = named[0]
        show_fields(state, to_dict(found), f"backup {found.name}")
