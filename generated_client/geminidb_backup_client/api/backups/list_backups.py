from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.backup_level import BackupLevel
from ...models.backup_type import BackupType
from ...models.datastore_type import DatastoreType
from ...models.error import Error
from ...models.list_backups_response import ListBackupsResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    project_id: str,
    *,
    instance_id: str | Unset = UNSET,
    datastore_type: DatastoreType | Unset = UNSET,
    backup_id: str | Unset = UNSET,
    backup_type: BackupType | Unset = UNSET,
    type_: BackupLevel | Unset = UNSET,
    offset: int | Unset = 0,
    limit: int | Unset = 100,
    begin_time: str | Unset = UNSET,
    end_time: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["instance_id"] = instance_id

    json_datastore_type: str | Unset = UNSET
    if not isinstance(datastore_type, Unset):
        json_datastore_type = datastore_type

    params["datastore_type"] = json_datastore_type

    params["backup_id"] = backup_id

    json_backup_type: str | Unset = UNSET
    if not isinstance(backup_type, Unset):
        json_backup_type = backup_type

    params["backup_type"] = json_backup_type

    json_type_: str | Unset = UNSET
    if not isinstance(type_, Unset):
        json_type_ = type_

    params["type"] = json_type_

    params["offset"] = offset

    params["limit"] = limit

    params["begin_time"] = begin_time

    params["end_time"] = end_time

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v4/{project_id}/backups".format(
            project_id=quote(str(project_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | ListBackupsResponse | None:
    if response.status_code == 200:
        response_200 = ListBackupsResponse.from_dict(response.json())

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
) -> Response[Error | ListBackupsResponse]:
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
    instance_id: str | Unset = UNSET,
    datastore_type: DatastoreType | Unset = UNSET,
    backup_id: str | Unset = UNSET,
    backup_type: BackupType | Unset = UNSET,
    type_: BackupLevel | Unset = UNSET,
    offset: int | Unset = 0,
    limit: int | Unset = 100,
    begin_time: str | Unset = UNSET,
    end_time: str | Unset = UNSET,
) -> Response[Error | ListBackupsResponse]:
    """List backups

     Lists the backups of the project, manual and automated, newest first (by `begin_time`),
    a page at a time. Every filter is optional; `begin_time` and `end_time` go together: each
    is required when the other is given, else the call fails with `DBS.280416`.

    **Decision**: this is the v4 list of the GeminiDB API; the older
    `GET /v3.1/{project_id}/backups` has the same shape plus a `deletable` field and is not
    described here.

    **Decision** (lists may lag): the service's lists are read from replicas, and no source
    says how soon a change shows. A backup accepted with 202 is listed at the latest 10
    seconds after the answer, and a deleted one is gone at the latest 10 seconds after its
    deletion job has completed (`lag` in `x-list`); the same holds for the tasks of
    `listJobs`. A client that must see a change polls for that long.

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str | Unset): Only backups of this instance.
        datastore_type (DatastoreType | Unset): A database type; `cassandra` for GeminiDB
            Cassandra.
        backup_id (str | Unset): Only the backup with this ID.
        backup_type (BackupType | Unset): `Auto` for an automated backup, `Manual` for a manual
            one.
        type_ (BackupLevel | Unset): Backups of whole instances (`Instance`) or table-level
            backups (`DatabaseTable`).
        offset (int | Unset): Index of the first backup to return, counted from 0; at most
            2147483647. Default: 0.
        limit (int | Unset): How many backups to return at most, from 1 to 100. Default: 100.
        begin_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.
        end_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ListBackupsResponse]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        instance_id=instance_id,
        datastore_type=datastore_type,
        backup_id=backup_id,
        backup_type=backup_type,
        type_=type_,
        offset=offset,
        limit=limit,
        begin_time=begin_time,
        end_time=end_time,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    project_id: str,
    *,
    client: AuthenticatedClient | Client,
    instance_id: str | Unset = UNSET,
    datastore_type: DatastoreType | Unset = UNSET,
    backup_id: str | Unset = UNSET,
    backup_type: BackupType | Unset = UNSET,
    type_: BackupLevel | Unset = UNSET,
    offset: int | Unset = 0,
    limit: int | Unset = 100,
    begin_time: str | Unset = UNSET,
    end_time: str | Unset = UNSET,
) -> Error | ListBackupsResponse | None:
    """List backups

     Lists the backups of the project, manual and automated, newest first (by `begin_time`),
    a page at a time. Every filter is optional; `begin_time` and `end_time` go together: each
    is required when the other is given, else the call fails with `DBS.280416`.

    **Decision**: this is the v4 list of the GeminiDB API; the older
    `GET /v3.1/{project_id}/backups` has the same shape plus a `deletable` field and is not
    described here.

    **Decision** (lists may lag): the service's lists are read from replicas, and no source
    says how soon a change shows. A backup accepted with 202 is listed at the latest 10
    seconds after the answer, and a deleted one is gone at the latest 10 seconds after its
    deletion job has completed (`lag` in `x-list`); the same holds for the tasks of
    `listJobs`. A client that must see a change polls for that long.

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str | Unset): Only backups of this instance.
        datastore_type (DatastoreType | Unset): A database type; `cassandra` for GeminiDB
            Cassandra.
        backup_id (str | Unset): Only the backup with this ID.
        backup_type (BackupType | Unset): `Auto` for an automated backup, `Manual` for a manual
            one.
        type_ (BackupLevel | Unset): Backups of whole instances (`Instance`) or table-level
            backups (`DatabaseTable`).
        offset (int | Unset): Index of the first backup to return, counted from 0; at most
            2147483647. Default: 0.
        limit (int | Unset): How many backups to return at most, from 1 to 100. Default: 100.
        begin_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.
        end_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ListBackupsResponse
    """

    return sync_detailed(
        project_id=project_id,
        client=client,
        instance_id=instance_id,
        datastore_type=datastore_type,
        backup_id=backup_id,
        backup_type=backup_type,
        type_=type_,
        offset=offset,
        limit=limit,
        begin_time=begin_time,
        end_time=end_time,
    ).parsed


async def asyncio_detailed(
    project_id: str,
    *,
    client: AuthenticatedClient | Client,
    instance_id: str | Unset = UNSET,
    datastore_type: DatastoreType | Unset = UNSET,
    backup_id: str | Unset = UNSET,
    backup_type: BackupType | Unset = UNSET,
    type_: BackupLevel | Unset = UNSET,
    offset: int | Unset = 0,
    limit: int | Unset = 100,
    begin_time: str | Unset = UNSET,
    end_time: str | Unset = UNSET,
) -> Response[Error | ListBackupsResponse]:
    """List backups

     Lists the backups of the project, manual and automated, newest first (by `begin_time`),
    a page at a time. Every filter is optional; `begin_time` and `end_time` go together: each
    is required when the other is given, else the call fails with `DBS.280416`.

    **Decision**: this is the v4 list of the GeminiDB API; the older
    `GET /v3.1/{project_id}/backups` has the same shape plus a `deletable` field and is not
    described here.

    **Decision** (lists may lag): the service's lists are read from replicas, and no source
    says how soon a change shows. A backup accepted with 202 is listed at the latest 10
    seconds after the answer, and a deleted one is gone at the latest 10 seconds after its
    deletion job has completed (`lag` in `x-list`); the same holds for the tasks of
    `listJobs`. A client that must see a change polls for that long.

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str | Unset): Only backups of this instance.
        datastore_type (DatastoreType | Unset): A database type; `cassandra` for GeminiDB
            Cassandra.
        backup_id (str | Unset): Only the backup with this ID.
        backup_type (BackupType | Unset): `Auto` for an automated backup, `Manual` for a manual
            one.
        type_ (BackupLevel | Unset): Backups of whole instances (`Instance`) or table-level
            backups (`DatabaseTable`).
        offset (int | Unset): Index of the first backup to return, counted from 0; at most
            2147483647. Default: 0.
        limit (int | Unset): How many backups to return at most, from 1 to 100. Default: 100.
        begin_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.
        end_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ListBackupsResponse]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        instance_id=instance_id,
        datastore_type=datastore_type,
        backup_id=backup_id,
        backup_type=backup_type,
        type_=type_,
        offset=offset,
        limit=limit,
        begin_time=begin_time,
        end_time=end_time,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    project_id: str,
    *,
    client: AuthenticatedClient | Client,
    instance_id: str | Unset = UNSET,
    datastore_type: DatastoreType | Unset = UNSET,
    backup_id: str | Unset = UNSET,
    backup_type: BackupType | Unset = UNSET,
    type_: BackupLevel | Unset = UNSET,
    offset: int | Unset = 0,
    limit: int | Unset = 100,
    begin_time: str | Unset = UNSET,
    end_time: str | Unset = UNSET,
) -> Error | ListBackupsResponse | None:
    """List backups

     Lists the backups of the project, manual and automated, newest first (by `begin_time`),
    a page at a time. Every filter is optional; `begin_time` and `end_time` go together: each
    is required when the other is given, else the call fails with `DBS.280416`.

    **Decision**: this is the v4 list of the GeminiDB API; the older
    `GET /v3.1/{project_id}/backups` has the same shape plus a `deletable` field and is not
    described here.

    **Decision** (lists may lag): the service's lists are read from replicas, and no source
    says how soon a change shows. A backup accepted with 202 is listed at the latest 10
    seconds after the answer, and a deleted one is gone at the latest 10 seconds after its
    deletion job has completed (`lag` in `x-list`); the same holds for the tasks of
    `listJobs`. A client that must see a change polls for that long.

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str | Unset): Only backups of this instance.
        datastore_type (DatastoreType | Unset): A database type; `cassandra` for GeminiDB
            Cassandra.
        backup_id (str | Unset): Only the backup with this ID.
        backup_type (BackupType | Unset): `Auto` for an automated backup, `Manual` for a manual
            one.
        type_ (BackupLevel | Unset): Backups of whole instances (`Instance`) or table-level
            backups (`DatabaseTable`).
        offset (int | Unset): Index of the first backup to return, counted from 0; at most
            2147483647. Default: 0.
        limit (int | Unset): How many backups to return at most, from 1 to 100. Default: 100.
        begin_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.
        end_time (str | Unset): A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as
            `+hhmm`/`-hhmm` (no colon, at most 14 hours)
            or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ListBackupsResponse
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            client=client,
            instance_id=instance_id,
            datastore_type=datastore_type,
            backup_id=backup_id,
            backup_type=backup_type,
            type_=type_,
            offset=offset,
            limit=limit,
            begin_time=begin_time,
            end_time=end_time,
        )
    ).parsed
