from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.create_instance_request_ssl_option import (
    CreateInstanceRequestSslOption,
    check_create_instance_request_ssl_option,
)
from ..models.instance_mode import InstanceMode, check_instance_mode
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.backup_strategy_option import BackupStrategyOption
    from ..models.charge_info import ChargeInfo
    from ..models.create_instance_datastore import CreateInstanceDatastore
    from ..models.instance_flavor import InstanceFlavor
    from ..models.restore_info import RestoreInfo


T = TypeVar("T", bound="CreateInstanceRequest")


@_attrs_define
class CreateInstanceRequest:
    """The instance to create, or to restore to."""

    name: str
    """ Instance name: 4 to 64 characters, starting with a letter, and only letters, digits,
    hyphens (`-`) and underscores (`_`). Case-sensitive; several instances may have the same
    name.
     """
    datastore: CreateInstanceDatastore
    """ Database type, version and storage engine of the new instance. """
    region: str
    """ Region ID, for example `eu-de`. """
    availability_zone: str
    """ Availability zone; three, separated by commas, for an instance across three zones. """
    vpc_id: str
    """ ID of the virtual private cloud (VPC). """
    subnet_id: str
    """ Network ID of the subnet. """
    security_group_id: str
    """ ID of the security group. """
    password: str
    """ Password of the database user `rwuser`: 8 to 32 characters, only letters, digits and the
    characters of `x-special-characters`, with at least three of the four kinds (upper-case
    letters, lower-case letters, digits, special characters).
     """
    mode: InstanceMode
    """ Deployment mode of a GeminiDB Cassandra instance: `Cluster` (classic deployment) or
    `CloudNativeCluster` (cloud-native deployment).
     """
    flavor: list[InstanceFlavor]
    """ The nodes and storage of the instance (one entry). """
    configuration_id: str | Unset = UNSET
    """ ID of a parameter template. """
    backup_strategy: BackupStrategyOption | Unset = UNSET
    """ The automated backup policy of the new instance. """
    enterprise_project_id: str | Unset = UNSET
    """ ID of the enterprise project; the default project when omitted. """
    ssl_option: CreateInstanceRequestSslOption | Unset = UNSET
    """ `1` to enable SSL connections, `0` (the default) not to. """
    charge_info: ChargeInfo | Unset = UNSET
    """ Billing of the new instance; only pay-per-use (`postPaid`) is described here. """
    restore_info: RestoreInfo | Unset = UNSET
    """ What to restore: either `backup_id` alone, or `source_instance_id` with `restore_time`.
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        datastore = self.datastore.to_dict()

        region = self.region

        availability_zone = self.availability_zone

        vpc_id = self.vpc_id

        subnet_id = self.subnet_id

        security_group_id = self.security_group_id

        password = self.password

        mode: str = self.mode

        flavor = []
        for flavor_item_data in self.flavor:
            flavor_item = flavor_item_data.to_dict()
            flavor.append(flavor_item)

        configuration_id = self.configuration_id

        backup_strategy: dict[str, Any] | Unset = UNSET
        if not isinstance(self.backup_strategy, Unset):
            backup_strategy = self.backup_strategy.to_dict()

        enterprise_project_id = self.enterprise_project_id

        ssl_option: str | Unset = UNSET
        if not isinstance(self.ssl_option, Unset):
            ssl_option = self.ssl_option

        charge_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.charge_info, Unset):
            charge_info = self.charge_info.to_dict()

        restore_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.restore_info, Unset):
            restore_info = self.restore_info.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "datastore": datastore,
                "region": region,
                "availability_zone": availability_zone,
                "vpc_id": vpc_id,
                "subnet_id": subnet_id,
                "security_group_id": security_group_id,
                "password": password,
                "mode": mode,
                "flavor": flavor,
            }
        )
        if configuration_id is not UNSET:
            field_dict["configuration_id"] = configuration_id
        if backup_strategy is not UNSET:
            field_dict["backup_strategy"] = backup_strategy
        if enterprise_project_id is not UNSET:
            field_dict["enterprise_project_id"] = enterprise_project_id
        if ssl_option is not UNSET:
            field_dict["ssl_option"] = ssl_option
        if charge_info is not UNSET:
            field_dict["charge_info"] = charge_info
        if restore_info is not UNSET:
            field_dict["restore_info"] = restore_info

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.backup_strategy_option import BackupStrategyOption
        from ..models.charge_info import ChargeInfo
        from ..models.create_instance_datastore import CreateInstanceDatastore
        from ..models.instance_flavor import InstanceFlavor
        from ..models.restore_info import RestoreInfo

        d = dict(src_dict)
        name = d.pop("name")

        datastore = CreateInstanceDatastore.from_dict(d.pop("datastore"))

        region = d.pop("region")

        availability_zone = d.pop("availability_zone")

        vpc_id = d.pop("vpc_id")

        subnet_id = d.pop("subnet_id")

        security_group_id = d.pop("security_group_id")

        password = d.pop("password")

        mode = check_instance_mode(d.pop("mode"))

        flavor = []
        _flavor = d.pop("flavor")
        for flavor_item_data in _flavor:
            flavor_item = InstanceFlavor.from_dict(flavor_item_data)

            flavor.append(flavor_item)

        configuration_id = d.pop("configuration_id", UNSET)

        _backup_strategy = d.pop("backup_strategy", UNSET)
        backup_strategy: BackupStrategyOption | Unset
        if isinstance(_backup_strategy, Unset):
            backup_strategy = UNSET
        else:
            backup_strategy = BackupStrategyOption.from_dict(_backup_strategy)

        enterprise_project_id = d.pop("enterprise_project_id", UNSET)

        _ssl_option = d.pop("ssl_option", UNSET)
        ssl_option: CreateInstanceRequestSslOption | Unset
        if isinstance(_ssl_option, Unset):
            ssl_option = UNSET
        else:
            ssl_option = check_create_instance_request_ssl_option(_ssl_option)

        _charge_info = d.pop("charge_info", UNSET)
        charge_info: ChargeInfo | Unset
        if isinstance(_charge_info, Unset):
            charge_info = UNSET
        else:
            charge_info = ChargeInfo.from_dict(_charge_info)

        _restore_info = d.pop("restore_info", UNSET)
        restore_info: RestoreInfo | Unset
        if isinstance(_restore_info, Unset):
            restore_info = UNSET
        else:
            restore_info = RestoreInfo.from_dict(_restore_info)

        create_instance_request = cls(
            name=name,
            datastore=datastore,
            region=region,
            availability_zone=availability_zone,
            vpc_id=vpc_id,
            subnet_id=subnet_id,
            security_group_id=security_group_id,
            password=password,
            mode=mode,
            flavor=flavor,
            configuration_id=configuration_id,
            backup_strategy=backup_strategy,
            enterprise_project_id=enterprise_project_id,
            ssl_option=ssl_option,
            charge_info=charge_info,
            restore_info=restore_info,
        )

        create_instance_request.additional_properties = d
        return create_instance_request

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
