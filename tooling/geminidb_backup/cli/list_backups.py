"""``geminidb-backup list``: backups, every page, filtered."""

from __future__ import annotations

from itertools import islice
from typing import Any, cast

import click

from ._common import (
    Column,
    emit_list,
    handled,
    human_size,
    open_client,
    short_time,
    state_of,
    to_dict,
)
from ._completion import spec_enum
from ._options import global_options

# Kept at any width: the ID (to copy), the name (folded when long), the status and when it
# began (what operators sort by; to the minute, in UTC, to fit 80 columns).
COLUMNS = [
    Column("id", "ID", keep=True), Column("name", "Name", keep=True, fold=True),
    Column("type", "Type"), Column("status", "Status", keep=True),
    Column("begin_time", "Began (UTC)", keep=True, render=short_time),
    Column("size", "Size", render=human_size), Column("instance_name", "Instance"),
]  # fmt: skip


@click.command()
@click.option("--instance", "-i", "instance_id", help="Only backups of this instance.")
@click.option("--backup-id", help="Only the backup with this ID.")
@click.option("--backup-type", metavar="Auto|Manual", help="Only automated or manual backups.",
              shell_complete=spec_enum("listBackups", "backup_type"))  # fmt: skip
@click.option("--type", "type_", metavar="Instance|DatabaseTable", help="Kind of backup.",
              shell_complete=spec_enum("listBackups", "type"))  # fmt: skip
@click.option("--datastore-type", metavar="cassandra", help="Only backups of this database type.",
              shell_complete=spec_enum("listBackups", "datastore_type"))  # fmt: skip
@click.option(
    "--begin-time", metavar="TIME", help="Began at or after, e.g. 2019-05-27T03:38:51+0000."
)
@click.option("--end-time", metavar="TIME", help="Began at or before (needs --begin-time).")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many backups.")
@click.option("--page-size", type=int, help="Backups per request (the API's limit parameter).")
@global_options
@click.pass_context
def list_backups(
    ctx: click.Context,
    instance_id: str | None,
    backup_id: str | None,
    backup_type: str | None,
    type_: str | None,
    datastore_type: str | None,
    begin_time: str | None,
    end_time: str | None,
    limit: int | None,
    page_size: int | None,
) -> None:
    """List backups, newest first, following every page.

    JSON output is the API's own shape: {"backups": [...], "total_count": N}, where total_count
    counts every matching backup (also those --limit leaves out).
    """
    state = state_of(ctx)
    with handled(state), open_client(state) as client:
        # The options are passed as typed: the call checks them against the spec's enums.
        backups = client.iter_backups(
            instance_id=instance_id, backup_id=backup_id, backup_type=cast(Any, backup_type),
            type=cast(Any, type_), datastore_type=cast(Any, datastore_type),
            begin_time=begin_time, end_time=end_time, page_size=page_size,
        )  # fmt: skip
        rows = [to_dict(backup) for backup in islice(backups, limit)]
        total = backups.total_count if backups.total_count is not None else len(rows)
        emit_list(state, {"backups": rows, "total_count": total}, "backups", COLUMNS, "backups")
