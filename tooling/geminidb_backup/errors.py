"""The exceptions of the library: one base class, one subclass per way a call can fail.

Messages never contain a credential: an API error quotes the API's code and message and the
request ID, nothing of the request's headers.
"""

from __future__ import annotations

from typing import Any


class GeminiDBError(Exception):
    """Base class of every error this library raises on purpose."""


class ConfigurationError(GeminiDBError):
    """The client cannot be built: a missing endpoint, project ID or credential."""


class ValidationError(GeminiDBError, ValueError):
    """A parameter or body field breaks a rule of the spec; no request was sent.

    ``field`` names the parameter or body field, ``value`` is what was given, ``rule`` the rule
    broken, worded as the spec's ``x-rules`` messages are.
    """

    def __init__(self, field: str, value: Any, rule: str) -> None:
        self.field, self.value, self.rule = field, value, rule
        shown = repr(value)
        if len(shown) > 60:  # a 300-character description would drown the rule
            shown = f"{shown[:40]}... ({len(value)} characters)"
        super().__init__(f"{field} {rule}" if value is None else f"{field} {shown} {rule}")


class RequestRuleError(ValidationError):
    """The request breaks a rule across several parameters or fields (the spec's
    ``x-request-rules``); no request was sent.

    ``fields`` names them, ``rule`` is the spec's message, and ``status``/``code`` are the
    answer the API gives such a request (``field`` is the first of ``fields``).
    """

    def __init__(self, fields: tuple[str, ...], message: str, status: int, code: str) -> None:
        super().__init__(fields[0], None, message)
        self.fields, self.status, self.code = fields, status, code
        self.args = (f"{message} (the API refuses this with {status} {code})",)


class APIError(GeminiDBError):
    """The API answered with an error status.

    ``status`` is the HTTP status, ``error_code``/``error_msg`` the API's ``Error`` body (empty
    when the body was not one), ``request_id`` the ``X-Request-Id`` header to quote to support.
    """

    def __init__(
        self,
        status: int,
        error_code: str,
        error_msg: str,
        request_id: str | None,
        *,
        retry_after: float | None = None,
    ) -> None:
        self.status, self.error_code, self.error_msg = status, error_code, error_msg
        self.request_id, self.retry_after = request_id, retry_after
        code = f" {error_code}" if error_code else ""
        request = f" (request ID {request_id})" if request_id else ""
        super().__init__(f"HTTP {status}{code}: {error_msg or 'no error message'}{request}")

    @property
    def retryable(self) -> bool:
        """Whether the same call may succeed later (overload, throttling)."""
        return self.status in (429, 500, 503)


class TransportError(GeminiDBError):
    """The API could not be reached, or the connection broke before an answer came.

    ``sent`` tells whether the request may have reached the server: when it is true the outcome
    of a non-idempotent call (createBackup) is unknown. ``origin`` is the scheme, host and port
    that could not be reached (``https://iam.eu-de.otc.t-systems.com:443``), or None.
    ``retryable`` is false when trying again cannot help (TLS to a server of plain HTTP).
    """

    def __init__(
        self, message: str, *, sent: bool, origin: str | None = None, retryable: bool = True
    ) -> None:
        self.sent, self.origin, self.retryable = sent, origin, retryable
        super().__init__(message)


class NotFound(GeminiDBError, LookupError):
    """No job or backup has the ID asked for."""


class WaitTimeout(GeminiDBError, TimeoutError):
    """A job did not end within the time allowed; ``job`` is its last state seen (or None)."""

    def __init__(
        self, job_id: str, timeout: float, job: Any = None, detail: str | None = None
    ) -> None:
        self.job_id, self.timeout, self.job = job_id, timeout, job
        progress = f", last progress {job.progress}" if job is not None and job.progress else ""
        if detail:
            progress += f" ({detail})"
        super().__init__(f"job {job_id} did not end within {timeout:g} s{progress}")


class JobFailed(GeminiDBError):
    """A job ended with status ``Failed``; ``job`` is the job, ``fail_reason`` why."""

    def __init__(self, job: Any) -> None:
        self.job = job
        self.fail_reason: str = job.fail_reason
        super().__init__(
            f"job {job.id} ({job.name}) failed: {job.fail_reason or 'no reason given'}"
        )


class JobsWaitTimeout(WaitTimeout):
    """Waiting for many jobs at once ran out of time: ``ended`` maps the IDs of the jobs that
    ended to their final state, ``running`` those still running to their last state."""

    def __init__(self, timeout: float, ended: dict[str, Any], running: dict[str, Any]) -> None:
        first = next(iter(running), "")
        super().__init__(first, timeout, running.get(first))
        self.ended, self.running = ended, running
        total = len(ended) + len(running)
        self.args = (f"{len(running)} of {total} jobs still running after {timeout:g} s",)
