from typing import Literal

ChargeInfoChargeMode = Literal["postPaid"]

CHARGE_INFO_CHARGE_MODE_VALUES: set[ChargeInfoChargeMode] = {
    "postPaid",
}


def check_charge_info_charge_mode(value: str) -> ChargeInfoChargeMode:
    if value in CHARGE_INFO_CHARGE_MODE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CHARGE_INFO_CHARGE_MODE_VALUES!r}"
    )
