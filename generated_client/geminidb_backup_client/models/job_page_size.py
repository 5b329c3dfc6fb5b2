from typing import Literal

JobPageSize = Literal[10, 20, 50]

JOB_PAGE_SIZE_VALUES: set[JobPageSize] = {
    10,
    20,
    50,
}


def check_job_page_size(value: int) -> JobPageSize:
    if value in JOB_PAGE_SIZE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {JOB_PAGE_SIZE_VALUES!r}"
    )
