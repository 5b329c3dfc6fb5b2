"""``geminidb-backup serve``: run the reference server with uvicorn."""

from __future__ import annotations

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
)

TOKENS_ENV = "GEMINIDB_SERVER_TOKENS"
ACCESS_KEYS_ENV = "GEMINIDB_SERVER_ACCESS_KEYS"
ADMIN_TOKEN_ENV = "GEMINIDB_SERVER_ADMIN_TOKEN"
BACKLOG = 2048  # uvicorn's default


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
    help=f"An accepted X-Auth-Token (repeatable; also {TOKENS_ENV}, comma-separated). "
    "With none, a random one is made and printed once.",
)
@click.option(
    "--access-key",
    "access_keys",
    multiple=True,
    metavar="AK:SK",
    help=f"An accepted AK/SK pair for SDK-HMAC-SHA256 signatures (repeatable; also "
    f"{ACCESS_KEYS_ENV}, comma-separated).",
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
    default="geminidb-backup-server.sqlite3",
    show_default=True,
    help="SQLite file of the state; ':memory:' keeps nothing.",
)
@click.option(
    "--backup-seconds",
    type=click.FloatRange(min=0),
    default=None,
    help="How long a backup (and a deletion) runs. [default: 5]",
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
    "--fsync/--no-fsync",
    default=False,
    show_default=True,
    help="fsync every commit (survives a machine crash, not only a server crash; slower).",
)
@click.option("--fault-500", type=click.FloatRange(0, 1), default=0.0, help="Share answered 500.")
@click.option(
    "--fault-503",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Share answered 503 + Retry-After.",
)
@click.option(
    "--fault-429",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Share answered 429 + Retry-After.",
)
@click.option(
    "--fault-drop",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Share whose connection is dropped before the request is handled.",
)
@click.option(
    "--fault-drop-after-commit",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Share handled (a backup committed) whose connection is then dropped without an answer.",
)
@click.option(
    "--fault-latency", type=click.FloatRange(min=0), default=0.0, help="Seconds added to each call."
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
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_HEADER_TIMEOUT_SECONDS,
    show_default=True,
    help="Seconds a connection may take to send a request's headers, from its opening or the "
    "request's first byte; then it is closed.",
)
@click.option(
    "--body-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_BODY_TIMEOUT_SECONDS,
    show_default=True,
    help="Seconds a request may take to send its body after its headers; then it is closed.",
)
@click.option(
    "--keep-alive-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_KEEP_ALIVE_SECONDS,
    show_default=True,
    help="Seconds an idle keep-alive connection stays open after an answer.",
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
    db_path: str,
    backup_seconds: float | None,
    backup_limit: int | None,
    auto_backups: bool | None,
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
        keys = dict(
            from_file.access_keys,
            **dict(
                server_config.parse_access_key(text)
                for text in (*access_keys, *_env_list(ACCESS_KEYS_ENV))
            ),
        )
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
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    all_tokens = {*from_file.tokens, *tokens, *_env_list(TOKENS_ENV)}
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
            db_path=db_path,
            fsync=fsync,
            faults=faults,
            admin_token=admin_token,
            rate_limit=limit,
            **settings,
        )
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    if generated is not None:
        # Printed once, to the terminal that started the server: the only way to learn it.
        click.echo(f"token: {generated}")
    run(
        config,
        host=host,
        port=port,
        access_log=access_log,
        http=http,
        timeouts=Timeouts(header_timeout, body_timeout, keep_alive_timeout),
    )


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


@dataclass(frozen=True)
class Timeouts:
    header: float = DEFAULT_HEADER_TIMEOUT_SECONDS
    body: float = DEFAULT_BODY_TIMEOUT_SECONDS
    keep_alive: float = DEFAULT_KEEP_ALIVE_SECONDS


def run(
    config: Any,
    *,
    host: str,
    port: int,
    access_log: bool,
    http: str = "auto",
    timeouts: Timeouts = Timeouts(),
) -> None:
    """Serve until SIGINT or SIGTERM; prints ``serving on http://HOST:PORT (STACK)`` once
    listening, STACK naming the HTTP implementation and the event loop."""
    import asyncio
    import gc
    import signal
    import socket

    import uvicorn

    from geminidb_backup.server.app import create_app
    from geminidb_backup.server.transport import protocol_class

    try:
        protocol = protocol_class(
            http,  # type: ignore[arg-type]
            header_timeout=timeouts.header,
            body_timeout=timeouts.body,
        )
    except RuntimeError as error:
        raise click.UsageError(str(error)) from None
    loop_factory = _loop_factory(fastest=http != "h11")
    stack = f"{'httptools' if 'HttpTools' in protocol.__name__ else 'h11'}, " + (
        "uvloop" if loop_factory is not None else "asyncio"
    )
    server_class = _server_class()
    app = create_app(config)
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
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror}") from None
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
        # No proxy in front of an emulator: X-Forwarded-* need no middleware on every request.
        proxy_headers=False,
    )
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
    click.echo(f"serving on http://{shown}:{bound_port} ({stack})")
    sys.stdout.flush()
    try:
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            runner.run(_serve(server, sock))
    finally:
        app.close()


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
