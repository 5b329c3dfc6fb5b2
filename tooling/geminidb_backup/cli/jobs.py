"""``geminidb-backup jobs``: jobs (tasks), filtered."""

from __future__ import annotations

from itertools import islice

import click

from ._common import emit, handled, open_client, state_of, to_dict

COLUMNS = [
    ("id", "ID"), ("name", "Name"), ("status", "Status"), ("progress", "Progress"),
    ("instance_name", "Instance"), ("start_time", "Started"), ("end_time", "Ended"),
    ("fail_reason", "Fail reason"),
]  # fmt: skip


@click.command()
@click.option("--id", "job_id", help="Only the job with this ID.")
@click.option("--status", metavar="Running|Completed|Failed", help="Only jobs with this status.")
@click.option("--name", metavar="NAME", help="Only jobs with this name, e.g. BackupInstance.")
@click.option("--start-time", metavar="TIME", help="Started at or after this time.")
@click.option("--end-time", metavar="TIME", help="Started at or before this time.")
@click.option("--limit", type=int, default=50, show_default=True, help="Show at most this many.")
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
    """List jobs (tasks) of the project, newest first: backups, deletions."""
    state = state_of(ctx)
    with handled(state), open_client(state) as client:
        found = client.iter_jobs(
            id=job_id, status=status, name=name, start_time=start_time, end_time=end_time
        )
        rows = [to_dict(job) for job in islice(found, limit)]
        for row in rows:
            row["instance_name"] = row["instance"]["name"]
        emit(state, {"jobs": rows, "count": len(rows)}, COLUMNS, rows, "jobs")
