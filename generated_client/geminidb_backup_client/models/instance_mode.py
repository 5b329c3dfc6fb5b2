from typing import Literal

InstanceMode = Literal["CloudNativeCluster", "Cluster"]

INSTANCE_MODE_VALUES: set[InstanceMode] = {
    "CloudNativeCluster",
    "Cluster",
}


def check_instance_mode(value: str) -> InstanceMode:
    if value in INSTANCE_MODE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {INSTANCE_MODE_VALUES!r}"
    )
