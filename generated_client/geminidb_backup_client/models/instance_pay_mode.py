from typing import Literal

InstancePayMode = Literal["0", "1"]

INSTANCE_PAY_MODE_VALUES: set[InstancePayMode] = {
    "0",
    "1",
}


def check_instance_pay_mode(value: str) -> InstancePayMode:
    if value in INSTANCE_PAY_MODE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {INSTANCE_PAY_MODE_VALUES!r}"
    )
