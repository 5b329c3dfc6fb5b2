"""``geminidb-backup prune``: delete the old manual backups of an instance."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import click

from ._common import (
    Column,
    confirm,
    count,
    emit_document,
    emit_list,
    handled,
    human_size,
    need_terminal,
    note,
    open_async_client,
    open_client,
    print_table,
    state_of,
    to_dict,
    wait_options,
)
from ._fleet import check_selection, fleet_options, is_fleet
from ._options import global_options

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class Age(click.ParamType[timedelta, Any]):
    """A duration such as ``30d``, ``12h``, ``2w`` (s, m, h, d, w)."""

    name = "AGE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, timedelta):
            return value
        match = re.fullmatch(r"\s*(\d+)\s*([smhdw])\s*", str(value))
        if not match or int(match[1]) == 0:
            self.fail(f"{value!r} is not an age such as 30d, 12h or 2w (s, m, h, d, w)", param, ctx)
        return timedelta(**{_UNITS[match[2]]: int(match[1])})


COLUMNS = [
    Column("id", "ID", keep=True), Column("name", "Name", keep=True, fold=True),
    Column("begin_time", "Began", keep=True), Column("size", "Size", render=human_size),
    Column("job_id", "Deletion job"),
]  # fmt: skip


@click.command()
@click.option(
    "--instance",
    "-i",
    "instance_ids",
    multiple=True,
    help="ID of the instance; repeat it for several (a fleet run).",
)
@click.option("--keep", type=click.IntRange(min=0), help="Keep this many newest backups.")
@click.option("--older-than", type=Age(), help="Delete only backups older than this, e.g. 30d.")
@click.option("--prefix", help="Only backups whose name starts with this, e.g. daily-.")
@click.option("--dry-run", is_flag=True, help="Only show what would be deleted.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@fleet_options
@wait_options
@global_options
@click.pass_context
def prune(
    ctx: click.Context,
    instance_ids: tuple[str, ...],
    keep: int | None,
    older_than: timedelta | None,
    prefix: str | None,
    dry_run: bool,
    yes: bool,
    all_instances: bool,
    instances_from: str | None,
    name_filter: str | None,
    concurrency: int,
    junit_path: str | None,
    fresh: bool,
    timeout: float,
    interval: float,
) -> None:
    """Delete the old manual backups of an instance, to stay under the quota.

    Only COMPLETED manual backups (whose name starts with --prefix) are considered; automated,
    still-BUILDING and failed backups are never touched nor counted. Of them, the --keep newest
    stay, and of the rest those older than --older-than go (both must hold when both are given).
    Deletions run one after the other, each waited for, with the same safe retries as delete;
    a backup made while the prune runs is never deleted. Asks for confirmation unless --yes.

    JSON output: {"dry_run": bool, "deleted": [{"backup": Backup, "job_id": ID}], "kept":
    [Backup]}; in a dry run "deleted" is what would be deleted.

    Fleet runs (--all-instances, --instance repeated, --instances-from FILE) prune each
    instance, --concurrency at a time, within --timeout seconds in all, resumed when run again
    after a cut, as `create` does; JSON output as create's, each instance's "details" naming the
    deleted backups ("deleted") and how many were kept ("kept").
    """
    state = state_of(ctx)
    if keep is None and older_than is None:
        raise click.UsageError("say which backups go: --keep N, --older-than AGE, or both")
    if is_fleet(instance_ids, all_instances, instances_from):
        _prune_fleet(state, instance_ids, keep, older_than, prefix, dry_run, yes, all_instances,
                     instances_from, name_filter, concurrency, junit_path, fresh, timeout)  # fmt: skip
        return
    check_selection(state, instance_ids, all_instances, instances_from, name_filter)
    instance_id = instance_ids[0]
    if not (yes or dry_run):
        need_terminal(state, f"refusing to prune instance {instance_id}")
    with handled(state), open_client(state) as client:
        plan = client.plan_prune(instance_id, keep=keep, older_than=older_than, prefix=prefix)
        _check_instance(state, client, instance_id, plan)
        rows = [{**to_dict(backup), "job_id": None} for backup in plan.to_delete]
        kept = count(len(plan.kept), "backup")
        if dry_run or not plan.to_delete:
            if not plan.to_delete:
                note(state, f"Nothing to delete: {kept} kept.")
            _emit(state, rows, plan.kept, dry_run=True, title="would be deleted")
            return
        if not yes:
            click.echo(f"{count(len(rows), 'backup')} of {instance_id} will be deleted "
                       f"({kept} kept):", err=True)  # fmt: skip
            print_table(COLUMNS[:-1], rows, "", err=True)
            these = "this backup" if len(rows) == 1 else f"these {len(rows)} backups"
            if not confirm(state, f"Delete {these}?"):
                click.echo("Not deleted: nothing was sent.", err=True)
                return
        deleted: list[dict[str, Any]] = []
        started = _Progress(state, len(rows))

        def report(pruned: Any) -> None:
            deleted.append({**to_dict(pruned.backup), "job_id": pruned.job_id})
            note(state, f"deleted {pruned.backup.name} ({pruned.backup.id})")

        client.execute_prune(plan, timeout=timeout, interval=interval, on_deleted=report,
                             on_deleting=started.deleting, on_progress=started.progress)  # fmt: skip
        _emit(state, deleted, plan.kept, dry_run=False, title="deleted")


def _prune_fleet(
    state: Any,
    instance_ids: tuple[str, ...],
    keep: int | None,
    older_than: timedelta | None,
    prefix: str | None,
    dry_run: bool,
    yes: bool,
    all_instances: bool,
    instances_from: str | None,
    name_filter: str | None,
    concurrency: int,
    junit_path: str | None,
    fresh: bool,
    timeout: float,
) -> None:
    from . import _fleet

    _fleet.check_selection(state, instance_ids, all_instances, instances_from, name_filter)
    ids = _fleet.read_ids(state, instances_from) if instances_from else list(instance_ids)
    which = "every instance of the project" if all_instances else f"{len(ids)} instances"
    if name_filter:
        which += f" named {name_filter!r}"
    if not (yes or dry_run):
        need_terminal(state, f"refusing to prune {which}")
        if not confirm(state, f"Delete the old manual backups of {which}?"):
            click.echo("Not deleted: nothing was sent.", err=True)
            return
    with handled(state):
        parameters = {
            "operation": "prune",
            **_fleet.selection_key(state, ids, all_instances, name_filter),
            "keep": keep,
            "older_than": older_than.total_seconds() if older_than else None,
            "prefix": prefix,
        }
        journal = None if dry_run else _fleet.open_journal(state, parameters, dict, fresh)

        async def body(client: Any, fleet: Any) -> Any:
            targets = await _fleet.targets_of(client, ids, all_instances, name_filter)
            return await fleet().prune(targets, keep=keep, older_than=older_than,
                                       prefix=prefix, dry_run=dry_run)  # fmt: skip

        _fleet.run(state, "prune", lambda: open_async_client(state), body,
                   journal=journal, concurrency=concurrency, timeout=timeout,
                   junit_path=junit_path)  # fmt: skip


def _check_instance(state: Any, client: Any, instance_id: str, plan: Any) -> None:
    """A mistyped --instance in a cron line must fail (exit 3), not find nothing to delete
    forever. A deleted instance's manual backups stay (and count against nothing): they remain
    prunable by its ID, with a note that the instance is gone."""
    from ..errors import NotFound

    try:
        client.get_instance(instance_id)
    except NotFound:
        if not plan.to_delete and not plan.kept:
            raise NotFound(
                f"no instance of project {client.project_id} has the ID {instance_id!r}, and no "
                "manual backup of such an instance is left"
            ) from None
        # A warning (on stderr, whatever the output format): a cron log should keep it.
        click.echo(f"warning: instance {instance_id} no longer exists; its manual backups stay "
                   "until deleted, and are pruned as asked", err=True)  # fmt: skip


class _Progress:
    """What a person watching a prune sees on stderr: which deletion is under way (each takes a
    while: the API deletes the backup's files before its job ends) and how far it has got."""

    def __init__(self, state: Any, total: int) -> None:
        self.state, self.total, self.done = state, total, 0
        self.name, self.last = "", ("", -1)

    def deleting(self, backup: Any) -> None:
        self.done += 1
        self.name, self.last = backup.name, ("", -1)
        note(self.state, f"deleting {self.done}/{self.total}: {backup.name} ({backup.id})...")

    def progress(self, job: Any) -> None:
        from .._calls import progress_percent

        seen = (job.status, progress_percent(job) or 0)
        if seen != self.last:
            self.last = seen
            note(self.state, f"  deletion of {self.name}: {job.status} {seen[1]}%")


def _emit(
    state: Any, rows: list[dict[str, Any]], kept: list[Any], *, dry_run: bool, title: str
) -> None:
    data = {
        "dry_run": dry_run,
        "deleted": [
            {"backup": {k: v for k, v in row.items() if k != "job_id"}, "job_id": row["job_id"]}
            for row in rows
        ],
        "kept": [to_dict(backup) for backup in kept],
    }
    if emit_document(state, data):
        return
    emit_list(state, {"items": rows}, "items", COLUMNS if not dry_run else COLUMNS[:-1], title)
