from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.set_backup_policy_request import SetBackupPolicyRequest
from ...types import Response


def _get_kwargs(
    project_id: str,
    instance_id: str,
    *,
    body: SetBackupPolicyRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v3/{project_id}/instances/{instance_id}/backups/policy".format(
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
) -> Any | Error | None:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

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
) -> Response[Any | Error]:
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
    body: SetBackupPolicyRequest,
) -> Response[Any | Error]:
    """Set the automated backup policy of an instance

     Sets how the service backs an instance up on its own: on which weekdays (`period`), in
    which window (`start_time`), and how many days each automated backup is kept
    (`keep_days`); `keep_days` 0 turns the policy off. Answers 204 with no body. Automated
    backups are full backups of type `Auto`, made by a task named `BackupInstance`, as manual
    ones.

    The service's default for a new instance is on, keeping 7 days (the reference server and
    the emulator start their seeded instances with the policy off unless asked otherwise).

    **Decision**: windows are in UTC, written `hh:mm-HH:MM`, with minutes 00, 15, 30 or 45
    (as the T Cloud and Huawei Cloud pages say; the SDK's docstring says 00 or 30, Terraform
    00), the same minutes at both ends and `HH` one more than `hh`: `23:00-00:00` is valid.
    An automated backup starts inside the window on each day of `period` (a weekday of UTC).
    The one-hour rule is the `one-hour-window` entry of `x-request-rules`; every other rule is
    in the schema.

    **Decision**: `keep_days` is 0 to 35 (the API pages; the SDK's docstring says 7 to 732
    elsewhere). When it is 1 or more, `start_time` and `period` are required (400
    `DBS.280040`); when it is 1 to 6, `period` must name all seven days (400 `DBS.280215`);
    when it is 0, neither may be given (400 `DBS.200001`; the SDK says "do not pass it").
    `period` lists days 1 (Monday) to 7 (Sunday) once each, in ascending order, the form the
    service shows back (`1,2,4,5,6`).

    **Decision**: turning the policy off stops an automated backup that is running (it ends
    `FAILED`, as a stopped backup); automated backups already made stay until they expire
    (they are never deletable, policy on or off). Automated backups older than `keep_days`
    days disappear. Huawei Cloud's optional `database_tables` (table-level policies) is not
    part of this request.

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str): ID of the GeminiDB Cassandra instance.
        body (SetBackupPolicyRequest): The automated backup policy to set.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
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
    body: SetBackupPolicyRequest,
) -> Any | Error | None:
    """Set the automated backup policy of an instance

     Sets how the service backs an instance up on its own: on which weekdays (`period`), in
    which window (`start_time`), and how many days each automated backup is kept
    (`keep_days`); `keep_days` 0 turns the policy off. Answers 204 with no body. Automated
    backups are full backups of type `Auto`, made by a task named `BackupInstance`, as manual
    ones.

    The service's default for a new instance is on, keeping 7 days (the reference server and
    the emulator start their seeded instances with the policy off unless asked otherwise).

    **Decision**: windows are in UTC, written `hh:mm-HH:MM`, with minutes 00, 15, 30 or 45
    (as the T Cloud and Huawei Cloud pages say; the SDK's docstring says 00 or 30, Terraform
    00), the same minutes at both ends and `HH` one more than `hh`: `23:00-00:00` is valid.
    An automated backup starts inside the window on each day of `period` (a weekday of UTC).
    The one-hour rule is the `one-hour-window` entry of `x-request-rules`; every other rule is
    in the schema.

    **Decision**: `keep_days` is 0 to 35 (the API pages; the SDK's docstring says 7 to 732
    elsewhere). When it is 1 or more, `start_time` and `period` are required (400
    `DBS.280040`); when it is 1 to 6, `period` must name all seven days (400 `DBS.280215`);
    when it is 0, neither may be given (400 `DBS.200001`; the SDK says "do not pass it").
    `period` lists days 1 (Monday) to 7 (Sunday) once each, in ascending order, the form the
    service shows back (`1,2,4,5,6`).

    **Decision**: turning the policy off stops an automated backup that is running (it ends
    `FAILED`, as a stopped backup); automated backups already made stay until they expire
    (they are never deletable, policy on or off). Automated backups older than `keep_days`
    days disappear. Huawei Cloud's optional `database_tables` (table-level policies) is not
    part of this request.

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str): ID of the GeminiDB Cassandra instance.
        body (SetBackupPolicyRequest): The automated backup policy to set.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
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
    body: SetBackupPolicyRequest,
) -> Response[Any | Error]:
    """Set the automated backup policy of an instance

     Sets how the service backs an instance up on its own: on which weekdays (`period`), in
    which window (`start_time`), and how many days each automated backup is kept
    (`keep_days`); `keep_days` 0 turns the policy off. Answers 204 with no body. Automated
    backups are full backups of type `Auto`, made by a task named `BackupInstance`, as manual
    ones.

    The service's default for a new instance is on, keeping 7 days (the reference server and
    the emulator start their seeded instances with the policy off unless asked otherwise).

    **Decision**: windows are in UTC, written `hh:mm-HH:MM`, with minutes 00, 15, 30 or 45
    (as the T Cloud and Huawei Cloud pages say; the SDK's docstring says 00 or 30, Terraform
    00), the same minutes at both ends and `HH` one more than `hh`: `23:00-00:00` is valid.
    An automated backup starts inside the window on each day of `period` (a weekday of UTC).
    The one-hour rule is the `one-hour-window` entry of `x-request-rules`; every other rule is
    in the schema.

    **Decision**: `keep_days` is 0 to 35 (the API pages; the SDK's docstring says 7 to 732
    elsewhere). When it is 1 or more, `start_time` and `period` are required (400
    `DBS.280040`); when it is 1 to 6, `period` must name all seven days (400 `DBS.280215`);
    when it is 0, neither may be given (400 `DBS.200001`; the SDK says "do not pass it").
    `period` lists days 1 (Monday) to 7 (Sunday) once each, in ascending order, the form the
    service shows back (`1,2,4,5,6`).

    **Decision**: turning the policy off stops an automated backup that is running (it ends
    `FAILED`, as a stopped backup); automated backups already made stay until they expire
    (they are never deletable, policy on or off). Automated backups older than `keep_days`
    days disappear. Huawei Cloud's optional `database_tables` (table-level policies) is not
    part of this request.

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str): ID of the GeminiDB Cassandra instance.
        body (SetBackupPolicyRequest): The automated backup policy to set.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
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
    body: SetBackupPolicyRequest,
) -> Any | Error | None:
    """Set the automated backup policy of an instance

     Sets how the service backs an instance up on its own: on which weekdays (`period`), in
    which window (`start_time`), and how many days each automated backup is kept
    (`keep_days`); `keep_days` 0 turns the policy off. Answers 204 with no body. Automated
    backups are full backups of type `Auto`, made by a task named `BackupInstance`, as manual
    ones.

    The service's default for a new instance is on, keeping 7 days (the reference server and
    the emulator start their seeded instances with the policy off unless asked otherwise).

    **Decision**: windows are in UTC, written `hh:mm-HH:MM`, with minutes 00, 15, 30 or 45
    (as the T Cloud and Huawei Cloud pages say; the SDK's docstring says 00 or 30, Terraform
    00), the same minutes at both ends and `HH` one more than `hh`: `23:00-00:00` is valid.
    An automated backup starts inside the window on each day of `period` (a weekday of UTC).
    The one-hour rule is the `one-hour-window` entry of `x-request-rules`; every other rule is
    in the schema.

    **Decision**: `keep_days` is 0 to 35 (the API pages; the SDK's docstring says 7 to 732
    elsewhere). When it is 1 or more, `start_time` and `period` are required (400
    `DBS.280040`); when it is 1 to 6, `period` must name all seven days (400 `DBS.280215`);
    when it is 0, neither may be given (400 `DBS.200001`; the SDK says "do not pass it").
    `period` lists days 1 (Monday) to 7 (Sunday) once each, in ascending order, the form the
    service shows back (`1,2,4,5,6`).

    **Decision**: turning the policy off stops an automated backup that is running (it ends
    `FAILED`, as a stopped backup); automated backups already made stay until they expire
    (they are never deletable, policy on or off). Automated backups older than `keep_days`
    days disappear. Huawei Cloud's optional `database_tables` (table-level policies) is not
    part of this request.

    Args:
        project_id (str): Project ID of the user in the region.
        instance_id (str): ID of the GeminiDB Cassandra instance.
        body (SetBackupPolicyRequest): The automated backup policy to set.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            instance_id=instance_id,
            client=client,
            body=body,
        )
    ).parsed
