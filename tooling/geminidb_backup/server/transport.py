"""What uvicorn does not offer: a way for the application to drop a connection without answering.

ASGI has no "close the socket now" message: an application that raises before answering gets a
500 from uvicorn. Fault injection needs a real drop (the client sees the connection closed, no
status line), so this subclass of uvicorn's h11 protocol puts an ``abort`` callable into each
request's scope (under :data:`ABORT_EXTENSION`), which aborts the TCP transport.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

ABORT_EXTENSION = "geminidb_backup.abort"


class AbortableH11Protocol(H11Protocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        inner = self.app

        async def app(scope: Any, receive: Any, send: Any) -> None:
            scope.setdefault("extensions", {})[ABORT_EXTENSION] = self._abort
            await inner(scope, receive, send)

        self.app = app

    def _abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()
