from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="BackupPolicy")


@_attrs_define
class BackupPolicy:
    """An automated backup policy. `keep_days` 0 means off, and then nothing else is given; 1 or
    more means on, with `start_time` and `period`; with 1 to 6, `period` is every day.

    """

    keep_days: int
    """ How many days an automated backup is kept, 0 to 35; 0 turns the policy off.
     """
    start_time: str | Unset = UNSET
    """ The daily window in which an automated backup starts, in UTC, as `hh:mm-HH:MM`: minutes
    00, 15, 30 or 45, the same at both ends, and `HH` one hour after `hh` (`23:00-00:00` is
    valid). The one-hour rule is the operation's `x-request-rules` entry `one-hour-window`.
     """
    period: str | Unset = UNSET
    """ The weekdays (of UTC) on which an automated backup is made: days 1 (Monday) to 7 (Sunday)
    separated by commas, each once, in ascending order, for example `1,2,4,5,6`.
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        keep_days = self.keep_days

        start_time = self.start_time

        period = self.period

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "keep_days": keep_days,
            }
        )
        if start_time is not UNSET:
            field_dict["start_time"] = start_time
        if period is not UNSET:
            field_dict["period"] = period

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        keep_days = d.pop("keep_days")

        start_time = d.pop("start_time", UNSET)

        period = d.pop("period", UNSET)

        backup_policy = cls(
            keep_days=keep_days,
            start_time=start_time,
            period=period,
        )

        backup_policy.additional_properties = d
        return backup_policy

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
