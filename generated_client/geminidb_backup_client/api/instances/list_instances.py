from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.datastore_type import DatastoreType
from ...models.error import Error
from ...models.instance_mode import InstanceMode
from ...models.list_instances_response import ListInstancesResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    project_id: str,
    *,
    id: str | Unset = UNSET,
    name: str | Unset = UNSET,
    mode: InstanceMode | Unset = UNSET,
    datastore_type: DatastoreType | Unset = UNSET,
    vpc_id: str | Unset = UNSET,
    subnet_id: str | Unset = UNSET,
    offset: int | Unset = 0,
    limit: int | Unset = 100,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["id"] = id

    params["name"] = name

    json_mode: str | Unset = UNSET
    if not isinstance(mode, Unset):
        json_mode = mode

    params["mode"] = json_mode

    json_datastore_type: str | Unset = UNSET
    if not isinstance(datastore_type, Unset):
        json_datastore_type = datastore_type

    params["datastore_type"] = json_datastore_type

    params["vpc_id"] = vpc_id

    params["subnet_id"] = subnet_id

    params["offset"] = offset

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v3/{project_id}/instances".format(
            project_id=quote(str(project_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | ListInstancesResponse | None:
    if response.status_code == 200:
        response_200 = ListInstancesResponse.from_dict(response.json())

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
) -> Response[Error | ListInstancesResponse]:
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
    name: str | Unset = UNSET,
    mode: InstanceMode | Unset = UNSET,
    datastore_type: DatastoreType | Unset = UNSET,
    vpc_id: str | Unset = UNSET,
    subnet_id: str | Unset = UNSET,
    offset: int | Unset = 0,
    limit: int | Unset = 100,
) -> Response[Error | ListInstancesResponse]:
    """Query instances and details

     Lists the instances of the project with their details, newest first (by `created`), a
    page at a time: status, running operations (`actions`), and everything a restore to a new
    instance copies from its source (datastore and version, region, availability zone, VPC,
    subnet, security group, mode, nodes and their specification code, storage size, billing
    mode). Every filter is optional.

    An instance is **ready** when its `status` is `normal` and its `actions` list is empty;
    `creating` while it is being created or restored, `createfail` when that failed.

    **Decision**: `id` and `name` starting with `*` select by the rest of the value as a
    substring (the service's fuzzy search); any other value selects exactly. `datastore_type`
    is limited to `cassandra`, the only instance type this API describes (the service also
    lists Mongo, Influx and Redis instances).

    **Decision** (lists may lag): as for `listBackups`, a new instance is listed at the latest
    10 seconds after createInstance's answer, and a deleted one is gone at the latest 10
    seconds after its deletion job has completed (`lag` in `x-list`).

    Args:
        project_id (str): Project ID of the user in the region.
        id (str | Unset): Only the instance with this ID; `*` followed by text selects the IDs
            that contain the text.
        name (str | Unset): Only instances with this name; `*` followed by text selects the names
            that contain the text.
        mode (InstanceMode | Unset): Deployment mode of a GeminiDB Cassandra instance: `Cluster`
            (classic deployment) or
            `CloudNativeCluster` (cloud-native deployment).
        datastore_type (DatastoreType | Unset): A database type; `cassandra` for GeminiDB
            Cassandra.
        vpc_id (str | Unset): Only instances in this virtual private cloud (VPC).
        subnet_id (str | Unset): Only instances in this subnet (the network ID of the subnet).
        offset (int | Unset): Index of the first instance to return, counted from 0; at most
            2147483647. Default: 0.
        limit (int | Unset): How many instances to return at most, from 1 to 100. Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ListInstancesResponse]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        id=id,
        name=name,
        mode=mode,
        datastore_type=datastore_type,
        vpc_id=vpc_id,
        subnet_id=subnet_id,
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
    name: str | Unset = UNSET,
    mode: InstanceMode | Unset = UNSET,
    datastore_type: DatastoreType | Unset = UNSET,
    vpc_id: str | Unset = UNSET,
    subnet_id: str | Unset = UNSET,
    offset: int | Unset = 0,
    limit: int | Unset = 100,
) -> Error | ListInstancesResponse | None:
    """Query instances and details

     Lists the instances of the project with their details, newest first (by `created`), a
    page at a time: status, running operations (`actions`), and everything a restore to a new
    instance copies from its source (datastore and version, region, availability zone, VPC,
    subnet, security group, mode, nodes and their specification code, storage size, billing
    mode). Every filter is optional.

    An instance is **ready** when its `status` is `normal` and its `actions` list is empty;
    `creating` while it is being created or restored, `createfail` when that failed.

    **Decision**: `id` and `name` starting with `*` select by the rest of the value as a
    substring (the service's fuzzy search); any other value selects exactly. `datastore_type`
    is limited to `cassandra`, the only instance type this API describes (the service also
    lists Mongo, Influx and Redis instances).

    **Decision** (lists may lag): as for `listBackups`, a new instance is listed at the latest
    10 seconds after createInstance's answer, and a deleted one is gone at the latest 10
    seconds after its deletion job has completed (`lag` in `x-list`).

    Args:
        project_id (str): Project ID of the user in the region.
        id (str | Unset): Only the instance with this ID; `*` followed by text selects the IDs
            that contain the text.
        name (str | Unset): Only instances with this name; `*` followed by text selects the names
            that contain the text.
        mode (InstanceMode | Unset): Deployment mode of a GeminiDB Cassandra instance: `Cluster`
            (classic deployment) or
            `CloudNativeCluster` (cloud-native deployment).
        datastore_type (DatastoreType | Unset): A database type; `cassandra` for GeminiDB
            Cassandra.
        vpc_id (str | Unset): Only instances in this virtual private cloud (VPC).
        subnet_id (str | Unset): Only instances in this subnet (the network ID of the subnet).
        offset (int | Unset): Index of the first instance to return, counted from 0; at most
            2147483647. Default: 0.
        limit (int | Unset): How many instances to return at most, from 1 to 100. Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ListInstancesResponse
    """

    return sync_detailed(
        project_id=project_id,
        client=client,
        id=id,
        name=name,
        mode=mode,
        datastore_type=datastore_type,
        vpc_id=vpc_id,
        subnet_id=subnet_id,
        offset=offset,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    project_id: str,
    *,
    client: AuthenticatedClient | Client,
    id: str | Unset = UNSET,
    name: str | Unset = UNSET,
    mode: InstanceMode | Unset = UNSET,
    datastore_type: DatastoreType | Unset = UNSET,
    vpc_id: str | Unset = UNSET,
    subnet_id: str | Unset = UNSET,
    offset: int | Unset = 0,
    limit: int | Unset = 100,
) -> Response[Error | ListInstancesResponse]:
    """Query instances and details

     Lists the instances of the project with their details, newest first (by `created`), a
    page at a time: status, running operations (`actions`), and everything a restore to a new
    instance copies from its source (datastore and version, region, availability zone, VPC,
    subnet, security group, mode, nodes and their specification code, storage size, billing
    mode). Every filter is optional.

    An instance is **ready** when its `status` is `normal` and its `actions` list is empty;
    `creating` while it is being created or restored, `createfail` when that failed.

    **Decision**: `id` and `name` starting with `*` select by the rest of the value as a
    substring (the service's fuzzy search); any other value selects exactly. `datastore_type`
    is limited to `cassandra`, the only instance type this API describes (the service also
    lists Mongo, Influx and Redis instances).

    **Decision** (lists may lag): as for `listBackups`, a new instance is listed at the latest
    10 seconds after createInstance's answer, and a deleted one is gone at the latest 10
    seconds after its deletion job has completed (`lag` in `x-list`).

    Args:
        project_id (str): Project ID of the user in the region.
        id (str | Unset): Only the instance with this ID; `*` followed by text selects the IDs
            that contain the text.
        name (str | Unset): Only instances with this name; `*` followed by text selects the names
            that contain the text.
        mode (InstanceMode | Unset): Deployment mode of a GeminiDB Cassandra instance: `Cluster`
            (classic deployment) or
            `CloudNativeCluster` (cloud-native deployment).
        datastore_type (DatastoreType | Unset): A database type; `cassandra` for GeminiDB
            Cassandra.
        vpc_id (str | Unset): Only instances in this virtual private cloud (VPC).
        subnet_id (str | Unset): Only instances in this subnet (the network ID of the subnet).
        offset (int | Unset): Index of the first instance to return, counted from 0; at most
            2147483647. Default: 0.
        limit (int | Unset): How many instances to return at most, from 1 to 100. Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ListInstancesResponse]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        id=id,
        name=name,
        mode=mode,
        datastore_type=datastore_type,
        vpc_id=vpc_id,
        subnet_id=subnet_id,
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
    name: str | Unset = UNSET,
    mode: InstanceMode | Unset = UNSET,
    datastore_type: DatastoreType | Unset = UNSET,
    vpc_id: str | Unset = UNSET,
    subnet_id: str | Unset = UNSET,
    offset: int | Unset = 0,
    limit: int | Unset = 100,
) -> Error | ListInstancesResponse | None:
    """Query instances and details

     Lists the instances of the project with their details, newest first (by `created`), a
    page at a time: status, running operations (`actions`), and everything a restore to a new
    instance copies from its source (datastore and version, region, availability zone, VPC,
    subnet, security group, mode, nodes and their specification code, storage size, billing
    mode). Every filter is optional.

    An instance is **ready** when its `status` is `normal` and its `actions` list is empty;
    `creating` while it is being created or restored, `createfail` when that failed.

    **Decision**: `id` and `name` starting with `*` select by the rest of the value as a
    substring (the service's fuzzy search); any other value selects exactly. `datastore_type`
    is limited to `cassandra`, the only instance type this API describes (the service also
    lists Mongo, Influx and Redis instances).

    **Decision** (lists may lag): as for `listBackups`, a new instance is listed at the latest
    10 seconds after createInstance's answer, and a deleted one is gone at the latest 10
    seconds after its deletion job has completed (`lag` in `x-list`).

    Args:
        project_id (str): Project ID of the user in the region.
        id (str | Unset): Only the instance with this ID; `*` followed by text selects the IDs
            that contain the text.
        name (str | Unset): Only instances with this name; `*` followed by text selects the names
            that contain the text.
        mode (InstanceMode | Unset): Deployment mode of a GeminiDB Cassandra instance: `Cluster`
            (classic deployment) or
            `CloudNativeCluster` (cloud-native deployment).
        datastore_type (DatastoreType | Unset): A database type; `cassandra` for GeminiDB
            Cassandra.
        vpc_id (str | Unset): Only instances in this virtual private cloud (VPC).
        subnet_id (str | Unset): Only instances in this subnet (the network ID of the subnet).
        offset (int | Unset): Index of the first instance to return, counted from 0; at most
            2147483647. Default: 0.
        limit (int | Unset): How many instances to return at most, from 1 to 100. Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ListInstancesResponse
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            client=client,
            id=id,
            name=name,
            mode=mode,
            datastore_type=datastore_type,
            vpc_id=vpc_id,
            subnet_id=subnet_id,
            offset=offset,
            limit=limit,
        )
    ).parsed
