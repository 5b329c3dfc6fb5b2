"""How clients reach the emulator without a socket: a private event loop, and httpx transports
that hand each request to the ASGI application.

Why a transport of our own for the sync client: httpx's ``ASGITransport`` is async only (an
``httpx.Client`` cannot use it), its ``WSGITransport`` speaks WSGI, and Starlette's
``TestClient`` transport is private and starts a thread and an event loop per request unless its
client is used as a context manager. :class:`EmulatorTransport` wraps ``httpx.ASGITransport``
(which does the ASGI work) and runs it on one long-lived private loop, so a request costs no new
loop, and the sync client also works inside a running event loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import httpx

T = TypeVar("T")

# What httpx raises when a real server closes the connection without answering.
DISCONNECTED = "Server disconnected without sending a response."


class PrivateLoop:
    """The emulator's own event loop: driven by the calling thread while nothing else needs it,
    and by a daemon thread of its own once something must run in the background (the loopback
    server), or when the caller already runs a loop (a sync client inside async code).

    Why not always a thread: handing a request to another thread and back costs two wake-ups of
    that thread and a GIL hand-off each way; on a busy machine that was 1-2 ms a request, more
    than everything else in-process together.
    """

    def __init__(self, name: str = "geminidb-emulator") -> None:
        self.loop = asyncio.new_event_loop()
        self._name = name
        self._thread: threading.Thread | None = None
        # Driven by the thread that made it; a request from any other thread moves the loop
        # to a thread of its own (held while the owner drives it, so that never both).
        self._owner = threading.get_ident()
        self._driving = threading.Lock()

    @property
    def threaded(self) -> bool:
        return self._thread is not None

    def start_thread(self) -> None:
        """From now on the loop runs forever in its own thread."""
        with self._driving:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coroutine`` on the loop and return its result (its exception is raised;
        ``TimeoutError`` after ``timeout`` seconds)."""
        if self._thread is None and (_in_running_loop() or threading.get_ident() != self._owner):
            # run_until_complete cannot run inside a running loop, nor in two threads at once.
            self.start_thread()
        if self._thread is None:
            with self._driving:
                if self._thread is None:
                    waited = coroutine if timeout is None else asyncio.wait_for(coroutine, timeout)
                    return self.loop.run_until_complete(waited)
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError from None

    def call(self, function: Callable[[], T]) -> T:
        """Call ``function`` where the loop runs, between two of its callbacks (so never in the
        middle of a request's handling), and return what it returns."""
        if self._thread is None or threading.current_thread() is self._thread:
            return function()
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def call() -> None:
            try:
                future.set_result(function())
            except BaseException as error:  # noqa: BLE001 - handed to the caller
                future.set_exception(error)

        self.loop.call_soon_threadsafe(call)
        return future.result()

    def close(self) -> None:
        if self.loop.is_closed():
            return
        if self._thread is not None:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join()
        self.loop.close()


def _in_running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class EmulatorASGITransport(httpx.ASGITransport):
    """``httpx.ASGITransport`` that turns the application's "drop this connection" (there is no
    socket to drop in-process) into the error a dropped socket gives a client."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except ConnectionAbortedError:
            raise httpx.RemoteProtocolError(DISCONNECTED, request=request) from None


class EmulatorTransport(httpx.BaseTransport):
    """A sync httpx transport: each request runs through :class:`EmulatorASGITransport` on the
    emulator's loop. Nothing in-process waits on a network, so no timeout applies."""

    def __init__(self, app: Any, loop: PrivateLoop) -> None:
        self._inner = EmulatorASGITransport(app)
        self._loop = loop

    def async_twin(self) -> EmulatorASGITransport:
        """The async transport to the same application (for a sync client's async twin, which
        runs the application on the caller's own event loop)."""
        return EmulatorASGITransport(self._inner.app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(request.stream, httpx.AsyncByteStream):
            # A body given as a sync iterator: read it, so that the ASGI side can stream it.
            request = httpx.Request(request.method, request.url, headers=request.headers,
                                    content=request.read(), extensions=request.extensions)  # fmt: skip

        async def send() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            response = await self._inner.handle_async_request(request)
            return response.status_code, response.headers.raw, await response.aread()

        status, headers, body = self._loop.run(send())
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))
