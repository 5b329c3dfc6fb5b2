"""``geminidb-backup drill``: prove that the newest backup of an instance restores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ._common import (
    EXIT_USAGE,
    Column,
    fail,
    handled,
    note,
    open_async_client,
    open_client,
    print_table,
    state_of,
)
from ._fleet import fleet_selection_options
from ._options import global_options

# A drill restores (hours on a large instance), checks and deletes.
DRILL_TIMEOUT = 6 * 3600
EXIT_DRILL_FAILED = 1

COLUMNS = [
    Column("instance_name", "Instance", keep=True, fold=True),
    Column("passed", "Result", keep=True, render=lambda passed: "passed" if passed else "FAILED"),
    Column("backup_name", "Backup"), Column("restored_name", "Restored to", fold=True),
    Column("seconds", "Seconds", render=lambda s: f"{s:.0f}"),
    Column("cleaned", "Deleted", render=lambda c: "yes" if c else "NO"),
    Column("why", "Why", keep=True, fold=True),
]  # fmt: skip


@click.command()
@click.option("--instance", "-i", "instance_ids", multiple=True, metavar="ID",
              help="Drill this instance (repeatable).")  # fmt: skip
@click.option("--clean", is_flag=True, help="Delete what crashed drills left (instances named "
              "drill-<name>-<time>) instead.")  # fmt: skip
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Also write a JUnit XML report, one test case per instance.")  # fmt: skip
@click.option("--timeout", type=click.FloatRange(min=0), default=DRILL_TIMEOUT,
              show_default=True, help="Seconds a drill may take, restore and checks.")  # fmt: skip
@click.option("--interval", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds between the first polls; grows to 60.")  # fmt: skip
@fleet_selection_options
@global_options
@click.pass_context
def drill(
    ctx: click.Context,
    instance_ids: tuple[str, ...],
    clean: bool,
    junit: Path | None,
    timeout: float,
    interval: float,
    all_instances: bool,
    instances_from: str | None,
    name_filter: str | None,
    concurrency: int,
    fresh: bool,
) -> None:
    """Restore drill: restore the newest completed backup of each --instance to a temporary
    instance named drill-<name>-<time>, wait until it is ready, check it (status normal, the
    source's datastore version, at least its nodes and storage), delete it, and report.

    Exit 0 when every drill passed, 1 when one failed. A drill deletes only the instance it
    made, also when interrupted (Ctrl-C, exit 130); after a crash, `drill --clean` finds the
    leftovers by their name and deletes them. JSON output: {"drills": [...], "passed": bool}.

    --all-instances (with --name-filter) and --instances-from drill a fleet on the engine of
    `create`'s fleet runs: --concurrency at a time, within --timeout in all, resumed when run
    again after a cut (the instances whose drill passed are not drilled again), a result per
    instance (JSON and --junit as create's fleet runs, "details" holding each drill's result).
    """
    from ..restoring import junit_report

    state = state_of(ctx)
    if all_instances or instances_from is not None:
        if clean:
            fail(state, EXIT_USAGE, "--clean takes no instances")
        _drill_fleet(state, instance_ids, all_instances, instances_from, name_filter,
                     concurrency, junit, fresh, timeout, interval)  # fmt: skip
        return
    if clean == bool(instance_ids):
        fail(state, EXIT_USAGE, "give --instance ID (repeatable), or --clean",
             "See `geminidb-backup drill --help`.")  # fmt: skip
    with handled(state), open_client(state) as client:
        if clean:
            removed = client.clean_drills(timeout=timeout, interval=interval)
            names = [{"id": i.id, "name": i.name} for i in removed]
            if state.json:
                click.echo(json.dumps({"deleted": names}, indent=2, sort_keys=True))
            else:
                for item in names:
                    click.echo(f"deleted {item['name']} ({item['id']})")
                note(state, f"{len(names)} leftover drill instance(s) deleted.")
            return
        results = []
        for instance_id in instance_ids:
            note(state, f"drill of {instance_id}:")
            results.append(client.drill(
                instance_id, timeout=timeout, interval=interval,
                on_step=lambda text: note(state, f"  {text}"),
            ))  # fmt: skip
    if junit is not None:
        junit.write_text(junit_report(results), encoding="utf-8")
    rows: list[dict[str, Any]] = []
    for result in results:
        row = result.to_dict()
        row["instance_name"] = result.instance_name or result.instance_id
        row["why"] = "; ".join(([result.error] if result.error else []) + result.problems)
        rows.append(row)
    passed = all(result.passed for result in results)
    if state.json:
        drills = [{k: v for k, v in row.items() if k != "why"} for row in rows]
        click.echo(json.dumps({"drills": drills, "passed": passed}, indent=2, sort_keys=True))
    else:
        print_table(COLUMNS, rows, "restore drills")
    if not passed:
        ctx.exit(EXIT_DRILL_FAILED)


def _drill_fleet(
    state: Any,
    instance_ids: tuple[str, ...],
    all_instances: bool,
    instances_from: str | None,
    name_filter: str | None,
    concurrency: int,
    junit: Path | None,
    fresh: bool,
    timeout: float,
    interval: float,
) -> None:
    from . import _fleet

    _fleet.check_selection(state, instance_ids, all_instances, instances_from, name_filter)
    ids = _fleet.read_ids(state, instances_from) if instances_from else list(instance_ids)
    with handled(state):
        parameters = {"operation": "drill",
                      **_fleet.selection_key(state, ids, all_instances, name_filter)}  # fmt: skip
        journal = _fleet.open_journal(state, parameters, dict, fresh)

        async def body(client: Any, fleet: Any) -> Any:
            targets = await _fleet.targets_of(client, ids, all_instances, name_filter)
            return await fleet().drill(targets, interval=interval)

        _fleet.run(state, "drill", lambda: open_async_client(state), body, journal=journal,
                   concurrency=concurrency, timeout=timeout,
                   junit_path=str(junit) if junit is not None else None)  # fmt: skip
