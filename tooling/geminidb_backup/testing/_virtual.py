"""Virtual time: where a client of the emulator would sleep, the emulator's clock moves instead.

As trio's ``MockClock(autojump_threshold=0)``: the clock jumps only when every client is waiting,
to the earliest moment one of them waits for, so that two tasks sleeping at once do not add up
their sleeps. "Every client is waiting" is judged from what the emulator sees:

- no request is being handled (the emulator counts them, in-process and over loopback);
- a sync client that sleeps blocks its thread: with no other sleeper due earlier it jumps at
  once; otherwise it waits for the earlier ones to be woken (or, if nothing at all happens for
  a few milliseconds, moves the clock itself);
- an async client's sleep lets its event loop turn three times: if no request started and no
  other sleep began meanwhile (the other tasks are waiting too), the clock jumps.

A test's own ``time.sleep`` or a real network wait is not seen: the clock does not wait for it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from geminidb_backup.timing import Clock

# Loop turns with nothing happening before an async sleep jumps the clock.
_QUIET_TURNS = 3
# Real seconds a blocked sync sleeper waits for other activity before moving the clock itself.
_QUIET_SECONDS = 0.005


@dataclass(eq=False)
class _Sleeper:
    wake: float
    loop: asyncio.AbstractEventLoop | None = None
    future: asyncio.Future[None] | None = field(default=None, repr=False)
    woken: bool = False


class VirtualTime:
    """The scheduler of one emulator's virtual time. ``now`` reads the emulator's clock;
    ``advance_to(t)`` moves it to ``t`` (never back)."""

    def __init__(self, now: Callable[[], float], advance_to: Callable[[float], None]) -> None:
        self._now = now
        self._advance_to = advance_to
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._sleepers: list[_Sleeper] = []
        self._in_flight = 0
        self._activity = 0  # counts every start and end of a request and of a sleep
        self._checking: set[asyncio.AbstractEventLoop] = set()

    # What the emulator's server reports.

    def request_started(self) -> None:
        with self._lock:
            self._in_flight += 1
            self._activity += 1

    def request_ended(self) -> None:
        with self._changed:
            self._in_flight -= 1
            self._activity += 1
            self._changed.notify_all()

    @property
    def requests_in_flight(self) -> int:
        return self._in_flight

    @property
    def sleeping(self) -> int:
        """How many clients are sleeping now."""
        return sum(not sleeper.woken for sleeper in self._sleepers)

    # The clients' sleeps.

    def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        sleeper = _Sleeper(self._now() + seconds)
        with self._lock:
            self._sleepers.append(sleeper)
            self._activity += 1
        try:
            while True:
                with self._changed:
                    if sleeper.woken or self._now() >= sleeper.wake:
                        return
                    target = self._earliest() if self._first_due(sleeper) else None
                    if target is None:
                        seen = self._activity
                        self._changed.wait(_QUIET_SECONDS)
                        quiet = self._activity == seen and not self._in_flight
                        target = self._earliest() if quiet and not sleeper.woken else None
                if target is not None:
                    self._jump(target)
        finally:
            self._forget(sleeper)

    async def async_sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        loop = asyncio.get_running_loop()
        sleeper = _Sleeper(self._now() + seconds, loop, loop.create_future())
        with self._lock:
            self._sleepers.append(sleeper)
            self._activity += 1
            seen = self._activity
            start_checking = loop not in self._checking
            self._checking.add(loop)
        if start_checking:
            loop.call_soon(self._check_quiet, loop, seen, _QUIET_TURNS)
        try:
            assert sleeper.future is not None
            await sleeper.future
        finally:
            self._forget(sleeper)

    def _check_quiet(self, loop: asyncio.AbstractEventLoop, seen: int, turns: int) -> None:
        """On ``loop``: jump the clock once the loop has turned ``turns`` times with nothing
        happening; go on checking while sleepers of this loop remain."""
        with self._lock:
            if not any(s.loop is loop and not s.woken for s in self._sleepers):
                self._checking.discard(loop)
                return
            if self._in_flight or self._activity != seen:
                # Something is going on: look again once it has settled.
                delay_call = loop.call_later if self._in_flight else None
                seen, turns = self._activity, _QUIET_TURNS
                target = None
            elif turns > 0:
                delay_call, target = None, None
                turns -= 1
            else:
                delay_call, target = None, self._earliest()
        if target is not None:
            self._jump(target)
            with self._lock:
                seen = self._activity
            turns = _QUIET_TURNS
        if delay_call is not None:
            delay_call(0.001, self._check_quiet, loop, seen, turns)
        else:
            loop.call_soon(self._check_quiet, loop, seen, turns)

    # Inside the lock.

    def _earliest(self) -> float | None:
        waiting = [s.wake for s in self._sleepers if not s.woken]
        return min(waiting) if waiting else None

    def _first_due(self, sleeper: _Sleeper) -> bool:
        """Whether ``sleeper`` may move the clock now, without waiting to see whether others
        are busy: no request is running and no other sleeper is due before it."""
        if self._in_flight:
            return False
        return all(other.woken or other.wake >= sleeper.wake for other in self._sleepers)

    # Outside the lock (advancing runs on the emulator's loop, which may handle a request that
    # reports to this object meanwhile).

    def _jump(self, target: float) -> None:
        if target > self._now():
            self._advance_to(target)
        now = self._now()
        with self._changed:
            for sleeper in self._sleepers:
                if not sleeper.woken and sleeper.wake <= now:
                    sleeper.woken = True
                    if sleeper.future is not None and sleeper.loop is not None:
                        sleeper.loop.call_soon_threadsafe(_resolve, sleeper.future)
            self._activity += 1
            self._changed.notify_all()

    def _forget(self, sleeper: _Sleeper) -> None:
        with self._changed:
            if sleeper in self._sleepers:
                self._sleepers.remove(sleeper)
            self._activity += 1
            self._changed.notify_all()


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class VirtualClock(Clock):
    """The clock of an emulator's clients: "now" is the emulator's, and a sleep moves the
    emulator's clock (virtual time) instead of waiting, or, with ``autojump`` off, waits in real
    time for the test to move the clock (deadlines then count real seconds, as nothing else would
    end a wait on a frozen clock)."""

    def __init__(self, now: Callable[[], float], time_: VirtualTime, *, autojump: bool) -> None:
        self._now, self._time, self.autojump = now, time_, autojump

    def __call__(self) -> float:
        return self._now()

    def timer(self) -> float:
        return self._now() if self.autojump else time.monotonic()

    def sleep(self, seconds: float) -> None:
        if self.autojump:
            self._time.sleep(seconds)
        elif seconds > 0:
            time.sleep(seconds)

    async def async_sleep(self, seconds: float) -> None:
        if self.autojump:
            await self._time.async_sleep(seconds)
        else:
            await asyncio.sleep(max(0.0, seconds))
