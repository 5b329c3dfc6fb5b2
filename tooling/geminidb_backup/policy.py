"""The automated backup policy as the library gives and takes it: :class:`BackupPolicy`.

The rules a policy follows (ranges, the window's form, all seven days for a short retention) are
the spec's and are checked by the call that sends it; this module only converts between the
API's strings (``"01:00-02:00"``, ``"1,2,3"``) and typed values, and reads the weekdays people
write (``mon,tue``, ``1-5``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time
from typing import Any

from .errors import ValidationError

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class BackupPolicy:
    """An instance's automated backup policy. ``keep_days`` 0 is off (then ``window_start`` is
    None and ``weekdays`` empty); otherwise an automated backup starts in the one-hour window
    beginning at ``window_start`` (UTC) on each of ``weekdays`` (1 = Monday ... 7 = Sunday)."""

    keep_days: int
    window_start: time | None = None
    weekdays: tuple[int, ...] = ()

    @property
    def enabled(self) -> bool:
        return self.keep_days > 0

    @property
    def window(self) -> str | None:
        """The window as the API writes it, ``01:00-02:00`` (UTC); None when off."""
        if self.window_start is None:
            return None
        start = self.window_start.hour * 60 + self.window_start.minute
        end = (start + 60) % (24 * 60)
        return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"

    @classmethod
    def off(cls) -> BackupPolicy:
        return cls(0)

    @classmethod
    def from_api(cls, body: Mapping[str, Any]) -> BackupPolicy:
        """From the API's ``backup_policy`` object."""
        keep_days = int(body.get("keep_days", 0))
        start_time = body.get("start_time")
        period = body.get("period")
        if not keep_days or not start_time:
            return cls(keep_days)
        hours, minutes = str(start_time)[:5].split(":")
        weekdays = tuple(sorted(int(day) for day in str(period or "").split(",") if day))
        return cls(keep_days, time(int(hours), int(minutes)), weekdays)

    def to_api(self) -> dict[str, Any]:
        """The API's ``backup_policy`` object."""
        if not self.enabled:
            return {"keep_days": self.keep_days}
        return {
            "keep_days": self.keep_days,
            "start_time": self.window,
            "period": ",".join(str(day) for day in sorted(set(self.weekdays))),
        }

    def describe(self) -> str:
        """For people: ``off``, or ``keep 7 days, 01:00-02:00 UTC, mon,tue``."""
        if not self.enabled:
            return "off"
        days = ",".join(WEEKDAY_NAMES[day - 1] for day in sorted(set(self.weekdays)))
        return f"keep {self.keep_days} days, {self.window} UTC, {days}"


def parse_window(text: str) -> time:
    """``01:00-02:00`` (or just its start, ``01:00``) as the window's start; the rest of its
    rules (minutes 00/15/30/45, one hour) are the spec's, checked when the policy is sent."""
    start = text.strip().split("-", 1)[0]
    try:
        hours, minutes = start.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValidationError(
            "window", text, "must be a UTC window hh:mm-HH:MM such as 01:00-02:00"
        ) from None


def parse_weekdays(text: str | Iterable[str | int]) -> tuple[int, ...]:
    """Weekdays as numbers (1 = Monday), names (``mon``, ``monday``) or ranges (``1-5``,
    ``mon-fri``), comma-separated or as a list; sorted, each once."""
    items = text.split(",") if isinstance(text, str) else list(text)
    days: set[int] = set()
    for item in items:
        word = str(item).strip().lower()
        if not word:
            continue
        first, dash, last = word.partition("-")
        low = _weekday(first, text)
        high = _weekday(last, text) if dash else low
        if high < low:
            raise ValidationError("days", text, f"has the range {word}, which runs backwards")
        days.update(range(low, high + 1))
    if not days:
        raise ValidationError("days", text, "must name at least one weekday")
    return tuple(sorted(days))


def _weekday(word: str, text: object) -> int:
    if word.isdigit() and 1 <= int(word) <= 7:
        return int(word)
    for number, name in enumerate(WEEKDAY_NAMES, start=1):
        if len(word) >= 3 and name.startswith(word[:3]) and _full_name(number).startswith(word):
            return number
    raise ValidationError(
        "days", text, f"has {word!r}: use 1-7 (1 = Monday) or mon, tue, wed, thu, fri, sat, sun"
    )


def _full_name(number: int) -> str:
    return ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")[
        number - 1
    ]
