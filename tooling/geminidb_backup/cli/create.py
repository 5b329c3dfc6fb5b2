"""``geminidb-backup create``: start a manual backup, and optionally wait for it."""

from __future__ import annotations

from typing import Any

import click

from ._common import handled, open_client, progress, show_fields, state_of, to_dict, wait_options


@click.command()
@click.option("--instance", "-i", "instance_id", required=True, help="ID of the instance.")
@click.option(
    "--name",
    "-n",
    required=True,
    help="Backup name, checked against the spec's rules before sending.",
)
@click.option("--description", "-d", default="", help="Backup description (may be empty).")
@click.option("--wait", "wait_", is_flag=True, help="Wait until the backup job has ended.")
@wait_options
@click.pass_context
def create(
    ctx: click.Context,
    instance_id: str,
    name: str,
    description: str,
    wait_: bool,
    timeout: float,
    interval: float,
) -> None:
    """Create a manual backup of an instance.

    The backup is BUILDING until its job ends; --wait follows the job with a progress bar and
    exits 0 once the backup is complete, 4 if the job failed or did not end in --timeout.
    """
    state = state_of(ctx)
    with handled(state):
        with open_client(state) as client:
            created = client.create_backup(instance_id, name, description)
            result: dict[str, Any] = {
                "backup_id": created.backup_id,
                "job_id": created.job_id,
                "name": name,
                "instance_id": instance_id,
            }
            if created.recovered:
                result["recovered"] = True
            if not state.json:
                click.echo(
                    f"Backup {name!r} accepted: backup {created.backup_id}, job {created.job_id}"
                    + (" (found after an interrupted call)" if created.recovered else ""),
                    err=True,
                )
            if wait_ and not created.job_id:
                # Found by name after an interrupted call, but no job could be matched to it.
                click.echo(
                    f"The backup's job could not be identified; follow the backup with "
                    f"`geminidb-backup show {created.backup_id}`.",
                    err=True,
                )
            if wait_ and created.job_id:
                with progress(state, created.job_id, f"backup {name}") as report:
                    job = client.wait(
                        created.job_id, timeout=timeout, interval=interval, on_progress=report
                    )
                result["job"] = to_dict(job)
                result["backup"] = to_dict(client.get_backup(created.backup_id))
        show_fields(state, result.get("backup") or result, f"backup {name}")
