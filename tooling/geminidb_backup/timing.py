"""The library's one notion of time: a :class:`Clock` gives "now" (epoch seconds) and sleeps.

Everything that waits or reads the time in the library goes through the clock of its client:
prune's ages, name templates, wait deadlines, the poll schedule and retry back-off. Tests and
the emulator replace it (:class:`FakeClock`, the emulator's virtual clock) and no call sleeps in
real time; a client talking to a real server can follow the server's ``Date`` header
(:class:`ServerClock`) so that a skewed laptop clock does not age backups wrongly.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime

__all__ = ["Clock", "FakeClock", "PollSchedule", "ServerClock", "as_clock", "retry_after_seconds"]


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

    def timer(self) -> float:
        """The time deadlines are counted in: the clock itself, but for a clock that only a
        test moves and nothing else would (a frozen emulator's), real seconds."""
        return self()

    def observe(self, date_header: str | None) -> None:
        """A server's ``Date`` header was seen; only :class:`ServerClock` uses it."""

    @property
    def synced(self) -> bool:
        """Whether "now" is known: false only for a :class:`ServerClock` that has seen no
        ``Date`` yet (the client then asks the server before writing the time into a name)."""
        return True


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


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """How long an answer's ``Retry-After`` asks to wait, in seconds, or ``None`` when it has none
    that can be read (then the caller backs off on its own).

    Both forms of RFC 9110 are read: a number of seconds, and an HTTP date, counted from the
    answer's own ``Date`` (the server's clock, which the date is written in) or, without one, from
    this machine's clock. A date already past means no wait. A negative or non-finite number is
    no delay the RFC allows. The library's retries, the throttled transport of fleets and the
    contract suite all read it here.
    """
    value = (headers.get("Retry-After") or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return _seconds_until(value, headers.get("Date"))
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _seconds_until(http_date: str, date_header: str | None) -> float | None:
    try:
        until = parsedate_to_datetime(http_date).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    now = time.time()
    if date_header:
        try:
            now = parsedate_to_datetime(date_header).timestamp()
        except (TypeError, ValueError, IndexError):
            pass
    return max(0.0, until - now)


class ServerClock(Clock):
    """The server's time: the local clock corrected by the offset of the first ``Date`` header
    seen, and moved forward by any later one that is ahead of it (one-second precision, which is
    all a ``Date`` has). It never goes back, so a deadline counted in it is sound even against a
    server whose clock stands still (an emulator's). Until a header is seen, the local clock
    (``synced`` is false). Sleeps are real."""

    def __init__(self) -> None:
        self.offset = 0.0
        self._synced = False
        self._last = 0.0

    def __call__(self) -> float:
        self._last = max(self._last, time.time() + self.offset)
        return self._last

    @property
    def synced(self) -> bool:
        return self._synced

    def observe(self, date_header: str | None) -> None:
        if not date_header:
            return
        try:
            server = parsedate_to_datetime(date_header).timestamp()
        except (TypeError, ValueError, IndexError):
            return  # a malformed Date says nothing about the time
        local = time.time()
        # The header is truncated to the second: only a difference beyond that is news.
        if not self._synced or server - (local + self.offset) >= 1.0:
            self.offset = server - local
            if not self._synced:
                self._last = server
        self._synced = True


def as_clock(clock: Clock | Callable[[], float] | None) -> Clock:
    """The :class:`Clock` of a client's ``clock=`` argument (the system's when None)."""
    if clock is None:
        return Clock()
    if isinstance(clock, Clock):
        return clock
    return _CallableClock(clock)


class PollSchedule:
    """When to look at a running job again: after ``share`` (10 %) of the time it has run so
    far, at least ``interval`` (1 s) and at most ``max_interval`` (5 min) seconds, never past
    the deadline. Its end is then seen within 1 s or 10 % of its run time, whichever is larger
    (capped at ``max_interval``), for few requests: a 10-second job is looked at about 10 times,
    a 1-hour job about 80 times (polling every 2 s would take 1,800).

    ``elapsed`` is how long the job has run, by its ``start_time`` on the client's clock."""

    def __init__(
        self, interval: float = 1.0, max_interval: float = 300.0, share: float = 0.1
    ) -> None:
        if not 0 < interval <= max_interval:
            raise ValueError("a poll interval must be positive and at most max_interval")
        self.interval, self.max_interval, self.share = interval, max_interval, share

    def next_delay(self, elapsed: float, remaining: float) -> float:
        delay = min(self.max_interval, max(self.interval, self.share * max(0.0, elapsed)))
        return max(0.0, min(delay, remaining))
