"""Domain checks of the backup API, registered with schemathesis on import.

Generic fuzzing knows the shapes of requests and responses, not what the service means by them.
These checks follow up on a response with further calls through the same schemathesis case
machinery (so they work over HTTP and in-process alike, with the run's credentials):

- ``created_backup_is_listed``: a backup returned by createBackup appears in listBackups with the
  same name, description and instance;
- ``backup_job_completes``: its ``job_id`` is found by listJobs and reaches ``Completed``;
- ``duplicate_name_is_refused``: creating a second backup with the same name on the instance is
  refused with 400 ``DBS.201201``;
- ``deleted_backup_disappears``: after deleteBackup's job completes, the backup is gone;
- ``error_body_is_catalogued``: every error body is an ``Error`` whose code is in the spec's
  ``x-error-codes`` catalogue;
- ``malformed_body_is_refused``: a createBackup body that is not UTF-8, not complete JSON, or not
  an object is refused with 400 ``DBS.200001`` (sent once per run, beside the first accepted
  createBackup, over HTTP only: schemathesis itself sends no such bodies);
- ``wrong_signature_is_refused`` (in runs with AK/SK credentials, signed by :mod:`.aksk`): beside the first
  accepted signed call of each operation, the same call with a wrong signature gets 401
  ``APIGW.0301``;
- ``valid_request_refused_only_as_documented``: a request valid by the schemas is refused with 400
  only with one of the operation's ``x-schema-valid-refusals`` codes (the runner lets schemathesis's
  ``positive_data_acceptance`` allow 400 for exactly these operations, and this check narrows it).

Every backup created during the run is recorded in :data:`CREATED_BACKUPS`, so that the runner
can delete what the suite made on a real target. The domain scenarios (:mod:`.scenarios`), which
probe what the workflow means once per run, register their checks when this module is imported.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Mapping
from typing import Any

import schemathesis
from schemathesis import APIOperation, CheckContext, Response
from schemathesis import Case as GenericCase

from geminidb_backup.contract import aksk
from geminidb_backup.contract.probing import describe_request
from geminidb_backup.spec import load_spec

# Any operation of the spec; the checks look at operationId, not at the operation's type.
Case = GenericCase[APIOperation[Any, Any, Any, Any]]

CREATE, LIST_JOBS, LIST_BACKUPS, DELETE = "createBackup", "listJobs", "listBackups", "deleteBackup"
# How long a check waits for a job to end. The embedded server finishes backups at once; a real
# service takes minutes, so the runner raises this for remote targets.
JOB_TIMEOUT_ENV = "GEMINIDB_CONTRACT_JOB_TIMEOUT"
DEFAULT_JOB_TIMEOUT = 60.0
# A second project the run's credentials can read, if the runner knows one: the list scenario
# checks that the lists of the two projects share no item.
OTHER_PROJECT_ENV = "GEMINIDB_CONTRACT_OTHER_PROJECT"
# Headers that carry the run's token into follow-up calls (an AK/SK run's go as a placeholder).
CREDENTIAL_HEADERS = ("x-auth-token",)

CATALOGUE: frozenset[str] = frozenset(entry["code"] for entry in load_spec()["x-error-codes"])
VALID_REFUSALS: dict[str, frozenset[str]] = {
    operation["operationId"]: frozenset(operation.get("x-schema-valid-refusals", ()))
    for path_item in load_spec()["paths"].values()
    for operation in path_item.values()
    if isinstance(operation, dict) and "operationId" in operation
}

_created_lock = threading.Lock()
CREATED_BACKUPS: dict[str, str] = {}
"""backup_id -> project_id of every backup a createBackup call of this process answered 202 for."""
CREATED_INSTANCES: dict[str, str] = {}
"""instance_id -> project_id of every instance a createInstance call of this process answered 202
for (and did not see deleted): the runner deletes them after the run."""
# Set (to "1") by the runner when the run may create and delete instances: on the embedded
# server, or on a target with the "instances" opt-in.
INSTANCES_ENV = "GEMINIDB_CONTRACT_INSTANCES"


def _operation_id(case: Case) -> str | None:
    definition = case.operation.definition.raw
    return definition.get("operationId") if isinstance(definition, Mapping) else None


def _credentials(case: Case, response: Response) -> dict[str, str]:
    """The credentials of a follow-up call: the token of ``response``'s request, or the
    placeholder its signature was made for, so that the follow-up is signed anew."""
    headers = response.request.headers.items()
    found = {k: str(v) for k, v in headers if k.lower() in CREDENTIAL_HEADERS}
    placeholder = aksk.placeholder_of(case)
    if placeholder is not None:
        found["Authorization"] = placeholder
    return found


def _error_code(response: Response | Any) -> str | None:
    """The ``error_code`` of an error body (schemathesis's or requests' response), if any."""
    try:
        code = response.json().get("error_code")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, str) else None


def _json(response: Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def _call(
    case: Case,
    operation_id: str,
    credentials: Mapping[str, str],
    *,
    path_parameters: dict[str, str],
    query: dict[str, Any] | None = None,
    body: Any = None,
) -> Response:
    operation = case.operation.schema.find_operation_by_id(operation_id)
    kwargs: dict[str, Any] = {"path_parameters": path_parameters, "headers": dict(credentials)}
    if query is not None:
        kwargs["query"] = query
    if body is not None:
        kwargs["body"] = body
        kwargs["media_type"] = "application/json"
    follow_up: Case = operation.Case(**kwargs)
    return follow_up.call()


def _job_timeout() -> float:
    return float(os.environ.get(JOB_TIMEOUT_ENV, DEFAULT_JOB_TIMEOUT))


class JobNeverEnded(Exception):
    """A job of this run already failed to end within the job timeout: a check that needs
    another job to end says nothing instead of waiting its full timeout again."""


_stuck_jobs: list[str] = []  # the job that did not end in time, once one has not


def _wait_for_job(
    case: Case, credentials: Mapping[str, str], project_id: str, job_id: str
) -> dict[str, Any]:
    """Poll listJobs until the job has ended; return it.

    The first job of a run that does not end within the job timeout fails the check that waited
    for it; after that, every wait raises :class:`JobNeverEnded` at once (the checks stay
    silent), so that a server whose jobs never end fails once and the run still ends in time.
    """
    if _stuck_jobs:
        raise JobNeverEnded(_stuck_jobs[0])
    deadline = time.monotonic() + _job_timeout()
    interval = 0.05
    while True:
        response = _call(
            case,
            LIST_JOBS,
            credentials,
            path_parameters={"project_id": project_id},
            query={"id": job_id},
        )
        body = _json(response)
        if response.status_code != 200 or not isinstance(body, dict):
            raise AssertionError(
                f"listJobs?id={job_id} answered {response.status_code}, expected 200 with the job"
            )
        jobs = [
            job for job in body.get("jobs", []) if isinstance(job, dict) and job.get("id") == job_id
        ]
        if len(jobs) != 1:
            raise AssertionError(
                f"listJobs?id={job_id} returned {len(jobs)} jobs with that ID, expected 1"
            )
        if jobs[0].get("status") in ("Completed", "Failed"):
            return jobs[0]
        if time.monotonic() > deadline:
            with _created_lock:
                first = not _stuck_jobs
                _stuck_jobs.append(job_id)
            if not first:
                raise JobNeverEnded(job_id)
            raise AssertionError(
                f"job {job_id} is still {jobs[0].get('status')!r} after {_job_timeout():.0f} s "
                f"(set {JOB_TIMEOUT_ENV} for slow targets)"
            )
        time.sleep(interval)
        interval = min(interval * 2, 2.0)


def accepted_create(case: Case, response: Response) -> dict[str, Any] | None:
    """The body of a createBackup 202, whose backup is recorded in :data:`CREATED_BACKUPS`."""
    if _operation_id(case) != CREATE or response.status_code != 202:
        return None
    body = _json(response)
    if not isinstance(body, dict) or not isinstance(body.get("backup_id"), str):
        return None  # response_schema_conformance reports the malformed body
    project_id = str((case.path_parameters or {}).get("project_id"))
    with _created_lock:
        CREATED_BACKUPS[body["backup_id"]] = project_id
    return body


@schemathesis.check
def created_backup_is_listed(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    accepted = accepted_create(case, response)
    if accepted is None:
        return None
    params = case.path_parameters or {}
    listed = _call(
        case,
        LIST_BACKUPS,
        _credentials(case, response),
        path_parameters={"project_id": params["project_id"]},
        query={"backup_id": accepted["backup_id"]},
    )
    body = _json(listed)
    backups = body.get("backups", []) if isinstance(body, dict) else []
    matching = [b for b in backups if isinstance(b, dict) and b.get("id") == accepted["backup_id"]]
    if listed.status_code != 200 or len(matching) != 1:
        raise AssertionError(
            f"backup {accepted['backup_id']} was accepted with 202 but "
            f"{describe_request(listed.request)} answered {listed.status_code} with "
            f"{len(matching)} matching backups, expected 1"
        )
    sent = case.body if isinstance(case.body, dict) else {}
    expected = {
        "name": sent.get("name"),
        "description": sent.get("description"),
        "instance_id": params["instance_id"],
    }
    found = {key: matching[0].get(key) for key in expected}
    if found != expected:
        raise AssertionError(
            f"{describe_request(listed.request)}: the listed backup differs from the one "
            f"created: {found} != {expected}"
        )
    return True


@schemathesis.check
def backup_job_completes(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    accepted = accepted_create(case, response)
    if accepted is None or not isinstance(accepted.get("job_id"), str):
        return None
    project_id = str((case.path_parameters or {})["project_id"])
    try:
        job = _wait_for_job(case, _credentials(case, response), project_id, accepted["job_id"])
    except JobNeverEnded:
        return None
    if job.get("status") != "Completed":
        raise AssertionError(
            f"backup job {accepted['job_id']} ended {job.get('status')}: {job.get('fail_reason')!r}"
        )
    return True


@schemathesis.check
def duplicate_name_is_refused(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    accepted = accepted_create(case, response)
    if accepted is None or not isinstance(case.body, dict):
        return None
    credentials, params = _credentials(case, response), dict(case.path_parameters or {})
    if isinstance(
        accepted.get("job_id"), str
    ):  # a busy instance answers 403 before it checks names
        try:
            _wait_for_job(case, credentials, params["project_id"], accepted["job_id"])
        except JobNeverEnded:
            return None
    again = _call(case, CREATE, credentials, path_parameters=params, body=case.body)
    body = _json(again)
    if (
        again.status_code == 202
        and isinstance(body, dict)
        and isinstance(body.get("backup_id"), str)
    ):
        with _created_lock:
            CREATED_BACKUPS[body["backup_id"]] = params["project_id"]
    code = body.get("error_code") if isinstance(body, dict) else None
    if (again.status_code, code) != (400, "DBS.201201"):
        raise AssertionError(
            f"a second backup named {case.body.get('name')!r} on the instance, "
            f"{describe_request(again.request)}, was answered {again.status_code} {code or ''}, "
            "expected 400 DBS.201201"
        )
    return True


@schemathesis.check
def deleted_backup_disappears(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    if _operation_id(case) != DELETE or response.status_code != 202:
        return None
    body = _json(response)
    if not isinstance(body, dict) or not isinstance(body.get("job_id"), str):
        return None
    params = case.path_parameters or {}
    credentials = _credentials(case, response)
    try:
        job = _wait_for_job(case, credentials, params["project_id"], body["job_id"])
    except JobNeverEnded:
        return None
    if job.get("status") != "Completed":
        raise AssertionError(
            f"deletion job {body['job_id']} ended {job.get('status')}: {job.get('fail_reason')!r}"
        )
    listed = _call(
        case,
        LIST_BACKUPS,
        credentials,
        path_parameters={"project_id": params["project_id"]},
        query={"backup_id": params["backup_id"]},
    )
    found = _json(listed)
    if listed.status_code != 200 or not isinstance(found, dict) or found.get("backups"):
        raise AssertionError(
            f"backup {params['backup_id']} is still listed (or the list failed: "
            f"{describe_request(listed.request)} -> {listed.status_code}) after its deletion job "
            "completed"
        )
    with _created_lock:
        CREATED_BACKUPS.pop(str(params["backup_id"]), None)
    return True


@schemathesis.check
def error_body_is_catalogued(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    if response.status_code < 400:
        return None
    body = _json(response)
    if not isinstance(body, dict) or not all(
        isinstance(body.get(k), str) for k in ("error_code", "error_msg")
    ):
        raise AssertionError(
            f"a {response.status_code} answer must be a JSON object with string error_code and error_msg"
        )
    if body["error_code"] not in CATALOGUE:
        raise AssertionError(
            f"error code {body['error_code']!r} is not in the API's catalogue (x-error-codes)"
        )
    return True


@schemathesis.check
def valid_request_refused_only_as_documented(
    ctx: CheckContext, response: Response, case: Case
) -> bool | None:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return None
    operation_id = _operation_id(case) or ""
    body = _json(response)
    code = body.get("error_code") if isinstance(body, dict) else None
    allowed = VALID_REFUSALS.get(operation_id, frozenset())
    if code not in allowed:
        expected = ", ".join(sorted(allowed)) or "none"
        raise AssertionError(
            f"a request valid by the schemas of {operation_id} was refused with 400 {code or '(no code)'}; "
            f"the API refuses such requests only with: {expected}"
        )
    return True


MALFORMED_BODIES = (b'\xff\xfe{"name": "backup-1"}', b'{"name": "backup-1", "descr', b"[]")
_malformed_sent: set[str] = set()


@schemathesis.check
def malformed_body_is_refused(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    url = response.request.url or ""
    # Beside an accepted create: its URL names an instance that exists, and it carried credentials.
    if _operation_id(case) != CREATE or response.status_code != 202:
        return None
    if case.operation.app is not None or not url.startswith("http"):
        return None
    with _created_lock:
        if url in _malformed_sent:
            return None
        _malformed_sent.add(url)
    import requests  # schemathesis's own HTTP client

    headers = {**_credentials(case, response), "Content-Type": "application/json"}
    verify = case.operation.schema.config.tls_verify_for(operation=case.operation)  # --insecure
    for body in MALFORMED_BODIES:
        answer = requests.post(
            url,
            data=body,
            headers=headers,
            auth=aksk.SIGNER,
            verify=verify,
            allow_redirects=False,  # a signature is for this URL only; the API has no redirects
            timeout=30,
        )
        code = _error_code(answer)
        if (answer.status_code, code) != (400, "DBS.200001"):
            raise AssertionError(
                f"the malformed createBackup body {body!r} was answered {answer.status_code} "
                f"{code or ''}, expected 400 DBS.200001"
            )
    return True


_signature_checked: set[tuple[str, str]] = set()  # (placeholder, operation) pairs of this run


@schemathesis.check
def wrong_signature_is_refused(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Beside the first accepted signed call of each operation, the same call with a wrong
    signature is refused with 401 ``APIGW.0301``."""
    placeholder = aksk.placeholder_of(case)
    if placeholder is None or not 200 <= response.status_code < 300:
        return None
    label = case.operation.label
    with _created_lock:
        if (placeholder, label) in _signature_checked:
            return None
        _signature_checked.add((placeholder, label))
    headers = case.headers.copy()
    headers["Authorization"] = placeholder + aksk.TAMPERED_SUFFIX
    spoilt = case.derive(headers=headers)
    answer = spoilt.call()
    accepted_create(spoilt, answer)  # a server that let it through may have made a backup
    code = _error_code(answer)
    if (answer.status_code, code) != (401, "APIGW.0301"):
        raise AssertionError(
            f"{label} with a wrong AK/SK signature was answered {answer.status_code} "
            f"{code or ''}, expected 401 APIGW.0301"
        )
    return True


def reset() -> None:
    """Forget what an earlier run in this process created and checked."""
    with _created_lock:
        CREATED_BACKUPS.clear()
        CREATED_INSTANCES.clear()
        _malformed_sent.clear()
        _signature_checked.clear()
        _stuck_jobs.clear()
    from geminidb_backup.contract import scenarios

    scenarios.reset()


DOMAIN_CHECKS: tuple[str, ...] = (
    "created_backup_is_listed",
    "backup_job_completes",
    "duplicate_name_is_refused",
    "deleted_backup_disappears",
    "error_body_is_catalogued",
    "valid_request_refused_only_as_documented",
    "malformed_body_is_refused",
    "wrong_signature_is_refused",
)


# The scenarios register their checks on import; they use the helpers above.
from geminidb_backup.contract import scenarios as _scenarios  # noqa: F401
from geminidb_backup.contract.promises import PROMISES

DOMAIN_CHECKS += tuple(PROMISES)
