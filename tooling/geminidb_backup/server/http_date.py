"""The ``Date`` header of the reference server's answers: the server's clock, not the wall's.

The control API can move the server's clock (days ahead, for a test of retention); clients that
take "now" from ``Date`` (the CLI, ``from_env()``: see ``geminidb_backup.timing``) must see that
time, so uvicorn's own ``Date`` (the real time, which it refreshes once a second) is switched
off and this one sent instead, by the application and by the transport's own answers.
"""

from __future__ import annotations

from collections.abc import Callable
from email.utils import formatdate

# IMF-fixdate has four digits for the year, and the control API lets the clock run past the end
# of 9999 (tests of far dates): the header then says the last second it can write.
_LAST_WRITABLE_SECOND = 253_402_300_799  # 9999-12-31T23:59:59Z


class DateHeader:
    """The ``Date`` header pair for the time of ``clock`` (epoch seconds), in RFC 9110's
    IMF-fixdate. Formatted at most once per second of that clock: an answer in the same second
    gets the bytes made before (a call and a comparison, on every request)."""

    __slots__ = ("_clock", "_pair", "_second")

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._second: int | None = None
        self._pair = (b"date", b"")

    def pair(self) -> tuple[bytes, bytes]:
        """``(b"date", value)``, as ASGI header pairs are."""
        second = int(self._clock())
        if second != self._second:
            self._second = second
            written = min(max(second, 0), _LAST_WRITABLE_SECOND)
            self._pair = (b"date", formatdate(written, usegmt=True).encode("ascii"))
        return self._pair

    def line(self) -> bytes:
        """``date: value\\r\\n``, for an answer written to the socket as bytes."""
        return b"date: %s\r\n" % self.pair()[1]
