from typing import Literal

InstanceStatus = Literal[
    "abnormal",
    "createfail",
    "creating",
    "data_disk_full",
    "enlargefail",
    "frozen",
    "normal",
]

INSTANCE_STATUS_VALUES: set[InstanceStatus] = {
    "abnormal",
    "createfail",
    "creating",
    "data_disk_full",
    "enlargefail",
    "frozen",
    "normal",
}


def check_instance_status(value: str) -> InstanceStatus:
    if value in INSTANCE_STATUS_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {INSTANCE_STATUS_VALUES!r}"
    )
