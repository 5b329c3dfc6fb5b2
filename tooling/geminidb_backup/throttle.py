"""Keeping under the API's request rate: a per-project pace that adapts to 429 answers, and the
httpx transport that applies it to every request of an async client.

The API gateway throttles each project (429 ``APIGW.0308``, or the service's ``DBS.280443``) at
a rate no source documents, and no source says it sends ``Retry-After``. So the rate is learnt:
requests go out unpaced until 429s come; then the pace is set a little under the rate the
gateway was seen to admit while it throttled, and creeps up again slowly while no 429 comes. A throttled request is sent again after the server's ``Retry-After`` (bounded) or an
exponential back-off with jitter, and again, until the deadline: a 429 means the request was
not carried out (the contract's rule), so sending it again never makes a second backup.

Written here rather than taken from a rate-limiting library: aiolimiter and pyrate-limiter wait
on the event loop's own timer (``loop.time()``, ``asyncio.sleep``), not on an injected clock and
sleep, so they would wait in real time where the emulator runs in virtual time; neither changes
its rate on a 429; and the core install is at the 20 distributions it may not grow past
(``tests/test_packaging.py``).
"""

from __future__ import annotations

import contextvars
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from .timing import retry_after_seconds

Sleep = Callable[[float], Awaitable[None]]


async def _asyncio_sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


@dataclass
class ThrottleCount:
    """How many 429 answers the requests of one task met (see :data:`current_count`)."""

    throttled: int = 0


# The count of the task running now, if it keeps one: the fleet engine gives each instance's task
# its own, so that a report says which instance met how many 429s.
current_count: contextvars.ContextVar[ThrottleCount | None] = contextvars.ContextVar(
    "geminidb_backup_throttle_count", default=None
)


@dataclass
class AdaptiveRate:
    """The request pace of one project, learnt from its 429 answers.

    ``rate`` is the pace in requests a second (None: unpaced, until 429s come; ``initial``
    starts paced). Once 429s have been coming for ``window`` seconds, the pace becomes
    ``backoff`` times the rate the server admitted meanwhile (never below ``minimum``, and a
    cut never raises it): while the client asks for more than the limit, what gets through is
    the limit. After two windows without a 429 the pace grows by ``growth`` (a share) a second,
    to find a limit that rose: a 429 costs little once paced (the others keep their slots). A throttled request waits ``Retry-After`` (at most
    ``max_retry_after``) or, without one, a back-off doubling from ``first_delay`` to
    ``max_delay`` with jitter; it is given up at :attr:`deadline` (on ``clock``), or
    ``patience`` seconds after it was first sent when there is none. ``clock`` and ``sleep``
    are the library's (the emulator's virtual time passes through them).
    """

    initial: float | None = None
    minimum: float = 0.5
    window: float = 1.0
    backoff: float = 0.95
    growth: float = 0.1
    max_retry_after: float = 60.0
    first_delay: float = 0.25
    max_delay: float = 10.0
    patience: float = 300.0
    clock: Callable[[], float] = time.monotonic
    sleep: Sleep = _asyncio_sleep
    # Until when a throttled request may be sent again (on clock); None: patience per request.
    deadline: float | None = None
    rate: float | None = field(init=False, default=None)
    throttled: int = field(init=False, default=0)
    waiting: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.rate = self.initial
        self._next_slot = 0.0
        # While 429s come: since when, and how many requests were admitted since then.
        self._episode_start: float | None = None
        self._episode_admitted = 0
        self._last_throttled = -float("inf")
        self._last_grown = 0.0

    async def acquire(self) -> None:
        """Wait for this request's slot of the pace (none while unpaced)."""
        if self.rate is None:
            return
        now = self.clock()
        slot = max(now, self._next_slot)
        self._next_slot = slot + 1.0 / self.rate
        if slot > now:
            await self.sleep(slot - now)

    def admitted(self) -> None:
        """An answer other than 429 came."""
        if self._episode_start is None and self.rate is None:
            return  # unpaced and never throttled: nothing to learn, nothing to pay
        now = self.clock()
        if now - self._last_throttled < 2 * self.window:
            # Still in the episode: a request that waited out a Retry-After of about a window
            # comes back after the window, and its answer counts towards the estimate.
            self._episode_admitted += 1
            return
        self._episode_start = None
        if self.rate is not None:
            quiet_since = max(self._last_grown, self._last_throttled + 2 * self.window)
            self.rate *= 1.0 + self.growth * max(0.0, now - quiet_since)
            self._last_grown = now

    def on_throttled(self, retry_after: float | None, attempt: int) -> float:
        """A 429 came for a request's ``attempt``-th try: learn from it, and return how long
        that request waits before it is sent again."""
        now = self.clock()
        self.throttled += 1
        self._last_throttled = now
        if self._episode_start is None:
            self._episode_start, self._episode_admitted = now, 0
        elif now - self._episode_start >= self.window:
            seen = self._episode_admitted / (now - self._episode_start)
            cut = max(self.minimum, self.backoff * seen)
            self.rate = cut if self.rate is None else min(self.rate, cut)
            self._episode_start, self._episode_admitted = now, 0
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        # Exponential back-off with jitter (spreads the retries of many tasks apart).
        backoff: float = min(self.max_delay, self.first_delay * 2.0 ** (attempt - 1))
        return random.uniform(0.5, 1.0) * backoff

    def give_up_at(self, first_sent: float) -> float:
        return self.deadline if self.deadline is not None else first_sent + self.patience


class ThrottledTransport(httpx.AsyncBaseTransport):
    """An httpx transport that paces every request by ``pace`` and sends a throttled one
    (429) again until ``pace`` gives up on it; then the caller sees the 429. ``inner`` is
    closed with it only when ``owns_inner`` (a transport given by the user stays theirs)."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, pace: AdaptiveRate, *, owns_inner: bool = True
    ) -> None:
        self.inner = inner
        self.pace = pace
        self.owns_inner = owns_inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        pace = self.pace
        first_sent = pace.clock()
        attempt = 0
        while True:
            attempt += 1
            await pace.acquire()
            response = await self.inner.handle_async_request(request)
            if response.status_code != 429:
                pace.admitted()
                return response
            count = current_count.get()
            if count is not None:
                count.throttled += 1
            delay = pace.on_throttled(retry_after_seconds(response.headers), attempt)
            if pace.clock() + delay > pace.give_up_at(first_sent):
                return response
            await response.aread()  # frees the connection for the next request
            await response.aclose()
            pace.waiting += 1
            try:
                await pace.sleep(delay)
            finally:
                pace.waiting -= 1

    async def aclose(self) -> None:
        if self.owns_inner:
            await self.inner.aclose()
