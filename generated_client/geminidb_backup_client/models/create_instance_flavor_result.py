from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CreateInstanceFlavorResult")


@_attrs_define
class CreateInstanceFlavorResult:
    """The nodes and storage of the new instance, as requested."""

    num: str
    """ Number of nodes. """
    storage: str
    """ Storage type. """
    size: str
    """ Storage size in GB. """
    spec_code: str
    """ Resource specification code of the nodes. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        num = self.num

        storage = self.storage

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

        storage = d.pop("storage")

        size = d.pop("size")

        spec_code = d.pop("spec_code")

        create_instance_flavor_result = cls(
            num=num,
            storage=storage,
            size=size,
            spec_code=spec_code,
        )

        create_instance_flavor_result.additional_properties = d
        return create_instance_flavor_result

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
