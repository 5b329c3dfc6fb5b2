from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.backup_status import BackupStatus, check_backup_status
from ..models.backup_type import BackupType, check_backup_type
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.database_table import DatabaseTable
    from ..models.datastore import Datastore


T = TypeVar("T", bound="Backup")


@_attrs_define
class Backup:
    """A backup of an instance."""

    id: str
    """ Backup ID. """
    name: str
    """ Backup name. """
    description: str
    """ Backup description. """
    instance_id: str
    """ ID of the backed-up instance. """
    instance_name: str
    """ Name of the backed-up instance. """
    datastore: Datastore
    """ Database type and version of the backed-up instance. """
    type_: BackupType
    """ `Auto` for an automated backup, `Manual` for a manual one. """
    size: float
    """ Backup size in kilobytes (KB); 0 while the backup is `BUILDING`. """
    status: BackupStatus
    """ `BUILDING` while the backup is being made, then `COMPLETED` or `FAILED`. """
    begin_time: str
    """ A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as `+hhmm`/`-hhmm` (no colon, at most 14
    hours)
    or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.
     """
    end_time: str
    """ A time as in `Timestamp`, or the empty string while the time is not known yet (the end of
    a task or backup that is still running).
     """
    database_tables: list[DatabaseTable] | Unset = UNSET
    """ The keyspaces and tables of a table-level backup; empty for an instance backup. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        description = self.description

        instance_id = self.instance_id

        instance_name = self.instance_name

        datastore = self.datastore.to_dict()

        type_: str = self.type_

        size = self.size

        status: str = self.status

        begin_time = self.begin_time

        end_time = self.end_time

        database_tables: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.database_tables, Unset):
            database_tables = []
            for database_tables_item_data in self.database_tables:
                database_tables_item = database_tables_item_data.to_dict()
                database_tables.append(database_tables_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "description": description,
                "instance_id": instance_id,
                "instance_name": instance_name,
                "datastore": datastore,
                "type": type_,
                "size": size,
                "status": status,
                "begin_time": begin_time,
                "end_time": end_time,
            }
        )
        if database_tables is not UNSET:
            field_dict["database_tables"] = database_tables

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.database_table import DatabaseTable
        from ..models.datastore import Datastore

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        description = d.pop("description")

        instance_id = d.pop("instance_id")

        instance_name = d.pop("instance_name")

        datastore = Datastore.from_dict(d.pop("datastore"))

        type_ = check_backup_type(d.pop("type"))

        size = d.pop("size")

        status = check_backup_status(d.pop("status"))

        begin_time = d.pop("begin_time")

        end_time = d.pop("end_time")

        _database_tables = d.pop("database_tables", UNSET)
        database_tables: list[DatabaseTable] | Unset = UNSET
        if _database_tables is not UNSET:
            database_tables = []
            for database_tables_item_data in _database_tables:
                database_tables_item = DatabaseTable.from_dict(
                    database_tables_item_data
                )

                database_tables.append(database_tables_item)

        backup = cls(
            id=id,
            name=name,
            description=description,
            instance_id=instance_id,
            instance_name=instance_name,
            datastore=datastore,
            type_=type_,
            size=size,
            status=status,
            begin_time=begin_time,
            end_time=end_time,
            database_tables=database_tables,
        )

        backup.additional_properties = d
        return backup

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
