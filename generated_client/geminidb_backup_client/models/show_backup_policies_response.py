from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.backup_policy_with_intervals import BackupPolicyWithIntervals


T = TypeVar("T", bound="ShowBackupPoliciesResponse")


@_attrs_define
class ShowBackupPoliciesResponse:
    """The instance's automated backup policy, with its backup intervals."""

    backup_policy: BackupPolicyWithIntervals
    """ An automated backup policy as `BackupPolicy`, with the intervals of differential and
    incremental backups where the service has them enabled.
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
        from ..models.backup_policy_with_intervals import BackupPolicyWithIntervals

        d = dict(src_dict)
        backup_policy = BackupPolicyWithIntervals.from_dict(d.pop("backup_policy"))

        show_backup_policies_response = cls(
            backup_policy=backup_policy,
        )

        show_backup_policies_response.additional_properties = d
        return show_backup_policies_response

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
