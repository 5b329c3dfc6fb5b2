from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.create_instance_datastore_storage_engine import (
    CreateInstanceDatastoreStorageEngine,
    check_create_instance_datastore_storage_engine,
)
from ..models.datastore_type import DatastoreType, check_datastore_type

T = TypeVar("T", bound="CreateInstanceDatastore")


@_attrs_define
class CreateInstanceDatastore:
    """Database type, version and storage engine of the new instance."""

    type_: DatastoreType
    """ A database type; `cassandra` for GeminiDB Cassandra. """
    version: str
    """ Database version, for example `3.11`. A restored instance has the version of its
    source.
     """
    storage_engine: CreateInstanceDatastoreStorageEngine
    """ Storage engine; `rocksDB`. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_: str = self.type_

        version = self.version

        storage_engine: str = self.storage_engine

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "version": version,
                "storage_engine": storage_engine,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = check_datastore_type(d.pop("type"))

        version = d.pop("version")

        storage_engine = check_create_instance_datastore_storage_engine(
            d.pop("storage_engine")
        )

        create_instance_datastore = cls(
            type_=type_,
            version=version,
            storage_engine=storage_engine,
        )

        create_instance_datastore.additional_properties = d
        return create_instance_datastore

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
