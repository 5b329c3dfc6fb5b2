"""A 429 is never a broken promise: every request of a run that is throttled is sent again.

The spec's decision (the 429 response): every operation may answer 429, with an optional
``Retry-After``. The suite honours ``Retry-After`` when it is at most :data:`MAX_RETRY_AFTER`
seconds, else waits an exponential back-off from one second, and gives up after :data:`MAX_TRIES`
tries in all (the last answer, a 429, is then what the checks see: a target that throttles that
hard is not testable, and the run says so through the checks that got a 429).

The retry sits below schemathesis, in a ``requests`` response hook that a ``before_call`` hook
adds to each call of the run: so schemathesis's own checks (``ignored_auth``, which would read a
429 as "expected 401 or 403") and the domain checks see the answer that was not throttled.
requests offers no retry of an answer with a status (urllib3's ``Retry`` raises instead of
returning the last answer, and waits nothing before the first retry), hence this small loop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import requests
import schemathesis

MAX_RETRY_AFTER = 60.0
MAX_TRIES = 5
FIRST_BACK_OFF = 1.0

# Replaced by the tests with a fake clock's sleep.
sleep: Callable[[float], None] = time.sleep

_counts_lock = threading.Lock()
retried = 0  # throttled answers sent again in this process (the run reports it)


def delay(attempt: int, retry_after: str | None) -> float:
    """Seconds to wait before try ``attempt + 1`` (``attempt`` counts from 1) after a 429."""
    if retry_after is not None:
        try:
            seconds = float(retry_after.strip())
        except ValueError:
            seconds = -1.0  # an HTTP date or garbage: fall back to the back-off
        if 0 <= seconds <= MAX_RETRY_AFTER:
            return seconds
    return float(FIRST_BACK_OFF * 2 ** (attempt - 1))


def resend_throttled(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
    """A ``requests`` response hook: send a throttled request again, as :func:`delay` says."""
    global retried
    attempt = 1
    while response.status_code == 429 and attempt < MAX_TRIES:
        wait = delay(attempt, response.headers.get("Retry-After"))
        response.content  # noqa: B018 - read it, so that the connection can be reused
        response.close()
        sleep(wait)
        request = response.request.copy()
        connection = response.connection  # the adapter that sent it
        response = connection.send(request, **kwargs)
        with _counts_lock:
            retried += 1
        attempt += 1
    return response


def _is_ours(case: Any) -> bool:
    from geminidb_backup.contract.safety import is_suite_case

    return is_suite_case(case)


@schemathesis.hook("before_call")
def _retry_throttled(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    if case.operation.app is not None or "app" in kwargs or not _is_ours(case):
        return  # in-process calls do not go through requests' adapters
    hooks = dict(kwargs.get("hooks") or {})
    existing = hooks.get("response") or []
    existing = list(existing) if isinstance(existing, list) else [existing]
    hooks["response"] = [*existing, resend_throttled]
    kwargs["hooks"] = hooks
