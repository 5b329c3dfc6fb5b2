"""How clients reach the emulator without a socket: a private event loop thread, and httpx
transports that hand each request to the ASGI application.

Why a transport of our own for the sync client: httpx's ``ASGITransport`` is async only (an
``httpx.Client`` cannot use it), its ``WSGITransport`` speaks WSGI, and Starlette's
``TestClient`` transport is private and starts a thread and an event loop per request unless its
client is used as a context manager. :class:`EmulatorTransport` wraps ``httpx.ASGITransport``
(which does the ASGI work) and runs it on one long-lived loop thread, so a request costs a thread
hand-off rather than a new loop, and the sync client also works inside a running event loop.
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


class EventLoopThread:
    """An asyncio event loop running forever in a daemon thread of its own."""

    def __init__(self, name: str = "geminidb-emulator") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coroutine`` on the loop and wait for its result (its exception is raised)."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise

    def call(self, function: Callable[[], T]) -> T:
        """Call ``function`` on the loop's thread (between two of its callbacks, so never in the
        middle of a request's handling) and return what it returns."""
        if threading.current_thread() is self._thread:
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
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


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
    emulator's loop thread. The read timeout of the request is honoured (``httpx.ReadTimeout``)."""

    def __init__(self, app: Any, loop: EventLoopThread) -> None:
        self._inner = EmulatorASGITransport(app)
        self._loop = loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        inner = httpx.Request(
            request.method,
            request.url,
            headers=request.headers,
            content=request.read(),
            extensions=request.extensions,
        )

        async def send() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            response = await self._inner.handle_async_request(inner)
            return response.status_code, response.headers.raw, await response.aread()

        timeout = request.extensions.get("timeout", {}).get("read")
        try:
            status, headers, body = self._loop.run(send(), timeout)
        except concurrent.futures.TimeoutError:
            raise httpx.ReadTimeout(
                "the emulator did not answer in time", request=request
            ) from None
        except httpx.RemoteProtocolError as error:
            raise httpx.RemoteProtocolError(str(error), request=request) from None
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))
