from typing import Literal

StopBackupRequestAction = Literal["stop"]

STOP_BACKUP_REQUEST_ACTION_VALUES: set[StopBackupRequestAction] = {
    "stop",
}


def check_stop_backup_request_action(value: str) -> StopBackupRequestAction:
    if value in STOP_BACKUP_REQUEST_ACTION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {STOP_BACKUP_REQUEST_ACTION_VALUES!r}"
    )
