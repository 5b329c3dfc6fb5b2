"""``geminidb-backup serve``: run the reference server with uvicorn."""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from geminidb_backup.server.transport import (
    DEFAULT_BODY_TIMEOUT_SECONDS,
    DEFAULT_HEADER_TIMEOUT_SECONDS,
    DEFAULT_KEEP_ALIVE_SECONDS,
    DEFAULT_MAX_HEADER_BYTES,
    DEFAULT_MAX_PIPELINED,
    DEFAULT_SEND_TIMEOUT_SECONDS,
)

TOKENS_ENV = "GEMINIDB_SERVER_TOKENS"
ACCESS_KEYS_ENV = "GEMINIDB_SERVER_ACCESS_KEYS"
ADMIN_TOKEN_ENV = "GEMINIDB_SERVER_ADMIN_TOKEN"
DB_ENV = "GEMINIDB_SERVER_DB"
APP_NAME = "geminidb-backup"
BACKLOG = 2048  # uvicorn's default
# How long a stop (SIGTERM, SIGINT) waits for answers under way before it cancels them: nginx's
# worker_shutdown_timeout (unset there by default), uvicorn's timeout_graceful_shutdown (off by
# default: a client that never reads would hold the stop for ever). Well under the 30 s a
# container runtime gives between SIGTERM and SIGKILL.
DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 10.0
# Repeated log lines of one kind (a malformed request, an accept that failed for lack of file
# descriptors) are written at most once per this many seconds, with the count of those left out.
LOG_REPEAT_SECONDS = 10.0


class FiniteFloat(click.FloatRange):
    """A float range that refuses ``nan`` and ``inf`` (which float() accepts): a backup that
    never ends, or a delay of infinity, would hold requests and connections for ever."""

    name = "float"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


class RetryAfter(click.ParamType[int | None, Any]):
    """Whole seconds (0 or more), or ``none``."""

    name = "SECONDS|none"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value is None or isinstance(value, int):
            return value
        text = str(value).strip().lower()
        if text == "none":
            return None
        if not text.isdigit():
            self.fail(f"{value!r} is not a number of seconds (0 or more) nor 'none'", param, ctx)
        return int(text)


@click.command()
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="A YAML file of instances, tokens, access_keys, backup_seconds, backup_limit, "
    "auto_backups; options given on the command line add to it or override it.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, help="Port to listen on; 0 = a free one.")
@click.option(
    "--token",
    "tokens",
    multiple=True,
    metavar="TOKEN[@PROJECT_ID,...]",
    help=f"An accepted X-Auth-Token (repeatable; also {TOKENS_ENV}, comma-separated). "
    "With @PROJECT_ID,... it is valid in those projects only (403 DBS.280056 elsewhere). "
    "With none, a random one is made and printed once.",
)
@click.option(
    "--access-key",
    "access_keys",
    multiple=True,
    metavar="AK:SK[@PROJECT_ID,...]",
    help=f"An accepted AK/SK pair for SDK-HMAC-SHA256 signatures (repeatable; also "
    f"{ACCESS_KEYS_ENV}, comma-separated); @PROJECT_ID,... binds it to those projects.",
)
@click.option(
    "--instance",
    "instances",
    multiple=True,
    metavar="PROJECT_ID/INSTANCE_ID[/NAME]",
    help="An instance that exists (repeatable). Default (without --instance nor --instances): "
    "the instance of the spec's example.",
)
@click.option(
    "--instances",
    "fleet_size",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seed this many instances in the default project (named cassandra-0001..., IDs shaped "
    "like the service's), to try fleet commands on; beside the --instance ones, or instead of "
    "the example's instance when none is given (its project stays the default).",
)
@click.option(
    "--db",
    "db_path",
    metavar="PATH",
    envvar=DB_ENV,
    default=None,
    help=f"SQLite file of the state; ':memory:' keeps nothing; one server per file [env {DB_ENV}; "
    "default: server-state.sqlite3 in the user's data directory, e.g. "
    "~/.local/share/geminidb-backup].",
)
@click.option(
    "--backup-seconds",
    type=FiniteFloat(min=0),
    default=None,
    help="How long a backup (and a deletion) runs. [default: 5]",
)
@click.option(
    "--restore-seconds",
    type=click.FloatRange(min=0),
    default=None,
    help="How long creating or restoring to a new instance runs. [default: 10]",
)
@click.option(
    "--backup-limit",
    type=click.IntRange(min=0),
    default=None,
    help="Most manual backups per instance; 0 = no limit. [default: 50]",
)
@click.option(
    "--auto-backups/--no-auto-backups",
    default=None,
    help="Give each instance an automated backup (which cannot be deleted). [default: on]",
)
@click.option(
    "--policy",
    default=None,
    metavar="KEEP_DAYS[/WINDOW[/DAYS]]",
    help="Turn the automated backup policy of every instance on: 7, 7/01:00-02:00 or "
    "14/01:00-02:00/mon-fri (window UTC, default 00:00-01:00; days default every day). "
    "[default: off; the real service's default is on, 7 days]",
)
@click.option(
    "--lock-timeout",
    type=FiniteFloat(min=0),
    default=5.0,
    show_default=True,
    help="Seconds a write waits for another process's lock on the state file (the event loop "
    "serving meanwhile) before it is answered 503 with Retry-After.",
)
@click.option(
    "--fsync/--no-fsync",
    default=False,
    show_default=True,
    help="fsync every commit (survives a machine crash, not only a server crash; slower).",
)
@click.option("--fault-500", type=FiniteFloat(0, 1), default=0.0, help="Share answered 500.")
@click.option(
    "--fault-503",
    type=FiniteFloat(0, 1),
    default=0.0,
    help="Share answered 503 + Retry-After.",
)
@click.option(
    "--fault-429",
    type=FiniteFloat(0, 1),
    default=0.0,
    help="Share answered 429 + Retry-After.",
)
@click.option(
    "--fault-drop",
    type=FiniteFloat(0, 1),
    default=0.0,
    help="Share whose connection is dropped before the request is handled.",
)
@click.option(
    "--fault-drop-after-commit",
    type=FiniteFloat(0, 1),
    default=0.0,
    help="Share handled (a backup committed) whose connection is then dropped without an answer.",
)
@click.option(
    "--fault-latency", type=FiniteFloat(min=0), default=0.0, help="Seconds added to each call."
)
@click.option(
    "--rate-limit",
    metavar="N[/s|/min]",
    default=None,
    help="Answer 429 to the requests of a project beyond N a second (20, 20/s) or a minute "
    "(600/min), as the API gateway throttles. Off by default.",
)
@click.option(
    "--rate-limit-code",
    type=click.Choice(["DBS.280443", "APIGW.0308"]),
    default="DBS.280443",
    show_default=True,
    help="The code of the rate limit's 429: the service's, or the API gateway's.",
)
@click.option(
    "--retry-after",
    type=RetryAfter(),
    default="1",
    show_default=True,
    help="Retry-After seconds of the 429 answers (rate limit, injected) and the injected 503; "
    "'none': no Retry-After header, as the real gateway is not known to send one.",
)
@click.option("--fault-seed", type=int, default=None, help="Seed of the fault draws.")
@click.option(
    "--admin-token",
    envvar=ADMIN_TOKEN_ENV,
    default=None,
    help=f"Turn on the control API under /_emulator (clock, failing backups, instance status, "
    f"faults, reset) for callers with this bearer token [env {ADMIN_TOKEN_ENV}]. "
    "Off without it. See the guide 'Testing your backup code'.",
)
@click.option(
    "--http",
    "http",
    type=click.Choice(["auto", "httptools", "h11"]),
    default="auto",
    show_default=True,
    help="uvicorn's HTTP/1.1 implementation: auto = httptools (and the uvloop event loop) when "
    "installed (the [server] extra brings them), else h11 on asyncio.",
)
@click.option(
    "--header-timeout",
    type=FiniteFloat(min=0, min_open=True),
    default=DEFAULT_HEADER_TIMEOUT_SECONDS,
    show_default=True,
    help="Seconds a connection may take to send a request's headers, from its opening or the "
    "request's first byte; then it is closed.",
)
@click.option(
    "--body-timeout",
    type=FiniteFloat(min=0, min_open=True),
    default=DEFAULT_BODY_TIMEOUT_SECONDS,
    show_default=True,
    help="Seconds a request may take to send its body after its headers; then it is closed.",
)
@click.option(
    "--keep-alive-timeout",
    type=FiniteFloat(min=0, min_open=True),
    default=DEFAULT_KEEP_ALIVE_SECONDS,
    show_default=True,
    help="Seconds an idle keep-alive connection stays open after an answer.",
)
@click.option(
    "--send-timeout",
    type=FiniteFloat(min=0, min_open=True),
    default=DEFAULT_SEND_TIMEOUT_SECONDS,
    show_default=True,
    help="Seconds a client may leave its answers unread (the send buffer full); then the "
    "connection is aborted (nginx: send_timeout).",
)
@click.option(
    "--shutdown-timeout",
    type=FiniteFloat(min=0),
    default=DEFAULT_SHUTDOWN_TIMEOUT_SECONDS,
    show_default=True,
    help="Seconds SIGTERM/SIGINT waits for requests under way before cancelling them "
    "(nginx: worker_shutdown_timeout).",
)
@click.option(
    "--max-header-bytes",
    type=click.IntRange(min=1024),
    default=DEFAULT_MAX_HEADER_BYTES,
    show_default=True,
    help="Largest request head (request line and headers); a larger one is answered 400 and "
    "its connection closed (h11's limit; nginx: large_client_header_buffers).",
)
@click.option(
    "--max-pipelined",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_PIPELINED,
    show_default=True,
    help="Requests a connection may pipeline behind the one being answered; past it the "
    "connection is closed once those are answered.",
)
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="uvicorn's access log (method, path, status; never a header).",
)
def serve(
    config_file: str | None,
    host: str,
    port: int,
    tokens: tuple[str, ...],
    access_keys: tuple[str, ...],
    instances: tuple[str, ...],
    fleet_size: int,
    db_path: str | None,
    backup_seconds: float | None,
    restore_seconds: float | None,
    backup_limit: int | None,
    auto_backups: bool | None,
    policy: str | None,
    lock_timeout: float,
    fsync: bool,
    fault_500: float,
    fault_503: float,
    fault_429: float,
    fault_drop: float,
    fault_drop_after_commit: float,
    fault_latency: float,
    rate_limit: str | None,
    rate_limit_code: str,
    retry_after: int | None,
    fault_seed: int | None,
    admin_token: str | None,
    http: str,
    header_timeout: float,
    body_timeout: float,
    keep_alive_timeout: float,
    send_timeout: float,
    shutdown_timeout: float,
    max_header_bytes: int,
    max_pipelined: int,
    access_log: bool,
) -> None:
    """Run the reference server: a local, stateful GeminiDB backup API."""
    # Imported here, not at the top: `geminidb-backup --help` must not pay for uvicorn.
    import dataclasses
    import secrets

    from geminidb_backup.server import config as server_config
    from geminidb_backup.server.faults import FaultConfig
    from geminidb_backup.server.rate_limit import parse_rate_limit

    try:
        from_file = (
            server_config.load_file_settings(config_file)
            if config_file
            else server_config.FileSettings()
        )
        given_keys = [
            server_config.parse_bound_access_key(text)
            for text in (*access_keys, *_env_list(ACCESS_KEYS_ENV))
        ]
        keys = dict(from_file.access_keys, **{key: secret for key, secret, _ in given_keys})
        key_projects = {
            **from_file.access_key_projects,
            **{key: bound for key, _, bound in given_keys if bound is not None},
        }
        given_tokens = [
            server_config.parse_token(text) for text in (*tokens, *_env_list(TOKENS_ENV))
        ]
        token_projects = {
            **from_file.token_projects,
            **{token: bound for token, bound in given_tokens if bound is not None},
        }
        seeded = (
            *from_file.instances,
            *(server_config.parse_instance(text) for text in instances),
        )
        if fleet_size:
            project_id = (seeded or (server_config.example_instance(),))[0].project_id
            seeded += tuple(server_config.fleet_instances(project_id, fleet_size))
        seeded = seeded or (server_config.example_instance(),)
        limit = None
        if rate_limit is not None:
            limit = dataclasses.replace(
                parse_rate_limit(rate_limit), code=rate_limit_code, retry_after=retry_after
            )
        faults = FaultConfig(
            server_error=fault_500,
            unavailable=fault_503,
            throttled=fault_429,
            drop=fault_drop,
            drop_after_commit=fault_drop_after_commit,
            latency_seconds=fault_latency,
            retry_after_seconds=retry_after,
            seed=fault_seed,
        )
        seeded_policy = server_config.parse_policy(policy) if policy is not None else None
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    all_tokens = {*from_file.tokens, *(token for token, _ in given_tokens)}
    generated = None
    if not all_tokens and not keys:
        generated = secrets.token_urlsafe(24)
        all_tokens.add(generated)
    settings: dict[str, Any] = {}
    for name, value in (
        (
            "backup_seconds",
            backup_seconds if backup_seconds is not None else from_file.backup_seconds,
        ),
        ("restore_seconds", restore_seconds),
        ("backup_limit", backup_limit if backup_limit is not None else from_file.backup_limit),
        ("auto_backups", auto_backups if auto_backups is not None else from_file.auto_backups),
    ):
        if value is not None:
            settings[name] = value
    try:
        config = server_config.ServerConfig(
            tokens=frozenset(all_tokens),
            access_keys=keys,
            instances=seeded,
            db_path=db_path if db_path is not None else default_state_file(create=True),
            fsync=fsync,
            lock_timeout_seconds=lock_timeout,
            faults=faults,
            admin_token=admin_token,
            rate_limit=limit,
            policy=seeded_policy,
            token_projects=token_projects,
            access_key_projects=key_projects,
            **settings,
        )
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    run(
        config,
        generated_token=generated,
        host=host,
        port=port,
        access_log=access_log,
        http=http,
        timeouts=Timeouts(
            header_timeout,
            body_timeout,
            keep_alive_timeout,
            send_timeout,
            shutdown_timeout,
            max_header_bytes,
            max_pipelined,
        ),
    )


class ServeError(click.ClickException):
    """A start that cannot be: one line, exit status 2 (as a usage error, without the usage)."""

    exit_code = 2


def default_state_file(*, create: bool = False) -> str:
    """``server-state.sqlite3`` in the user's data directory (made when ``create``): not the
    working directory, which a state file would litter. The XDG data directory on Linux and the
    BSDs (``$XDG_DATA_HOME`` or ``~/.local/share``); elsewhere click's application directory,
    which is the data directory there (``~/Library/Application Support``, ``%APPDATA%``).
    Written here rather than with platformdirs: one path does not need another distribution."""
    if sys.platform in ("darwin", "win32"):
        directory = click.get_app_dir(APP_NAME)
    else:
        base = os.environ.get("XDG_DATA_HOME") or os.path.join(
            os.path.expanduser("~"), ".local", "share"
        )
        directory = os.path.join(base, APP_NAME)
    if create:
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError as error:
            raise ServeError(
                f"cannot create the state directory {directory}: {error.strerror}; give --db"
            ) from None
    return os.path.join(directory, "server-state.sqlite3")


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


@dataclass(frozen=True)
class Timeouts:
    """The deadlines and limits of connections (see geminidb_backup.server.transport)."""

    header: float = DEFAULT_HEADER_TIMEOUT_SECONDS
    body: float = DEFAULT_BODY_TIMEOUT_SECONDS
    keep_alive: float = DEFAULT_KEEP_ALIVE_SECONDS
    send: float = DEFAULT_SEND_TIMEOUT_SECONDS
    shutdown: float = DEFAULT_SHUTDOWN_TIMEOUT_SECONDS
    max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES
    max_pipelined: int = DEFAULT_MAX_PIPELINED


class RepeatFilter:
    """A logging filter that lets one record of each kind (logger and message template) through
    per ``seconds``, noting how many it left out: a client must not be able to fill a disk with
    the server's log (uvicorn warns once per malformed request; asyncio logs a traceback each
    time an accept fails for lack of file descriptors, thousands a second)."""

    def __init__(self, seconds: float = LOG_REPEAT_SECONDS) -> None:
        import time

        self._seconds = seconds
        self._clock = time.monotonic
        self._last: dict[tuple[str, object], float] = {}
        self._dropped: dict[tuple[str, object], int] = {}

    def filter(self, record: Any) -> bool:
        key = (record.name, record.msg)
        now = self._clock()
        last = self._last.get(key)
        if last is not None and now - last < self._seconds:
            self._dropped[key] = self._dropped.get(key, 0) + 1
            return False
        if len(self._last) > 1000:  # kinds are few; never let the table grow without bound
            self._last.clear()
        self._last[key] = now
        dropped = self._dropped.pop(key, 0)
        if dropped:
            record.msg = f"{record.msg} ({dropped} more like it in the last {self._seconds:g} s)"
        return True


def run(
    config: Any,
    *,
    host: str,
    port: int,
    access_log: bool,
    http: str = "auto",
    timeouts: Timeouts = Timeouts(),
    generated_token: str | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM; prints ``serving on http://HOST:PORT (STACK)`` once
    listening, STACK naming the HTTP implementation and the event loop, then what a client needs
    (:func:`_start_lines`). A port in use, or a state file that cannot be used or is another
    server's, is one line and exit status 2, before anything else is printed."""
    import asyncio
    import gc
    import logging
    import signal
    import socket
    import sqlite3

    import uvicorn

    from geminidb_backup.server import state_file
    from geminidb_backup.server.app import create_app
    from geminidb_backup.server.http_date import DateHeader
    from geminidb_backup.server.state import Clock, StoreBusy
    from geminidb_backup.server.state_file import StateFileError
    from geminidb_backup.server.transport import protocol_class

    # The server's clock (the control API moves it), which dates every answer: the
    # application's, and those the transport writes itself.
    clock = Clock()
    try:
        protocol = protocol_class(
            http,  # type: ignore[arg-type]
            header_timeout=timeouts.header,
            body_timeout=timeouts.body,
            send_timeout=timeouts.send,
            max_header_bytes=timeouts.max_header_bytes,
            max_pipelined=timeouts.max_pipelined,
            date_header=DateHeader(clock),
        )
    except RuntimeError as error:
        raise click.UsageError(str(error)) from None
    loop_factory = _loop_factory(fastest=http != "h11")
    stack = f"{'httptools' if 'HttpTools' in protocol.__name__ else 'h11'}, " + (
        "uvloop" if loop_factory is not None else "asyncio"
    )
    server_class = _server_class()
    # Bind the socket here so that --port 0 yields the real port before uvicorn starts.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP given explicitly: asyncio sets TCP_NODELAY on accepted connections only when the
    # socket says it is TCP, and without it every answer written in two parts waits for a delayed
    # ACK (40 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise ServeError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    try:
        # Checked before its lock file is made next to it: another program's file is left as
        # it is. The lock is held as long as this process runs (the kernel drops it however
        # the process ends).
        state_file.check(config.db_path)
        held_lock = state_file.lock(config.db_path)
        app = create_app(config, clock=clock)
    except (StateFileError, StoreBusy, sqlite3.Error) as error:
        sock.close()
        if isinstance(error, StoreBusy):
            message = f"the state file {config.db_path} is locked by another process"
        elif isinstance(error, StateFileError):
            message = str(error)
        else:
            message = f"cannot use the state file {config.db_path}: {error}"
        raise ServeError(message) from None
    # Listening before the URL is printed: a client that connects as soon as it reads the line
    # waits in the backlog until uvicorn accepts, rather than being refused.
    sock.listen(BACKLOG)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if family == socket.AF_INET6 else bound_host
    uvicorn_config = uvicorn.Config(
        app,
        http=protocol,
        lifespan="on",
        backlog=BACKLOG,
        access_log=access_log,
        log_level="info" if access_log else "warning",
        timeout_keep_alive=timeouts.keep_alive,  # type: ignore[arg-type]
        timeout_graceful_shutdown=timeouts.shutdown,  # type: ignore[arg-type]
        h11_max_incomplete_event_size=timeouts.max_header_bytes,
        # No WebSocket (or other) upgrade: such a request is answered as any other.
        ws="none",
        # No proxy in front of an emulator: X-Forwarded-* need no middleware on every request.
        proxy_headers=False,
        # uvicorn's Date is the wall's time: the answers carry the server's clock's instead.
        date_header=False,
    )
    repeats = RepeatFilter()
    for name in ("uvicorn.error", "asyncio", "geminidb_backup.server"):
        logging.getLogger(name).addFilter(repeats)
    server = server_class(uvicorn_config)
    # A stop asked for as soon as the ready line is read, before the event loop has its handlers,
    # is still a clean shutdown (uvicorn starts, sees should_exit, and stops).
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: server.request_exit())
    # A long-running process: what start-up made (modules, the spec, compiled schemas, the app)
    # lives as long as it does. Frozen, it is no longer walked by each of the collector's full
    # passes, which under load land on some requests: measured with wrk -c16, the p99 of
    # createBackup went from 12-18 ms to 10-12 ms.
    gc.collect()
    gc.freeze()
    url = f"http://{shown}:{bound_port}"
    # One write: whoever waits for the ready line has the lines after it too (a reader that
    # looked at the output as soon as the URL appeared missed the token line now and then).
    click.echo(
        "\n".join([f"serving on {url} ({stack})", *_start_lines(config, url, generated_token)])
    )
    sys.stdout.flush()
    try:
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            runner.run(_serve(server, sock))
    finally:
        app.close()
        if held_lock is not None:
            held_lock.close()


def _start_lines(config: Any, url: str, generated_token: str | None) -> list[str]:
    """What every call needs: the state file, the projects and instances, and the ``GEMINIDB_*``
    lines to paste; the token only when serve made it up (the only way to learn it), never one
    it was given."""
    lines = []
    if config.db_path != ":memory:":
        lines.append(f"state file: {config.db_path} (give --db to use another)")
    shown = config.instances[:10]
    for instance in shown:
        lines.append(f"project {instance.project_id} instance {instance.id} ({instance.name})")
    if len(config.instances) > len(shown):
        lines.append(f"... and {len(config.instances) - len(shown)} more instances")
    lines.append("for the geminidb-backup CLI and library:")
    lines.append(f"  export GEMINIDB_ENDPOINT={url}")
    lines.append(f"  export GEMINIDB_PROJECT_ID={config.instances[0].project_id}")
    if generated_token is not None:
        lines.append(f"  export GEMINIDB_TOKEN={generated_token}")
    return lines


def _loop_factory(*, fastest: bool) -> Callable[[], Any] | None:
    """uvloop's event loop when ``fastest`` and it is installed; None: asyncio's own."""
    if not fastest:
        return None
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], Any] = uvloop.new_event_loop
    return factory


async def _serve(server: Any, sock: Any) -> None:
    import asyncio
    import signal

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, server.request_exit)
    await server.serve(sockets=[sock])


def _server_class() -> Any:
    import contextlib
    from collections.abc import Iterator

    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, stopped by our own SIGINT/SIGTERM handlers.

        uvicorn's handlers re-raise the signal once it has shut down, so that SIGTERM ends the
        process with -15 and SIGINT with a KeyboardInterrupt; a stop asked for is a clean exit
        here (status 0), after the same graceful shutdown.
        """

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

        def request_exit(self) -> None:
            # A second signal while shutting down forces the exit, as with uvicorn's handlers.
            if self.should_exit:
                self.force_exit = True
            self.should_exit = True

    return Server
