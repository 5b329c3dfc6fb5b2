from typing import Literal

BackupStatus = Literal["BUILDING", "COMPLETED", "FAILED"]

BACKUP_STATUS_VALUES: set[BackupStatus] = {
    "BUILDING",
    "COMPLETED",
    "FAILED",
}


def check_backup_status(value: str) -> BackupStatus:
    if value in BACKUP_STATUS_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {BACKUP_STATUS_VALUES!r}"
    )
