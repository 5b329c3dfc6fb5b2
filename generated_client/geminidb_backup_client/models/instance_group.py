from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.instance_node import InstanceNode
    from ..models.instance_volume import InstanceVolume


T = TypeVar("T", bound="InstanceGroup")


@_attrs_define
class InstanceGroup:
    """A group of nodes of an instance and its storage."""

    id: str
    """ Group ID. """
    status: str
    """ Group status. """
    volume: InstanceVolume
    """ The storage of a group of nodes. """
    nodes: list[InstanceNode]
    """ The nodes of the group. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        status = self.status

        volume = self.volume.to_dict()

        nodes = []
        for nodes_item_data in self.nodes:
            nodes_item = nodes_item_data.to_dict()
            nodes.append(nodes_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "volume": volume,
                "nodes": nodes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.instance_node import InstanceNode
        from ..models.instance_volume import InstanceVolume

        d = dict(src_dict)
        id = d.pop("id")

        status = d.pop("status")

        volume = InstanceVolume.from_dict(d.pop("volume"))

        nodes = []
        _nodes = d.pop("nodes")
        for nodes_item_data in _nodes:
            nodes_item = InstanceNode.from_dict(nodes_item_data)

            nodes.append(nodes_item)

        instance_group = cls(
            id=id,
            status=status,
            volume=volume,
            nodes=nodes,
        )

        instance_group.additional_properties = d
        return instance_group

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
