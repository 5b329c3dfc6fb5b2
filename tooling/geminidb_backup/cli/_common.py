"""What the commands share: opening a client from the global options, turning exceptions into
advice and exit codes, printing tables, JSON or values, asking for confirmation, and showing a
job's progress.

Only click and the library's exceptions are imported here at module level: httpx, the generated
client and rich are imported by the function that needs them, so that tab completion and usage
errors stay fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from ..errors import (
    APIError,
    ConfigurationError,
    GeminiDBError,
    JobFailed,
    NotFound,
    RequestRuleError,
    TransportError,
    ValidationError,
    WaitTimeout,
)
from ._state import State

if TYPE_CHECKING:
    from ..client import AsyncBackupClient, BackupClient

EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE, EXIT_API, EXIT_JOB, EXIT_NETWORK = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED = 130

# What to do next, by the API's error code (x-error-codes of the spec).
ADVICE = {
    "DBS.280056": "The token is not valid for this project: check --project-id and the token's "
    "scope.",
    "DBS.280408": "Check the project ID (--project-id or GEMINIDB_PROJECT_ID).",
    "DBS.200002": "Check the instance ID: it must be an instance of this project in this region.",
    "DBS.201201": "Choose another name; `geminidb-backup list --instance ID` shows the names in "
    "use.",
    "DBS.200019": "The instance is busy (another backup or operation is running). Follow it with "
    "`geminidb-backup jobs --status Running` and try again when it has ended.",
    "DBS.201000": "The instance cannot take this backup now: it may already have the most manual "
    "backups allowed. Delete old ones with `geminidb-backup prune --instance ID --keep N`.",
    "DBS.280032": "You lack the permission for this, or the backup is automated (automated "
    "backups cannot be deleted).",
    "DBS.201214": "No backup has this ID; `geminidb-backup list` shows the backups.",
    "DBS.201319": "A restoration from this backup is running; delete it when it has ended.",
    "DBS.280443": "The service is throttling requests; try again in a minute.",
}
# APIGW.0301 (authentication refused), by the credential that was used.
UNAUTHORIZED_ADVICE = {
    "token": "The token was refused: a token lives 24 hours and is valid in one region; get a "
    "new one, or use GEMINIDB_ACCESS_KEY/GEMINIDB_SECRET_KEY or OS_USERNAME/OS_PASSWORD instead.",
    "aksk": "The AK/SK signature was refused: check that GEMINIDB_ACCESS_KEY and "
    "GEMINIDB_SECRET_KEY are a pair of the same user, still enabled, and that this machine's clock "
    "is right (a signature carries the time and is refused when it is 15 minutes off).",
    "password": "IAM issued a token but the API refused it: check that the user may use "
    "GeminiDB in this project and region (OS_PROJECT_ID or OS_PROJECT_NAME).",
}
# A parameter of the API -> the option of the CLI that sets it, for messages.
OPTION_OF = {
    "limit": "--page-size",
    "instance_id": "--instance",
    "backup_type": "--backup-type",
    "datastore_type": "--datastore-type",
    "begin_time": "--begin-time",
    "end_time": "--end-time",
    "start_time": "--start-time",
    "type": "--type",
    "status": "--status",
    "id": "--id",
    "name": "--name",
    "description": "--description",
    "project_id": "--project-id",
}


F = TypeVar("F", bound=Callable[..., Any])


def wait_options(command: F) -> F:
    """The --timeout and --interval options of every command that waits for a job."""
    command = click.option(
        "--interval", type=click.FloatRange(min=0.1), default=1.0, show_default=True,
        help="Shortest time between polls; then 10% of the job's run time so far (at most 300 s).",
    )(command)  # fmt: skip
    return click.option(
        "--timeout", type=click.FloatRange(min=0), default=1800, show_default=True,
        help="Seconds to wait.",
    )(command)  # fmt: skip


def state_of(ctx: click.Context) -> State:
    state = ctx.find_object(State)
    return state if state is not None else State()


def open_client(state: State) -> BackupClient:
    """A client from the global options, the environment and clouds.yaml."""
    client: BackupClient = _open(state, asynchronous=False)
    return client


def open_async_client(state: State) -> AsyncBackupClient:
    """The async client of the same settings (the fleet commands run on it)."""
    client: AsyncBackupClient = _open(state, asynchronous=True)
    return client


def _open(state: State, *, asynchronous: bool) -> Any:
    from ..config import resolve

    settings = resolve(
        endpoint=state.endpoint,
        region=state.region,
        project_id=state.project_id,
        token=state.token,
        cloud=state.cloud,
        verify=False if state.insecure else None,
    )
    settings.check(cli=True)  # every missing setting at once, before anything is sent
    state.auth_method, state.iam_url = settings.auth_method, settings.iam_url()
    if state.verbose:
        import logging

        logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
        # httpx logs method, URL and status at INFO; never headers, so no credential.
        logging.getLogger("httpx").setLevel(logging.INFO)
        logging.getLogger("geminidb_backup").setLevel(logging.INFO)  # retries and recoveries
        click.echo(
            f"using {settings.base_url()}, project {settings.project_id or settings.project_name},"
            f" {settings.auth_method} authentication",
            err=True,
        )
    if not settings.verify:
        click.echo("warning: TLS certificate verification is off (--insecure)", err=True)
    # httpx's async side needs anyio (httpcore's asyncio backend).
    _skip_unused_imports(keep=("anyio",) if asynchronous else ())
    # Imported only now: the line above must come before httpx is.
    from ..client import AsyncBackupClient, BackupClient
    from ..timing import ServerClock

    kind = AsyncBackupClient if asynchronous else BackupClient
    auth = settings.auth()
    return kind(
        settings.base_url(),
        settings.require_project_id(auth),
        auth,
        verify=settings.verify,
        timeout=settings.timeout,
        clock=ServerClock(),  # "now" is the server's: ages and names immune to a skewed laptop
    )


# Modules that httpx and httpcore import whenever they are installed, though this process never
# uses them: httpx's own command line (which brings click's help, rich's progress bars and
# pygments' lexers), and trio and anyio (the async backends; the commands use the sync client).
# Both libraries import them inside ``try: ... except ImportError`` and work without them; a
# ``None`` in ``sys.modules`` makes that import fail at once. It halves the cost of importing
# httpx, the largest part of a command's time. Only the commands that talk to the API do this,
# in their own process (never the library, nor ``serve``/``contract``, which may need them).
_UNUSED_HERE = ("httpx._main", "trio", "anyio")


def _skip_unused_imports(keep: Sequence[str] = ()) -> None:
    if "httpx" in sys.modules:
        return  # too late to matter, and whatever imported httpx may use them
    for name in _UNUSED_HERE:
        if name not in keep:
            sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def fail(state: State, code: int, message: str, hint: str = "", **details: Any) -> NoReturn:
    if state.json:
        click.echo(json.dumps({"error": {"message": message, **details}}), err=True)
    else:
        click.secho(f"Error: {message}", fg="red", err=True)
        if hint:
            click.echo(hint, err=True)
    sys.exit(code)


def _as_typed(exc: ValidationError) -> str:
    """The error worded with the option the user typed (``--page-size 0 must be at least 1``),
    not the API's parameter (``limit``); a rule across several options names them first."""
    text = str(exc)
    if isinstance(exc, RequestRuleError):
        options = [_option_named(field) for field in exc.fields]
        return f"{'/'.join(options)}: {text}" if options != list(exc.fields) else text
    option = _option_named(exc.field)
    if option != exc.field.split(".")[0] and text.startswith(exc.field):
        return option + text[len(exc.field) :]
    return text


def _option_named(field: str) -> str:
    top = field.split(".")[0]
    return OPTION_OF.get(top, field)


def origin_of(url: str) -> str:
    """``scheme://host:port`` of a URL, the port spelt out (as TransportError.origin has it)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    return f"{parts.scheme}://{parts.hostname}{f':{port}' if port else ''}"


def _transport_hint(state: State, exc: TransportError) -> str:
    if state.iam_url and exc.origin and origin_of(state.iam_url) == exc.origin:
        hint = (
            f"IAM ({state.iam_url}) could not be reached to get a token: check OS_AUTH_URL "
            "(or auth_url in clouds.yaml) and your network."
        )
        return hint  # asking IAM for a token changes nothing, whether it arrived or not
    hint = "Check --endpoint (or GEMINIDB_ENDPOINT, --region) and your network."
    if exc.sent:
        hint += " The request may have arrived: check with `geminidb-backup list`."
    return hint


@contextmanager
def handled(state: State) -> Iterator[None]:
    """Turn the library's exceptions into a message with advice and a documented exit code."""
    try:
        yield
    except ValidationError as exc:
        fail(state, EXIT_USAGE, f"{_as_typed(exc)}; nothing was sent.",
             "Fix the value and run again.", field=exc.field, rule=exc.rule)  # fmt: skip
    except ConfigurationError as exc:
        fail(state, EXIT_USAGE, f"{exc}; nothing was sent.",
             "See `geminidb-backup --help` for the settings.")  # fmt: skip
    except NotFound as exc:
        fail(state, EXIT_API, str(exc), "Check the ID; `geminidb-backup list` and "
             "`geminidb-backup jobs` show what exists.")  # fmt: skip
    except APIError as exc:
        hint = ADVICE.get(exc.error_code, "")
        if exc.error_code == "APIGW.0301" or (exc.status == 401 and not exc.error_code):
            hint = UNAUTHORIZED_ADVICE.get(state.auth_method, hint)
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
        fail(state, EXIT_NETWORK, str(exc), _transport_hint(state, exc))
    except GeminiDBError as exc:
        fail(state, EXIT_UNEXPECTED, str(exc))
    except KeyboardInterrupt:
        fail(state, EXIT_INTERRUPTED, "interrupted",
             "A call that was already sent may have been carried out: check with "
             "`geminidb-backup list` or `geminidb-backup jobs`.")  # fmt: skip


def need_terminal(state: State, refusal: str) -> None:
    """Exit 2 (nothing sent) when there is no terminal to ask a question on."""
    if not sys.stdin.isatty():
        fail(state, EXIT_USAGE, f"{refusal} without --yes: there is no terminal to ask on",
             "Pass --yes to go ahead without confirmation.")  # fmt: skip


def confirm(state: State, question: str) -> bool:
    """Ask ``question`` on the terminal (see :func:`need_terminal`). The question goes to
    stderr, so that stdout (perhaps redirected into a JSON file) carries only the result. On
    Ctrl-C or end of input, exit 130. Returns whether the answer was yes."""
    try:
        return click.confirm(question, default=False, err=True)
    except click.exceptions.Abort:
        click.echo("", err=True)
        fail(state, EXIT_INTERRUPTED, "interrupted at the prompt; nothing was done")


# Output.


@dataclass(frozen=True)
class Column:
    """A column of a table: the field ``key``, its ``heading``, and how it fits a narrow
    terminal: ``keep`` columns always show (``fold`` lets a long value wrap, the others never
    wrap); the others are dropped, last ones first, when the table would not fit."""

    key: str
    heading: str
    keep: bool = False
    fold: bool = False
    render: Callable[[Any], str] | None = None

    def text(self, value: Any) -> str:
        if self.render is not None:
            return self.render(value)
        return _plain(value)


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(_integral(value))


def _integral(value: Any) -> Any:
    """``value`` with every integral float as an int: the generated models read the API's
    numbers (``"size": 921834``) as floats, which would print as ``921834.0``."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {key: _integral(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integral(item) for item in value]
    return value


def _cell(value: Any) -> str:
    """A value as one field of a tab-separated row: tabs and line breaks become spaces."""
    return " ".join(_plain(value).replace("\t", " ").splitlines())


def emit_document(state: State, data: Any) -> bool:
    """Print ``data`` whole in the structured format asked for (JSON or YAML); whether it did."""
    if state.json:
        click.echo(json.dumps(_integral(data), indent=2, sort_keys=True))
        return True
    if state.yaml:
        import yaml

        click.echo(yaml.safe_dump(_integral(data), sort_keys=True, allow_unicode=True), nl=False)
        return True
    return False


def _flat(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects as dotted fields (``job.status``): a table cell holds one value."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping) and value:
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def human_size(kilobytes: Any) -> str:
    """A backup's size (the API gives kilobytes) with a unit: ``603.5 MB``."""
    try:
        size = float(kilobytes)
    except (TypeError, ValueError):
        return _plain(kilobytes)
    for unit in ("KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "KB" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def count(number: int, noun: str) -> str:
    """``1 backup``, ``2 backups``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def short_time(value: Any) -> str:
    """A time of the API (``2019-05-27T03:38:51+0000``) in UTC to the minute, for a table:
    ``2019-05-27 03:38``. Anything else as it is."""
    from datetime import UTC, datetime

    try:
        moment = datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return _plain(value)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _check_columns(state: State, available: Sequence[str]) -> list[str]:
    unknown = [name for name in state.columns if name not in available]
    if unknown:
        fail(state, EXIT_USAGE, f"no field {unknown[0]!r} to show (-c)",
             f"The fields: {', '.join(available)}.")  # fmt: skip
    return list(state.columns)


def check_output_options(state: State, available: Sequence[str]) -> None:
    """Refuse an unknown -c field before anything is sent."""
    if state.columns:
        _check_columns(state, available)


def emit_list(
    state: State,
    data: Mapping[str, Any],
    items_key: str,
    columns: Sequence[Column],
    title: str = "",
) -> None:
    """Print a list answer: ``data`` as JSON (the API's own shape); its ``items_key`` items as a
    table of ``columns`` or as values, one item per line."""
    items: list[dict[str, Any]] = list(data[items_key])
    if state.json or state.yaml:
        if state.columns:
            selected = _check_columns(state, list(items[0]) if items else state.columns)
            data = {**data, items_key: [{k: item.get(k) for k in selected} for item in items]}
        emit_document(state, data)
        return
    if state.output == "value":
        keys = _check_columns(state, _fields(items, columns)) or [c.key for c in columns]
        for item in items:
            click.echo(" ".join(_plain(item.get(key)) for key in keys))
        return
    if state.rows:
        # Into a pipe without -o: one line per item, its fields separated by tabs, no heading
        # (as gh does), every column and the raw values (the size in KB), for cut and awk.
        keys = _check_columns(state, _fields(items, columns)) or [c.key for c in columns]
        for item in items:
            click.echo("\t".join(_cell(item.get(key)) for key in keys))
        return
    if state.columns:
        by_key = {column.key: column for column in columns}
        keys = _check_columns(state, _fields(items, columns))
        columns = [by_key.get(key, Column(key, key, keep=True, fold=True)) for key in keys]
        columns = [Column(c.key, c.heading, True, c.fold, c.render) for c in columns]
    print_table(columns, items, title)


def _fields(items: list[dict[str, Any]], columns: Sequence[Column]) -> list[str]:
    keys = [column.key for column in columns]
    for item in items[:1]:
        keys += [key for key in item if key not in keys]
    return keys


def print_table(
    columns: Sequence[Column], items: list[dict[str, Any]], title: str, *, err: bool = False
) -> None:
    """Print ``items`` as a table that fits the terminal (on stderr when ``err``)."""
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table

    console = _console(err)
    cells = [[column.text(item.get(column.key)) for column in columns] for item in items]
    widths = [
        max([cell_len(column.heading), *(cell_len(row[i]) for row in cells)])
        for i, column in enumerate(columns)
    ]
    shown = list(range(len(columns)))

    def needed() -> int:  # each column is padded by one space on each side, plus a separator
        return sum(min(widths[i], 24) if columns[i].fold else widths[i] for i in shown) + 3 * (
            len(shown) - 1
        )

    # Drop the optional columns, last first, until the table fits; kept ones never shrink below
    # their widest value (a status or an ID cut to "C…" tells nothing), except folded ones.
    for index in reversed(range(len(columns))):
        if needed() <= console.width:
            break
        if not columns[index].keep:
            shown.remove(index)
    table = Table(title=title or None, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for i in shown:
        column = columns[i]
        table.add_column(
            column.heading,
            no_wrap=not column.fold,
            overflow="fold" if column.fold else "ellipsis",
            min_width=None if column.fold else widths[i],
        )
    for row in cells:
        table.add_row(*(row[i] for i in shown))
    console.print(table)


def _console(err: bool = False) -> Any:
    from rich.console import Console

    # A terminal's own width; into a pipe (-o table asked for explicitly) COLUMNS, else 80, as
    # rich has it: a table never depends on what it is piped into.
    return Console(stderr=err)


def show_fields(state: State, data: Mapping[str, Any], title: str) -> None:
    """Print one object: JSON, its values one per line, or a two-column table of its fields."""
    if state.json or state.yaml:
        selected = _check_columns(state, list(data)) if state.columns else list(data)
        emit_document(state, {key: data[key] for key in selected})
        return
    flat = _flat(data)
    selected = _check_columns(state, list(flat)) if state.columns else list(flat)
    if state.output == "value":
        for key in selected:
            click.echo(_plain(flat[key]))
        return
    if state.rows:
        for key in selected:
            click.echo(f"{key}\t{_cell(flat[key])}")
        return
    from rich import box
    from rich.table import Table

    table = Table(title=title, show_header=False, box=box.SIMPLE, show_edge=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for key in selected:
        value = flat[key]
        table.add_row(key, human_size(value) if key == "size" else _plain(value))
    _console().print(table)


def note(state: State, message: str) -> None:
    """A message for people, on stderr; none in JSON or value output."""
    if state.table:
        click.echo(message, err=True)


@contextmanager
def progress(state: State, job_id: str, label: str, what: str) -> Iterator[Callable[[Any], None]]:
    """A callback for ``BackupClient.wait``: a live bar on a terminal, plain lines otherwise
    (one per change, on stderr, so stdout stays clean for JSON). Ctrl-C stops the waiting, not
    the job (``what``), and says so and how to follow it again (exit 130)."""
    try:
        with _progress(state, label) as report:
            yield report
    except KeyboardInterrupt:
        fail(state, EXIT_INTERRUPTED, f"interrupted: stopped waiting; {what} goes on",
             f"Follow it again with `geminidb-backup wait {job_id}`.", job_id=job_id)  # fmt: skip


@contextmanager
def _progress(state: State, label: str) -> Iterator[Callable[[Any], None]]:
    from .._calls import progress_percent

    if sys.stderr.isatty() and state.table:
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
