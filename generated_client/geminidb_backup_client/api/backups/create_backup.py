from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_backup_request import CreateBackupRequest
from ...models.create_backup_response import CreateBackupResponse
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    project_id: str,
    instance_id: str,
    *,
    body: CreateBackupRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v3/{project_id}/instances/{instance_id}/backups".format(
            project_id=quote(str(project_id), safe=""),
            instance_id=quote(str(instance_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CreateBackupResponse | Error | None:
    if response.status_code == 202:
        response_202 = CreateBackupResponse.from_dict(response.json())

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

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

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
) -> Response[CreateBackupResponse | Error]:
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
    body: CreateBackupRequest,
) -> Response[CreateBackupResponse | Error]:
    """Create a manual backup

     Starts a manual backup of a GeminiDB Cassandra instance (this API supports no other
    instance type). A manual backup is a full backup. The call returns as soon as the backup
    task is accepted: the backup is `BUILDING` until its job, found with `listJobs` by the
    returned `job_id`, is `Completed`.

    The instance must be available: it must exist, and no other operation (another backup
    among them) may be running on it, else the call fails with 403 `DBS.200019`.

    **Decision**: a backup name already used on the instance is refused with 400 `DBS.201201`
    (the real service does not use 409 for it); names are compared case-sensitively.

    **Decision**: an instance keeps at most 50 manual backups (the console's default quota; no
    error code is documented for it). A 51st is refused with 403 `DBS.201000` ("The status of
    DB instance ... does not allow the createBackup operation").

    **Decision**: Huawei Cloud alone also accepts an optional `database_tables` list for
    table-level backups; T Cloud Public does not document it, so it is not part of this
    request.

    Not idempotent: a retry after an ambiguous failure (a timeout or a dropped connection after
    the request was sent) may create a second backup, or fail with `DBS.201201` if the first
    attempt succeeded. Look the name up with `listBackups` before retrying.

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str): ID of the GeminiDB Cassandra instance.
        body (CreateBackupRequest): The manual backup to create.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateBackupResponse | Error]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        instance_id=instance_id,
        body=body,
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
    body: CreateBackupRequest,
) -> CreateBackupResponse | Error | None:
    """Create a manual backup

     Starts a manual backup of a GeminiDB Cassandra instance (this API supports no other
    instance type). A manual backup is a full backup. The call returns as soon as the backup
    task is accepted: the backup is `BUILDING` until its job, found with `listJobs` by the
    returned `job_id`, is `Completed`.

    The instance must be available: it must exist, and no other operation (another backup
    among them) may be running on it, else the call fails with 403 `DBS.200019`.

    **Decision**: a backup name already used on the instance is refused with 400 `DBS.201201`
    (the real service does not use 409 for it); names are compared case-sensitively.

    **Decision**: an instance keeps at most 50 manual backups (the console's default quota; no
    error code is documented for it). A 51st is refused with 403 `DBS.201000` ("The status of
    DB instance ... does not allow the createBackup operation").

    **Decision**: Huawei Cloud alone also accepts an optional `database_tables` list for
    table-level backups; T Cloud Public does not document it, so it is not part of this
    request.

    Not idempotent: a retry after an ambiguous failure (a timeout or a dropped connection after
    the request was sent) may create a second backup, or fail with `DBS.201201` if the first
    attempt succeeded. Look the name up with `listBackups` before retrying.

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str): ID of the GeminiDB Cassandra instance.
        body (CreateBackupRequest): The manual backup to create.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateBackupResponse | Error
    """

    return sync_detailed(
        project_id=project_id,
        instance_id=instance_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    project_id: str,
    instance_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: CreateBackupRequest,
) -> Response[CreateBackupResponse | Error]:
    """Create a manual backup

     Starts a manual backup of a GeminiDB Cassandra instance (this API supports no other
    instance type). A manual backup is a full backup. The call returns as soon as the backup
    task is accepted: the backup is `BUILDING` until its job, found with `listJobs` by the
    returned `job_id`, is `Completed`.

    The instance must be available: it must exist, and no other operation (another backup
    among them) may be running on it, else the call fails with 403 `DBS.200019`.

    **Decision**: a backup name already used on the instance is refused with 400 `DBS.201201`
    (the real service does not use 409 for it); names are compared case-sensitively.

    **Decision**: an instance keeps at most 50 manual backups (the console's default quota; no
    error code is documented for it). A 51st is refused with 403 `DBS.201000` ("The status of
    DB instance ... does not allow the createBackup operation").

    **Decision**: Huawei Cloud alone also accepts an optional `database_tables` list for
    table-level backups; T Cloud Public does not document it, so it is not part of this
    request.

    Not idempotent: a retry after an ambiguous failure (a timeout or a dropped connection after
    the request was sent) may create a second backup, or fail with `DBS.201201` if the first
    attempt succeeded. Look the name up with `listBackups` before retrying.

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str): ID of the GeminiDB Cassandra instance.
        body (CreateBackupRequest): The manual backup to create.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateBackupResponse | Error]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        instance_id=instance_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    project_id: str,
    instance_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: CreateBackupRequest,
) -> CreateBackupResponse | Error | None:
    """Create a manual backup

     Starts a manual backup of a GeminiDB Cassandra instance (this API supports no other
    instance type). A manual backup is a full backup. The call returns as soon as the backup
    task is accepted: the backup is `BUILDING` until its job, found with `listJobs` by the
    returned `job_id`, is `Completed`.

    The instance must be available: it must exist, and no other operation (another backup
    among them) may be running on it, else the call fails with 403 `DBS.200019`.

    **Decision**: a backup name already used on the instance is refused with 400 `DBS.201201`
    (the real service does not use 409 for it); names are compared case-sensitively.

    **Decision**: an instance keeps at most 50 manual backups (the console's default quota; no
    error code is documented for it). A 51st is refused with 403 `DBS.201000` ("The status of
    DB instance ... does not allow the createBackup operation").

    **Decision**: Huawei Cloud alone also accepts an optional `database_tables` list for
    table-level backups; T Cloud Public does not document it, so it is not part of this
    request.

    Not idempotent: a retry after an ambiguous failure (a timeout or a dropped connection after
    the request was sent) may create a second backup, or fail with `DBS.201201` if the first
    attempt succeeded. Look the name up with `listBackups` before retrying.

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str): ID of the GeminiDB Cassandra instance.
        body (CreateBackupRequest): The manual backup to create.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateBackupResponse | Error
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            instance_id=instance_id,
            client=client,
            body=body,
        )
    ).parsed
