from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="InstanceBackupStrategy")


@_attrs_define
class InstanceBackupStrategy:
    """The automated backup policy of an instance as the instance list shows it."""

    start_time: str
    """ The daily window, UTC, in which automated backups start, as `hh:mm-HH:MM`. """
    keep_days: int
    """ Days an automated backup is kept; 0 when automated backups are off. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        start_time = self.start_time

        keep_days = self.keep_days

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "start_time": start_time,
                "keep_days": keep_days,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        start_time = d.pop("start_time")

        keep_days = d.pop("keep_days")

        instance_backup_strategy = cls(
            start_time=start_time,
            keep_days=keep_days,
        )

        instance_backup_strategy.additional_properties = d
        return instance_backup_strategy

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
