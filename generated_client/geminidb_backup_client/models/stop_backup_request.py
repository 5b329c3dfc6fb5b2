from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.stop_backup_request_action import (
    StopBackupRequestAction,
    check_stop_backup_request_action,
)

T = TypeVar("T", bound="StopBackupRequest")


@_attrs_define
class StopBackupRequest:
    """What to do with the backup; `stop` is the only action."""

    action: StopBackupRequestAction
    """ `stop`: stop the backup while it is being made. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action: str = self.action

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        action = check_stop_backup_request_action(d.pop("action"))

        stop_backup_request = cls(
            action=action,
        )

        stop_backup_request.additional_properties = d
        return stop_backup_request

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
