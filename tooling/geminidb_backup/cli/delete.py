"""``geminidb-backup delete``: delete a manual backup."""

from __future__ import annotations

import click

from ._common import (
    EXIT_API,
    confirm,
    fail,
    handled,
    human_size,
    need_terminal,
    note,
    open_client,
    progress,
    show_fields,
    state_of,
    to_dict,
    wait_options,
)
from ._options import global_options
from ._resolve import resolve_backup


@click.command()
@click.argument("backup")
@click.option("--instance", "-i", "instance_id", help="Look a name up on this instance only.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--wait", "wait_", is_flag=True, help="Wait until the deletion job has ended.")
@wait_options
@global_options
@click.pass_context
def delete(
    ctx: click.Context,
    backup: str,
    instance_id: str | None,
    yes: bool,
    wait_: bool,
    timeout: float,
    interval: float,
) -> None:
    """Delete a manual backup, by ID or by name (automated backups cannot be deleted).

    A name is looked up when no backup has that ID; when several instances have a backup of
    that name, --instance chooses (or give the ID). Unless --yes is given, first checks that the
    backup exists and is manual, then asks, naming it; without a terminal to ask on, --yes is
    required (exit 2). Answering no exits 0 having sent nothing; Ctrl-C at the question exits
    130.
    """
    state = state_of(ctx)
    if not yes:
        need_terminal(state, f"refusing to delete backup {backup}")
    with handled(state), open_client(state) as client:
        from ..validation import validate_call

        validate_call("deleteBackup", {"backup_id": backup})  # '' is no ID and no name
        # Credentials, existence and type are checked before the question, not after it.
        found = resolve_backup(state, client, backup, instance_id)
        backup_id = found.id
        if found.type_ != "Manual":
            fail(state, EXIT_API, f"backup {found.name!r} ({backup_id}) is automated: "
                 "automated backups cannot be deleted",
                 "Automated backups go when their retention period ends.")  # fmt: skip
        if not yes:
            question = (
                f"Delete backup {found.name!r} ({backup_id}) of instance "
                f"{found.instance_name}, made {found.begin_time}, {human_size(found.size)}?"
            )
            if not confirm(state, question):
                click.echo("Not deleted: nothing was sent.", err=True)
                return
        job_id = client.delete_backup(backup_id)
        result = {"job_id": job_id}
        note(state, f"Deletion of backup {found.name} ({backup_id}) accepted: job {job_id}")
        if wait_:
            with progress(
                state, job_id, f"delete {found.name}", f"the deletion of {backup_id}"
            ) as report:
                job = client.wait(job_id, timeout=timeout, interval=interval, on_progress=report)
            show_fields(state, {"backup_id": backup_id, "job_id": job_id, "job": to_dict(job)},
                        f"deletion of {backup_id}")  # fmt: skip
            return
        show_fields(state, {"backup_id": backup_id, **result}, f"deletion of {backup_id}")
