from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateInstanceResponseDatastore")


@_attrs_define
class CreateInstanceResponseDatastore:
    """Database type, version and storage engine of the new instance."""

    type_: str
    """ Database type. """
    version: str
    """ Database version. """
    storage_engine: str | Unset = UNSET
    """ Storage engine. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        version = self.version

        storage_engine = self.storage_engine

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "version": version,
            }
        )
        if storage_engine is not UNSET:
            field_dict["storage_engine"] = storage_engine

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = d.pop("type")

        version = d.pop("version")

        storage_engine = d.pop("storage_engine", UNSET)

        create_instance_response_datastore = cls(
            type_=type_,
            version=version,
            storage_engine=storage_engine,
        )

        create_instance_response_datastore.additional_properties = d
        return create_instance_response_datastore

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
