from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="BackupPolicyWithIntervals")


@_attrs_define
class BackupPolicyWithIntervals:
    """An automated backup policy as `BackupPolicy`, with the intervals of differential and
    incremental backups where the service has them enabled.

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
    differential_period: None | str | Unset = UNSET
    """ Minutes between differential backups (30, 60, 180, 360, 720 or 1440), or null. """
    incremental_period: None | str | Unset = UNSET
    """ Minutes between incremental backups (5, 10 or 15), or null. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        keep_days = self.keep_days

        start_time = self.start_time

        period = self.period

        differential_period: None | str | Unset
        if isinstance(self.differential_period, Unset):
            differential_period = UNSET
        else:
            differential_period = self.differential_period

        incremental_period: None | str | Unset
        if isinstance(self.incremental_period, Unset):
            incremental_period = UNSET
        else:
            incremental_period = self.incremental_period

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
        if differential_period is not UNSET:
            field_dict["differential_period"] = differential_period
        if incremental_period is not UNSET:
            field_dict["incremental_period"] = incremental_period

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        keep_days = d.pop("keep_days")

        start_time = d.pop("start_time", UNSET)

        period = d.pop("period", UNSET)

        def _parse_differential_period(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        differential_period = _parse_differential_period(
            d.pop("differential_period", UNSET)
        )

        def _parse_incremental_period(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        incremental_period = _parse_incremental_period(
            d.pop("incremental_period", UNSET)
        )

        backup_policy_with_intervals = cls(
            keep_days=keep_days,
            start_time=start_time,
            period=period,
            differential_period=differential_period,
            incremental_period=incremental_period,
        )

        backup_policy_with_intervals.additional_properties = d
        return backup_policy_with_intervals

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
