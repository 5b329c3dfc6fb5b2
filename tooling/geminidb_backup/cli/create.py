"""``geminidb-backup create``: start a manual backup, and optionally wait for it."""

from __future__ import annotations

from typing import Any

import click

from ._common import (
    handled,
    note,
    open_async_client,
    open_client,
    progress,
    show_fields,
    state_of,
    to_dict,
    wait_options,
)
from ._fleet import check_selection, fleet_options, is_fleet
from ._options import global_options


@click.command()
@click.option(
    "--instance",
    "-i",
    "instance_ids",
    multiple=True,
    help="ID of the instance; repeat it for several (a fleet run).",
)
@click.option(
    "--name",
    "-n",
    required=True,
    help="Backup name, or a template of it: {now:FORMAT} is the time (UTC) in strftime's FORMAT, "
    "e.g. 'daily-{now:%Y%m%d}'. Checked against the spec's rules before sending. A fleet run "
    "expands it once, at its start, and keeps it when resumed.",
)
@click.option("--description", "-d", default="", help="Backup description (may be empty).")
@click.option("--wait", "wait_", is_flag=True, help="Wait until the backup job has ended.")
@click.option(
    "--dry-run", is_flag=True, help="Fleet runs: show what would be created, send nothing."
)
@fleet_options
@wait_options
@global_options
@click.pass_context
def create(
    ctx: click.Context,
    instance_ids: tuple[str, ...],
    name: str,
    description: str,
    wait_: bool,
    dry_run: bool,
    all_instances: bool,
    instances_from: str | None,
    name_filter: str | None,
    concurrency: int,
    junit_path: str | None,
    fresh: bool,
    timeout: float,
    interval: float,
) -> None:
    """Create a manual backup of an instance, or of many (a fleet run).

    The backup is BUILDING until its job ends; --wait follows the job with a progress bar and
    exits 0 once the backup is complete, 4 if the job failed or did not end in --timeout.
    JSON output: the API's answer {"backup_id", "job_id"}, or the finished backup with --wait.

    Fleet runs (--all-instances, --instance repeated, --instances-from FILE) back up each
    instance, --concurrency at a time, under the API's throttling, within --timeout seconds in
    all; cut short (Ctrl-C, a crash), the same command run again finishes the rest without a
    second backup of any instance. They exit 0 when every instance succeeded, 1 when any failed;
    With --wait an instance succeeds once its job has completed (the jobs are followed
    together, a page of listJobs at a time). JSON output: {"counts", "instances":
    [{"instance_id", "status", "code", "message", "details"}...]}; --junit FILE writes one
    testcase per instance.
    """
    state = state_of(ctx)
    if is_fleet(instance_ids, all_instances, instances_from) or dry_run:
        _create_fleet(state, instance_ids, name, description, wait_, dry_run, all_instances,
                      instances_from, name_filter, concurrency, junit_path, fresh, timeout,
                      interval)  # fmt: skip
        return
    check_selection(state, instance_ids, all_instances, instances_from, name_filter)
    _create_one(state, instance_ids[0], name, description, wait_, timeout, interval)


def _create_one(
    state: Any,
    instance_id: str,
    name: str,
    description: str,
    wait_: bool,
    timeout: float,
    interval: float,
) -> None:
    from ..validation import expand_name

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


def _create_fleet(
    state: Any,
    instance_ids: tuple[str, ...],
    template: str,
    description: str,
    wait_: bool,
    dry_run: bool,
    all_instances: bool,
    instances_from: str | None,
    name_filter: str | None,
    concurrency: int,
    junit_path: str | None,
    fresh: bool,
    timeout: float,
    interval: float,
) -> None:
    from ..fleet import check_backup
    from ..validation import expand_name
    from . import _fleet

    _fleet.check_selection(state, instance_ids, all_instances, instances_from, name_filter)
    ids = _fleet.read_ids(state, instances_from) if instances_from else list(instance_ids)
    with handled(state):
        # A bad template or name fails here, before anything is sent or kept.
        expanded = expand_name(template)
        check_backup(expanded, description)
        parameters = {
            "operation": "create",
            **_fleet.selection_key(state, ids, all_instances, name_filter),
            "name": template,
            "description": description,
        }
        journal = None
        if not dry_run:
            journal = _fleet.open_journal(state, parameters, lambda: {"name": expanded}, fresh)
            expanded = journal.header["name"]
        name = expanded

        async def body(client: Any, fleet: Any) -> Any:
            targets = await _fleet.targets_of(client, ids, all_instances, name_filter)
            return await fleet().create_backups(targets, name, description, wait=wait_,
                                                dry_run=dry_run)  # fmt: skip

        _fleet.run(state, "create", lambda: open_async_client(state), body,
                   journal=journal, concurrency=concurrency, timeout=timeout,
                   junit_path=junit_path)  # fmt: skip
