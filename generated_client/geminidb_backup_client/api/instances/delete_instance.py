from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.delete_instance_response import DeleteInstanceResponse
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    project_id: str,
    instance_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/v3/{project_id}/instances/{instance_id}".format(
            project_id=quote(str(project_id), safe=""),
            instance_id=quote(str(instance_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DeleteInstanceResponse | Error | None:
    if response.status_code == 202:
        response_202 = DeleteInstanceResponse.from_dict(response.json())

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
) -> Response[DeleteInstanceResponse | Error]:
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
) -> Response[DeleteInstanceResponse | Error]:
    """Delete an instance

     Deletes an instance through an asynchronous task: the call answers 202 with the task's
    `job_id` (named `DeleteInstance`), and the instance is gone from `listInstances` once the
    task has completed. Deleting an instance deletes its automated backups; its manual
    backups stay (and can still be restored to a new instance).

    **Decision**: an instance that is being created or restored may be deleted (the creation
    is abandoned, as the console allows for a creation that hangs); an instance on which
    another operation runs (a backup) is refused with 403 `DBS.200019`, one already being
    deleted too.

    **Decision**: `DELETE /v3/{project_id}/instances/backups` (batch deletion of manual
    backups) is another operation: a literal path segment wins over `{instance_id}`, so no
    instance can be named `backups` here.

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str): ID of the GeminiDB Cassandra instance.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeleteInstanceResponse | Error]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        instance_id=instance_id,
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
) -> DeleteInstanceResponse | Error | None:
    """Delete an instance

     Deletes an instance through an asynchronous task: the call answers 202 with the task's
    `job_id` (named `DeleteInstance`), and the instance is gone from `listInstances` once the
    task has completed. Deleting an instance deletes its automated backups; its manual
    backups stay (and can still be restored to a new instance).

    **Decision**: an instance that is being created or restored may be deleted (the creation
    is abandoned, as the console allows for a creation that hangs); an instance on which
    another operation runs (a backup) is refused with 403 `DBS.200019`, one already being
    deleted too.

    **Decision**: `DELETE /v3/{project_id}/instances/backups` (batch deletion of manual
    backups) is another operation: a literal path segment wins over `{instance_id}`, so no
    instance can be named `backups` here.

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str): ID of the GeminiDB Cassandra instance.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeleteInstanceResponse | Error
    """

    return sync_detailed(
        project_id=project_id,
        instance_id=instance_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    project_id: str,
    instance_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[DeleteInstanceResponse | Error]:
    """Delete an instance

     Deletes an instance through an asynchronous task: the call answers 202 with the task's
    `job_id` (named `DeleteInstance`), and the instance is gone from `listInstances` once the
    task has completed. Deleting an instance deletes its automated backups; its manual
    backups stay (and can still be restored to a new instance).

    **Decision**: an instance that is being created or restored may be deleted (the creation
    is abandoned, as the console allows for a creation that hangs); an instance on which
    another operation runs (a backup) is refused with 403 `DBS.200019`, one already being
    deleted too.

    **Decision**: `DELETE /v3/{project_id}/instances/backups` (batch deletion of manual
    backups) is another operation: a literal path segment wins over `{instance_id}`, so no
    instance can be named `backups` here.

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str): ID of the GeminiDB Cassandra instance.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeleteInstanceResponse | Error]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        instance_id=instance_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    project_id: str,
    instance_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> DeleteInstanceResponse | Error | None:
    """Delete an instance

     Deletes an instance through an asynchronous task: the call answers 202 with the task's
    `job_id` (named `DeleteInstance`), and the instance is gone from `listInstances` once the
    task has completed. Deleting an instance deletes its automated backups; its manual
    backups stay (and can still be restored to a new instance).

    **Decision**: an instance that is being created or restored may be deleted (the creation
    is abandoned, as the console allows for a creation that hangs); an instance on which
    another operation runs (a backup) is refused with 403 `DBS.200019`, one already being
    deleted too.

    **Decision**: `DELETE /v3/{project_id}/instances/backups` (batch deletion of manual
    backups) is another operation: a literal path segment wins over `{instance_id}`, so no
    instance can be named `backups` here.

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str): ID of the GeminiDB Cassandra instance.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeleteInstanceResponse | Error
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            instance_id=instance_id,
            client=client,
        )
    ).parsed
