"""``geminidb-backup create``: start a manual backup, and optionally wait for it."""

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
@click.option("--instance", "-i", "instance_id", required=True, help="ID of the instance.")
@click.option(
    "--name",
    "-n",
    required=True,
    help="Backup name, or a template of it: {now:FORMAT} is the time (UTC) in strftime's FORMAT, "
    "e.g. 'daily-{now:%Y%m%d}'. Checked against the spec's rules before sending.",
)
@click.option("--description", "-d", default="", help="Backup description (may be empty).")
@click.option("--wait", "wait_", is_flag=True, help="Wait until the backup job has ended.")
@wait_options
@global_options
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
    JSON output: the API's answer {"backup_id", "job_id"}, or the finished backup with --wait.
    """
    from ..validation import expand_name

    state = state_of(ctx)
    with handled(state):
        expand_name(name)  # a malformed template is refused before anything is sent
        with open_client(state) as client:
            name = client.expand_name(name)  # {now}: the server's time
            created = client.create_backup(instance_id, name, description)
            result = {"backup_id": created.backup_id, "job_id": created.job_id}
            recovered = " (found after an interrupted call)" if created.recovered else ""
            note(state, f"Backup {name!r} accepted: backup {created.backup_id}, "
                 f"job {created.job_id}{recovered}")  # fmt: skip
            if created.job_id is None:
                # Found by name after an interrupted call, but no job could be matched to it.
                note(state, f"The backup's job could not be identified; follow the backup with "
                     f"`geminidb-backup show {created.backup_id}`.")  # fmt: skip
            elif not wait_:
                note(state, f"It runs in the background: follow it with "
                     f"`geminidb-backup wait {created.job_id}`.")  # fmt: skip
            if wait_ and created.job_id is not None:
                with progress(
                    state, created.job_id, f"backup {name}", f"backup {name!r}"
                ) as report:
                    client.wait(
                        created.job_id, timeout=timeout, interval=interval, on_progress=report
                    )
                show_fields(state, to_dict(client.get_backup(created.backup_id)),
                            f"backup {name}")  # fmt: skip
                return
        show_fields(state, result, f"backup {name}")
