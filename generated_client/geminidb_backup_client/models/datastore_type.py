from typing import Literal

DatastoreType = Literal["cassandra"]

DATASTORE_TYPE_VALUES: set[DatastoreType] = {
    "cassandra",
}


def check_datastore_type(value: str) -> DatastoreType:
    if value in DATASTORE_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {DATASTORE_TYPE_VALUES!r}"
    )
