from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.instance_mode import InstanceMode, check_instance_mode
from ..models.instance_pay_mode import InstancePayMode, check_instance_pay_mode
from ..models.instance_status import InstanceStatus, check_instance_status
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.instance_backup_strategy import InstanceBackupStrategy
    from ..models.instance_datastore import InstanceDatastore
    from ..models.instance_group import InstanceGroup


T = TypeVar("T", bound="Instance")


@_attrs_define
class Instance:
    """An instance and its details, as `listInstances` shows it. Its number of nodes is the
    number of `nodes` of its groups, its storage size the `volume.size` of its group.
    **Decision**: the list does not show the storage type; the only type the service
    documents for GeminiDB Cassandra is `ULTRAHIGH` (SSD), which a restore to a new instance
    uses.

    """

    id: str
    """ Instance ID. """
    name: str
    """ Instance name. """
    status: InstanceStatus
    """ Status of an instance: `normal`, `abnormal`, `creating` (being created or restored),
    `frozen`, `data_disk_full`, `createfail` (its creation or restore failed) or
    `enlargefail` (adding nodes failed).
     """
    port: str
    """ Database port, for example `8635`. """
    mode: InstanceMode
    """ Deployment mode of a GeminiDB Cassandra instance: `Cluster` (classic deployment) or
    `CloudNativeCluster` (cloud-native deployment).
     """
    region: str
    """ Region of the instance, for example `eu-de`. """
    availability_zone: str
    """ Availability zone of the instance; several, separated by commas, for an instance across three zones. """
    datastore: InstanceDatastore
    """ Database type and version of an instance. """
    engine: str
    """ Storage engine; `rocksDB`. """
    created: str
    """ When the instance was created, UTC, as `yyyy-mm-ddThh:mm:ss`. **Decision**: no pattern
    is declared, as the sources show this time in more than one form.
     """
    updated: str
    """ When an operation last changed the instance, in the form of `created`. """
    db_user_name: str
    """ The default database user, `rwuser`. """
    vpc_id: str
    """ ID of the instance's virtual private cloud (VPC). """
    subnet_id: str
    """ ID of the instance's subnet (of the first, when its nodes use several). """
    security_group_id: str
    """ ID of the instance's security group. """
    backup_strategy: InstanceBackupStrategy
    """ The automated backup policy of an instance as the instance list shows it. """
    pay_mode: InstancePayMode
    """ Billing mode; `"0"` pay-per-use, `"1"` yearly or monthly. """
    maintenance_window: str
    """ The maintenance window, for example `02:00-06:00`. """
    groups: list[InstanceGroup]
    """ The groups of nodes of the instance (one for GeminiDB Cassandra). """
    enterprise_project_id: str
    """ ID of the enterprise project; `"0"` is the default project. """
    time_zone: str
    """ Time zone of the instance; may be empty. """
    actions: list[str]
    """ The operations running on the instance, for example `RESTORE` or `BACKUP`; empty when
    none is. **Decision**: the sources do not list the values, so none is enumerated.
     """
    disk_encryption_id: str | Unset = UNSET
    """ ID of the key the instance's disks are encrypted with, when they are. """
    dedicated_resource_id: str | Unset = UNSET
    """ ID of the dedicated resource the instance runs on, when it does. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        status: str = self.status

        port = self.port

        mode: str = self.mode

        region = self.region

        availability_zone = self.availability_zone

        datastore = self.datastore.to_dict()

        engine = self.engine

        created = self.created

        updated = self.updated

        db_user_name = self.db_user_name

        vpc_id = self.vpc_id

        subnet_id = self.subnet_id

        security_group_id = self.security_group_id

        backup_strategy = self.backup_strategy.to_dict()

        pay_mode: str = self.pay_mode

        maintenance_window = self.maintenance_window

        groups = []
        for groups_item_data in self.groups:
            groups_item = groups_item_data.to_dict()
            groups.append(groups_item)

        enterprise_project_id = self.enterprise_project_id

        time_zone = self.time_zone

        actions = self.actions

        disk_encryption_id = self.disk_encryption_id

        dedicated_resource_id = self.dedicated_resource_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "status": status,
                "port": port,
                "mode": mode,
                "region": region,
                "availability_zone": availability_zone,
                "datastore": datastore,
                "engine": engine,
                "created": created,
                "updated": updated,
                "db_user_name": db_user_name,
                "vpc_id": vpc_id,
                "subnet_id": subnet_id,
                "security_group_id": security_group_id,
                "backup_strategy": backup_strategy,
                "pay_mode": pay_mode,
                "maintenance_window": maintenance_window,
                "groups": groups,
                "enterprise_project_id": enterprise_project_id,
                "time_zone": time_zone,
                "actions": actions,
            }
        )
        if disk_encryption_id is not UNSET:
            field_dict["disk_encryption_id"] = disk_encryption_id
        if dedicated_resource_id is not UNSET:
            field_dict["dedicated_resource_id"] = dedicated_resource_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.instance_backup_strategy import InstanceBackupStrategy
        from ..models.instance_datastore import InstanceDatastore
        from ..models.instance_group import InstanceGroup

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        status = check_instance_status(d.pop("status"))

        port = d.pop("port")

        mode = check_instance_mode(d.pop("mode"))

        region = d.pop("region")

        availability_zone = d.pop("availability_zone")

        datastore = InstanceDatastore.from_dict(d.pop("datastore"))

        engine = d.pop("engine")

        created = d.pop("created")

        updated = d.pop("updated")

        db_user_name = d.pop("db_user_name")

        vpc_id = d.pop("vpc_id")

        subnet_id = d.pop("subnet_id")

        security_group_id = d.pop("security_group_id")

        backup_strategy = InstanceBackupStrategy.from_dict(d.pop("backup_strategy"))

        pay_mode = check_instance_pay_mode(d.pop("pay_mode"))

        maintenance_window = d.pop("maintenance_window")

        groups = []
        _groups = d.pop("groups")
        for groups_item_data in _groups:
            groups_item = InstanceGroup.from_dict(groups_item_data)

            groups.append(groups_item)

        enterprise_project_id = d.pop("enterprise_project_id")

        time_zone = d.pop("time_zone")

        actions = cast(list[str], d.pop("actions"))

        disk_encryption_id = d.pop("disk_encryption_id", UNSET)

        dedicated_resource_id = d.pop("dedicated_resource_id", UNSET)

        instance = cls(
            id=id,
            name=name,
            status=status,
            port=port,
            mode=mode,
            region=region,
            availability_zone=availability_zone,
            datastore=datastore,
            engine=engine,
            created=created,
            updated=updated,
            db_user_name=db_user_name,
            vpc_id=vpc_id,
            subnet_id=subnet_id,
            security_group_id=security_group_id,
            backup_strategy=backup_strategy,
            pay_mode=pay_mode,
            maintenance_window=maintenance_window,
            groups=groups,
            enterprise_project_id=enterprise_project_id,
            time_zone=time_zone,
            actions=actions,
            disk_encryption_id=disk_encryption_id,
            dedicated_resource_id=dedicated_resource_id,
        )

        instance.additional_properties = d
        return instance

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
