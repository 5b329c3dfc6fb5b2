"""What the sync and async clients share and that does no I/O: building each call (validated
against the spec), reading answers into models or errors, the retry policy, and the polling pace.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from types import ModuleType
from typing import Any

import httpx

from geminidb_backup_client import Client
from geminidb_backup_client.models import (
    Backup,
    Error,
    Job,
    ListBackupsResponse,
    ListInstancesResponse,
    ListJobsResponse,
)

from .errors import APIError, TransportError, ValidationError
from .spec import follow_refs, load_spec
from .timing import retry_after_seconds
from .validation import validate_call

log = logging.getLogger("geminidb_backup")

# The API's code for "a backup of this instance already has this name" (x-error-codes).
DUPLICATE_NAME = "DBS.201201"
RETRY_STATUSES = frozenset({429, 503})
# Errors raised before any byte of the request left: retrying them is safe for every call.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class Call:
    """One request, ready to send: the generated module that builds and parses it, its
    arguments, and whether sending it twice is harmless."""

    module: ModuleType
    kwargs: Mapping[str, Any]
    idempotent: bool
    # The success status the spec documents with no body (setBackupPolicy's 204,
    # batchDeleteBackups' 200): the call's result is then None.
    empty_success: int | None = None
    # Extra request headers (not parameters of the spec): a wait's ``Prefer: wait=N``.
    headers: Mapping[str, str] | None = None

    # The generated modules' _get_kwargs and _parse_response are used rather than their
    # sync_detailed/asyncio_detailed: one send path then serves both clients, and the httpx
    # response stays at hand (status, X-Request-Id, Retry-After) when a body is not the
    # documented one, where sync_detailed would raise a bare JSON error.
    def request_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = self.module._get_kwargs(**self.kwargs)
        if self.headers:
            kwargs["headers"] = {**kwargs.get("headers", {}), **self.headers}
        return kwargs


# batchDeleteBackups takes at most this many IDs (its schema's maxItems).
BATCH_SIZE = int(
    load_spec()["components"]["schemas"]["BatchDeleteBackupsRequest"]["properties"]["backup_ids"][
        "maxItems"
    ]
)


def build(
    operation_id: str,
    module: ModuleType,
    path: Mapping[str, Any],
    query: Mapping[str, Any] | None = None,
    body: Any = None,
    *,
    idempotent: bool,
) -> Call:
    """Validate a call against the spec (raising ValidationError, nothing sent) and build it."""
    query = {name: value for name, value in (query or {}).items() if value is not None}
    # The schemas, then the spec's x-request-rules (RequestRuleError).
    validate_call(operation_id, {**path, **query}, body.to_dict() if body is not None else None)
    kwargs: dict[str, Any] = {**path, **query}
    if "type" in kwargs:
        kwargs["type_"] = kwargs.pop("type")
    if body is not None:
        kwargs["body"] = body
    return Call(module, kwargs, idempotent, _empty_success(operation_id))


@cache
def _empty_success(operation_id: str) -> int | None:
    for item in load_spec()["paths"].values():
        for operation in item.values():
            if isinstance(operation, Mapping) and operation.get("operationId") == operation_id:
                for status, response in operation["responses"].items():
                    if status.startswith("2") and "content" not in follow_refs(response)[0]:
                        return int(status)
    return None


# What OpenSSL says when the server answers a TLS handshake in plain HTTP (1.1 and 3.x wordings).
_PLAIN_HTTP_SIGNS = ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "packet length too long")


def transport_error(exc: httpx.TransportError, request_sent: bool | None = None) -> TransportError:
    sent = not isinstance(exc, _NOT_SENT) if request_sent is None else request_sent
    origin = _origin(exc.request.url) if _has_request(exc) else None
    message = (
        f"{type(exc).__name__} talking to {origin or 'the API'}"
        f"{'' if sent else ' (the request was not sent)'}: {exc or 'no detail'}"
    )
    if origin and origin.startswith("https://") and any(s in str(exc) for s in _PLAIN_HTTP_SIGNS):
        # Trying again cannot help: the endpoint speaks plain HTTP (a local emulator, most
        # likely, given as host:port, which means https://).
        plain = origin.replace("https://", "http://", 1)
        return TransportError(
            f"{message}; the server answers in plain HTTP: did you mean {plain}? (an endpoint "
            "without a scheme means https://)",
            sent=False, origin=origin, retryable=False,
        )  # fmt: skip
    return TransportError(message, sent=sent, origin=origin)


def _origin(url: httpx.URL) -> str:
    """``scheme://host:port``, the port spelt out even when it is the scheme's default: a
    firewall or a proxy is configured by port."""
    port = url.port or {"https": 443, "http": 80}.get(url.scheme)
    return f"{url.scheme}://{url.host}{f':{port}' if port else ''}"


def _has_request(exc: httpx.TransportError) -> bool:
    try:
        exc.request  # noqa: B018 - raises RuntimeError when httpx has no request to attach
    except RuntimeError:
        return False
    return True


def parse(call: Call, response: httpx.Response, client: Client) -> Any:
    """The documented model of a success answer; an :class:`APIError` for anything else."""
    request_id = response.headers.get("X-Request-Id")
    if response.is_success:
        try:
            parsed = call.module._parse_response(client=client, response=response)
        except (ValueError, KeyError, TypeError) as exc:
            raise APIError(
                response.status_code, "", f"the answer is not the documented body ({exc})",
                request_id,
            ) from exc  # fmt: skip
        if parsed is not None and not isinstance(parsed, Error):
            return parsed
        if parsed is None and response.status_code == call.empty_success:
            return None
        raise APIError(response.status_code, "", "undocumented success status", request_id)
    code, message = "", response.reason_phrase
    try:
        body = response.json()
        code, message = str(body["error_code"]), str(body["error_msg"])
    except (ValueError, KeyError, TypeError):
        if response.text.strip():
            message = response.text.strip()[:200]
    raise APIError(
        response.status_code, code, message, request_id,
        retry_after=retry_after_seconds(response.headers),
    )  # fmt: skip


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a call is tried again: ``attempts`` in all, backing off
    exponentially from ``initial`` to ``maximum`` seconds with jitter, or as long as the server's
    ``Retry-After`` asks (capped at ``maximum``)."""

    attempts: int = 4
    initial: float = 0.5
    maximum: float = 20.0
    # The answers worth another attempt (and a 500 to an idempotent call). A throttled client
    # (geminidb_backup.throttle) leaves 429 out: its transport has tried again already.
    statuses: frozenset[int] = RETRY_STATUSES

    def should_try_again(self, call: Call, exc: BaseException, failed_attempts: int) -> bool:
        """Whether to try ``call`` again after ``failed_attempts`` attempts, the last failing
        with ``exc``. The loop around it is a few lines, written out in the clients rather than
        taken from a retry library: it keeps the core install one distribution smaller, and
        this policy already computes every delay itself."""
        return failed_attempts < self.attempts and self.should_retry(call, exc)

    def should_retry(self, call: Call, exc: BaseException) -> bool:
        if isinstance(exc, APIError):
            return exc.status in self.statuses or (exc.status == 500 and call.idempotent)
        if isinstance(exc, TransportError):
            return exc.retryable and (call.idempotent or not exc.sent)
        return False

    def delay(self, failed_attempts: int, exc: BaseException | None) -> float:
        """Seconds to sleep after ``failed_attempts`` attempts, the last failing with ``exc``."""
        if isinstance(exc, APIError) and exc.retry_after is not None:
            return min(self.maximum, exc.retry_after)
        backoff = min(self.maximum, self.initial * 2.0 ** (failed_attempts - 1))
        return backoff * random.uniform(0.5, 1.0)

    def log_retry(self, failed_attempts: int, exc: BaseException | None, seconds: float) -> None:
        log.info("attempt %d of %d failed (%s); trying again in %.1f s",
                 failed_attempts, self.attempts, exc, seconds)  # fmt: skip

    def log_give_up(self, call: Call, exc: BaseException) -> None:
        """Say why the last error is the end: attempts used up, or an error not retried."""
        if self.should_retry(call, exc):
            log.info("attempt %d of %d failed (%s); giving up", self.attempts, self.attempts, exc)
        else:
            log.info("not tried again: %s", exc)


def is_duplicate(exc: Exception) -> bool:
    return isinstance(exc, APIError) and exc.error_code == DUPLICATE_NAME


def create_may_have_happened(exc: Exception, attempt: int) -> bool:
    """After this failure of createBackup's attempt number ``attempt``, may the backup exist
    anyway? Then look it up by name before trying again (createBackup is not idempotent).

    An ambiguous transport failure and a 500 (the service may have failed after committing) may
    hide a created backup; a duplicate-name refusal after a first ambiguous attempt most likely
    means that attempt succeeded.
    """
    if isinstance(exc, TransportError):
        return exc.sent
    if isinstance(exc, APIError):
        return exc.status == 500 or (exc.error_code == DUPLICATE_NAME and attempt > 1)
    return False


ListPage = ListBackupsResponse | ListJobsResponse | ListInstancesResponse


def page_items(page: ListPage) -> list[Any]:
    """The items of one page of a list call."""
    if isinstance(page, ListBackupsResponse):
        return list(page.backups)
    if isinstance(page, ListInstancesResponse):
        return list(page.instances)
    return list(page.jobs)


def page_length(page: ListPage) -> int:
    return len(page_items(page))


def is_last_page(page: ListPage, next_offset: int) -> bool:
    """Whether no page follows: this one was empty, or the total count has been reached."""
    return page_length(page) == 0 or next_offset >= page.total_count


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive one is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_timestamp(moment: datetime) -> str:
    """A datetime as the spec's ``Timestamp`` (``2019-05-27T03:38:51+0000``); naive is UTC."""
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S+0000")


def parse_timestamp(value: str) -> datetime | None:
    """A spec ``Timestamp`` (``2019-05-27T03:38:51+0000`` or ``...Z``) as a datetime."""
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


def job_of_backup(jobs: list[Job], instance_id: str, backup: Backup) -> Job | None:
    """The ``BackupInstance`` job that most likely made ``backup``: the one on its instance that
    started closest to the backup's ``begin_time`` (a job does not name its backup)."""
    began = parse_timestamp(backup.begin_time)
    candidates = [j for j in jobs if j.name == "BackupInstance" and j.instance.id == instance_id]
    if not candidates or began is None:
        return None

    def distance(job: Job) -> float:
        started = parse_timestamp(job.start_time)
        return abs((started - began).total_seconds()) if started else float("inf")

    best = min(candidates, key=distance)
    return best if distance(best) <= 120 else None


def progress_percent(job: Job) -> int | None:
    """A job's progress as a number from 0 to 100; 100 once Completed; None when unknown."""
    if job.status == "Completed":
        return 100
    try:
        return int(job.progress.rstrip("%"))
    except ValueError:
        return None


# Retention (prune): which backups go, decided without I/O.

BUSY = "DBS.200019"  # the instance runs another job (x-error-codes)
NO_SUCH_BACKUP = "DBS.201214"


def busy_or_gone(exc: Exception) -> bool:
    """Whether a failed deletion of a prune is worth asking again once the instance is idle:
    the instance was busy (DBS.200019), or the answer was lost (asking again is then safe:
    the API answers busy while the first deletion runs, and "no such backup" after it)."""
    if isinstance(exc, APIError):
        return exc.error_code == BUSY
    return isinstance(exc, TransportError) and exc.sent


def select_for_pruning(
    backups: list[Backup],
    instance_id: str,
    *,
    keep: int | None,
    older_than: timedelta | None,
    prefix: str | None,
    now: datetime,
) -> tuple[list[Backup], list[Backup]]:
    """(to delete, oldest first; kept, newest first) among ``backups``.

    Only COMPLETED manual backups of the instance whose name starts with ``prefix`` are
    considered; any other backup (automated, still BUILDING, FAILED, of another prefix) is neither
    deleted nor counted. Of those, the ``keep`` newest stay, and of the rest only those that began
    more than ``older_than`` ago go: both conditions must hold when both are given.
    """
    if keep is None and older_than is None:
        raise ValidationError("keep", None, "or older_than is required: say which backups go")
    if keep is not None and keep < 0:
        raise ValidationError("keep", keep, "must be at least 0")
    if older_than is not None and older_than <= timedelta(0):
        raise ValidationError("older_than", older_than, "must be a positive duration")
    candidates = [
        backup
        for backup in backups
        if backup.instance_id == instance_id
        and backup.type_ == "Manual"
        and backup.status == "COMPLETED"
        and backup.name.startswith(prefix or "")
        and parse_timestamp(backup.begin_time) is not None
    ]
    candidates.sort(key=lambda b: parse_timestamp(b.begin_time) or now, reverse=True)
    protected = candidates[: keep if keep is not None else 0]
    doomed = [
        backup
        for backup in candidates[len(protected) :]
        if older_than is None or (parse_timestamp(backup.begin_time) or now) < now - older_than
    ]
    kept = [backup for backup in candidates if backup not in doomed]
    return list(reversed(doomed)), kept
