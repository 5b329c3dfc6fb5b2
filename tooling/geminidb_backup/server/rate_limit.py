"""A per-project request rate limit, as the API gateway in front of the service applies one: a
request over the limit is answered 429 (the service's ``DBS.280443``, or the gateway's
``APIGW.0308``), with a ``Retry-After`` header or without one (no source says the real gateway
sends it).

A token bucket per project, checked in memory on the server's own clock (the emulator's virtual
time, or the wall): ``rate`` tokens a second, at most ``burst`` at once; a request takes one,
a refused request takes none. Hand-written rather than taken from a library: it is a few lines,
runs on the server's clock (a test's frozen or virtual clock included) and must cost next to
nothing on the request path; off entirely when no limit is set.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from geminidb_backup.server import errors

SERVICE_CODE = errors.TOO_MANY_REQUESTS
GATEWAY_CODE = errors.GATEWAY_THROTTLED

_PERIODS = {"": 1.0, "s": 1.0, "sec": 1.0, "min": 60.0, "m": 60.0}


@dataclass(frozen=True)
class RateLimit:
    """``requests`` per ``period`` seconds, per project. The bucket holds ``requests`` tokens at
    most (a period's allowance may be spent at once, as a gateway's per-period counter allows),
    and refills at ``requests / period`` tokens a second."""

    requests: float
    period: float = 1.0
    code: str = SERVICE_CODE
    # Seconds sent in Retry-After; None: no header.
    retry_after: int | None = None

    def __post_init__(self) -> None:
        if not (self.requests > 0 and math.isfinite(self.requests)):
            raise ValueError(f"a rate limit must be a positive number, got {self.requests!r}")
        if self.code not in (SERVICE_CODE, GATEWAY_CODE):
            raise ValueError(f"the rate limit's code is {SERVICE_CODE} or {GATEWAY_CODE}")

    @property
    def per_second(self) -> float:
        return self.requests / self.period

    @property
    def burst(self) -> float:
        return max(1.0, self.requests)

    def __str__(self) -> str:
        per = "s" if self.period == 1.0 else "min"
        return f"{self.requests:g}/{per}"


def parse_rate_limit(text: str | float) -> RateLimit:
    """``20``, ``20/s`` (requests a second) or ``600/min`` (a minute)."""
    if isinstance(text, int | float):
        return RateLimit(float(text))
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*(s|sec|min|m))?\s*", text)
    if match is None or float(match[1]) <= 0:
        raise ValueError(f"expected a rate such as 20, 20/s or 600/min, got {text!r}")
    return RateLimit(float(match[1]), _PERIODS[match[2] or ""])


class RateLimiter:
    """The buckets of every project. :meth:`admit` answers whether a request may pass now."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float]) -> None:
        self.limit = limit
        self._clock = clock
        self._rate = limit.per_second
        self._burst = limit.burst
        # project -> (tokens, when they were counted)
        self._buckets: dict[str, tuple[float, float]] = {}
        self.refused = 0

    def admit(self, project_id: str) -> bool:
        now = self._clock()
        tokens, then = self._buckets.get(project_id, (self._burst, now))
        # max(): a clock that a test moved back (it should not) never drains a bucket.
        tokens = min(self._burst, tokens + max(0.0, now - then) * self._rate)
        if tokens < 1.0:
            self._buckets[project_id] = (tokens, now)
            self.refused += 1
            return False
        self._buckets[project_id] = (tokens - 1.0, now)
        return True

    def reset(self) -> None:
        self._buckets.clear()
        self.refused = 0

    def snapshot(self) -> dict[str, object]:
        return {"buckets": dict(self._buckets), "refused": self.refused}

    def restore(self, saved: dict[str, object]) -> None:
        buckets = saved.get("buckets", {})
        self._buckets = dict(buckets) if isinstance(buckets, dict) else {}
        refused = saved.get("refused", 0)
        self.refused = refused if isinstance(refused, int) else 0
