from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CreateBackupRequest")


@_attrs_define
class CreateBackupRequest:
    """The manual backup to create."""

    name: str
    """ Manual backup name: 4 to 64 characters, starting with a letter, and only letters, digits,
    hyphens (`-`) and underscores (`_`). Case-sensitive: `Backup-1` and `backup-1` are two
    names. Unique among the backups of the instance.
     """
    description: str
    """ Manual backup description: at most 256 characters, none of which may be `>`, `!`, `<`,
    `"`, `&`, `'` or `=`. May be empty.
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        description = self.description

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "description": description,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        description = d.pop("description")

        create_backup_request = cls(
            name=name,
            description=description,
        )

        create_backup_request.additional_properties = d
        return create_backup_request

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
