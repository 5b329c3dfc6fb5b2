"""One reader of ``Retry-After`` (geminidb_backup.timing.retry_after_seconds) for the library's
retries, the throttled transport of fleets and the contract suite: seconds or an HTTP date, the
date counted from the answer's own ``Date``, anything else no wait at all that the caller must
take (it backs off on its own)."""

from __future__ import annotations

import asyncio
import time
from email.utils import formatdate

import httpx
import pytest

from geminidb_backup import timing
from geminidb_backup._calls import RetryPolicy
from geminidb_backup.auth import TokenAuth
from geminidb_backup.client import AsyncBackupClient, BackupClient
from geminidb_backup.errors import APIError
from geminidb_backup.throttle import AdaptiveRate

DATE = "Mon, 07 Dec 2026 10:00:00 GMT"


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": " 2.5 "}, 2.5),
        ({"Retry-After": "0"}, 0.0),
        ({"Retry-After": "Mon, 07 Dec 2026 10:00:30 GMT", "Date": DATE}, 30.0),
        ({"Retry-After": "Mon, 07 Dec 2026 09:59:00 GMT", "Date": DATE}, 0.0),  # already past
        ({}, None),
        ({"Retry-After": ""}, None),
        ({"Retry-After": "-1"}, None),
        ({"Retry-After": "nan"}, None),
        ({"Retry-After": "inf"}, None),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "Mon, 99 Foo 2026 10:00:30 GMT", "Date": DATE}, None),
    ],
)
def test_retry_after_is_read_as_seconds_or_a_date_from_the_answers_own_date(
    headers: dict[str, str], seconds: float | None
) -> None:
    assert timing.retry_after_seconds(httpx.Headers(headers)) == seconds


def test_a_date_without_the_answers_date_counts_from_this_machines_clock() -> None:
    in_a_minute = formatdate(time.time() + 60, usegmt=True)
    seconds = timing.retry_after_seconds({"Retry-After": in_a_minute})
    assert seconds is not None and 55 <= seconds <= 60


def _throttled_once() -> httpx.MockTransport:
    """A server that throttles the first request with an HTTP-date Retry-After, 3 s after its
    Date, and answers the rest."""
    answered: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if not answered:
            answered.append(429)
            headers = {"Date": DATE, "Retry-After": "Mon, 07 Dec 2026 10:00:03 GMT"}
            body = {"error_code": "APIGW.0308", "error_msg": "throttled"}
            return httpx.Response(429, headers=headers, json=body)
        return httpx.Response(200, json={"total_count": 0, "backups": []})

    return httpx.MockTransport(handler)


def test_the_library_waits_what_an_http_date_asks() -> None:
    api = BackupClient("https://api.example", "p", TokenAuth("t"),
                       retry=RetryPolicy(attempts=1), transport=_throttled_once())  # fmt: skip
    with pytest.raises(APIError) as caught:
        api.list_backups()
    assert caught.value.retry_after == 3.0
    assert RetryPolicy().delay(1, caught.value) == 3.0


def test_a_throttled_fleet_client_waits_what_an_http_date_asks() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def listed() -> int:
        rate = AdaptiveRate(initial=10.0, sleep=sleep)
        async with AsyncBackupClient("https://api.example", "p", TokenAuth("t"),
                                     transport=_throttled_once(), throttle=rate) as api:  # fmt: skip
            return len(await api.list_backups())

    assert asyncio.run(listed()) == 0
    assert 3.0 in waits, waits
