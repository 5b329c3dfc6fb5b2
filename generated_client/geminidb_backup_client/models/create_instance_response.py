from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.create_instance_response_status import (
    CreateInstanceResponseStatus,
    check_create_instance_response_status,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.create_instance_flavor_result import CreateInstanceFlavorResult
    from ..models.create_instance_response_backup_strategy import (
        CreateInstanceResponseBackupStrategy,
    )
    from ..models.create_instance_response_charge_info import (
        CreateInstanceResponseChargeInfo,
    )
    from ..models.create_instance_response_datastore import (
        CreateInstanceResponseDatastore,
    )


T = TypeVar("T", bound="CreateInstanceResponse")


@_attrs_define
class CreateInstanceResponse:
    """The accepted creation or restore task and the instance it creates."""

    id: str
    """ ID of the new instance. """
    name: str
    """ Name of the new instance. """
    datastore: CreateInstanceResponseDatastore
    """ Database type, version and storage engine of the new instance. """
    created: str
    """ When the creation was accepted, as in `Instance.created`. """
    status: CreateInstanceResponseStatus
    """ `creating`. """
    region: str
    """ Region ID, as requested. """
    availability_zone: str
    """ Availability zone, as requested. """
    vpc_id: str
    """ VPC ID, as requested. """
    subnet_id: str
    """ Subnet ID, as requested. """
    security_group_id: str
    """ Security group ID, as requested. """
    mode: str
    """ Deployment mode, as requested. """
    flavor: list[CreateInstanceFlavorResult]
    """ The nodes and storage, as requested. """
    job_id: str
    """ ID of the creation or restore task; follow it with `listJobs` (`id=<job_id>`). """
    backup_strategy: CreateInstanceResponseBackupStrategy | Unset = UNSET
    """ The automated backup policy of the new instance. """
    enterprise_project_id: str | Unset = UNSET
    """ ID of the enterprise project. """
    ssl_option: str | Unset = UNSET
    """ Whether SSL connections are enabled. """
    charge_info: CreateInstanceResponseChargeInfo | Unset = UNSET
    """ Billing of the new instance. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        datastore = self.datastore.to_dict()

        created = self.created

        status: str = self.status

        region = self.region

        availability_zone = self.availability_zone

        vpc_id = self.vpc_id

        subnet_id = self.subnet_id

        security_group_id = self.security_group_id

        mode = self.mode

        flavor = []
        for flavor_item_data in self.flavor:
            flavor_item = flavor_item_data.to_dict()
            flavor.append(flavor_item)

        job_id = self.job_id

        backup_strategy: dict[str, Any] | Unset = UNSET
        if not isinstance(self.backup_strategy, Unset):
            backup_strategy = self.backup_strategy.to_dict()

        enterprise_project_id = self.enterprise_project_id

        ssl_option = self.ssl_option

        charge_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.charge_info, Unset):
            charge_info = self.charge_info.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "datastore": datastore,
                "created": created,
                "status": status,
                "region": region,
                "availability_zone": availability_zone,
                "vpc_id": vpc_id,
                "subnet_id": subnet_id,
                "security_group_id": security_group_id,
                "mode": mode,
                "flavor": flavor,
                "job_id": job_id,
            }
        )
        if backup_strategy is not UNSET:
            field_dict["backup_strategy"] = backup_strategy
        if enterprise_project_id is not UNSET:
            field_dict["enterprise_project_id"] = enterprise_project_id
        if ssl_option is not UNSET:
            field_dict["ssl_option"] = ssl_option
        if charge_info is not UNSET:
            field_dict["charge_info"] = charge_info

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.create_instance_flavor_result import CreateInstanceFlavorResult
        from ..models.create_instance_response_backup_strategy import (
            CreateInstanceResponseBackupStrategy,
        )
        from ..models.create_instance_response_charge_info import (
            CreateInstanceResponseChargeInfo,
        )
        from ..models.create_instance_response_datastore import (
            CreateInstanceResponseDatastore,
        )

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        datastore = CreateInstanceResponseDatastore.from_dict(d.pop("datastore"))

        created = d.pop("created")

        status = check_create_instance_response_status(d.pop("status"))

        region = d.pop("region")

        availability_zone = d.pop("availability_zone")

        vpc_id = d.pop("vpc_id")

        subnet_id = d.pop("subnet_id")

        security_group_id = d.pop("security_group_id")

        mode = d.pop("mode")

        flavor = []
        _flavor = d.pop("flavor")
        for flavor_item_data in _flavor:
            flavor_item = CreateInstanceFlavorResult.from_dict(flavor_item_data)

            flavor.append(flavor_item)

        job_id = d.pop("job_id")

        _backup_strategy = d.pop("backup_strategy", UNSET)
        backup_strategy: CreateInstanceResponseBackupStrategy | Unset
        if isinstance(_backup_strategy, Unset):
            backup_strategy = UNSET
        else:
            backup_strategy = CreateInstanceResponseBackupStrategy.from_dict(
                _backup_strategy
            )

        enterprise_project_id = d.pop("enterprise_project_id", UNSET)

        ssl_option = d.pop("ssl_option", UNSET)

        _charge_info = d.pop("charge_info", UNSET)
        charge_info: CreateInstanceResponseChargeInfo | Unset
        if isinstance(_charge_info, Unset):
            charge_info = UNSET
        else:
            charge_info = CreateInstanceResponseChargeInfo.from_dict(_charge_info)

        create_instance_response = cls(
            id=id,
            name=name,
            datastore=datastore,
            created=created,
            status=status,
            region=region,
            availability_zone=availability_zone,
            vpc_id=vpc_id,
            subnet_id=subnet_id,
            security_group_id=security_group_id,
            mode=mode,
            flavor=flavor,
            job_id=job_id,
            backup_strategy=backup_strategy,
            enterprise_project_id=enterprise_project_id,
            ssl_option=ssl_option,
            charge_info=charge_info,
        )

        create_instance_response.additional_properties = d
        return create_instance_response

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
