from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_instance_request import CreateInstanceRequest
from ...models.create_instance_response import CreateInstanceResponse
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    project_id: str,
    *,
    body: CreateInstanceRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v3/{project_id}/instances".format(
            project_id=quote(str(project_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CreateInstanceResponse | Error | None:
    if response.status_code == 202:
        response_202 = CreateInstanceResponse.from_dict(response.json())

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
) -> Response[CreateInstanceResponse | Error]:
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
    body: CreateInstanceRequest,
) -> Response[CreateInstanceResponse | Error]:
    """Create an instance, or restore a backup to a new instance

     Creates a GeminiDB Cassandra instance. With `restore_info` the new instance is made from
    a backup (`restore_info.backup_id`, a `COMPLETED` backup of the project) or from a point
    in time of an existing instance (`restore_info.source_instance_id` with
    `restore_info.restore_time`, inside one of the windows `listRestorableTimePeriods`
    answers); GeminiDB Cassandra restores only to a new instance. The call answers 202 as
    soon as the task is accepted: the new instance is listed by `listInstances` with status
    `creating` until its job (`RestoreNewInstance` for a restore, `CreateInstance`
    otherwise, found with `listJobs` by the returned `job_id`) is `Completed`, then `normal`.

    A restored instance has the database version of its source, and needs at least the
    source's number of nodes (`flavor[0].num`) and storage size (`flavor[0].size`): fewer is
    refused with 400 `DBS.301024` (the `not-below-source` rule of `x-request-rules`). A
    backup ID that names no backup of the project is refused with 400 `DBS.201214`, a backup
    that is not `COMPLETED` with 400 `DBS.301024`, a source instance that names no instance
    of the project with 404 `DBS.200002`, a `restore_time` outside the restorable windows
    with 400 `DBS.201215`.

    **Decision**: the instance name follows the backup name's rules (4 to 64 characters,
    starting with a letter, letters, digits, `-` and `_`) and, as the service says, may be
    the name of another instance.

    **Decision**: this document describes pay-per-use instances (`charge_info.charge_mode`
    `postPaid`, the default) only: a yearly/monthly order answers with an `order_id` instead
    of a `job_id` and goes through the billing service.

    **Decision**: the password rule is the service's: 8 to 32 characters, only letters,
    digits and `~!@#%^*-_=+?`, with at least three of the four kinds (upper-case letters,
    lower-case letters, digits, those special characters).

    Not idempotent: a retry after an ambiguous failure may create a second instance (names
    may repeat). Look for the name with `listInstances` before retrying.

    Args:
        project_id (str): Project ID of the user in the region.
        body (CreateInstanceRequest): The instance to create, or to restore to.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateInstanceResponse | Error]
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
    body: CreateInstanceRequest,
) -> CreateInstanceResponse | Error | None:
    """Create an instance, or restore a backup to a new instance

     Creates a GeminiDB Cassandra instance. With `restore_info` the new instance is made from
    a backup (`restore_info.backup_id`, a `COMPLETED` backup of the project) or from a point
    in time of an existing instance (`restore_info.source_instance_id` with
    `restore_info.restore_time`, inside one of the windows `listRestorableTimePeriods`
    answers); GeminiDB Cassandra restores only to a new instance. The call answers 202 as
    soon as the task is accepted: the new instance is listed by `listInstances` with status
    `creating` until its job (`RestoreNewInstance` for a restore, `CreateInstance`
    otherwise, found with `listJobs` by the returned `job_id`) is `Completed`, then `normal`.

    A restored instance has the database version of its source, and needs at least the
    source's number of nodes (`flavor[0].num`) and storage size (`flavor[0].size`): fewer is
    refused with 400 `DBS.301024` (the `not-below-source` rule of `x-request-rules`). A
    backup ID that names no backup of the project is refused with 400 `DBS.201214`, a backup
    that is not `COMPLETED` with 400 `DBS.301024`, a source instance that names no instance
    of the project with 404 `DBS.200002`, a `restore_time` outside the restorable windows
    with 400 `DBS.201215`.

    **Decision**: the instance name follows the backup name's rules (4 to 64 characters,
    starting with a letter, letters, digits, `-` and `_`) and, as the service says, may be
    the name of another instance.

    **Decision**: this document describes pay-per-use instances (`charge_info.charge_mode`
    `postPaid`, the default) only: a yearly/monthly order answers with an `order_id` instead
    of a `job_id` and goes through the billing service.

    **Decision**: the password rule is the service's: 8 to 32 characters, only letters,
    digits and `~!@#%^*-_=+?`, with at least three of the four kinds (upper-case letters,
    lower-case letters, digits, those special characters).

    Not idempotent: a retry after an ambiguous failure may create a second instance (names
    may repeat). Look for the name with `listInstances` before retrying.

    Args:
        project_id (str): Project ID of the user in the region.
        body (CreateInstanceRequest): The instance to create, or to restore to.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateInstanceResponse | Error
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
    body: CreateInstanceRequest,
) -> Response[CreateInstanceResponse | Error]:
    """Create an instance, or restore a backup to a new instance

     Creates a GeminiDB Cassandra instance. With `restore_info` the new instance is made from
    a backup (`restore_info.backup_id`, a `COMPLETED` backup of the project) or from a point
    in time of an existing instance (`restore_info.source_instance_id` with
    `restore_info.restore_time`, inside one of the windows `listRestorableTimePeriods`
    answers); GeminiDB Cassandra restores only to a new instance. The call answers 202 as
    soon as the task is accepted: the new instance is listed by `listInstances` with status
    `creating` until its job (`RestoreNewInstance` for a restore, `CreateInstance`
    otherwise, found with `listJobs` by the returned `job_id`) is `Completed`, then `normal`.

    A restored instance has the database version of its source, and needs at least the
    source's number of nodes (`flavor[0].num`) and storage size (`flavor[0].size`): fewer is
    refused with 400 `DBS.301024` (the `not-below-source` rule of `x-request-rules`). A
    backup ID that names no backup of the project is refused with 400 `DBS.201214`, a backup
    that is not `COMPLETED` with 400 `DBS.301024`, a source instance that names no instance
    of the project with 404 `DBS.200002`, a `restore_time` outside the restorable windows
    with 400 `DBS.201215`.

    **Decision**: the instance name follows the backup name's rules (4 to 64 characters,
    starting with a letter, letters, digits, `-` and `_`) and, as the service says, may be
    the name of another instance.

    **Decision**: this document describes pay-per-use instances (`charge_info.charge_mode`
    `postPaid`, the default) only: a yearly/monthly order answers with an `order_id` instead
    of a `job_id` and goes through the billing service.

    **Decision**: the password rule is the service's: 8 to 32 characters, only letters,
    digits and `~!@#%^*-_=+?`, with at least three of the four kinds (upper-case letters,
    lower-case letters, digits, those special characters).

    Not idempotent: a retry after an ambiguous failure may create a second instance (names
    may repeat). Look for the name with `listInstances` before retrying.

    Args:
        project_id (str): Project ID of the user in the region.
        body (CreateInstanceRequest): The instance to create, or to restore to.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateInstanceResponse | Error]
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
    body: CreateInstanceRequest,
) -> CreateInstanceResponse | Error | None:
    """Create an instance, or restore a backup to a new instance

     Creates a GeminiDB Cassandra instance. With `restore_info` the new instance is made from
    a backup (`restore_info.backup_id`, a `COMPLETED` backup of the project) or from a point
    in time of an existing instance (`restore_info.source_instance_id` with
    `restore_info.restore_time`, inside one of the windows `listRestorableTimePeriods`
    answers); GeminiDB Cassandra restores only to a new instance. The call answers 202 as
    soon as the task is accepted: the new instance is listed by `listInstances` with status
    `creating` until its job (`RestoreNewInstance` for a restore, `CreateInstance`
    otherwise, found with `listJobs` by the returned `job_id`) is `Completed`, then `normal`.

    A restored instance has the database version of its source, and needs at least the
    source's number of nodes (`flavor[0].num`) and storage size (`flavor[0].size`): fewer is
    refused with 400 `DBS.301024` (the `not-below-source` rule of `x-request-rules`). A
    backup ID that names no backup of the project is refused with 400 `DBS.201214`, a backup
    that is not `COMPLETED` with 400 `DBS.301024`, a source instance that names no instance
    of the project with 404 `DBS.200002`, a `restore_time` outside the restorable windows
    with 400 `DBS.201215`.

    **Decision**: the instance name follows the backup name's rules (4 to 64 characters,
    starting with a letter, letters, digits, `-` and `_`) and, as the service says, may be
    the name of another instance.

    **Decision**: this document describes pay-per-use instances (`charge_info.charge_mode`
    `postPaid`, the default) only: a yearly/monthly order answers with an `order_id` instead
    of a `job_id` and goes through the billing service.

    **Decision**: the password rule is the service's: 8 to 32 characters, only letters,
    digits and `~!@#%^*-_=+?`, with at least three of the four kinds (upper-case letters,
    lower-case letters, digits, those special characters).

    Not idempotent: a retry after an ambiguous failure may create a second instance (names
    may repeat). Look for the name with `listInstances` before retrying.

    Args:
        project_id (str): Project ID of the user in the region.
        body (CreateInstanceRequest): The instance to create, or to restore to.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateInstanceResponse | Error
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            client=client,
            body=body,
        )
    ).parsed
