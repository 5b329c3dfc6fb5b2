from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.job_page_size import JobPageSize
from ...models.job_status import JobStatus
from ...models.list_jobs_response import ListJobsResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    project_id: str,
    *,
    id: str | Unset = UNSET,
    status: JobStatus | Unset = UNSET,
    name: str | Unset = UNSET,
    start_time: str | Unset = UNSET,
    end_time: str | Unset = UNSET,
    offset: int | Unset = 0,
    limit: JobPageSize | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["id"] = id

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status

    params["status"] = json_status

    params["name"] = name

    params["start_time"] = start_time

    params["end_time"] = end_time

    params["offset"] = offset

    json_limit: int | Unset = UNSET
    if not isinstance(limit, Unset):
        json_limit = limit

    params["limit"] = json_limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v3/{project_id}/jobs".format(
            project_id=quote(str(project_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | ListJobsResponse | None:
    if response.status_code == 200:
        response_200 = ListJobsResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = Error.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | ListJobsResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    project_id: str,
    *,
    client: AuthenticatedClient | Client,
    id: str | Unset = UNSET,
    status: JobStatus | Unset = UNSET,
    name: str | Unset = UNSET,
    start_time: str | Unset = UNSET,
    end_time: str | Unset = UNSET,
    offset: int | Unset = 0,
    limit: JobPageSize | Unset = UNSET,
) -> Response[Error | ListJobsResponse]:
    """Query tasks (jobs)

     Lists the asynchronous tasks of the project, newest first. There is no `/jobs/{id}`
    resource: to follow one task, pass its ID as the `id` query parameter. A backup task is
    named `BackupInstance`; its `progress` grows (`"60%"`) while it is `Running` and is empty
    once it has ended. A `Failed` task says why in `fail_reason`.

    Without `start_time` and `end_time` the tasks of the last 30 days are listed; the span
    between them may be at most 30 days. Clients that wait for a task commonly poll every few
    seconds (a public Go SDK polls every 15 seconds).

    Args:
        project_id (str): Project ID of the user in the region.
        id (str | Unset): ID of the task, as returned in `job_id`.
        status (JobStatus | Unset): Status of a task.
        name (str | Unset): Only tasks with this name, for example `BackupInstance` for backups.
        start_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.
        end_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.
        offset (int | Unset): Index of the first task to return, counted from 0; at most
            2147483647. Default: 0.
        limit (JobPageSize | Unset): How many tasks to return at most; one of 10, 20 and 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ListJobsResponse]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        id=id,
        status=status,
        name=name,
        start_time=start_time,
        end_time=end_time,
        offset=offset,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    project_id: str,
    *,
    client: AuthenticatedClient | Client,
    id: str | Unset = UNSET,
    status: JobStatus | Unset = UNSET,
    name: str | Unset = UNSET,
    start_time: str | Unset = UNSET,
    end_time: str | Unset = UNSET,
    offset: int | Unset = 0,
    limit: JobPageSize | Unset = UNSET,
) -> Error | ListJobsResponse | None:
    """Query tasks (jobs)

     Lists the asynchronous tasks of the project, newest first. There is no `/jobs/{id}`
    resource: to follow one task, pass its ID as the `id` query parameter. A backup task is
    named `BackupInstance`; its `progress` grows (`"60%"`) while it is `Running` and is empty
    once it has ended. A `Failed` task says why in `fail_reason`.

    Without `start_time` and `end_time` the tasks of the last 30 days are listed; the span
    between them may be at most 30 days. Clients that wait for a task commonly poll every few
    seconds (a public Go SDK polls every 15 seconds).

    Args:
        project_id (str): Project ID of the user in the region.
        id (str | Unset): ID of the task, as returned in `job_id`.
        status (JobStatus | Unset): Status of a task.
        name (str | Unset): Only tasks with this name, for example `BackupInstance` for backups.
        start_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.
        end_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.
        offset (int | Unset): Index of the first task to return, counted from 0; at most
            2147483647. Default: 0.
        limit (JobPageSize | Unset): How many tasks to return at most; one of 10, 20 and 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ListJobsResponse
    """

    return sync_detailed(
        project_id=project_id,
        client=client,
        id=id,
        status=status,
        name=name,
        start_time=start_time,
        end_time=end_time,
        offset=offset,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    project_id: str,
    *,
    client: AuthenticatedClient | Client,
    id: str | Unset = UNSET,
    status: JobStatus | Unset = UNSET,
    name: str | Unset = UNSET,
    start_time: str | Unset = UNSET,
    end_time: str | Unset = UNSET,
    offset: int | Unset = 0,
    limit: JobPageSize | Unset = UNSET,
) -> Response[Error | ListJobsResponse]:
    """Query tasks (jobs)

     Lists the asynchronous tasks of the project, newest first. There is no `/jobs/{id}`
    resource: to follow one task, pass its ID as the `id` query parameter. A backup task is
    named `BackupInstance`; its `progress` grows (`"60%"`) while it is `Running` and is empty
    once it has ended. A `Failed` task says why in `fail_reason`.

    Without `start_time` and `end_time` the tasks of the last 30 days are listed; the span
    between them may be at most 30 days. Clients that wait for a task commonly poll every few
    seconds (a public Go SDK polls every 15 seconds).

    Args:
        project_id (str): Project ID of the user in the region.
        id (str | Unset): ID of the task, as returned in `job_id`.
        status (JobStatus | Unset): Status of a task.
        name (str | Unset): Only tasks with this name, for example `BackupInstance` for backups.
        start_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.
        end_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.
        offset (int | Unset): Index of the first task to return, counted from 0; at most
            2147483647. Default: 0.
        limit (JobPageSize | Unset): How many tasks to return at most; one of 10, 20 and 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ListJobsResponse]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        id=id,
        status=status,
        name=name,
        start_time=start_time,
        end_time=end_time,
        offset=offset,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    project_id: str,
    *,
    client: AuthenticatedClient | Client,
    id: str | Unset = UNSET,
    status: JobStatus | Unset = UNSET,
    name: str | Unset = UNSET,
    start_time: str | Unset = UNSET,
    end_time: str | Unset = UNSET,
    offset: int | Unset = 0,
    limit: JobPageSize | Unset = UNSET,
) -> Error | ListJobsResponse | None:
    """Query tasks (jobs)

     Lists the asynchronous tasks of the project, newest first. There is no `/jobs/{id}`
    resource: to follow one task, pass its ID as the `id` query parameter. A backup task is
    named `BackupInstance`; its `progress` grows (`"60%"`) while it is `Running` and is empty
    once it has ended. A `Failed` task says why in `fail_reason`.

    Without `start_time` and `end_time` the tasks of the last 30 days are listed; the span
    between them may be at most 30 days. Clients that wait for a task commonly poll every few
    seconds (a public Go SDK polls every 15 seconds).

    Args:
        project_id (str): Project ID of the user in the region.
        id (str | Unset): ID of the task, as returned in `job_id`.
        status (JobStatus | Unset): Status of a task.
        name (str | Unset): Only tasks with this name, for example `BackupInstance` for backups.
        start_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.
        end_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.
        offset (int | Unset): Index of the first task to return, counted from 0; at most
            2147483647. Default: 0.
        limit (JobPageSize | Unset): How many tasks to return at most; one of 10, 20 and 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ListJobsResponse
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            client=client,
            id=id,
            status=status,
            name=name,
            start_time=start_time,
            end_time=end_time,
            offset=offset,
            limit=limit,
        )
    ).parsed
