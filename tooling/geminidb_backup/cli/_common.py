"""What the commands share: opening a client from the global options, turning exceptions into
advice and exit codes, printing tables or JSON, and showing a job's progress."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

import click

from ..client import BackupClient
from ..errors import (
    APIError,
    ConfigurationError,
    GeminiDBError,
    JobFailed,
    NotFound,
    TransportError,
    ValidationError,
    WaitTimeout,
)
from ._state import State

EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE, EXIT_API, EXIT_JOB, EXIT_NETWORK = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED = 130

# What to do next, by the API's error code (x-error-codes of the spec).
ADVICE = {
    "APIGW.0301": "Check your credentials: a token lives 24 hours; get a new one, or use "
    "GEMINIDB_ACCESS_KEY/GEMINIDB_SECRET_KEY or OS_USERNAME/OS_PASSWORD instead.",
    "DBS.280056": "The token is not valid for this project: check --project-id and the token's "
    "scope.",
    "DBS.280408": "Check the project ID (--project-id or GEMINIDB_PROJECT_ID).",
    "DBS.200002": "Check the instance ID: it must be an instance of this project in this region.",
    "DBS.201201": "Choose another name; `geminidb-backup list --instance ID` shows the names in "
    "use.",
    "DBS.200019": "The instance is busy (another backup or operation is running). Follow it with "
    "`geminidb-backup jobs --status Running` and try again when it has ended.",
    "DBS.201000": "The instance cannot take this backup now: it may already have the most manual "
    "backups allowed. Delete an old one with `geminidb-backup delete BACKUP_ID`.",
    "DBS.280032": "You lack the permission for this, or the backup is automated (automated "
    "backups cannot be deleted).",
    "DBS.201214": "No backup has this ID; `geminidb-backup list` shows the backups.",
    "DBS.201319": "A restoration from this backup is running; delete it when it has ended.",
    "DBS.280443": "The service is throttling requests; try again in a minute.",
}


F = TypeVar("F", bound=Callable[..., Any])


def wait_options(command: F) -> F:
    """The --timeout and --interval options of every command that waits for a job."""
    command = click.option(
        "--interval", type=float, default=2.0, show_default=True,
        help="Seconds between the first polls; grows to 15.",
    )(command)  # fmt: skip
    return click.option(
        "--timeout", type=float, default=1800, show_default=True, help="Seconds to wait."
    )(command)


def state_of(ctx: click.Context) -> State:
    state = ctx.find_object(State)
    return state if state is not None else State()


def open_client(state: State) -> BackupClient:
    """A client from the global options, the environment and clouds.yaml."""
    from ..config import resolve

    settings = resolve(
        endpoint=state.endpoint,
        region=state.region,
        project_id=state.project_id,
        token=state.token,
        cloud=state.cloud,
        verify=False if state.insecure else None,
    )
    if state.verbose:
        logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
        # httpx logs method, URL and status at INFO; never headers, so no credential.
        logging.getLogger("httpx").setLevel(logging.INFO)
        logging.getLogger("geminidb_backup").setLevel(logging.INFO)  # retries and recoveries
        click.echo(
            f"using {settings.base_url()}, project {settings.project_id}, "
            f"{settings.auth_method} authentication",
            err=True,
        )
    if not settings.verify:
        click.echo("warning: TLS certificate verification is off (--insecure)", err=True)
    auth = settings.auth()
    return BackupClient(
        settings.base_url(),
        settings.require_project_id(auth),
        auth,
        verify=settings.verify,
        timeout=settings.timeout,
    )


def fail(state: State, code: int, message: str, hint: str = "", **details: Any) -> NoReturn:
    if state.json:
        click.echo(json.dumps({"error": {"message": message, **details}}), err=True)
    else:
        click.secho(f"Error: {message}", fg="red", err=True)
        if hint:
            click.echo(hint, err=True)
    sys.exit(code)


@contextmanager
def handled(state: State) -> Iterator[None]:
    """Turn the library's exceptions into a message with advice and a documented exit code."""
    try:
        yield
    except ValidationError as exc:
        fail(state, EXIT_USAGE, f"{exc}; nothing was sent.", "Fix the value and run again.",
             field=exc.field, rule=exc.rule)  # fmt: skip
    except ConfigurationError as exc:
        fail(state, EXIT_USAGE, f"{exc}; nothing was sent.",
             "See `geminidb-backup --help` for the settings.")  # fmt: skip
    except NotFound as exc:
        fail(state, EXIT_API, str(exc), "Check the ID; `geminidb-backup list` and "
             "`geminidb-backup jobs` show what exists.")  # fmt: skip
    except APIError as exc:
        hint = ADVICE.get(exc.error_code, "")
        if not hint and exc.retryable:
            hint = "The service is busy or failing; it was retried already. Try again later."
        if exc.request_id:
            hint += f"{' ' if hint else ''}Quote request ID {exc.request_id} to support."
        fail(state, EXIT_API, f"the API refused the call: {exc}", hint,
             status=exc.status, error_code=exc.error_code, error_msg=exc.error_msg,
             request_id=exc.request_id)  # fmt: skip
    except JobFailed as exc:
        fail(state, EXIT_JOB, str(exc), "Look at the instance's state in the console, then try "
             "again.", job_id=exc.job.id, fail_reason=exc.fail_reason)  # fmt: skip
    except WaitTimeout as exc:
        fail(state, EXIT_JOB, str(exc), f"The job goes on: `geminidb-backup wait {exc.job_id}` "
             "follows it again.", job_id=exc.job_id)  # fmt: skip
    except TransportError as exc:
        hint = "Check --endpoint and your network."
        if exc.sent:
            hint += " The request may have arrived: check with `geminidb-backup list`."
        fail(state, EXIT_NETWORK, str(exc), hint)
    except GeminiDBError as exc:
        fail(state, EXIT_UNEXPECTED, str(exc))
    except KeyboardInterrupt:
        fail(state, EXIT_INTERRUPTED, "interrupted")


def emit(state: State, data: Any, columns: Sequence[tuple[str, str]], rows: list[dict[str, Any]],
         title: str = "") -> None:  # fmt: skip
    """Print ``data`` as JSON, or ``rows`` as a table of ``columns`` (key, heading)."""
    if state.json:
        click.echo(json.dumps(data, indent=2, sort_keys=True))
        return
    from rich.table import Table

    table = Table(title=title or None, show_lines=False)
    for _, heading in columns:
        table.add_column(heading, no_wrap=heading in ("ID", "Name"))
    for row in rows:
        table.add_row(*(str(row.get(key, "")) for key, _ in columns))
    _console().print(table)


def _console() -> Any:
    from rich.console import Console

    # Piped into a file or a log, a table is not squeezed into rich's default of 80 columns.
    wide = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(width=200) if wide else Console()


def show_fields(state: State, data: dict[str, Any], title: str) -> None:
    """Print one object: JSON, or a two-column table of its fields."""
    if state.json:
        click.echo(json.dumps(data, indent=2, sort_keys=True))
        return
    from rich.table import Table

    table = Table(title=title, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    for key, value in data.items():
        table.add_row(key, value if isinstance(value, str) else json.dumps(value))
    _console().print(table)


@contextmanager
def progress(state: State, job_id: str, label: str) -> Iterator[Callable[[Any], None]]:
    """A callback for ``BackupClient.wait``: a live bar on a terminal, plain lines otherwise
    (one per change, on stderr, so stdout stays clean for JSON)."""
    from .._calls import progress_percent

    if sys.stderr.isatty() and not state.json:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
            TextColumn("{task.fields[status]}"), TimeElapsedColumn(),
            console=Console(stderr=True), transient=False,
        ) as bar:  # fmt: skip
            task = bar.add_task(label, total=100, status="")

            def update(job: Any) -> None:
                percent = progress_percent(job)
                bar.update(task, completed=percent or 0, status=job.status)

            yield update
        return
    last: list[tuple[str, int | None]] = []

    def report(job: Any) -> None:
        seen = (job.status, progress_percent(job))
        if last and last[-1] == seen:
            return
        last.append(seen)
        percent = "" if seen[1] is None else f" {seen[1]}%"
        click.echo(f"{label}: {job.status}{percent}", err=True)

    yield report


def to_dict(model: Any) -> dict[str, Any]:
    data: dict[str, Any] = model.to_dict()
    return data
