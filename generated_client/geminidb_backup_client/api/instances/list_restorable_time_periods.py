from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.list_restorable_time_periods_response import (
    ListRestorableTimePeriodsResponse,
)
from ...types import UNSET, Response, Unset


def _get_kwargs(
    project_id: str,
    instance_id: str,
    *,
    start_time: str | Unset = UNSET,
    end_time: str | Unset = UNSET,
    offset: int | Unset = 0,
    limit: int | Unset = 1000,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["start_time"] = start_time

    params["end_time"] = end_time

    params["offset"] = offset

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v3/{project_id}/instances/{instance_id}/backups/restorable-time-periods".format(
            project_id=quote(str(project_id), safe=""),
            instance_id=quote(str(instance_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | ListRestorableTimePeriodsResponse | None:
    if response.status_code == 200:
        response_200 = ListRestorableTimePeriodsResponse.from_dict(response.json())

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

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

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
) -> Response[Error | ListRestorableTimePeriodsResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    project_id: str,
    instance_id: str,
    *,
    client: AuthenticatedClient | Client,
    start_time: str | Unset = UNSET,
    end_time: str | Unset = UNSET,
    offset: int | Unset = 0,
    limit: int | Unset = 1000,
) -> Response[Error | ListRestorableTimePeriodsResponse]:
    """Query the restorable time windows of an instance

     Lists the windows of time to which the instance can be restored (a point-in-time restore
    with `createInstance`'s `restore_info.source_instance_id` and `restore_time`), oldest
    first, clipped to the query's `start_time` and `end_time` (default: the last day). Times
    in the answer are UTC epoch milliseconds. The service needs incremental backups for
    these windows; an instance without completed backups has none.

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str): ID of the GeminiDB Cassandra instance.
        start_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.
        end_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.
        offset (int | Unset): Index of the first window to return, counted from 0; at most
            2147483647. Default: 0.
        limit (int | Unset): How many windows to return at most, from 1 to 1000. Default: 1000.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ListRestorableTimePeriodsResponse]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        instance_id=instance_id,
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
    instance_id: str,
    *,
    client: AuthenticatedClient | Client,
    start_time: str | Unset = UNSET,
    end_time: str | Unset = UNSET,
    offset: int | Unset = 0,
    limit: int | Unset = 1000,
) -> Error | ListRestorableTimePeriodsResponse | None:
    """Query the restorable time windows of an instance

     Lists the windows of time to which the instance can be restored (a point-in-time restore
    with `createInstance`'s `restore_info.source_instance_id` and `restore_time`), oldest
    first, clipped to the query's `start_time` and `end_time` (default: the last day). Times
    in the answer are UTC epoch milliseconds. The service needs incremental backups for
    these windows; an instance without completed backups has none.

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str): ID of the GeminiDB Cassandra instance.
        start_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.
        end_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.
        offset (int | Unset): Index of the first window to return, counted from 0; at most
            2147483647. Default: 0.
        limit (int | Unset): How many windows to return at most, from 1 to 1000. Default: 1000.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ListRestorableTimePeriodsResponse
    """

    return sync_detailed(
        project_id=project_id,
        instance_id=instance_id,
        client=client,
        start_time=start_time,
        end_time=end_time,
        offset=offset,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    project_id: str,
    instance_id: str,
    *,
    client: AuthenticatedClient | Client,
    start_time: str | Unset = UNSET,
    end_time: str | Unset = UNSET,
    offset: int | Unset = 0,
    limit: int | Unset = 1000,
) -> Response[Error | ListRestorableTimePeriodsResponse]:
    """Query the restorable time windows of an instance

     Lists the windows of time to which the instance can be restored (a point-in-time restore
    with `createInstance`'s `restore_info.source_instance_id` and `restore_time`), oldest
    first, clipped to the query's `start_time` and `end_time` (default: the last day). Times
    in the answer are UTC epoch milliseconds. The service needs incremental backups for
    these windows; an instance without completed backups has none.

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str): ID of the GeminiDB Cassandra instance.
        start_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.
        end_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.
        offset (int | Unset): Index of the first window to return, counted from 0; at most
            2147483647. Default: 0.
        limit (int | Unset): How many windows to return at most, from 1 to 1000. Default: 1000.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ListRestorableTimePeriodsResponse]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        instance_id=instance_id,
        start_time=start_time,
        end_time=end_time,
        offset=offset,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    project_id: str,
    instance_id: str,
    *,
    client: AuthenticatedClient | Client,
    start_time: str | Unset = UNSET,
    end_time: str | Unset = UNSET,
    offset: int | Unset = 0,
    limit: int | Unset = 1000,
) -> Error | ListRestorableTimePeriodsResponse | None:
    """Query the restorable time windows of an instance

     Lists the windows of time to which the instance can be restored (a point-in-time restore
    with `createInstance`'s `restore_info.source_instance_id` and `restore_time`), oldest
    first, clipped to the query's `start_time` and `end_time` (default: the last day). Times
    in the answer are UTC epoch milliseconds. The service needs incremental backups for
    these windows; an instance without completed backups has none.

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str): ID of the GeminiDB Cassandra instance.
        start_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.
        end_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.
        offset (int | Unset): Index of the first window to return, counted from 0; at most
            2147483647. Default: 0.
        limit (int | Unset): How many windows to return at most, from 1 to 1000. Default: 1000.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ListRestorableTimePeriodsResponse
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            instance_id=instance_id,
            client=client,
            start_time=start_time,
            end_time=end_time,
            offset=offset,
            limit=limit,
        )
    ).parsed
