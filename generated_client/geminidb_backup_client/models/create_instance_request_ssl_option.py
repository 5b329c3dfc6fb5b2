from typing import Literal

CreateInstanceRequestSslOption = Literal["0", "1"]

CREATE_INSTANCE_REQUEST_SSL_OPTION_VALUES: set[CreateInstanceRequestSslOption] = {
    "0",
    "1",
}


def check_create_instance_request_ssl_option(
    value: str,
) -> CreateInstanceRequestSslOption:
    if value in CREATE_INSTANCE_REQUEST_SSL_OPTION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CREATE_INSTANCE_REQUEST_SSL_OPTION_VALUES!r}"
    )
