"""``geminidb-backup serve``: run the reference server with uvicorn."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

TOKENS_ENV = "GEMINIDB_SERVER_TOKENS"
ACCESS_KEYS_ENV = "GEMINIDB_SERVER_ACCESS_KEYS"


@click.command()
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
    help="An instance that exists (repeatable). Default: the instance of the spec's example.",
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
    default=True,
    show_default=True,
    help="Give each instance an automated backup (which cannot be deleted).",
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
@click.option("--retry-after", type=click.IntRange(min=0), default=1, show_default=True)
@click.option("--fault-seed", type=int, default=None, help="Seed of the fault draws.")
@click.option("--access-log/--no-access-log", default=True, show_default=True)
def serve(
    host: str,
    port: int,
    tokens: tuple[str, ...],
    access_keys: tuple[str, ...],
    instances: tuple[str, ...],
    db_path: str,
    backup_seconds: float | None,
    backup_limit: int | None,
    auto_backups: bool,
    fault_500: float,
    fault_503: float,
    fault_429: float,
    fault_drop: float,
    fault_drop_after_commit: float,
    fault_latency: float,
    retry_after: int,
    fault_seed: int | None,
    access_log: bool,
) -> None:
    """Run the reference server: a local, stateful GeminiDB backup API."""
    # Imported here, not at the top: `geminidb-backup --help` must not pay for uvicorn.
    import secrets

    from geminidb_backup.server import config as server_config
    from geminidb_backup.server.faults import FaultConfig

    all_tokens = {*tokens, *_env_list(TOKENS_ENV)}
    generated = None
    if not all_tokens and not access_keys and not _env_list(ACCESS_KEYS_ENV):
        generated = secrets.token_urlsafe(24)
        all_tokens.add(generated)
    try:
        keys = dict(
            server_config.parse_access_key(text)
            for text in (*access_keys, *_env_list(ACCESS_KEYS_ENV))
        )
        seeded = tuple(server_config.parse_instance(text) for text in instances) or (
            server_config.example_instance(),
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
    settings: dict[str, Any] = {}
    if backup_seconds is not None:
        settings["backup_seconds"] = backup_seconds
    if backup_limit is not None:
        settings["backup_limit"] = backup_limit
    config = server_config.ServerConfig(
        tokens=frozenset(all_tokens),
        access_keys=keys,
        instances=seeded,
        db_path=db_path,
        auto_backups=auto_backups,
        faults=faults,
        **settings,
    )
    if generated is not None:
        # Printed once, to the terminal that started the server: the only way to learn it.
        click.echo(f"token: {generated}")
    run(config, host=host, port=port, access_log=access_log)


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def run(config: Any, *, host: str, port: int, access_log: bool) -> None:
    """Serve until SIGINT or SIGTERM; prints ``serving on http://HOST:PORT`` once listening."""
    import asyncio
    import socket

    import uvicorn

    from geminidb_backup.server.app import create_app
    from geminidb_backup.server.transport import AbortableH11Protocol

    app = create_app(config)
    # Bind the socket here so that --port 0 yields the real port before uvicorn starts.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror}") from None
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if family == socket.AF_INET6 else bound_host
    uvicorn_config = uvicorn.Config(
        app,
        http=AbortableH11Protocol,
        lifespan="on",
        access_log=access_log,
        log_level="info" if access_log else "warning",
    )
    server = uvicorn.Server(uvicorn_config)
    click.echo(f"serving on http://{shown}:{bound_port}")
    sys.stdout.flush()
    # uvicorn installs its own SIGINT/SIGTERM handlers and shuts down gracefully on either.
    asyncio.run(server.serve(sockets=[sock]))
