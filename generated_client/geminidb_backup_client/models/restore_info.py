from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RestoreInfo")


@_attrs_define
class RestoreInfo:
    """What to restore: either `backup_id` alone, or `source_instance_id` with `restore_time`."""

    backup_id: str | Unset = UNSET
    """ ID of the backup to restore (a full backup, `COMPLETED`). """
    source_instance_id: str | Unset = UNSET
    """ ID of the instance whose data at `restore_time` is restored. """
    restore_time: int | Unset = UNSET
    """ The point in time to restore, UTC epoch milliseconds (13 digits), inside a window of
    `listRestorableTimePeriods`.
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        backup_id = self.backup_id

        source_instance_id = self.source_instance_id

        restore_time = self.restore_time

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if backup_id is not UNSET:
            field_dict["backup_id"] = backup_id
        if source_instance_id is not UNSET:
            field_dict["source_instance_id"] = source_instance_id
        if restore_time is not UNSET:
            field_dict["restore_time"] = restore_time

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        backup_id = d.pop("backup_id", UNSET)

        source_instance_id = d.pop("source_instance_id", UNSET)

        restore_time = d.pop("restore_time", UNSET)

        restore_info = cls(
            backup_id=backup_id,
            source_instance_id=source_instance_id,
            restore_time=restore_time,
        )

        restore_info.additional_properties = d
        return restore_info

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
