from typing import Literal

ListBackupsDatastoreType = Literal["cassandra"]

LIST_BACKUPS_DATASTORE_TYPE_VALUES: set[ListBackupsDatastoreType] = {
    "cassandra",
}


def check_list_backups_datastore_type(value: str) -> ListBackupsDatastoreType:
    if value in LIST_BACKUPS_DATASTORE_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LIST_BACKUPS_DATASTORE_TYPE_VALUES!r}"
    )
