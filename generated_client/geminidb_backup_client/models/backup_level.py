from typing import Literal

BackupLevel = Literal["DatabaseTable", "Instance"]

BACKUP_LEVEL_VALUES: set[BackupLevel] = {
    "DatabaseTable",
    "Instance",
}


def check_backup_level(value: str) -> BackupLevel:
    if value in BACKUP_LEVEL_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {BACKUP_LEVEL_VALUES!r}"
    )
