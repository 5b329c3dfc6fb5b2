"""What uvicorn does not offer: a way for the application to drop a connection without answering,
and deadlines for a request to arrive.

**Drop.** ASGI has no "close the socket now" message: an application that raises before
answering gets a 500 from uvicorn. Fault injection needs a real drop (the client sees the
connection closed, no status line), so the protocols here put an ``abort`` callable into each
request's scope (under :data:`ABORT_EXTENSION`), which aborts the TCP transport.

**Deadlines.** uvicorn times out a connection only while it is idle after an answer (its
keep-alive timeout); a connection that never sends a byte, or trickles its headers or its body,
stays open for ever, each holding a socket and memory (slowloris). As production servers do
(nginx's ``client_header_timeout`` and ``client_body_timeout``), the protocols here close a
connection whose request headers are not whole within :attr:`Deadlines.header_timeout` seconds
(from the connection's opening, or from a next request's first byte: the wait before that byte
is uvicorn's keep-alive), or whose body is not whole within :attr:`Deadlines.body_timeout`
seconds of its headers. Time the server itself
does not read (uvicorn paused reading while the application works) does not count against the
client. The application's own time is never limited.

**Limits** (what nginx bounds and uvicorn does not, for a server that faces a shared network):

- *send*: a connection whose answers the client does not read (the write buffer full) for
  :attr:`Deadlines.send_timeout` seconds is aborted (nginx's ``send_timeout``), so that clients
  that never read cannot hold sockets until the file descriptors run out;
- *headers*: a request head longer than :attr:`Deadlines.max_header_bytes` is refused 400 and
  the connection closed before the parser sees more of it (nginx's
  ``large_client_header_buffers``; h11 has its own limit, which ``serve`` sets to the same);
- *pipelining* (httptools): uvicorn parses every request a read holds and queues those behind
  the one being answered, and reads on after each answer; a client that pipelines tiny requests
  and never reads made it queue hundreds of megabytes. Here reading stays paused while requests
  are queued, and at most :attr:`Deadlines.max_pipelined` are: the rest of that read is dropped
  and the connection closed once the queued ones are answered (a client may close a pipelined
  connection and retry what was not answered, RFC 9112 9.3.2), as nginx, which parses one
  request at a time from a bounded buffer, keeps kilobytes per connection;
- *upgrades*: WebSocket and h2c upgrades are not offered (``serve`` runs uvicorn with
  ``ws="none"``); such a request is answered as any other (the API's JSON error, an
  ``X-Request-Id``) without uvicorn's per-request warnings, and its connection closed after it;
- *framing* (h11): a request with both ``Content-Length`` and ``Transfer-Encoding`` is answered
  400 and its connection closed (RFC 9112 6.3), so nothing can be smuggled behind it; httptools
  refuses it itself;
- *malformed requests*: answered with the API's 400 (``APIGW.0201``, an ``X-Request-Id``), not
  uvicorn's plain-text one, and closed.

**Date.** ``serve`` switches uvicorn's ``Date`` (the wall's time) off: the application dates its
answers by the server's clock, which the control API moves, and so do the answers written here
(with :attr:`Deadlines.date_header`, which :func:`protocol_class` sets).

Both of uvicorn's HTTP/1.1 protocols get this: httptools (C parser, the fastest; in uvicorn's
``standard`` extra) and h11 (pure Python, always installed). :func:`protocol_class` picks one.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
from typing import TYPE_CHECKING, Any, ClassVar, Literal

if TYPE_CHECKING:
    from geminidb_backup.server.http_date import DateHeader

ABORT_EXTENSION = "geminidb_backup.abort"

# The deadlines of a request: generous for any client on a network, short enough that a
# slow-sending client cannot hold sockets for long.
DEFAULT_HEADER_TIMEOUT_SECONDS = 10.0
DEFAULT_BODY_TIMEOUT_SECONDS = 10.0
# uvicorn's default.
DEFAULT_KEEP_ALIVE_SECONDS = 5.0
# How long a client may leave its answers unread (nginx: send_timeout, 60 s, counted between two
# writes; here from the moment the write buffer is full, which is the same wait).
DEFAULT_SEND_TIMEOUT_SECONDS = 10.0
# h11's default (uvicorn's h11_max_incomplete_event_size); nginx allows 8 KiB a line, 32 KiB in all.
DEFAULT_MAX_HEADER_BYTES = 16 * 1024
# Requests parsed and waiting behind the one being answered, per connection.
DEFAULT_MAX_PIPELINED = 16

Phase = Literal["headers", "body"] | None


class Deadlines:
    """The drop and the deadlines, mixed into one of uvicorn's protocol classes (whose attributes
    ``app``, ``transport``, ``flow`` and ``loop`` it uses)."""

    # protocol_class() sets them on the class it makes; the classes below as they are (the
    # emulator of geminidb_backup.testing runs them) keep the defaults.
    header_timeout: ClassVar[float] = DEFAULT_HEADER_TIMEOUT_SECONDS
    body_timeout: ClassVar[float] = DEFAULT_BODY_TIMEOUT_SECONDS
    send_timeout: ClassVar[float] = DEFAULT_SEND_TIMEOUT_SECONDS
    max_header_bytes: ClassVar[int] = DEFAULT_MAX_HEADER_BYTES
    max_pipelined: ClassVar[int] = DEFAULT_MAX_PIPELINED
    # The Date of the answers written here; None: none (uvicorn's, when it is on, is not in them).
    date_header: ClassVar[DateHeader | None] = None

    app: Any
    transport: asyncio.Transport
    flow: Any
    loop: asyncio.AbstractEventLoop

    def _install(self, *, wrap_app: bool) -> None:
        self._phase: Phase = None
        # When the current phase must end (loop time), and the one timer that checks it. A phase
        # change only moves _due: re-arming a timer three times per request would cost more than
        # the rest of this class; the timer, when it fires early, re-arms itself for _due.
        self._due: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._send_timer: asyncio.TimerHandle | None = None
        if not wrap_app:
            return
        inner = self.app

        async def app(scope: Any, receive: Any, send: Any) -> None:
            scope.setdefault("extensions", {})[ABORT_EXTENSION] = self._abort
            if _smuggling(scope):
                await _refuse_and_close(send, self.date_header)
                return
            await inner(scope, receive, send)

        self.app = app

    def _abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    # The send deadline: the transport calls these when its write buffer passes its high-water
    # mark and when it drains again (never on the fast path).

    def pause_writing(self) -> None:
        super().pause_writing()  # type: ignore[misc]
        if self._send_timer is None:
            self._send_timer = self.loop.call_later(self.send_timeout, self._abort)

    def resume_writing(self) -> None:
        self._cancel_send_deadline()
        super().resume_writing()  # type: ignore[misc]

    def _cancel_send_deadline(self) -> None:
        if self._send_timer is not None:
            self._send_timer.cancel()
            self._send_timer = None

    def _unsupported_upgrade_warning(self) -> None:
        # uvicorn logs two warnings per upgrade request it cannot serve (a client could send
        # thousands a second); the request is answered as any other.
        pass

    def send_400_response(self, msg: str) -> None:
        # uvicorn's answer to a request its parser refuses (it logs the warning first): the API's
        # error, dated by the server's clock, instead of uvicorn's plain text without a Date.
        self._refuse()

    def _refuse(self) -> None:
        """Answer 400 ``APIGW.0201`` (the API's error, with an ``X-Request-Id``) and close: for a
        request refused before the application sees it. Only when no answer is under way (it
        would interleave with it); else only close."""
        cycle: Any = getattr(self, "cycle", None)
        if cycle is None or (cycle.response_complete and not cycle.more_body):
            self.transport.write(_refusal(self.date_header))
        self.transport.close()

    def _enter(self, phase: Phase) -> None:
        """Start the deadline of ``phase`` (None: no request is being received), unless it runs."""
        if phase == self._phase:
            return
        self._phase = phase
        if phase is None:
            self._due = None
            return
        self._due = self.loop.time() + self._timeout()
        if self._timer is not None and self._timer.when() > self._due:
            self._timer.cancel()
            self._timer = None
        if self._timer is None:
            self._timer = self.loop.call_at(self._due, self._check_deadline)

    def _timeout(self) -> float:
        return self.header_timeout if self._phase == "headers" else self.body_timeout

    def _cancel_deadline(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _check_deadline(self) -> None:
        self._timer = None
        if self._due is None or self.transport is None or self.transport.is_closing():
            return
        if self._phase == "headers" and self.flow is not None and self.flow.read_paused:
            # The server, not the client, is holding the request up (a request pipelined behind
            # one being answered): give the client its time again once reading goes on. Not for
            # a body: the application reads it as it comes, and a body is small (the spec's
            # limit), so a client streaming one past the limit cannot keep its deadline away.
            self._due = self.loop.time() + self._timeout()
        if self.loop.time() < self._due:
            self._timer = self.loop.call_at(self._due, self._check_deadline)
            return
        # Closed without an answer, as uvicorn closes an idle keep-alive connection, and without
        # a log line: one per slow client would let any client flood the log. An application
        # still reading the body sees the client gone (http.disconnect).
        self.transport.close()


def _h11_protocol() -> type[Any]:
    # Imported when chosen, as httptools's is: h11's protocol costs a start-up on httptools
    # some 50 ms of imports it never uses.
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class AbortableH11Protocol(Deadlines, H11Protocol):
        """uvicorn's h11 protocol with the drop and the deadlines. The phase is read from h11's
        state of the client's side after each step."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._install(wrap_app=True)

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._follow_h11()

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_deadline()
            self._cancel_send_deadline()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            # Followed after each read, not after each answer (uvicorn handles events then too): after
            # an answer, the next request's headers are timed from its first byte, the time before
            # it being uvicorn's keep-alive, as on httptools.
            super().data_received(data)
            self._follow_h11()

        def _follow_h11(self) -> None:
            import h11

            state = self.conn.their_state
            if state is h11.IDLE:
                # Waiting for a request; not while an answer is still due (h11 starts the next
                # cycle only once both sides are done, so IDLE means none is).
                self._enter("headers")
            elif state is h11.SEND_BODY:
                self._enter("body")
            else:
                self._enter(None)

    return AbortableH11Protocol


def _httptools_protocol() -> type[Any]:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class AbortableHttpToolsProtocol(Deadlines, HttpToolsProtocol):
        """uvicorn's httptools protocol with the drop and the deadlines. The phase is read from
        uvicorn's state of the request after each read, rather than followed through four of
        the parser's callbacks: those hooks cost 8 % of serve's instructions per createBackup
        (callgrind, under wrk), these two half as much."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # The abort goes into the scope where uvicorn makes it (no wrapper coroutine).
            self._install(wrap_app=False)
            # Bytes of the request head received so far (while the phase is "headers").
            self._head_bytes = 0
            # Set once more requests were pipelined than are queued: the rest is dropped.
            self._overflowed = False

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._enter("headers")

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_deadline()
            self._cancel_send_deadline()
            super().connection_lost(exc)

        def on_message_begin(self) -> None:
            HttpToolsProtocol.on_message_begin(self)
            scope: Any = self.scope
            scope["extensions"] = {ABORT_EXTENSION: self._abort}

        def on_headers_complete(self) -> None:
            if len(self.pipeline) >= self.max_pipelined or self._overflowed:
                # Queue no more: this request and the rest of what was read are dropped, and the
                # connection closes once the queued ones are answered (on_response_complete).
                self._overflowed = True
                self.flow.pause_reading()
                self.cycle = _DROPPED  # type: ignore[assignment]
                return
            HttpToolsProtocol.on_headers_complete(self)

        def _unsupported_upgrade_warning(self) -> None:
            # After an upgrade request httptools parses nothing more on the connection: it is
            # closed once this one is answered (the cycle uvicorn just made for it).
            cycle: Any = self.cycle
            if cycle is not None and not cycle.response_complete:
                cycle.keep_alive = False
            else:
                self.transport.close()

        def on_response_complete(self) -> None:
            HttpToolsProtocol.on_response_complete(self)
            if self.pipeline:
                # uvicorn reads on after each answer; while requests wait, what the next read
                # brings would only queue behind them.
                self.flow.pause_reading()
            elif self._overflowed:
                self.transport.close()

        def data_received(self, data: bytes) -> None:
            if self._phase == "headers":
                # The head's size is checked before the parser sees the bytes: httptools takes
                # any size, at a cost that grows faster than it.
                end = data.find(b"\r\n\r\n")
                head = self._head_bytes + (len(data) if end < 0 else end)
                if head > self.max_header_bytes:
                    self._refuse()  # the request head is too large
                    return
                self._head_bytes = head if end < 0 else len(data) - data.rfind(b"\r\n\r\n") - 4
            HttpToolsProtocol.data_received(self, data)
            cycle: Any = self.cycle
            if cycle is None or cycle.response_complete:
                # Before the first request, or the last one answered (even before its body
                # ended, as a 401 is): what comes now is a next request's head. The time after
                # an answer and before a next request's first byte is uvicorn's keep-alive.
                phase: Phase = "headers"
            elif cycle.more_body:
                phase = "body"
            else:
                # The request is whole: the application's time, never limited. A request
                # pipelined behind it gets its deadline at its next read, or uvicorn's keep-alive
                # after this answer when none comes.
                phase = None
                if cycle.transport is self.transport:
                    cycle.transport = _OneWrite(self.transport, self.loop)
            if phase != self._phase:
                if phase != "headers":
                    self._head_bytes = 0
                self._enter(phase)

    return AbortableHttpToolsProtocol


class _Dropped:
    """Stands for a pipelined request past the limit: uvicorn's callbacks see an answered
    request and ignore its body."""

    response_complete = True
    more_body = False
    keep_alive = False
    disconnected = False
    transport = None

    def __init__(self) -> None:
        self.message_event = asyncio.Event()


_DROPPED = _Dropped()


def _refusal(date_header: DateHeader | None) -> bytes:
    """A whole 400 ``APIGW.0201`` answer that closes the connection."""
    from geminidb_backup.server import errors

    body = errors.ApiError(errors.BAD_REQUEST).body()
    return (
        b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n"
        b"content-length: %d\r\nconnection: close\r\n%sx-request-id: %s\r\n\r\n%s"
        % (
            len(body),
            b"" if date_header is None else date_header.line(),
            os.urandom(16).hex().encode(),
            body,
        )
    )


def _smuggling(scope: Any) -> bool:
    """Both Content-Length and Transfer-Encoding: framed two ways (RFC 9112 6.3)."""
    names = {name for name, _ in scope.get("headers", ())}
    return b"content-length" in names and b"transfer-encoding" in names


async def _refuse_and_close(send: Any, date_header: DateHeader | None) -> None:
    from geminidb_backup.server import errors

    body = errors.ApiError(errors.BAD_REQUEST).body()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        (b"x-request-id", os.urandom(16).hex().encode()),
    ]
    if date_header is not None:
        headers.insert(3, date_header.pair())
    await send({"type": "http.response.start", "status": 400, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _OneWrite:
    """The transport as one request's answer sees it: the status line and headers are held until
    the body comes (in the same turn of the loop, for this application) and both go out in one
    write, one system call and one TCP segment rather than two. Anything else goes through."""

    _INTERIM = b"HTTP/1.1 100 Continue\r\n\r\n"

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None
        self._started = False

    def write(self, data: bytes) -> None:
        if not self._started and data != self._INTERIM:
            self._started = True
            self._held = data
            # Sent at the end of this turn at the latest (an answer whose body comes later).
            self._loop.call_soon(self._flush)
            return
        if self._held is not None:
            data, self._held = self._held + data, None
        self._transport.write(data)

    def _flush(self) -> None:
        if self._held is not None:
            held, self._held = self._held, None
            if not self._transport.is_closing():
                self._transport.write(held)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


HttpChoice = Literal["auto", "httptools", "h11"]


def httptools_available() -> bool:
    return importlib.util.find_spec("httptools") is not None


def protocol_class(
    choice: HttpChoice,
    *,
    header_timeout: float,
    body_timeout: float,
    send_timeout: float = DEFAULT_SEND_TIMEOUT_SECONDS,
    max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES,
    max_pipelined: int = DEFAULT_MAX_PIPELINED,
    date_header: DateHeader | None = None,
) -> type[Any]:
    """The protocol class for uvicorn's ``http=`` setting: httptools when ``choice`` is
    ``"httptools"``, or ``"auto"`` and it is installed; else h11. ``date_header`` dates the
    answers the transport writes itself (give it the application's clock). Raises
    ``RuntimeError`` when httptools is asked for and missing."""
    if choice == "httptools" and not httptools_available():
        raise RuntimeError("httptools is not installed (pip install 'uvicorn[standard]')")
    base = _httptools_protocol() if choice != "h11" and httptools_available() else _h11_protocol()
    return type(
        base.__name__,
        (base,),
        {
            "header_timeout": header_timeout,
            "body_timeout": body_timeout,
            "send_timeout": send_timeout,
            "max_header_bytes": max_header_bytes,
            "max_pipelined": max_pipelined,
            "date_header": date_header,
            "__module__": __name__,
        },
    )
