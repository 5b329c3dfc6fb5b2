"""``geminidb-backup delete``: delete a manual backup."""

from __future__ import annotations

import sys

import click

from ._common import (
    EXIT_USAGE,
    fail,
    handled,
    open_client,
    progress,
    show_fields,
    state_of,
    to_dict,
    wait_options,
)


@click.command()
@click.argument("backup_id")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--wait", "wait_", is_flag=True, help="Wait until the deletion job has ended.")
@wait_options
@click.pass_context
def delete(
    ctx: click.Context, backup_id: str, yes: bool, wait_: bool, timeout: float, interval: float
) -> None:
    """Delete a manual backup (automated backups cannot be deleted).

    Asks for confirmation unless --yes is given; without a terminal, --yes is required.
    """
    state = state_of(ctx)
    if not yes:
        if not sys.stdin.isatty():
            fail(state, EXIT_USAGE, f"refusing to delete backup {backup_id} without --yes",
                 "Pass --yes to delete without a terminal to confirm on.")  # fmt: skip
        click.confirm(f"Delete backup {backup_id}?", abort=True)
    with handled(state), open_client(state) as client:
        job_id = client.delete_backup(backup_id)
        result = {"backup_id": backup_id, "job_id": job_id}
        if not state.json:
            click.echo(f"Deletion of backup {backup_id} accepted: job {job_id}", err=True)
        if wait_:
            with progress(state, job_id, f"delete {backup_id}") as report:
                job = client.wait(job_id, timeout=timeout, interval=interval, on_progress=report)
            result["job"] = to_dict(job)  # type: ignore[assignment]
        show_fields(state, result, f"deletion of {backup_id}")
