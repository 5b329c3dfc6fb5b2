"""``geminidb-backup delete``: delete manual backups, one or many (in batches), by ID or name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
from ._resolve import resolve_backups
from ._state import State


@click.command()
@click.argument("backups", nargs=-1, required=True)
@click.option("--instance", "-i", "instance_id", help="Look names up on this instance only.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--wait", "wait_", is_flag=True, help="Wait until the deletion job has ended.")
@wait_options
@global_options
@click.pass_context
def delete(
    ctx: click.Context,
    backups: tuple[str, ...],
    instance_id: str | None,
    yes: bool,
    wait_: bool,
    timeout: float,
    interval: float,
) -> None:
    """Delete manual backups, by ID or by name (automated backups cannot be deleted).

    One backup is deleted with its own job (--wait follows it). Several are deleted in batches
    of 10 (the API's batch deletion, checked whole); a batch the API refuses is asked again one
    backup at a time, so that every refusal is reported with its ID (exit 3 if any).

    Unless --yes is given, first checks that each backup exists and is manual, then asks once,
    listing them all; without a terminal to ask on, --yes is required (exit 2). Answering no
    exits 0 having sent nothing; Ctrl-C at the question exits 130.
    """
    state = state_of(ctx)
    if not yes:
        need_terminal(state, f"refusing to delete {_count(backups)}")
    with handled(state), open_client(state) as client:
        from ..validation import validate_call

        for backup in backups:
            validate_call("deleteBackup", {"backup_id": backup})  # '' is no ID and no name
        found = resolve_backups(state, client, backups, instance_id)
        if not yes:
            # Credentials, existence and type are checked before the question, not after it.
            automated = [b for b in found if b.type_ != "Manual"]
            if automated:
                fail(state, EXIT_API, "automated backups cannot be deleted: " + ", ".join(
                     f"{b.name!r} ({b.id})" for b in automated),
                     "Automated backups go when their retention period ends.")  # fmt: skip
            listed = "\n".join(
                f"  {b.name!r} ({b.id}) of instance {b.instance_name}, made {b.begin_time}, "
                f"{human_size(b.size)}"
                for b in found
            )
            if not confirm(state, f"Delete {_count(found)}?\n{listed}\n"):
                click.echo("Not deleted: nothing was sent.", err=True)
                return
        ids = list(dict.fromkeys(b.id for b in found))
        if len(ids) > 1:
            _delete_many(state, client, ids)
            return
        backup_id = ids[0]
        job_id = client.delete_backup(backup_id)
        result = {"job_id": job_id}
        note(state, f"Deletion of backup {backup_id} accepted: job {job_id}")
        if wait_:
            with progress(
                state, job_id, f"delete {backup_id}", f"the deletion of {backup_id}"
            ) as report:
                job = client.wait(job_id, timeout=timeout, interval=interval, on_progress=report)
            show_fields(state, {"backup_id": backup_id, "job_id": job_id, "job": to_dict(job)},
                        f"deletion of {backup_id}")  # fmt: skip
            return
        show_fields(state, {"backup_id": backup_id, **result}, f"deletion of {backup_id}")


def _count(items: Sequence[object]) -> str:
    return f"{len(items)} backup{'s' if len(items) != 1 else ''}"


def _delete_many(state: State, client: Any, ids: list[str]) -> None:
    result = client.delete_backups(ids)
    note(state, f"Deletion of {_count(result.deleted)} accepted")
    refused = {
        key: f"{error.error_code}: {error.error_msg}" for key, error in result.refused.items()
    }
    show_fields(
        state, {"deleted": result.deleted, "refused": refused}, f"deletion of {_count(ids)}"
    )
    if result.refused:
        fail(state, EXIT_API, f"{_count(list(result.refused))} not deleted: " + "; ".join(
             f"{key} ({text})" for key, text in refused.items()))  # fmt: skip
