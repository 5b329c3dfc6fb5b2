from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="InstanceNode")


@_attrs_define
class InstanceNode:
    """One node of an instance."""

    id: str
    """ Node ID. """
    name: str
    """ Node name. """
    status: str
    """ Node status, for example `normal`. """
    spec_code: str
    """ Resource specification code (flavor) of the node, for example `geminidb.cassandra.xlarge.4`. """
    availability_zone: str
    """ Availability zone of the node. """
    subnet_id: str | Unset = UNSET
    """ ID of the node's subnet. """
    private_ip: str | Unset = UNSET
    """ Private IP address of the node; empty until its server exists. """
    public_ip: str | Unset = UNSET
    """ Public IP address bound to the node, if any. """
    support_reduce: bool | Unset = UNSET
    """ Whether the node can be removed. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        status = self.status

        spec_code = self.spec_code

        availability_zone = self.availability_zone

        subnet_id = self.subnet_id

        private_ip = self.private_ip

        public_ip = self.public_ip

        support_reduce = self.support_reduce

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "status": status,
                "spec_code": spec_code,
                "availability_zone": availability_zone,
            }
        )
        if subnet_id is not UNSET:
            field_dict["subnet_id"] = subnet_id
        if private_ip is not UNSET:
            field_dict["private_ip"] = private_ip
        if public_ip is not UNSET:
            field_dict["public_ip"] = public_ip
        if support_reduce is not UNSET:
            field_dict["support_reduce"] = support_reduce

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        status = d.pop("status")

        spec_code = d.pop("spec_code")

        availability_zone = d.pop("availability_zone")

        subnet_id = d.pop("subnet_id", UNSET)

        private_ip = d.pop("private_ip", UNSET)

        public_ip = d.pop("public_ip", UNSET)

        support_reduce = d.pop("support_reduce", UNSET)

        instance_node = cls(
            id=id,
            name=name,
            status=status,
            spec_code=spec_code,
            availability_zone=availability_zone,
            subnet_id=subnet_id,
            private_ip=private_ip,
            public_ip=public_ip,
            support_reduce=support_reduce,
        )

        instance_node.additional_properties = d
        return instance_node

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
