"""``geminidb-backup wait``: follow a job until it ends."""

from __future__ import annotations

import click

from ._common import (
    handled,
    open_client,
    progress,
    show_fields,
    state_of,
    to_dict,
    wait_options,
)
from ._options import global_options


@click.command()
@click.argument("job_id")
@wait_options
@global_options
@click.pass_context
def wait(ctx: click.Context, job_id: str, timeout: float, interval: float) -> None:
    """Wait for a job (a backup or a deletion) to end, showing its progress.

    Exits 0 when the job completed, 4 when it failed or did not end within --timeout, 130 on
    Ctrl-C (the job goes on).
    """
    state = state_of(ctx)
    with handled(state), open_client(state) as client:
        with progress(state, job_id, f"job {job_id}", f"job {job_id}") as report:
            job = client.wait(job_id, timeout=timeout, interval=interval, on_progress=report)
        show_fields(state, to_dict(job), f"job {job_id}")
