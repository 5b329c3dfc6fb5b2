"""What the fleet forms of ``create``, ``prune`` and ``drill`` share: choosing the instances
(``--all-instances``, ``--instance`` repeated, ``--instances-from FILE``, ``--name-filter``),
the run's journal (resume after Ctrl-C or a crash), a live display on a terminal and quiet lines
otherwise, the summary, JSON and JUnit, and the exit code (0 every instance succeeded, 1 any
failed).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._common import EXIT_INTERRUPTED, EXIT_USAGE, Column, F, fail, note, print_table
from ._state import State

if TYPE_CHECKING:
    from ..client import AsyncBackupClient
    from ..fleet import AsyncFleet, FleetProgress, FleetReport, Outcome, Target
    from ..fleet_journal import RunJournal

EXIT_SOME_FAILED = 1


def _options(*, junit: bool) -> list[Callable[[F], F]]:
    options = [
        click.option("--all-instances", is_flag=True,
                     help="Every instance of the project (listInstances, all pages)."),
        click.option("--instances-from", type=click.Path(dir_okay=False, allow_dash=True),
                     metavar="FILE", help="Instance IDs, one a line ('-': stdin; # comments)."),
        click.option("--name-filter", metavar="GLOB",
                     help="Only instances whose name matches, e.g. 'prod-*' (with --all-instances)."),
        click.option("--concurrency", type=click.IntRange(min=1, max=64), default=8,
                     show_default=True, help="Instances worked on at once."),
        click.option("--fresh", is_flag=True,
                     help="Start a new run even if the same run was cut short in the last 12 "
                     "hours (by default it is resumed: see 'Fleets' in the docs)."),
    ]  # fmt: skip
    if junit:
        options.append(click.option(
            "--junit", "junit_path", type=click.Path(dir_okay=False), metavar="FILE",
            help="Also write a JUnit XML report there: one testcase per instance."))  # fmt: skip
    return options


def fleet_options(command: F) -> F:
    """The options that pick the instances of a fleet run and shape it (besides --instance)."""
    for option in reversed(_options(junit=True)):
        command = option(command)
    return command


def fleet_selection_options(command: F) -> F:
    """:func:`fleet_options` but ``--junit``, for a command that has its own (``drill``)."""
    for option in reversed(_options(junit=False)):
        command = option(command)
    return command


def is_fleet(
    instance_ids: tuple[str, ...], all_instances: bool, instances_from: str | None
) -> bool:
    return all_instances or instances_from is not None or len(instance_ids) > 1


def check_selection(
    state: State,
    instance_ids: tuple[str, ...],
    all_instances: bool,
    instances_from: str | None,
    name_filter: str | None,
) -> None:
    """Refuse a selection that names no instance or mixes its forms (exit 2, nothing sent)."""
    forms = sum([bool(instance_ids), all_instances, instances_from is not None])
    if forms == 0:
        fail(state, EXIT_USAGE, "say which instances: --instance ID (repeatable), "
             "--all-instances or --instances-from FILE")  # fmt: skip
    if forms > 1:
        fail(state, EXIT_USAGE, "--instance, --all-instances and --instances-from do not go "
             "together: use one of them")  # fmt: skip
    if name_filter is not None and not all_instances:
        fail(state, EXIT_USAGE, "--name-filter applies to --all-instances (instance names come "
             "from listInstances)")  # fmt: skip


def read_ids(state: State, path: str) -> list[str]:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(state, EXIT_USAGE, f"cannot read --instances-from {path!r}: {error}")
    ids = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    ids = [instance_id for instance_id in ids if instance_id]
    if not ids:
        fail(state, EXIT_USAGE, f"--instances-from {path!r} names no instance")
    return ids


async def targets_of(
    client: AsyncBackupClient,
    instance_ids: list[str],
    all_instances: bool,
    name_filter: str | None,
) -> list[Target]:
    """The instances to act on: those named, or every instance of the project (by name)."""
    from ..fleet import Target, select

    if not all_instances:
        return [Target(instance_id) for instance_id in instance_ids]
    listed = [Target(i.id, i.name) async for i in client.iter_instances()]
    return select(listed, name_filter)


def selection_key(
    state: State, instance_ids: list[str], all_instances: bool, name_filter: str | None
) -> dict[str, Any]:
    """What identifies the instances of a run, for its journal's key."""
    from ..config import resolve

    settings = resolve(endpoint=state.endpoint, region=state.region, project_id=state.project_id,
                       token=state.token, cloud=state.cloud)  # fmt: skip
    where = {"endpoint": settings.base_url(), "project": settings.project_id or
             settings.project_name}  # fmt: skip
    if all_instances:
        return {**where, "instances": "all", "name_filter": name_filter}
    return {**where, "instances": sorted(instance_ids)}


def open_journal(
    state: State,
    parameters: Mapping[str, Any],
    decide: Callable[[], Mapping[str, Any]],
    fresh: bool,
) -> RunJournal:
    from ..fleet_journal import RunJournal

    try:
        journal = RunJournal.open(parameters, decide, fresh=fresh)
    except OSError as error:
        fail(state, EXIT_USAGE, f"cannot keep the run's state: {error}",
             "Set GEMINIDB_STATE_DIR to a writable directory.")  # fmt: skip
    if journal.resumed:
        started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(journal.header["started"]))
        note(state, f"Resuming the run started at {started} ({journal.done} instances done "
             f"then); its state: {journal.path}")  # fmt: skip
    return journal


def run(
    state: State,
    operation: str,
    client_factory: Callable[[], Any],
    body: Callable[[AsyncBackupClient, Callable[..., AsyncFleet]], Awaitable[FleetReport]],
    *,
    journal: RunJournal | None,
    concurrency: int,
    timeout: float,
    junit_path: str | None,
) -> None:
    """Run ``body`` (given the async client and a maker of fleets) with a live display, then
    print the summary, write the reports, and exit 1 when an instance failed."""
    import asyncio

    from ..fleet import AsyncFleet

    async def main(display: Callable[[FleetProgress, Outcome | None], None]) -> FleetReport:
        async with client_factory() as client:

            def fleet(**options: Any) -> AsyncFleet:
                return AsyncFleet(client, concurrency=concurrency, timeout=timeout,
                                  journal=journal, on_progress=display, **options)  # fmt: skip

            return await body(client, fleet)

    try:
        with live_display(state, operation) as display:
            report = asyncio.run(main(display))
    except KeyboardInterrupt:
        if journal is not None:
            journal.close(finished=False)
        where = f" (its state: {journal.path})" if journal is not None else ""
        fail(
            state,
            EXIT_INTERRUPTED,
            f"interrupted: the {operation} run stopped{where}",
            "Run the same command again to finish the rest: what is done is not done again.",
        )
    if journal is not None:
        journal.close(finished=report.ok)
    if junit_path is not None:
        try:
            Path(junit_path).write_text(report.to_junit(), encoding="utf-8")
        except OSError as error:
            click.echo(f"warning: cannot write the JUnit report {junit_path!r}: {error}", err=True)
    emit_report(state, report, journal)
    if not report.ok:
        sys.exit(EXIT_SOME_FAILED)


@contextmanager
def live_display(state: State, operation: str) -> Iterator[Callable[[Any, Any], None]]:
    """A callback for the fleet's progress: a live line on a terminal (done, in flight,
    throttled, failed); otherwise quiet lines on stderr, for cron: each failure, and the count
    at every tenth of the way."""
    if sys.stderr.isatty() and state.table:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,  # fmt: skip
        )

        with Progress(
            TextColumn(operation), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"), TimeElapsedColumn(),
            console=Console(stderr=True), transient=False,
        ) as bar:  # fmt: skip
            task = bar.add_task(operation, total=None, counts="")

            def update(progress: Any, outcome: Any) -> None:
                counts = (f"in flight {progress.in_flight} · throttled {progress.throttled}"
                          f" · failed {progress.failed}")  # fmt: skip
                bar.update(task, total=progress.total, completed=progress.done, counts=counts)
                if outcome is not None and outcome.status == "failed":
                    bar.console.print(_failure_line(outcome))

            yield update
        return
    shown = [0]

    def report(progress: Any, outcome: Any) -> None:
        if outcome is None or not state.table:
            return
        if outcome.status == "failed":
            click.echo(_failure_line(outcome), err=True)
        tenth = progress.done * 10 // max(progress.total, 1)
        if tenth > shown[0]:
            shown[0] = tenth
            click.echo(f"{operation}: {progress.done}/{progress.total} done, {progress.failed} "
                       f"failed, {progress.throttled} requests throttled", err=True)  # fmt: skip

    yield report


def _failure_line(outcome: Any) -> str:
    name = f"{outcome.instance_name} " if outcome.instance_name else ""
    return f"failed: {name}{outcome.instance_id}: {outcome.code}: {outcome.message}"


SUMMARY_COLUMNS = [
    Column("instance_name", "Instance", keep=True), Column("instance_id", "ID", keep=True),
    Column("status", "Result", keep=True), Column("code", "Code"),
    Column("message", "Message", fold=True),
]  # fmt: skip


def emit_report(state: State, report: FleetReport, journal: RunJournal | None) -> None:
    """JSON: the whole report (every instance); a table: the instances that did not succeed,
    then one line of counts."""
    data = report.to_dict()
    if journal is not None:
        data["run"] = {"state_file": str(journal.path), "resumed": journal.resumed,
                       "started": journal.header.get("started")}  # fmt: skip
    if state.json:
        import json

        click.echo(json.dumps(data, indent=2, sort_keys=True))
        return
    rows = [outcome.to_dict() for outcome in report.outcomes if outcome.status != "succeeded"]
    if rows:
        print_table(SUMMARY_COLUMNS, rows, f"{report.operation}: not succeeded")
    counts = report.counts
    earlier = sum(outcome.earlier for outcome in report.outcomes)
    resumed = f" ({earlier} in an earlier part of the run)" if earlier else ""
    click.echo(f"{len(report.outcomes)} instances: {counts['succeeded']} succeeded{resumed}, "
               f"{counts['failed']} failed, {counts['skipped']} skipped in {report.seconds:.1f} s"
               f"; {report.throttled} requests throttled")  # fmt: skip
