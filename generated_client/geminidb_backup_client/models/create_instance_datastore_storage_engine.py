from typing import Literal

CreateInstanceDatastoreStorageEngine = Literal["rocksDB"]

CREATE_INSTANCE_DATASTORE_STORAGE_ENGINE_VALUES: set[
    CreateInstanceDatastoreStorageEngine
] = {
    "rocksDB",
}


def check_create_instance_datastore_storage_engine(
    value: str,
) -> CreateInstanceDatastoreStorageEngine:
    if value in CREATE_INSTANCE_DATASTORE_STORAGE_ENGINE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CREATE_INSTANCE_DATASTORE_STORAGE_ENGINE_VALUES!r}"
    )
