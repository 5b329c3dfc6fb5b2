from typing import Literal

CreateInstanceResponseStatus = Literal["creating"]

CREATE_INSTANCE_RESPONSE_STATUS_VALUES: set[CreateInstanceResponseStatus] = {
    "creating",
}


def check_create_instance_response_status(value: str) -> CreateInstanceResponseStatus:
    if value in CREATE_INSTANCE_RESPONSE_STATUS_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CREATE_INSTANCE_RESPONSE_STATUS_VALUES!r}"
    )
