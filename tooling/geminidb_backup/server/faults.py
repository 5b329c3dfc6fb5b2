"""Fault injection, off by default: a share of requests answered 500, 503 or 429, added latency,
or a dropped connection, either before the request is handled or after its change is committed.

One draw from a seeded generator per request decides, so a run with the same seed and the same
sequence of requests meets the same faults. A test can also arm a fault for the next N calls (of
one operation, or of any): armed faults come first, in the order they were armed.
"""

from __future__ import annotations

import enum
import math
import random
from dataclasses import dataclass


class Fault(enum.Enum):
    SERVER_ERROR = "500"
    UNAVAILABLE = "503"
    THROTTLED = "429"
    DROP = "drop"
    DROP_AFTER_COMMIT = "drop-after-commit"


@dataclass(frozen=True)
class FaultConfig:
    """Shares (0 to 1) of requests that meet each fault; they add up to at most 1."""

    server_error: float = 0.0
    unavailable: float = 0.0
    throttled: float = 0.0
    drop: float = 0.0
    drop_after_commit: float = 0.0
    latency_seconds: float = 0.0
    # Seconds sent in Retry-After with a 503 or 429; None: no header.
    retry_after_seconds: int | None = 1
    seed: int | None = None

    def __post_init__(self) -> None:
        shares = self.shares()
        if any(not 0.0 <= share <= 1.0 for share in shares.values()) or sum(shares.values()) > 1.0:
            raise ValueError("fault shares must be between 0 and 1 and add up to at most 1")
        # Also refuses NaN and infinity: a request delayed for ever holds its connection, and a
        # shutdown would wait for it.
        if not 0 <= self.latency_seconds < math.inf or (self.retry_after_seconds or 0) < 0:
            raise ValueError("latency must be a finite number and Retry-After not negative")

    def shares(self) -> dict[Fault, float]:
        return {
            Fault.SERVER_ERROR: self.server_error,
            Fault.UNAVAILABLE: self.unavailable,
            Fault.THROTTLED: self.throttled,
            Fault.DROP: self.drop,
            Fault.DROP_AFTER_COMMIT: self.drop_after_commit,
        }

    @property
    def enabled(self) -> bool:
        return self.latency_seconds > 0 or any(self.shares().values())


@dataclass
class ArmedFault:
    """``fault`` for the next ``remaining`` calls of ``operation`` (an operationId; None: any)."""

    fault: Fault
    remaining: int
    operation: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"fault": self.fault.value, "count": self.remaining, "operation": self.operation}


class FaultInjector:
    def __init__(self, config: FaultConfig) -> None:
        self.config = config
        self._random = random.Random(config.seed)
        self._shares = [(fault, share) for fault, share in config.shares().items() if share > 0]
        self.armed: list[ArmedFault] = []

    def arm(self, fault: Fault, count: int = 1, operation: str | None = None) -> None:
        """Make the next ``count`` calls (of ``operation`` only, when given) meet ``fault``."""
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count}")
        self.armed.append(ArmedFault(fault, count, operation))

    def disarm(self) -> None:
        self.armed.clear()

    def draw(self, operation: str | None = None) -> Fault | None:
        """The fault this request (a call of ``operation``) meets, if any."""
        for index, armed in enumerate(self.armed):
            if armed.operation is None or armed.operation == operation:
                armed.remaining -= 1
                if armed.remaining == 0:
                    del self.armed[index]
                return armed.fault
        if not self._shares:
            return None
        point = self._random.random()
        for fault, share in self._shares:
            if point < share:
                return fault
            point -= share
        return None


class DropConnection(Exception):
    """Raised to close the connection without an answer."""
