from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.restorable_time_period import RestorableTimePeriod


T = TypeVar("T", bound="ListRestorableTimePeriodsResponse")


@_attrs_define
class ListRestorableTimePeriodsResponse:
    """The restorable windows of an instance."""

    total_count: int
    """ How many windows match in all pages. """
    restorable_time_periods: list[RestorableTimePeriod]
    """ The windows of this page, oldest first. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        total_count = self.total_count

        restorable_time_periods = []
        for restorable_time_periods_item_data in self.restorable_time_periods:
            restorable_time_periods_item = restorable_time_periods_item_data.to_dict()
            restorable_time_periods.append(restorable_time_periods_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "total_count": total_count,
                "restorable_time_periods": restorable_time_periods,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.restorable_time_period import RestorableTimePeriod

        d = dict(src_dict)
        total_count = d.pop("total_count")

        restorable_time_periods = []
        _restorable_time_periods = d.pop("restorable_time_periods")
        for restorable_time_periods_item_data in _restorable_time_periods:
            restorable_time_periods_item = RestorableTimePeriod.from_dict(
                restorable_time_periods_item_data
            )

            restorable_time_periods.append(restorable_time_periods_item)

        list_restorable_time_periods_response = cls(
            total_count=total_count,
            restorable_time_periods=restorable_time_periods,
        )

        list_restorable_time_periods_response.additional_properties = d
        return list_restorable_time_periods_response

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
