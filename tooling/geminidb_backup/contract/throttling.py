"""A 429 is never a broken promise: every request of a run that is throttled is sent again.

The spec's decision (the 429 response): every operation may answer 429, with an optional
``Retry-After``. The suite honours ``Retry-After`` when it is at most :data:`MAX_RETRY_AFTER`
seconds, else waits an exponential back-off from one second, and gives up after :data:`MAX_TRIES`
tries in all (the last answer, a 429, is then what the checks see: a target that throttles that
hard is not testable, and the run says so through the checks that got a 429).

The retry sits below schemathesis, in ``requests``' ``HTTPAdapter.send``, for the run's duration
(:func:`retrying`): schemathesis sends some requests of its own checks (``ignored_auth``, which
would read a 429 as "expected 401 or 403") straight through its transport, below every hook it
offers, so only the adapter sees them all. requests itself offers no retry of an answer by status
(urllib3's ``Retry`` raises instead of returning the last answer, and waits nothing before the
first retry), hence this small loop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import requests

from geminidb_backup.timing import retry_after_seconds

MAX_RETRY_AFTER = 60.0
MAX_TRIES = 5
FIRST_BACK_OFF = 1.0

# Replaced by the tests with a fake clock's sleep.
sleep: Callable[[float], None] = time.sleep

_counts_lock = threading.Lock()
retried = 0  # throttled answers sent again in this process (the run reports it)


def delay(attempt: int, headers: Mapping[str, str]) -> float:
    """Seconds to wait before try ``attempt + 1`` (``attempt`` counts from 1) after a 429 with
    these ``headers``."""
    seconds = retry_after_seconds(headers)
    if seconds is not None and seconds <= MAX_RETRY_AFTER:
        return seconds
    return float(FIRST_BACK_OFF * 2 ** (attempt - 1))


def _send_until_not_throttled(
    send: Callable[..., requests.Response], adapter: Any, request: Any, **kwargs: Any
) -> requests.Response:
    global retried
    response = send(adapter, request, **kwargs)
    attempt = 1
    while response.status_code == 429 and attempt < MAX_TRIES:
        wait = delay(attempt, response.headers)
        response.content  # noqa: B018 - read it, so that the connection can be reused
        response.close()
        sleep(wait)
        response = send(adapter, request.copy(), **kwargs)
        with _counts_lock:
            retried += 1
        attempt += 1
    return response


_installed: list[Callable[..., requests.Response]] = []


def install() -> None:
    """Retry throttled requests of this process from now on (the pytest entry point)."""
    from requests.adapters import HTTPAdapter

    if _installed:
        return
    original = HTTPAdapter.send
    _installed.append(original)

    def send(self: HTTPAdapter, request: Any, **kwargs: Any) -> requests.Response:
        return _send_until_not_throttled(original, self, request, **kwargs)

    HTTPAdapter.send = send  # type: ignore[method-assign,assignment]


def uninstall() -> None:
    from requests.adapters import HTTPAdapter

    if _installed:
        HTTPAdapter.send = _installed.pop()  # type: ignore[method-assign]


@contextmanager
def retrying() -> Iterator[None]:
    """Retry throttled requests while the block runs (a run of the CLI)."""
    already = bool(_installed)
    install()
    try:
        yield
    finally:
        if not already:
            uninstall()
