"""An instance's automated backup policy: what setBackupPolicy sets, and when it backs up.

The rules a policy must follow (ranges, the window's form, the weekdays for a short retention)
are the spec's (``BackupPolicy`` and setBackupPolicy's ``x-request-rules``) and are checked
against it before a :class:`Policy` is made; this module only reads a valid one and computes its
schedule: on each day of ``days`` (ISO weekdays of UTC, 1 = Monday) an automated backup starts
at the beginning of the window, and is kept ``keep_days`` days.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

DAY_SECONDS = 86_400
# 1970-01-01 was a Thursday (ISO weekday 4).
_EPOCH_WEEKDAY = 4


@dataclass(frozen=True)
class Policy:
    """A policy that is on (a policy that is off is ``None``)."""

    keep_days: int
    # The window's start, in minutes after midnight UTC; the window lasts one hour.
    window_start: int
    days: frozenset[int]

    @classmethod
    def from_api(cls, body: Mapping[str, Any]) -> Policy | None:
        """From a valid ``BackupPolicy`` (``{"keep_days": 7, "start_time": "01:00-02:00",
        "period": "1,2"}``); ``None`` when ``keep_days`` is 0."""
        keep_days = int(body["keep_days"])
        if keep_days == 0:
            return None
        hours, minutes = str(body["start_time"])[:5].split(":")
        days = frozenset(int(day) for day in str(body["period"]).split(","))
        return cls(keep_days, int(hours) * 60 + int(minutes), days)

    def to_api(self) -> dict[str, Any]:
        end = (self.window_start + 60) % (24 * 60)
        return {
            "keep_days": self.keep_days,
            "start_time": f"{_hhmm(self.window_start)}-{_hhmm(end)}",
            "period": ",".join(str(day) for day in sorted(self.days)),
        }

    @property
    def keep_seconds(self) -> float:
        return float(self.keep_days * DAY_SECONDS)

    def starts(self, after: float, until: float) -> Iterator[float]:
        """The moments an automated backup starts in ``(after, until]``, in order."""
        if until <= after:
            return
        offset = self.window_start * 60
        day = math.floor((after - offset) / DAY_SECONDS)
        while True:
            start = day * DAY_SECONDS + offset
            if start > until:
                return
            if start > after and (day + _EPOCH_WEEKDAY - 1) % 7 + 1 in self.days:
                yield float(start)
            day += 1

    def next_start(self, after: float) -> float:
        """The first moment an automated backup starts after ``after``."""
        return next(self.starts(after, after + 8 * DAY_SECONDS))


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def policy_off() -> dict[str, Any]:
    """What showBackupPolicy answers for a policy that is off."""
    return {"keep_days": 0}
