from typing import Literal

InstanceFlavorStorage = Literal["ULTRAHIGH"]

INSTANCE_FLAVOR_STORAGE_VALUES: set[InstanceFlavorStorage] = {
    "ULTRAHIGH",
}


def check_instance_flavor_storage(value: str) -> InstanceFlavorStorage:
    if value in INSTANCE_FLAVOR_STORAGE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {INSTANCE_FLAVOR_STORAGE_VALUES!r}"
    )
