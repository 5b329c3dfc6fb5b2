from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.batch_delete_backups_request import BatchDeleteBackupsRequest
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    project_id: str,
    *,
    body: BatchDeleteBackupsRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/v3/{project_id}/instances/backups".format(
            project_id=quote(str(project_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Error | None:
    if response.status_code == 200:
        response_200 = cast(Any, None)
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

    if response.status_code == 415:
        response_415 = Error.from_dict(response.json())

        return response_415

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
) -> Response[Any | Error]:
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
    body: BatchDeleteBackupsRequest,
) -> Response[Any | Error]:
    """Delete manual backups in one batch

     Deletes up to 10 manual backups at once. The call answers 200 with no body; each backup
    is deleted by its own task (named `DeleteBackup`, as with `deleteBackup`) and leaves
    `listBackups` when that task has completed.

    **Decision**: the batch is checked whole before anything is deleted. If any of its IDs
    names no backup of the project (400 `DBS.201214`), an automated backup (403 `DBS.280032`,
    whatever the instance's policy: automated backups are never deletable), or a backup that
    is still being made or already being deleted (403 `DBS.200019`), the whole batch is
    refused with that backup's code, the first such ID in the order given named at the end
    of `error_msg` (`... Backup ID: <id>.`), and no backup is deleted. An ID given twice is
    a malformed batch (400 `DBS.200001`).

    **Decision**: this literal path wins over the template
    `/v3/{project_id}/instances/{instance_id}` (as OpenAPI requires: a concrete path is
    matched before a templated one of the same shape): a `DELETE` of
    `/v3/{project_id}/instances/backups` is always this batch deletion, never the deletion of
    an instance whose ID would be `backups`.

    Args:
        project_id (str): Project ID of the user in the region.
        body (BatchDeleteBackupsRequest): The manual backups to delete, at most 10, each once.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    project_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: BatchDeleteBackupsRequest,
) -> Any | Error | None:
    """Delete manual backups in one batch

     Deletes up to 10 manual backups at once. The call answers 200 with no body; each backup
    is deleted by its own task (named `DeleteBackup`, as with `deleteBackup`) and leaves
    `listBackups` when that task has completed.

    **Decision**: the batch is checked whole before anything is deleted. If any of its IDs
    names no backup of the project (400 `DBS.201214`), an automated backup (403 `DBS.280032`,
    whatever the instance's policy: automated backups are never deletable), or a backup that
    is still being made or already being deleted (403 `DBS.200019`), the whole batch is
    refused with that backup's code, the first such ID in the order given named at the end
    of `error_msg` (`... Backup ID: <id>.`), and no backup is deleted. An ID given twice is
    a malformed batch (400 `DBS.200001`).

    **Decision**: this literal path wins over the template
    `/v3/{project_id}/instances/{instance_id}` (as OpenAPI requires: a concrete path is
    matched before a templated one of the same shape): a `DELETE` of
    `/v3/{project_id}/instances/backups` is always this batch deletion, never the deletion of
    an instance whose ID would be `backups`.

    Args:
        project_id (str): Project ID of the user in the region.
        body (BatchDeleteBackupsRequest): The manual backups to delete, at most 10, each once.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
    """

    return sync_detailed(
        project_id=project_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    project_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: BatchDeleteBackupsRequest,
) -> Response[Any | Error]:
    """Delete manual backups in one batch

     Deletes up to 10 manual backups at once. The call answers 200 with no body; each backup
    is deleted by its own task (named `DeleteBackup`, as with `deleteBackup`) and leaves
    `listBackups` when that task has completed.

    **Decision**: the batch is checked whole before anything is deleted. If any of its IDs
    names no backup of the project (400 `DBS.201214`), an automated backup (403 `DBS.280032`,
    whatever the instance's policy: automated backups are never deletable), or a backup that
    is still being made or already being deleted (403 `DBS.200019`), the whole batch is
    refused with that backup's code, the first such ID in the order given named at the end
    of `error_msg` (`... Backup ID: <id>.`), and no backup is deleted. An ID given twice is
    a malformed batch (400 `DBS.200001`).

    **Decision**: this literal path wins over the template
    `/v3/{project_id}/instances/{instance_id}` (as OpenAPI requires: a concrete path is
    matched before a templated one of the same shape): a `DELETE` of
    `/v3/{project_id}/instances/backups` is always this batch deletion, never the deletion of
    an instance whose ID would be `backups`.

    Args:
        project_id (str): Project ID of the user in the region.
        body (BatchDeleteBackupsRequest): The manual backups to delete, at most 10, each once.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    project_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: BatchDeleteBackupsRequest,
) -> Any | Error | None:
    """Delete manual backups in one batch

     Deletes up to 10 manual backups at once. The call answers 200 with no body; each backup
    is deleted by its own task (named `DeleteBackup`, as with `deleteBackup`) and leaves
    `listBackups` when that task has completed.

    **Decision**: the batch is checked whole before anything is deleted. If any of its IDs
    names no backup of the project (400 `DBS.201214`), an automated backup (403 `DBS.280032`,
    whatever the instance's policy: automated backups are never deletable), or a backup that
    is still being made or already being deleted (403 `DBS.200019`), the whole batch is
    refused with that backup's code, the first such ID in the order given named at the end
    of `error_msg` (`... Backup ID: <id>.`), and no backup is deleted. An ID given twice is
    a malformed batch (400 `DBS.200001`).

    **Decision**: this literal path wins over the template
    `/v3/{project_id}/instances/{instance_id}` (as OpenAPI requires: a concrete path is
    matched before a templated one of the same shape): a `DELETE` of
    `/v3/{project_id}/instances/backups` is always this batch deletion, never the deletion of
    an instance whose ID would be `backups`.

    Args:
        project_id (str): Project ID of the user in the region.
        body (BatchDeleteBackupsRequest): The manual backups to delete, at most 10, each once.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            client=client,
            body=body,
        )
    ).parsed
