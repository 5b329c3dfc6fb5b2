from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="InstanceDatastore")


@_attrs_define
class InstanceDatastore:
    """Database type and version of an instance."""

    type_: str
    """ Database type; `cassandra` for GeminiDB Cassandra. """
    version: str
    """ Database version, for example `3.11`. """
    patch_available: bool | Unset = UNSET
    """ Whether a patch of the database version can be installed. """
    whole_version: str | Unset = UNSET
    """ The full version of the database, with its patch level. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        version = self.version

        patch_available = self.patch_available

        whole_version = self.whole_version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "version": version,
            }
        )
        if patch_available is not UNSET:
            field_dict["patch_available"] = patch_available
        if whole_version is not UNSET:
            field_dict["whole_version"] = whole_version

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = d.pop("type")

        version = d.pop("version")

        patch_available = d.pop("patch_available", UNSET)

        whole_version = d.pop("whole_version", UNSET)

        instance_datastore = cls(
            type_=type_,
            version=version,
            patch_available=patch_available,
            whole_version=whole_version,
        )

        instance_datastore.additional_properties = d
        return instance_datastore

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
