from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.backup_level import BackupLevel
from ...models.error import Error
from ...models.show_backup_policies_response import ShowBackupPoliciesResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    project_id: str,
    instance_id: str,
    *,
    type_: BackupLevel | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_type_: str | Unset = UNSET
    if not isinstance(type_, Unset):
        json_type_ = type_

    params["type"] = json_type_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v3.1/{project_id}/instances/{instance_id}/backups/policy".format(
            project_id=quote(str(project_id), safe=""),
            instance_id=quote(str(instance_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | ShowBackupPoliciesResponse | None:
    if response.status_code == 200:
        response_200 = ShowBackupPoliciesResponse.from_dict(response.json())

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
) -> Response[Error | ShowBackupPoliciesResponse]:
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
    type_: BackupLevel | Unset = UNSET,
) -> Response[Error | ShowBackupPoliciesResponse]:
    """Show the automated backup policy of an instance (v3.1)

     The instance's automated backup policy, as `showBackupPolicy` gives it, with the
    intervals of differential and incremental backups where the service has them enabled
    (`null` or absent otherwise). The current path on T Cloud Public.

    **Decision**: with `type=DatabaseTable` the table-level policy is shown; as
    `setBackupPolicy` sets none here, it is off (`{"keep_days": 0}`).

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str): ID of the GeminiDB Cassandra instance.
        type_ (BackupLevel | Unset): Backups of whole instances (`Instance`) or table-level
            backups (`DatabaseTable`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ShowBackupPoliciesResponse]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        instance_id=instance_id,
        type_=type_,
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
    type_: BackupLevel | Unset = UNSET,
) -> Error | ShowBackupPoliciesResponse | None:
    """Show the automated backup policy of an instance (v3.1)

     The instance's automated backup policy, as `showBackupPolicy` gives it, with the
    intervals of differential and incremental backups where the service has them enabled
    (`null` or absent otherwise). The current path on T Cloud Public.

    **Decision**: with `type=DatabaseTable` the table-level policy is shown; as
    `setBackupPolicy` sets none here, it is off (`{"keep_days": 0}`).

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str): ID of the GeminiDB Cassandra instance.
        type_ (BackupLevel | Unset): Backups of whole instances (`Instance`) or table-level
            backups (`DatabaseTable`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ShowBackupPoliciesResponse
    """

    return sync_detailed(
        project_id=project_id,
        instance_id=instance_id,
        client=client,
        type_=type_,
    ).parsed


async def asyncio_detailed(
    project_id: str,
    instance_id: str,
    *,
    client: AuthenticatedClient | Client,
    type_: BackupLevel | Unset = UNSET,
) -> Response[Error | ShowBackupPoliciesResponse]:
    """Show the automated backup policy of an instance (v3.1)

     The instance's automated backup policy, as `showBackupPolicy` gives it, with the
    intervals of differential and incremental backups where the service has them enabled
    (`null` or absent otherwise). The current path on T Cloud Public.

    **Decision**: with `type=DatabaseTable` the table-level policy is shown; as
    `setBackupPolicy` sets none here, it is off (`{"keep_days": 0}`).

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str): ID of the GeminiDB Cassandra instance.
        type_ (BackupLevel | Unset): Backups of whole instances (`Instance`) or table-level
            backups (`DatabaseTable`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ShowBackupPoliciesResponse]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        instance_id=instance_id,
        type_=type_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    project_id: str,
    instance_id: str,
    *,
    client: AuthenticatedClient | Client,
    type_: BackupLevel | Unset = UNSET,
) -> Error | ShowBackupPoliciesResponse | None:
    """Show the automated backup policy of an instance (v3.1)

     The instance's automated backup policy, as `showBackupPolicy` gives it, with the
    intervals of differential and incremental backups where the service has them enabled
    (`null` or absent otherwise). The current path on T Cloud Public.

    **Decision**: with `type=DatabaseTable` the table-level policy is shown; as
    `setBackupPolicy` sets none here, it is off (`{"keep_days": 0}`).

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str): ID of the GeminiDB Cassandra instance.
        type_ (BackupLevel | Unset): Backups of whole instances (`Instance`) or table-level
            backups (`DatabaseTable`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ShowBackupPoliciesResponse
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            instance_id=instance_id,
            client=client,
            type_=type_,
        )
    ).parsed
