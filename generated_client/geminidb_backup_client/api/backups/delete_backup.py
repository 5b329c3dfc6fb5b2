from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.delete_backup_response import DeleteBackupResponse
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    project_id: str,
    backup_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/v3/{project_id}/backups/{backup_id}".format(
            project_id=quote(str(project_id), safe=""),
            backup_id=quote(str(backup_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DeleteBackupResponse | Error | None:
    if response.status_code == 202:
        response_202 = DeleteBackupResponse.from_dict(response.json())

        return response_202

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
) -> Response[DeleteBackupResponse | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    project_id: str,
    backup_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[DeleteBackupResponse | Error]:
    """Delete a manual backup

     Deletes a manual backup through an asynchronous task: the call answers 202 with the task's
    `job_id`, and the backup is gone from `listBackups` once the task has completed.
    Automated backups cannot be deleted this way (403 `DBS.280032`).

    **Decision**: a backup ID that names no backup of the project is refused with 400
    `DBS.201214` ("The backup file does not exist."), the status and code the error table of
    the reference gives for it, rather than with a 404. A backup whose own creation is still
    running is refused with 403 `DBS.200019`. A backup that a running restore to a new
    instance reads (`createInstance` with `restore_info.backup_id`) is refused with 400
    `DBS.201319` until that restore has ended.

    Args:
        project_id (str): Project ID of the user in the region.
        backup_id (str): ID of the backup, as returned in `backup_id`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeleteBackupResponse | Error]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        backup_id=backup_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    project_id: str,
    backup_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> DeleteBackupResponse | Error | None:
    """Delete a manual backup

     Deletes a manual backup through an asynchronous task: the call answers 202 with the task's
    `job_id`, and the backup is gone from `listBackups` once the task has completed.
    Automated backups cannot be deleted this way (403 `DBS.280032`).

    **Decision**: a backup ID that names no backup of the project is refused with 400
    `DBS.201214` ("The backup file does not exist."), the status and code the error table of
    the reference gives for it, rather than with a 404. A backup whose own creation is still
    running is refused with 403 `DBS.200019`. A backup that a running restore to a new
    instance reads (`createInstance` with `restore_info.backup_id`) is refused with 400
    `DBS.201319` until that restore has ended.

    Args:
        project_id (str): Project ID of the user in the region.
        backup_id (str): ID of the backup, as returned in `backup_id`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeleteBackupResponse | Error
    """

    return sync_detailed(
        project_id=project_id,
        backup_id=backup_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    project_id: str,
    backup_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[DeleteBackupResponse | Error]:
    """Delete a manual backup

     Deletes a manual backup through an asynchronous task: the call answers 202 with the task's
    `job_id`, and the backup is gone from `listBackups` once the task has completed.
    Automated backups cannot be deleted this way (403 `DBS.280032`).

    **Decision**: a backup ID that names no backup of the project is refused with 400
    `DBS.201214` ("The backup file does not exist."), the status and code the error table of
    the reference gives for it, rather than with a 404. A backup whose own creation is still
    running is refused with 403 `DBS.200019`. A backup that a running restore to a new
    instance reads (`createInstance` with `restore_info.backup_id`) is refused with 400
    `DBS.201319` until that restore has ended.

    Args:
        project_id (str): Project ID of the user in the region.
        backup_id (str): ID of the backup, as returned in `backup_id`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeleteBackupResponse | Error]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        backup_id=backup_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    project_id: str,
    backup_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> DeleteBackupResponse | Error | None:
    """Delete a manual backup

     Deletes a manual backup through an asynchronous task: the call answers 202 with the task's
    `job_id`, and the backup is gone from `listBackups` once the task has completed.
    Automated backups cannot be deleted this way (403 `DBS.280032`).

    **Decision**: a backup ID that names no backup of the project is refused with 400
    `DBS.201214` ("The backup file does not exist."), the status and code the error table of
    the reference gives for it, rather than with a 404. A backup whose own creation is still
    running is refused with 403 `DBS.200019`. A backup that a running restore to a new
    instance reads (`createInstance` with `restore_info.backup_id`) is refused with 400
    `DBS.201319` until that restore has ended.

    Args:
        project_id (str): Project ID of the user in the region.
        backup_id (str): ID of the backup, as returned in `backup_id`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeleteBackupResponse | Error
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            backup_id=backup_id,
            client=client,
        )
    ).parsed
