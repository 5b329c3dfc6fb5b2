"""``geminidb-backup jobs``: jobs (tasks), filtered."""

from __future__ import annotations

from itertools import islice
from typing import Any, cast

import click

from ._common import Column, emit_list, handled, open_client, state_of, to_dict
from ._completion import spec_enum
from ._options import global_options


def _instance_name(instance: Any) -> str:
    return str(instance.get("name", "")) if isinstance(instance, dict) else ""


# Kept at any width: the ID, the job's name, its status and progress.
COLUMNS = [
    Column("id", "ID", keep=True), Column("name", "Name", keep=True),
    Column("status", "Status", keep=True), Column("progress", "Progress", keep=True),
    Column("fail_reason", "Fail reason", fold=True),
    Column("instance", "Instance", render=_instance_name),
    Column("start_time", "Started"), Column("end_time", "Ended"),
]  # fmt: skip


@click.command()
@click.option("--id", "job_id", help="Only the job with this ID (exit 3 when there is none).")
@click.option("--status", metavar="Running|Completed|Failed", help="Only jobs with this status.",
              shell_complete=spec_enum("listJobs", "status"))  # fmt: skip
@click.option("--name", metavar="NAME", help="Only jobs with this name, e.g. BackupInstance.")
@click.option("--start-time", metavar="TIME", help="Started at or after this time.")
@click.option("--end-time", metavar="TIME", help="Started at or before this time.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True,
              help="Show at most this many.")  # fmt: skip
@global_options
@click.pass_context
def jobs(
    ctx: click.Context,
    job_id: str | None,
    status: str | None,
    name: str | None,
    start_time: str | None,
    end_time: str | None,
    limit: int,
) -> None:
    """List jobs (tasks) of the project, newest first: backups, deletions.

    JSON output is the API's own shape: {"jobs": [...], "total_count": N}.
    """
    state = state_of(ctx)
    with handled(state), open_client(state) as client:
        if job_id is not None and not (status or name or start_time or end_time):
            # One job asked for by ID: like `show`, an unknown ID is an error (exit 3).
            rows = [to_dict(client.get_job(job_id))]
            total = 1
        else:
            found = client.iter_jobs(
                id=job_id,
                status=cast(Any, status),  # checked against the spec by the call
                name=name,
                start_time=start_time,
                end_time=end_time,
            )
            rows = [to_dict(job) for job in islice(found, limit)]
            total = found.total_count if found.total_count is not None else len(rows)
        emit_list(state, {"jobs": rows, "total_count": total}, "jobs", COLUMNS, "jobs")
