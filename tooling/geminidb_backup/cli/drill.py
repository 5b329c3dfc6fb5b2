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
    open_client,
    print_table,
    state_of,
)
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
@global_options
@click.pass_context
def drill(
    ctx: click.Context,
    instance_ids: tuple[str, ...],
    clean: bool,
    junit: Path | None,
    timeout: float,
    interval: float,
) -> None:
    """Restore drill: restore the newest completed backup of each --instance to a temporary
    instance named drill-<name>-<time>, wait until it is ready, check it (status normal, the
    source's datastore version, at least its nodes and storage), delete it, and report.

    Exit 0 when every drill passed, 1 when one failed. A drill deletes only the instance it
    made, also when interrupted (Ctrl-C, exit 130); after a crash, `drill --clean` finds the
    leftovers by their name and deletes them. JSON output: {"drills": [...], "passed": bool}.
    """
    from ..restoring import junit_report

    state = state_of(ctx)
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
