from typing import Literal

ListJobsLimit = Literal[10, 20, 50]

LIST_JOBS_LIMIT_VALUES: set[ListJobsLimit] = {
    10,
    20,
    50,
}


def check_list_jobs_limit(value: int) -> ListJobsLimit:
    if value in LIST_JOBS_LIMIT_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LIST_JOBS_LIMIT_VALUES!r}"
    )
