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

Every backup created during the run is recorded by :mod:`.safety` (which also keeps every request
of the run from changing what the run did not create), so that the runner can delete what the
suite made. A 429 is retried below every request (:mod:`.throttling`). The domain scenarios
(:mod:`.scenarios`), which probe what the workflow means once per run, register their checks when
this module is imported.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import schemathesis
from schemathesis import APIOperation, CheckContext, Response
from schemathesis import Case as GenericCase

from geminidb_backup.contract import aksk, safety
from geminidb_backup.contract.probing import describe_request, operation
from geminidb_backup.contract.safety import raw_path_parameters
from geminidb_backup.spec import load_spec
from geminidb_backup.timing import PollSchedule

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
# Operations of the spec that the target does not serve at all (comma-separated): neither
# schemathesis nor the scenarios send them. Unlike --operations, which only narrows what
# schemathesis generates (the scenarios still probe the whole workflow), this is for a target that
# implements part of the spec, such as the second server of the tests.
UNSERVED_ENV = "GEMINIDB_CONTRACT_UNSERVED"


def served(operation_id: str) -> bool:
    """Whether the target serves ``operation_id`` (see UNSERVED_ENV)."""
    return operation_id not in os.environ.get(UNSERVED_ENV, "").split(",")


# Headers that carry the run's token into follow-up calls (an AK/SK run's go as a placeholder).
CREDENTIAL_HEADERS = ("x-auth-token",)

# The codes an answer may carry: the catalogue without the codes these operations never answer
# (an entry with `unanswered`, such as the malformed-ID codes: IDs are opaque).
CATALOGUE: frozenset[str] = frozenset(
    entry["code"] for entry in load_spec()["x-error-codes"] if "unanswered" not in entry
)
UNANSWERED: dict[str, str] = {
    entry["code"]: entry["unanswered"]
    for entry in load_spec()["x-error-codes"]
    if "unanswered" in entry
}
BUSY = "DBS.200019"  # the instance runs another job (x-error-codes): try again once it ended
VALID_REFUSALS: dict[str, frozenset[str]] = {
    operation["operationId"]: frozenset(operation.get("x-schema-valid-refusals", ()))
    for path_item in load_spec()["paths"].values()
    for operation in path_item.values()
    if isinstance(operation, dict) and "operationId" in operation
}

_created_lock = threading.Lock()
CREATED_INSTANCES: dict[str, str] = {}
"""instance_id -> project_id of every instance a createInstance call of this process answered 202
for (and did not see deleted): the runner deletes them after the run."""


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


def list_lag(operation_id: str) -> float:
    """The most seconds a change takes to show in a list (``lag`` of its ``x-list``)."""
    return float(operation(operation_id).get("x-list", {}).get("lag", 0))


# Replaced by the tests with a fake clock; the run's waits all go through these two.
clock: Callable[[], float] = time.monotonic
sleep: Callable[[float], None] = time.sleep


AnyResponse = TypeVar("AnyResponse")


class JobNeverEnded(Exception):
    """A job of this run already failed to end within the job timeout: a check that needs
    another job to end says nothing instead of waiting its full timeout again."""


_stuck_jobs: list[str] = []  # the job that did not end in time, once one has not
_ended_jobs: dict[str, dict[str, Any]] = {}  # job_id -> the job once it ended (waited on once)
jobs_waited: list[str] = []  # every job some check waited for, once each (the speed tests count)
POLL_FIRST, POLL_MOST = 0.05, 2.0


def _find_job(
    case: Case, credentials: Mapping[str, str], project_id: str, job_id: str
) -> dict[str, Any] | None:
    """The job as listJobs shows it; None while it is not listed yet (lists may lag)."""
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
            f"{describe_request(response.request)} answered {response.status_code}, expected "
            "200 with the job"
        )
    jobs = [
        job for job in body.get("jobs", []) if isinstance(job, dict) and job.get("id") == job_id
    ]
    if len(jobs) > 1:
        raise AssertionError(
            f"{describe_request(response.request)} returned {len(jobs)} jobs with that ID, "
            "expected 1"
        )
    return jobs[0] if jobs else None


def _wait_for_job(
    case: Case, credentials: Mapping[str, str], project_id: str, job_id: str
) -> dict[str, Any]:
    """Poll listJobs until the job has ended; return it. Each job is waited for once per run:
    later waits for it return at once.

    The first job of a run that does not end within the job timeout fails the check that waited
    for it; after that, every wait raises :class:`JobNeverEnded` at once (the checks stay
    silent), so that a server whose jobs never end fails once and the run still ends in time.
    """
    with _created_lock:
        if job_id in _ended_jobs:
            return _ended_jobs[job_id]
    if _stuck_jobs:
        raise JobNeverEnded(_stuck_jobs[0])
    with _created_lock:
        jobs_waited.append(job_id)
    start = clock()
    deadline = start + _job_timeout()
    unlisted_until = start + list_lag(LIST_JOBS)
    # The library's poll schedule (10 % of the time waited so far), from a short first look: an
    # instant job is seen at once, a minutes-long one with few requests.
    schedule = PollSchedule(interval=POLL_FIRST, max_interval=POLL_MOST)
    while True:
        job = _find_job(case, credentials, project_id, job_id)
        if job is None and clock() > unlisted_until:
            raise AssertionError(
                f"listJobs?id={job_id} returned no job with that ID for "
                f"{list_lag(LIST_JOBS):.0f} s (the lag x-list allows), expected 1"
            )
        if job is not None and job.get("status") in ("Completed", "Failed"):
            with _created_lock:
                _ended_jobs[job_id] = job
            return job
        if clock() > deadline:
            with _created_lock:
                first = not _stuck_jobs
                _stuck_jobs.append(job_id)
            if not first:
                raise JobNeverEnded(job_id)
            status = job.get("status") if job is not None else None
            raise AssertionError(
                f"job {job_id} is still {status!r} after {_job_timeout():.0f} s (give slow "
                "targets more time with --job-timeout SECONDS)"
            )
        sleep(max(POLL_FIRST, schedule.next_delay(clock() - start, deadline - clock())))


def until_true(seconds: float, probe: Callable[[], bool]) -> bool:
    """Call ``probe`` until it returns True or ``seconds`` have passed (a bounded wait for what
    may lag); its last result."""
    deadline = clock() + seconds
    interval = POLL_FIRST
    while True:
        if probe():
            return True
        if clock() >= deadline:
            return False
        sleep(min(interval, max(0.0, deadline - clock())))
        interval = min(interval * 2, POLL_MOST)


def while_busy(send: Callable[[], AnyResponse]) -> AnyResponse:
    """``send`` again while the target answers 403 ``DBS.200019`` (another job runs on the
    instance: an automated backup, another worker's backup), within the job timeout. The spec
    gives no order between that answer and any other, so a busy instance is waited for, not
    reported."""
    deadline = clock() + _job_timeout()
    interval = 0.5
    while True:
        answer = send()
        status = getattr(answer, "status_code", None)
        if status != 403 or _error_code(answer) != BUSY or clock() >= deadline:
            return answer
        sleep(interval)
        interval = min(interval * 2, POLL_MOST)


def accepted_create(case: Case, response: Response) -> dict[str, Any] | None:
    """The body of a createBackup 202 (:mod:`.safety` has recorded its backup)."""
    if _operation_id(case) != CREATE or response.status_code != 202:
        return None
    body = _json(response)
    if not isinstance(body, dict) or not isinstance(body.get("backup_id"), str):
        return None  # response_schema_conformance reports the malformed body
    return body


def _listed(
    case: Case, credentials: Mapping[str, str], project_id: str, backup_id: str
) -> tuple[Response, list[dict[str, Any]]]:
    listed = _call(
        case,
        LIST_BACKUPS,
        credentials,
        path_parameters={"project_id": project_id},
        query={"backup_id": backup_id},
    )
    body = _json(listed)
    backups = body.get("backups", []) if isinstance(body, dict) else []
    return listed, [b for b in backups if isinstance(b, dict) and b.get("id") == backup_id]


@schemathesis.check
def created_backup_is_listed(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    accepted = accepted_create(case, response)
    if accepted is None:
        return None
    params = raw_path_parameters(case)
    credentials = _credentials(case, response)
    found: list[tuple[Response, list[dict[str, Any]]]] = []

    def listed_once() -> bool:
        found[:] = [_listed(case, credentials, params["project_id"], accepted["backup_id"])]
        return found[0][0].status_code == 200 and len(found[0][1]) == 1

    if not until_true(list_lag(LIST_BACKUPS), listed_once):
        listed, matching = found[0]
        raise AssertionError(
            f"backup {accepted['backup_id']} was accepted with 202 but "
            f"{describe_request(listed.request)} answered {listed.status_code} with "
            f"{len(matching)} matching backups for {list_lag(LIST_BACKUPS):.0f} s, expected 1"
        )
    listed, matching = found[0]
    sent = case.body if isinstance(case.body, dict) else {}
    expected = {
        "name": sent.get("name"),
        "description": sent.get("description"),
        "instance_id": params["instance_id"],
    }
    shown = {key: matching[0].get(key) for key in expected}
    if shown != expected:
        raise AssertionError(
            f"{describe_request(listed.request)}: the listed backup differs from the one "
            f"created: {shown} != {expected}"
        )
    return True


@schemathesis.check
def backup_job_completes(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    accepted = accepted_create(case, response)
    if accepted is None or not isinstance(accepted.get("job_id"), str):
        return None
    project_id = raw_path_parameters(case)["project_id"]
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
    credentials, params = _credentials(case, response), raw_path_parameters(case)
    if isinstance(accepted.get("job_id"), str):
        # A busy instance answers 403 before it checks names.
        try:
            _wait_for_job(case, credentials, params["project_id"], accepted["job_id"])
        except JobNeverEnded:
            return None
    again = while_busy(
        lambda: _call(case, CREATE, credentials, path_parameters=params, body=case.body)
    )
    body = _json(again)
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
    params = raw_path_parameters(case)
    credentials = _credentials(case, response)
    try:
        job = _wait_for_job(case, credentials, params["project_id"], body["job_id"])
    except JobNeverEnded:
        return None
    if job.get("status") != "Completed":
        raise AssertionError(
            f"deletion job {body['job_id']} ended {job.get('status')}: {job.get('fail_reason')!r}"
        )
    found: list[tuple[Response, list[dict[str, Any]]]] = []

    def gone() -> bool:
        found[:] = [_listed(case, credentials, params["project_id"], params["backup_id"])]
        return found[0][0].status_code == 200 and not found[0][1]

    if not until_true(list_lag(LIST_BACKUPS), gone):
        listed = found[0][0]
        raise AssertionError(
            f"backup {params['backup_id']} is still listed (or the list failed: "
            f"{describe_request(listed.request)} -> {listed.status_code}) "
            f"{list_lag(LIST_BACKUPS):.0f} s after its deletion job completed"
        )
    safety.forget_created(params["backup_id"])
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
    if body["error_code"] in UNANSWERED:
        raise AssertionError(
            f"error code {body['error_code']!r} is catalogued as never answered by these "
            f"operations: {UNANSWERED[body['error_code']]}"
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
        answer = while_busy(
            lambda body=body: requests.post(  # type: ignore[misc]
                url,
                data=body,
                headers=headers,
                auth=aksk.SIGNER,
                verify=verify,
                allow_redirects=False,  # a signature is for this URL only; the API has no redirects
                timeout=30,
            )
        )
        code = _error_code(answer)
        if answer.status_code == 202:  # made a backup, which the clean-up must delete
            made = _json(answer)  # type: ignore[arg-type]
            if isinstance(made, dict) and isinstance(made.get("backup_id"), str):
                params = raw_path_parameters(case)
                safety.record_created(
                    made["backup_id"], params["project_id"], params.get("instance_id"), None
                )
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
        CREATED_INSTANCES.clear()
        _malformed_sent.clear()
        _signature_checked.clear()
        _stuck_jobs.clear()
        _ended_jobs.clear()
        jobs_waited.clear()
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
