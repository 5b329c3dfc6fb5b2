"""``geminidb-backup instances``: list instances; ``instances delete ID``: delete one."""

from __future__ import annotations

from itertools import islice
from typing import Any

import click

from ._common import (
    EXIT_INTERRUPTED,
    Column,
    emit_list,
    fail,
    handled,
    need_terminal,
    note,
    open_client,
    progress,
    show_fields,
    state_of,
    to_dict,
    wait_options,
)
from ._completion import spec_enum
from ._options import global_options


def _nodes(groups: Any) -> str:
    return str(sum(len(group.get("nodes", [])) for group in groups or []))


def _storage(groups: Any) -> str:
    sizes = [group.get("volume", {}).get("size", "") for group in groups or []]
    return f"{sizes[0]} GB" if sizes else ""


# Kept at any width: the ID (to copy), the name and the status.
COLUMNS = [
    Column("id", "ID", keep=True), Column("name", "Name", keep=True, fold=True),
    Column("status", "Status", keep=True),
    Column("actions", "Running", render=lambda actions: ", ".join(actions or [])),
    Column("datastore", "Version", render=lambda d: (d or {}).get("version", "")),
    Column("groups", "Nodes", render=_nodes), Column("mode", "Mode"),
    Column("availability_zone", "Zone"), Column("created", "Created"),
]  # fmt: skip
STORAGE = Column("groups", "Storage", render=_storage)


@click.group(invoke_without_command=True)
@click.option("--id", "id_", metavar="ID", help="Only this instance; *TEXT: IDs containing TEXT.")
@click.option("--name", metavar="NAME", help="Only this name; *TEXT: names containing TEXT.")
@click.option("--mode", metavar="Cluster|CloudNativeCluster", help="Only this deployment mode.",
              shell_complete=spec_enum("listInstances", "mode"))  # fmt: skip
@click.option("--vpc-id", metavar="ID", help="Only instances in this VPC.")
@click.option("--subnet-id", metavar="ID", help="Only instances in this subnet.")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many instances.")
@click.option("--page-size", type=int, help="Instances per request (the API's limit parameter).")
@global_options
@click.pass_context
def instances(
    ctx: click.Context,
    id_: str | None,
    name: str | None,
    mode: str | None,
    vpc_id: str | None,
    subnet_id: str | None,
    limit: int | None,
    page_size: int | None,
) -> None:
    """List instances, newest first, following every page (or `instances delete ID`).

    JSON output is the API's own shape: {"instances": [...], "total_count": N}, where
    total_count counts every matching instance (also those --limit leaves out).
    """
    if ctx.invoked_subcommand is not None:
        return
    state = state_of(ctx)
    with handled(state), open_client(state) as client:
        found = client.iter_instances(
            id=id_, name=name, mode=mode, vpc_id=vpc_id, subnet_id=subnet_id,  # type: ignore[arg-type]
            page_size=page_size,
        )  # fmt: skip
        rows = [to_dict(instance) for instance in islice(found, limit)]
        total = found.total_count if found.total_count is not None else len(rows)
        columns = [*COLUMNS[:6], STORAGE, *COLUMNS[6:]]
        emit_list(state, {"instances": rows, "total_count": total}, "instances", columns,
                  "instances")  # fmt: skip


@instances.command("delete")
@click.argument("instance_id")
@click.option("--yes", "-y", is_flag=True, help="Do not ask to type the instance's name.")
@click.option("--wait", "wait_", is_flag=True, help="Wait until the deletion job has ended.")
@wait_options
@global_options
@click.pass_context
def delete_instance(
    ctx: click.Context, instance_id: str, yes: bool, wait_: bool, timeout: float, interval: float
) -> None:
    """Delete an instance: its automated backups go with it, its manual backups stay.

    Unless --yes is given, shows the instance and asks to type its name, as GitHub asks for a
    repository's before deleting it; another answer deletes nothing (exit 0). Without a
    terminal to ask on, --yes is required (exit 2).
    """
    state = state_of(ctx)
    if not yes:
        need_terminal(state, f"refusing to delete instance {instance_id}")
    with handled(state), open_client(state) as client:
        if not yes:
            instance = client.get_instance(instance_id)
            nodes = sum(len(group.nodes) for group in instance.groups)
            click.echo(
                f"Instance {instance.name!r} ({instance_id}): {instance.status}, {nodes} nodes, "
                f"datastore {instance.datastore.version}, created {instance.created}. Deleting it "
                "deletes its automated backups; its manual backups stay.",
                err=True,
            )
            try:
                typed = click.prompt(
                    "Type the instance's name to delete it", default="", show_default=False,
                    err=True,
                )  # fmt: skip
            except click.exceptions.Abort:
                click.echo("", err=True)
                fail(state, EXIT_INTERRUPTED, "interrupted at the prompt; nothing was done")
            if typed != instance.name:
                click.echo("The name does not match: not deleted, nothing was sent.", err=True)
                return
        job_id = client.delete_instance(instance_id)
        note(state, f"Deletion of instance {instance_id} accepted: job {job_id}")
        if wait_:
            with progress(state, job_id, f"delete {instance_id}",
                          f"the deletion of {instance_id}") as report:  # fmt: skip
                job = client.wait(job_id, timeout=timeout, interval=interval, on_progress=report)
            show_fields(state, {"instance_id": instance_id, "job_id": job_id,
                                "job": to_dict(job)}, f"deletion of {instance_id}")  # fmt: skip
            return
        show_fields(state, {"instance_id": instance_id, "job_id": job_id},
                    f"deletion of {instance_id}")  # fmt: skip
