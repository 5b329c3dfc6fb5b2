"""The library's one notion of time: a :class:`Clock` gives "now" (epoch seconds) and sleeps.

Everything that waits or reads the time in the library goes through the clock of its client:
prune's ages, name templates, wait deadlines, the poll schedule and retry back-off. Tests and
the emulator replace it (:class:`FakeClock`, the emulator's virtual clock) and no call sleeps in
real time; a client talking to a real server can follow the server's ``Date`` header
(:class:`ServerClock`) so that a skewed laptop clock does not age backups wrongly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime

__all__ = ["Clock", "FakeClock", "ServerClock", "as_clock"]


class Clock:
    """The system's clock: ``clock()`` is ``time.time()``, :meth:`sleep` is ``time.sleep`` and
    :meth:`async_sleep` is ``asyncio.sleep``. Subclass it to move time some other way; a plain
    callable given as a client's ``clock=`` is wrapped by :func:`as_clock` (its sleeps are
    real)."""

    def __call__(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    async def async_sleep(self, seconds: float) -> None:
        # asyncio is imported by async callers only: the CLI and sync users do not pay for it.
        import asyncio

        await asyncio.sleep(max(0.0, seconds))

    def observe(self, date_header: str | None) -> None:
        """A server's ``Date`` header was seen; only :class:`ServerClock` uses it."""


class _CallableClock(Clock):
    """A user's ``clock=`` callable for "now", with real sleeps."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def __call__(self) -> float:
        return self._now()


class FakeClock(Clock):
    """A clock that moves only when slept on or :meth:`advance`\\ d: a test of timing code runs
    at once and sees exactly how long the code would have slept (``slept``, each sleep)."""

    def __init__(self, start: float = 1_600_000_000.0) -> None:
        self.time = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.time

    def advance(self, seconds: float) -> None:
        self.time += max(0.0, seconds)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


class ServerClock(Clock):
    """The server's time: the local clock corrected by the offset of the last ``Date`` header
    seen (one-second precision, which is all a ``Date`` has). Until a header is seen, the local
    clock. Sleeps are real."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def observe(self, date_header: str | None) -> None:
        if not date_header:
            return
        try:
            server = parsedate_to_datetime(date_header).timestamp()
        except (TypeError, ValueError):
            return  # a malformed Date says nothing about the time
        local = time.time()
        # The header is truncated to the second: only a difference beyond that is a skew.
        if abs(server - local) >= 1.0 or abs(server - (local + self.offset)) >= 1.0:
            self.offset = server - local


def as_clock(clock: Clock | Callable[[], float] | None) -> Clock:
    """The :class:`Clock` of a client's ``clock=`` argument (the system's when None)."""
    if clock is None:
        return Clock()
    if isinstance(clock, Clock):
        return clock
    return _CallableClock(clock)
