"""``geminidb-backup restore``: a backup, or a point in time of an instance, to a new instance."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from ._common import (
    EXIT_USAGE,
    fail,
    handled,
    note,
    open_client,
    progress,
    show_fields,
    state_of,
    to_dict,
)
from ._options import global_options
from ._state import State

# Restores take from minutes to hours: the default wait is longer than a backup's.
RESTORE_TIMEOUT = 6 * 3600


def _backup_id(state: State, client: Any, wanted: str, instance_id: str | None) -> str:
    """The ID of the backup ``wanted`` names: its ID, or its name (of ``instance_id`` when
    given; a name used on several instances must be told apart with --instance)."""
    from ..errors import NotFound

    try:
        return str(client.get_backup(wanted).id)
    except NotFound:
        pass
    named = [b for b in client.iter_backups(instance_id=instance_id) if b.name == wanted]
    if len(named) == 1:
        return str(named[0].id)
    if not named:
        raise NotFound(f"no backup has the ID or the name {wanted!r}")
    places = ", ".join(f"{b.id} of {b.instance_name}" for b in named)
    fail(state, EXIT_USAGE, f"--backup: several backups are named {wanted!r} ({places})",
         "Give the backup's ID, or --instance to say whose backup it is.")  # fmt: skip


def _write_password(state: State, path: Path, password: str) -> None:
    """Write the password to a new file readable by its owner only (never over a file)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        fail(state, EXIT_USAGE, f"--password-file: cannot create {str(path)!r}: "
             f"{error.strerror}; nothing was sent.")  # fmt: skip
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(password + "\n")


@click.command()
@click.option("--backup", "-b", metavar="ID|NAME", help="Restore this backup (its ID or name).")
@click.option("--instance", "-i", "instance_id", metavar="ID",
              help="With --at: restore this instance as it was then. With --backup: the "
              "instance whose backup NAME is.")  # fmt: skip
@click.option("--at", metavar="TIME", help="Point in time (ISO 8601; UTC unless an offset is "
              "given), e.g. 2026-12-06T10:00:00Z.")  # fmt: skip
@click.option("--name", "-n", required=True, help="Name of the new instance; {now:FORMAT} is "
              "the time (UTC), e.g. 'restored-{now:%Y%m%d}'.")  # fmt: skip
@click.option("--nodes", type=click.IntRange(min=1), help="Nodes (default: the source's).")
@click.option("--storage", "storage_gb", type=click.IntRange(min=1), metavar="GB",
              help="Storage size in GB (default: the source's).")  # fmt: skip
@click.option("--spec-code", help="Node specification (default: the source's).")
@click.option("--availability-zone", help="Availability zone (default: the source's).")
@click.option("--vpc-id", help="VPC (default: the source's).")
@click.option("--subnet-id", help="Subnet (default: the source's).")
@click.option("--security-group-id", help="Security group (default: the source's).")
@click.option("--password-stdin", is_flag=True, help="Read the new instance's password from "
              "standard input (else one is generated).")  # fmt: skip
@click.option("--password-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the generated password to this new file (mode 600).")  # fmt: skip
@click.option("--wait", "wait_", is_flag=True, help="Wait until the new instance is ready.")
@click.option("--timeout", type=click.FloatRange(min=0), default=RESTORE_TIMEOUT,
              show_default=True, help="Seconds to wait.")  # fmt: skip
@click.option("--interval", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds between the first polls; grows to 60.")  # fmt: skip
@global_options
@click.pass_context
def restore(
    ctx: click.Context,
    backup: str | None,
    instance_id: str | None,
    at: str | None,
    name: str,
    nodes: int | None,
    storage_gb: int | None,
    spec_code: str | None,
    availability_zone: str | None,
    vpc_id: str | None,
    subnet_id: str | None,
    security_group_id: str | None,
    password_stdin: bool,
    password_file: Path | None,
    wait_: bool,
    timeout: float,
    interval: float,
) -> None:
    """Restore a backup (--backup) or a point in time (--instance with --at) to a new instance.

    Everything the new instance needs is copied from the source instance (datastore version,
    region, zone, network, mode, nodes, storage, specification; pay-per-use); the options
    change any of it, never below the source's nodes and storage. The password of its rwuser
    is read from --password-stdin, or generated: it is never printed; --password-file keeps
    it in a new file only you can read. JSON output: the new instance's ID, name and job.
    """
    from ..restoring import parse_moment
    from ..validation import expand_name

    state = state_of(ctx)
    if (backup is None) == (at is None):
        fail(state, EXIT_USAGE, "give either --backup ID|NAME, or --instance ID with --at TIME",
             "See `geminidb-backup restore --help`.")  # fmt: skip
    if at is not None and instance_id is None:
        fail(state, EXIT_USAGE, "--at needs --instance: the instance to restore as it was then")
    if password_stdin and password_file is not None:
        fail(state, EXIT_USAGE, "--password-file keeps a generated password; with "
             "--password-stdin none is generated")  # fmt: skip
    if password_file is not None and password_file.exists():
        fail(state, EXIT_USAGE, f"--password-file: {str(password_file)!r} exists; it is never "
             "overwritten. Nothing was sent.")  # fmt: skip
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    with handled(state):
        name = expand_name(name)
        moment = parse_moment(at) if at is not None else None
        with open_client(state) as client:
            backup_id = _backup_id(state, client, backup, instance_id) if backup else None
            accepted = client.restore(
                name=name, backup_id=backup_id,
                instance_id=instance_id if backup_id is None else None, at=moment,
                password=password, nodes=nodes, storage_gb=storage_gb, spec_code=spec_code,
                availability_zone=availability_zone, vpc_id=vpc_id, subnet_id=subnet_id,
                security_group_id=security_group_id,
            )  # fmt: skip
            if accepted.password is not None:
                if password_file is not None:
                    _write_password(state, password_file, accepted.password.reveal())
                    note(state, f"The password of rwuser is in {str(password_file)!r}.")
                else:
                    click.echo("A password was generated for rwuser and is not shown: give "
                               "--password-file FILE to keep it, or reset it in the console.",
                               err=True)  # fmt: skip
            result: dict[str, Any] = {
                "instance_id": accepted.instance_id, "name": accepted.name,
                "job_id": accepted.job_id, "source_instance_id": accepted.source_instance_id,
                "backup_id": accepted.backup_id,
                "restore_time": accepted.restore_time.isoformat()
                if accepted.restore_time else None,
            }  # fmt: skip
            note(state, f"Restore to {name!r} accepted: instance {accepted.instance_id}, job "
                 f"{accepted.job_id}")  # fmt: skip
            if wait_:
                with progress(state, accepted.job_id, f"restore {name}",
                              f"the restore to {name!r}") as report:  # fmt: skip
                    ready = client.wait_ready(accepted.instance_id, job_id=accepted.job_id,
                                              timeout=timeout, interval=interval,
                                              on_progress=report)  # fmt: skip
                result["status"] = ready.status
                result["instance"] = to_dict(ready)
            elif state.table:
                note(state, f"It runs in the background: follow it with "
                     f"`geminidb-backup wait {accepted.job_id}`.")  # fmt: skip
        show_fields(state, result, f"restore to {name}")
