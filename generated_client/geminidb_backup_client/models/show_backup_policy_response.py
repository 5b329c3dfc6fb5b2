from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.backup_policy import BackupPolicy


T = TypeVar("T", bound="ShowBackupPolicyResponse")


@_attrs_define
class ShowBackupPolicyResponse:
    """The instance's automated backup policy."""

    backup_policy: BackupPolicy
    """ An automated backup policy. `keep_days` 0 means off, and then nothing else is given; 1 or
    more means on, with `start_time` and `period`; with 1 to 6, `period` is every day.
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        backup_policy = self.backup_policy.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "backup_policy": backup_policy,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.backup_policy import BackupPolicy

        d = dict(src_dict)
        backup_policy = BackupPolicy.from_dict(d.pop("backup_policy"))

        show_backup_policy_response = cls(
            backup_policy=backup_policy,
        )

        show_backup_policy_response.additional_properties = d
        return show_backup_policy_response

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
