"""The bundled reference server as a throwaway target: started on a free loopback port, stopped after."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from geminidb_backup.server.process import ServeProcessError, serve_process

START_TIMEOUT = 60.0


@dataclass(frozen=True)
class EmbeddedServer:
    url: str
    token: str


class EmbeddedServerError(RuntimeError):
    """The reference server did not start."""


@contextmanager
def embedded_server(*extra_args: str) -> Iterator[EmbeddedServer]:
    """Run ``geminidb-backup serve`` with clean in-memory state, instant backups and restores."""
    token = secrets.token_urlsafe(24)
    args = ["--host", "127.0.0.1", "--db", ":memory:", "--backup-seconds", "0", "--restore-seconds", "0",
            "--backup-limit", "0", "--token", token, *extra_args]  # fmt: skip
    with ExitStack() as stack:
        try:
            server = stack.enter_context(
                serve_process(args, start_timeout=START_TIMEOUT, stop_timeout=10.0)
            )
        except ServeProcessError as error:
            raise EmbeddedServerError(f"the reference server did not start: {error}") from error
        yield EmbeddedServer(url=server.url, token=token)
