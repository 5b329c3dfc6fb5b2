"""``geminidb-backup stop``: stop a backup while it is being made."""

from __future__ import annotations

import click

from ._common import (
    handled,
    note,
    open_client,
    progress,
    show_fields,
    state_of,
    to_dict,
    wait_options,
)
from ._options import global_options


@click.command()
@click.argument("backup_id")
@click.option("--wait", "wait_", is_flag=True, help="Wait until the stop job has ended.")
@wait_options
@global_options
@click.pass_context
def stop(ctx: click.Context, backup_id: str, wait_: bool, timeout: float, interval: float) -> None:
    """Stop a backup (manual or automated) while it is being made. Its stop job is StopBackup;
    once it has ended the backup is FAILED. A backup no longer being made is refused (exit 3)."""
    state = state_of(ctx)
    with handled(state), open_client(state) as client:
        job_id = client.stop_backup(backup_id)
        note(state, f"Stop of backup {backup_id} accepted: job {job_id}")
        if wait_:
            with progress(state, job_id, f"stop {backup_id}", f"the stop of {backup_id}") as report:
                job = client.wait(job_id, timeout=timeout, interval=interval, on_progress=report)
            backup = client.get_backup(backup_id)
            show_fields(
                state,
                {"backup_id": backup_id, "job_id": job_id, "job": to_dict(job),
                 "backup_status": backup.status},
                f"stop of {backup_id}",
            )  # fmt: skip
            return
        show_fields(state, {"backup_id": backup_id, "job_id": job_id}, f"stop of {backup_id}")
