from typing import Literal

ListBackupsType = Literal["DatabaseTable", "Instance"]

LIST_BACKUPS_TYPE_VALUES: set[ListBackupsType] = {
    "DatabaseTable",
    "Instance",
}


def check_list_backups_type(value: str) -> ListBackupsType:
    if value in LIST_BACKUPS_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LIST_BACKUPS_TYPE_VALUES!r}"
    )
