from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.stop_backup_request import StopBackupRequest
from ...models.stop_backup_response import StopBackupResponse
from ...types import Response


def _get_kwargs(
    project_id: str,
    backup_id: str,
    *,
    body: StopBackupRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v3/{project_id}/backups/{backup_id}".format(
            project_id=quote(str(project_id), safe=""),
            backup_id=quote(str(backup_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | StopBackupResponse | None:
    if response.status_code == 202:
        response_202 = StopBackupResponse.from_dict(response.json())

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
) -> Response[Error | StopBackupResponse]:
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
    body: StopBackupRequest,
) -> Response[Error | StopBackupResponse]:
    """Stop a backup that is being made

     Stops a backup, manual or automated, while it is being made (`BUILDING`), through an
    asynchronous task: the call answers 202 with the task's `job_id`. This API supports
    GeminiDB Cassandra only. The body is `{"action": "stop"}`, the only action there is.

    **Decision**: the stop task is named `StopBackup` in `listJobs`. When it completes, the
    stopped backup is `FAILED` (the API has no other final status for a backup that did not
    complete), its own task (`BackupInstance`) is `Failed` with a `fail_reason` that says it
    was stopped, and the backup stays in `listBackups` until it is deleted (a stopped manual
    backup is deleted as any other; an automated one goes as the policy's retention says).

    **Decision**: once the backup is no longer being made (it is `COMPLETED` or `FAILED`, or
    a stop of it is already running), a stop is refused with 403 `DBS.200011` ("Operation
    cannot be executed in current state of the DB instance."), the code the error table of the
    reference gives for an operation the current state does not allow. A backup ID that names
    no backup of the project is refused with 400 `DBS.201214`, as in `deleteBackup`.

    Args:
        project_id (str): Project ID of the user in the region.
        backup_id (str): ID of the backup, as returned in `backup_id`.
        body (StopBackupRequest): What to do with the backup; `stop` is the only action.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | StopBackupResponse]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        backup_id=backup_id,
        body=body,
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
    body: StopBackupRequest,
) -> Error | StopBackupResponse | None:
    """Stop a backup that is being made

     Stops a backup, manual or automated, while it is being made (`BUILDING`), through an
    asynchronous task: the call answers 202 with the task's `job_id`. This API supports
    GeminiDB Cassandra only. The body is `{"action": "stop"}`, the only action there is.

    **Decision**: the stop task is named `StopBackup` in `listJobs`. When it completes, the
    stopped backup is `FAILED` (the API has no other final status for a backup that did not
    complete), its own task (`BackupInstance`) is `Failed` with a `fail_reason` that says it
    was stopped, and the backup stays in `listBackups` until it is deleted (a stopped manual
    backup is deleted as any other; an automated one goes as the policy's retention says).

    **Decision**: once the backup is no longer being made (it is `COMPLETED` or `FAILED`, or
    a stop of it is already running), a stop is refused with 403 `DBS.200011` ("Operation
    cannot be executed in current state of the DB instance."), the code the error table of the
    reference gives for an operation the current state does not allow. A backup ID that names
    no backup of the project is refused with 400 `DBS.201214`, as in `deleteBackup`.

    Args:
        project_id (str): Project ID of the user in the region.
        backup_id (str): ID of the backup, as returned in `backup_id`.
        body (StopBackupRequest): What to do with the backup; `stop` is the only action.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | StopBackupResponse
    """

    return sync_detailed(
        project_id=project_id,
        backup_id=backup_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    project_id: str,
    backup_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: StopBackupRequest,
) -> Response[Error | StopBackupResponse]:
    """Stop a backup that is being made

     Stops a backup, manual or automated, while it is being made (`BUILDING`), through an
    asynchronous task: the call answers 202 with the task's `job_id`. This API supports
    GeminiDB Cassandra only. The body is `{"action": "stop"}`, the only action there is.

    **Decision**: the stop task is named `StopBackup` in `listJobs`. When it completes, the
    stopped backup is `FAILED` (the API has no other final status for a backup that did not
    complete), its own task (`BackupInstance`) is `Failed` with a `fail_reason` that says it
    was stopped, and the backup stays in `listBackups` until it is deleted (a stopped manual
    backup is deleted as any other; an automated one goes as the policy's retention says).

    **Decision**: once the backup is no longer being made (it is `COMPLETED` or `FAILED`, or
    a stop of it is already running), a stop is refused with 403 `DBS.200011` ("Operation
    cannot be executed in current state of the DB instance."), the code the error table of the
    reference gives for an operation the current state does not allow. A backup ID that names
    no backup of the project is refused with 400 `DBS.201214`, as in `deleteBackup`.

    Args:
        project_id (str): Project ID of the user in the region.
        backup_id (str): ID of the backup, as returned in `backup_id`.
        body (StopBackupRequest): What to do with the backup; `stop` is the only action.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | StopBackupResponse]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        backup_id=backup_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    project_id: str,
    backup_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: StopBackupRequest,
) -> Error | StopBackupResponse | None:
    """Stop a backup that is being made

     Stops a backup, manual or automated, while it is being made (`BUILDING`), through an
    asynchronous task: the call answers 202 with the task's `job_id`. This API supports
    GeminiDB Cassandra only. The body is `{"action": "stop"}`, the only action there is.

    **Decision**: the stop task is named `StopBackup` in `listJobs`. When it completes, the
    stopped backup is `FAILED` (the API has no other final status for a backup that did not
    complete), its own task (`BackupInstance`) is `Failed` with a `fail_reason` that says it
    was stopped, and the backup stays in `listBackups` until it is deleted (a stopped manual
    backup is deleted as any other; an automated one goes as the policy's retention says).

    **Decision**: once the backup is no longer being made (it is `COMPLETED` or `FAILED`, or
    a stop of it is already running), a stop is refused with 403 `DBS.200011` ("Operation
    cannot be executed in current state of the DB instance."), the code the error table of the
    reference gives for an operation the current state does not allow. A backup ID that names
    no backup of the project is refused with 400 `DBS.201214`, as in `deleteBackup`.

    Args:
        project_id (str): Project ID of the user in the region.
        backup_id (str): ID of the backup, as returned in `backup_id`.
        body (StopBackupRequest): What to do with the backup; `stop` is the only action.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | StopBackupResponse
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            backup_id=backup_id,
            client=client,
            body=body,
        )
    ).parsed
