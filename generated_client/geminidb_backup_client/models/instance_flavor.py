from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.instance_flavor_storage import (
    InstanceFlavorStorage,
    check_instance_flavor_storage,
)

T = TypeVar("T", bound="InstanceFlavor")


@_attrs_define
class InstanceFlavor:
    """The nodes and storage of the new instance."""

    num: str
    """ Number of nodes, 3 to 60, written as a string. """
    storage: InstanceFlavorStorage
    """ Storage type; `ULTRAHIGH` (SSD), the only one the service documents. """
    size: str
    """ Storage size in GB, a whole number from 100, written as a string. **Decision**: the
    largest size depends on the node specification, which this document does not
    describe; at most 99999 GB is accepted here.
     """
    spec_code: str
    """ Resource specification code of the nodes, for example `geminidb.cassandra.xlarge.4`. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        num = self.num

        storage: str = self.storage

        size = self.size

        spec_code = self.spec_code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "num": num,
                "storage": storage,
                "size": size,
                "spec_code": spec_code,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        num = d.pop("num")

        storage = check_instance_flavor_storage(d.pop("storage"))

        size = d.pop("size")

        spec_code = d.pop("spec_code")

        instance_flavor = cls(
            num=num,
            storage=storage,
            size=size,
            spec_code=spec_code,
        )

        instance_flavor.additional_properties = d
        return instance_flavor

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
