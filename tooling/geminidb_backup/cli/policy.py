"""``geminidb-backup policy``: show or set an instance's automated backup policy."""

from __future__ import annotations

import click

from ._common import confirm, handled, need_terminal, note, open_client, show_fields, state_of
from ._options import global_options


@click.group()
def policy() -> None:
    """Show or set the automated backup policy of an instance (times in UTC)."""


def _shown(instance_id: str, chosen: object) -> dict[str, object]:
    from ..policy import BackupPolicy

    assert isinstance(chosen, BackupPolicy)
    return {
        "instance_id": instance_id,
        "enabled": chosen.enabled,
        "keep_days": chosen.keep_days,
        "window_utc": chosen.window or "",
        "days": chosen.describe().rsplit(" UTC, ", 1)[-1] if chosen.enabled else "",
        "backup_policy": chosen.to_api(),
    }


@policy.command("show")
@click.option("--instance", "-i", "instance_id", required=True, help="The instance's ID.")
@global_options
@click.pass_context
def show(ctx: click.Context, instance_id: str) -> None:
    """Show the instance's policy: off, or how many days automated backups are kept, in which
    window (UTC) and on which days they are made."""
    state = state_of(ctx)
    with handled(state), open_client(state) as client:
        found = client.get_backup_policy(instance_id)
        show_fields(state, _shown(instance_id, found), f"backup policy of {instance_id}")


@policy.command("set")
@click.option("--instance", "-i", "instance_id", required=True, help="The instance's ID.")
@click.option(
    "--keep-days", type=int, required=True, help="Days to keep automated backups, 1-35; 0: off."
)
@click.option("--window", help="The daily window, UTC: 01:00-02:00 (minutes 00, 15, 30 or 45).")
@click.option(
    "--days",
    help="Weekdays: mon,tue,... or 1-7 (1 = Monday), ranges allowed (mon-fri); default: every day.",
)
@click.option("--yes", "-y", is_flag=True, help="Do not ask before turning the policy off.")
@global_options
@click.pass_context
def set_(
    ctx: click.Context,
    instance_id: str,
    keep_days: int,
    window: str | None,
    days: str | None,
    yes: bool,
) -> None:
    """Set the instance's policy. --keep-days 0 turns it off, which also stops an automated
    backup being made: that asks for confirmation (or --yes)."""
    state = state_of(ctx)
    if keep_days != 0 and window is None:
        raise click.UsageError("--window is required unless --keep-days is 0")
    if keep_days == 0 and not yes:
        need_terminal(state, f"refusing to turn off the backup policy of {instance_id}")
    with handled(state), open_client(state) as client:
        if keep_days == 0 and not yes:
            question = (
                f"Turn off automated backups of instance {instance_id}? An automated backup "
                "being made is stopped."
            )
            if not confirm(state, question):
                click.echo("Not changed: nothing was sent.", err=True)
                return
        chosen = client.set_backup_policy(
            instance_id, keep_days=keep_days, window=window, weekdays=days
        )
        note(state, f"Backup policy of {instance_id}: {chosen.describe()}")
        show_fields(state, _shown(instance_id, chosen), f"backup policy of {instance_id}")
