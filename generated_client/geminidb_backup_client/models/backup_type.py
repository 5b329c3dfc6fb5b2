from typing import Literal

BackupType = Literal["Auto", "Manual"]

BACKUP_TYPE_VALUES: set[BackupType] = {
    "Auto",
    "Manual",
}


def check_backup_type(value: str) -> BackupType:
    if value in BACKUP_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {BACKUP_TYPE_VALUES!r}"
    )
