"""The facade against the in-process stand-in of the API: calls, validation, errors, auth,
waiting, pagination, retries and the recovery of an ambiguous create."""

from __future__ import annotations

import asyncio
import math
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fake_api import (
    ACCESS_KEY,
    DOMAIN,
    INSTANCE_ID,
    PASSWORD,
    PROJECT_ID,
    SECRET_KEY,
    TOKEN,
    USER,
    FakeServer,
)

from geminidb_backup._calls import RetryPolicy
from geminidb_backup.auth import AKSKAuth, AuthenticationError, PasswordAuth, TokenAuth
from geminidb_backup.client import AsyncBackupClient, BackupClient
from geminidb_backup.errors import (
    APIError,
    GeminiDBError,
    JobFailed,
    NotFound,
    TransportError,
    ValidationError,
    WaitTimeout,
)
from geminidb_backup.timing import Clock

FAST = RetryPolicy(attempts=4, initial=0.01, maximum=0.05)


def client(server: FakeServer, auth: httpx.Auth | None = None, **kw: Any) -> BackupClient:
    return BackupClient(server.url, PROJECT_ID, auth or TokenAuth(TOKEN), retry=FAST, **kw)


def test_create_wait_list_delete(fake_api: FakeServer) -> None:
    seen: list[str] = []
    with client(fake_api) as api:
        created = api.create_backup(INSTANCE_ID, "backup-4f57", "manual backup")
        job = api.wait(
            created.job_id or "", interval=0.05, on_progress=lambda j: seen.append(j.status)
        )
        assert job.status == "Completed" and seen[-1] == "Completed"
        (backup,) = api.list_backups(instance_id=INSTANCE_ID)
        assert (backup.id, backup.name, backup.status) == (
            created.backup_id,
            "backup-4f57",
            "COMPLETED",
        )
        assert api.get_backup(backup.id).description == "manual backup"
        api.wait(api.delete_backup(backup.id), interval=0.05)
        assert api.list_backups() == []


@pytest.mark.parametrize(
    ("name", "description", "message"),
    [
        ("b1", "", "name 'b1' must be at least 4 characters long"),
        ("x" * 65, "", "(65 characters) must be at most 64 characters long"),
        ("1abc", "", "name '1abc' must start with a letter and contain only letters, digits"),
        ("abc def", "", "name 'abc def' must start with a letter"),
        ("backup-1", "a<b", "description 'a<b' must not contain any of the characters"),
        ("backup-1", "d" * 257, "(257 characters) must be at most 256 characters long"),
    ],
)  # fmt: skip
def test_invalid_create_names_the_rule_and_sends_nothing(
    fake_api: FakeServer, name: str, description: str, message: str
) -> None:
    with client(fake_api) as api, pytest.raises(ValidationError) as caught:
        api.create_backup(INSTANCE_ID, name, description)
    assert message in str(caught.value)
    assert fake_api.state.requests == []


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda api: api.create_backup("", "backup-1"), "instance_id"),
        (lambda api: api.list_backups(page_size=0), "limit"),
        (lambda api: api.list_backups(page_size=500), "limit"),
        (lambda api: api.list_backups(backup_type="manual"), "backup_type"),
        (lambda api: api.list_backups(begin_time="yesterday", end_time="today"), "begin_time"),
        (lambda api: api.list_backups(end_time="2019-05-27T03:38:51+0000"), "begin_time"),
        (lambda api: list(api.iter_jobs(status="Done")), "status"),
        (lambda api: api.delete_backup(""), "backup_id"),
    ],
)  # fmt: skip
def test_invalid_parameters_are_refused_before_sending(
    fake_api: FakeServer, call: Any, field: str
) -> None:
    with client(fake_api) as api, pytest.raises(ValidationError) as caught:
        call(api)
    assert caught.value.field == field
    assert fake_api.state.requests == []


def test_a_malformed_time_is_shown_the_form_of_the_spec_example(fake_api: FakeServer) -> None:
    with client(fake_api) as api, pytest.raises(ValidationError) as caught:
        api.list_backups(begin_time="2019-05-27", end_time="2019-05-28")
    assert str(caught.value).startswith(
        "begin_time '2019-05-27' must look like '2019-05-27T03:38:51+0000' (pattern ^[0-9]{4}"
    )


def test_api_errors_carry_status_code_message_and_request_id(fake_api: FakeServer) -> None:
    with client(fake_api) as api:
        api.create_backup(INSTANCE_ID, "backup-4f57", "")
        with pytest.raises(APIError) as caught:
            api.create_backup(INSTANCE_ID, "backup-4f57", "")
    error = caught.value
    assert (error.status, error.error_code, error.error_msg) == (
        400, "DBS.201201", "The backup already exists.")  # fmt: skip
    assert error.request_id and error.request_id in str(error)
    assert isinstance(error, GeminiDBError)


def test_bad_token_is_an_api_error_without_the_token(fake_api: FakeServer) -> None:
    with (
        client(fake_api, TokenAuth("wrong-token-secret")) as api,
        pytest.raises(APIError) as caught,
    ):
        api.list_backups()
    assert caught.value.error_code == "APIGW.0301"
    assert "wrong-token-secret" not in str(caught.value) + repr(api)


def _mock(handler: Any) -> BackupClient:
    return BackupClient("https://api.example", PROJECT_ID, TokenAuth(TOKEN), retry=FAST,
                        transport=httpx.MockTransport(handler))  # fmt: skip


def test_undocumented_status_raises() -> None:
    api = _mock(lambda request: httpx.Response(418, text="teapot"))
    with pytest.raises(APIError) as caught:
        api.list_backups()
    assert caught.value.status == 418 and "teapot" in str(caught.value)


def test_undocumented_success_body_raises() -> None:
    api = _mock(lambda request: httpx.Response(200, json={"unexpected": True}))
    with pytest.raises(APIError, match="not the documented body"):
        api.list_backups()


def test_wait_reports_a_failed_job(fake_api: FakeServer) -> None:
    fake_api.state.fail_next_backup = True
    with client(fake_api) as api:
        created = api.create_backup(INSTANCE_ID, "backup-4f57", "")
        with pytest.raises(JobFailed, match="disk full"):
            api.wait(created.job_id or "", interval=0.05)


def test_wait_times_out_with_the_last_progress(fake_api: FakeServer) -> None:
    fake_api.state.backup_seconds = 30
    with client(fake_api) as api:
        created = api.create_backup(INSTANCE_ID, "backup-4f57", "")
        with pytest.raises(WaitTimeout) as caught:
            api.wait(created.job_id or "", timeout=0.3, interval=0.05)
    assert caught.value.job is not None and caught.value.job.status == "Running"


def test_unknown_ids_raise_not_found(fake_api: FakeServer) -> None:
    with client(fake_api) as api:
        with pytest.raises(NotFound):
            api.get_job("no-such-job")
        with pytest.raises(NotFound):
            api.get_backup("no-such-backup")


def test_pagination_follows_every_page(fake_api: FakeServer) -> None:
    with client(fake_api) as api:
        for index in range(7):
            api.create_backup(INSTANCE_ID, f"backup-{index}", "")
        names = [b.name for b in api.iter_backups(page_size=3)]
    assert names == [f"backup-{index}" for index in reversed(range(7))]
    assert len(fake_api.state.api_calls("GET")) == 3


def test_busy_answers_are_retried(fake_api: FakeServer) -> None:
    fake_api.state.busy_answers = 2
    with client(fake_api) as api:
        created = api.create_backup(INSTANCE_ID, "backup-4f57", "")
    assert len(fake_api.state.backups) == 1 and created.backup_id in fake_api.state.backups


def test_retries_give_up_with_the_last_error(fake_api: FakeServer) -> None:
    fake_api.state.busy_answers = 10
    with client(fake_api) as api, pytest.raises(APIError) as caught:
        api.list_backups()
    assert caught.value.status == 503 and len(fake_api.state.requests) == FAST.attempts


def test_ambiguous_create_finds_the_backup_instead_of_making_a_second(fake_api: FakeServer) -> None:
    fake_api.state.drop_creates = 1
    with client(fake_api) as api:
        created = api.create_backup(INSTANCE_ID, "backup-4f57", "")
        assert created.recovered and created.job_id is not None
        assert api.wait(created.job_id, interval=0.05).status == "Completed"
    assert list(fake_api.state.backups) == [created.backup_id]
    assert len(fake_api.state.api_calls("POST")) == 1


def test_create_after_a_500_looks_up_the_name_then_tries_again(fake_api: FakeServer) -> None:
    fake_api.state.failing_answers = 1
    with client(fake_api) as api:
        created = api.create_backup(INSTANCE_ID, "backup-4f57", "")
    assert not created.recovered and list(fake_api.state.backups) == [created.backup_id]
    methods = [method for method, _ in fake_api.state.api_calls()]
    assert methods == ["POST", "GET", "POST"]  # create (500), look the name up, create


def test_a_list_after_a_500_is_retried(fake_api: FakeServer) -> None:
    fake_api.state.failing_answers = 1
    with client(fake_api) as api:
        assert api.list_backups() == []
    assert len(fake_api.state.api_calls()) == 2


def test_unreachable_endpoint_is_a_transport_error_not_sent() -> None:
    api = BackupClient("http://127.0.0.1:9", PROJECT_ID, TokenAuth(TOKEN), retry=FAST)
    with pytest.raises(TransportError) as caught:
        api.create_backup(INSTANCE_ID, "backup-4f57", "")
    assert caught.value.sent is False


def test_password_auth_fetches_caches_and_renews_the_token(fake_api: FakeServer) -> None:
    now = [datetime.now(UTC)]
    auth = PasswordAuth(f"{fake_api.url}/v3", USER, PASSWORD, user_domain_name=DOMAIN,
                        project_id=PROJECT_ID, clock=lambda: now[0])  # fmt: skip
    with client(fake_api, auth) as api:
        api.list_backups()
        api.list_backups()
        assert auth.token_requests == 1
        now[0] += timedelta(hours=23, minutes=45)  # within renew_before of the 24 h expiry
        api.list_backups()
        assert auth.token_requests == 2
    assert PASSWORD not in repr(auth) + repr(api)


def test_password_auth_fetches_again_after_a_401(fake_api: FakeServer) -> None:
    auth = PasswordAuth(f"{fake_api.url}/v3", USER, PASSWORD, user_domain_name=DOMAIN,
                        project_id=PROJECT_ID)  # fmt: skip
    with client(fake_api, auth) as api:
        api.list_backups()
        fake_api.state.tokens = {TOKEN}  # the cached token is revoked
        api.list_backups()
    assert auth.token_requests == 2


def test_wrong_password_is_an_authentication_error(fake_api: FakeServer) -> None:
    auth = PasswordAuth(f"{fake_api.url}/v3", USER, "wrong-password", user_domain_name=DOMAIN,
                        project_id=PROJECT_ID)  # fmt: skip
    with client(fake_api, auth) as api, pytest.raises(AuthenticationError) as caught:
        api.list_backups()
    assert caught.value.status == 401 and "wrong-password" not in str(caught.value)


def test_aksk_signed_requests_are_accepted(fake_api: FakeServer) -> None:
    auth = AKSKAuth(ACCESS_KEY, SECRET_KEY, project_id=PROJECT_ID)
    with client(fake_api, auth) as api:
        api.create_backup(INSTANCE_ID, "backup-4f57", "manual backup")
        assert [b.name for b in api.list_backups(backup_type="Manual")] == ["backup-4f57"]
    assert SECRET_KEY not in repr(auth)


def test_wrong_secret_key_is_refused(fake_api: FakeServer) -> None:
    with client(fake_api, AKSKAuth(ACCESS_KEY, "wrong")) as api, pytest.raises(APIError) as caught:
        api.list_backups()
    assert caught.value.status == 401


def test_async_client_does_the_same(fake_api: FakeServer) -> None:
    async def main() -> list[str]:
        async with AsyncBackupClient(fake_api.url, PROJECT_ID, TokenAuth(TOKEN), retry=FAST) as api:
            created = await api.create_backup(INSTANCE_ID, "backup-4f57", "manual backup")
            job = await api.wait(created.job_id or "", interval=0.05)
            assert job.status == "Completed"
            with pytest.raises(ValidationError):
                await api.create_backup(INSTANCE_ID, "b1")
            return [b.status async for b in api.iter_backups(instance_id=INSTANCE_ID)]

    assert asyncio.run(main()) == ["COMPLETED"]


def test_async_ambiguous_create_recovers(fake_api: FakeServer) -> None:
    fake_api.state.drop_creates = 1

    async def main() -> bool:
        async with AsyncBackupClient(fake_api.url, PROJECT_ID, TokenAuth(TOKEN), retry=FAST) as api:
            return (await api.create_backup(INSTANCE_ID, "backup-4f57")).recovered

    assert asyncio.run(main()) is True
    assert len(fake_api.state.backups) == 1


def test_tls_verification_is_on_by_default() -> None:
    api = BackupClient("https://api.example", PROJECT_ID, TokenAuth(TOKEN))
    assert api._httpx_options["verify"] is True


def test_wait_polls_less_often_as_time_goes_by(fake_api: FakeServer) -> None:
    from geminidb_backup.timing import FakeClock

    clock = FakeClock()
    fake_api.state.backup_seconds = 3600
    with client(fake_api, clock=clock) as api:
        created = api.create_backup(INSTANCE_ID, "backup-4f57", "")
        with pytest.raises(WaitTimeout):
            api.wait(created.job_id or "", timeout=30, interval=1, max_interval=4)
    # The fake server's job started at the real time, long before the fake clock's 2020:
    # its run time so far is negative, so the shortest interval, then never past the deadline.
    assert clock.slept == [1.0] * 30


def test_the_poll_schedule_is_ten_percent_of_the_run_time_between_its_bounds() -> None:
    from geminidb_backup.timing import PollSchedule

    schedule = PollSchedule(interval=1, max_interval=300)
    assert [schedule.next_delay(t, 10_000) for t in (0, 5, 10, 50, 600, 3600, 9000)] == [
        1,
        1,
        1,
        5,
        60,
        300,
        300,
    ]
    assert schedule.next_delay(3600, remaining=2.5) == 2.5  # never past the deadline
    with pytest.raises(ValueError):
        PollSchedule(interval=0)


class SteppedClock(Clock):
    """A fake clock: the emulator's time, moved by exactly what the code under test sleeps."""

    def __init__(self, emulator: Any) -> None:
        self.emulator, self.slept = emulator, []

    def __call__(self) -> float:
        return float(self.emulator.now())

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.emulator.advance(seconds)


@pytest.mark.parametrize("seconds", [10, 100, 3600])
def test_wait_sees_a_jobs_end_within_a_second_or_ten_percent_of_its_run_time(
    seconds: int,
) -> None:
    """Issue 21, item 9: a 10-second backup made `create --wait` return after 16.6 s (polls
    every 2 s, growing by 1.5x). Measured on a fake clock, not a timer."""
    from geminidb_backup.testing import Emulator

    with Emulator(backup_seconds=seconds, autojump=False) as emulator:
        clock = SteppedClock(emulator)
        with emulator.client(clock=clock) as api:
            created = api.create_backup(emulator.instance_id, "backup-4f57")
            ends = emulator.now() + seconds
            api.wait(created.job_id or "", timeout=2 * seconds)
    assert emulator.now() >= ends
    assert emulator.now() - ends <= max(1.0, 0.1 * seconds)
    assert len(clock.slept) <= 12 + 25 * math.log10(seconds)  # no hammering: ~80 for an hour


def test_wait_jobs_polls_many_jobs_a_page_of_list_jobs_at_a_time() -> None:
    from geminidb_backup.testing import Emulator

    sent: list[httpx.Request] = []
    with Emulator(backup_seconds=600) as emulator:
        instances = [emulator.add_instance().id for _ in range(120)]
        with emulator.client() as api:
            created = [api.create_backup(i, "nightly-01") for i in instances]
        transport = emulator.transport()

        class Counting(httpx.BaseTransport):
            def handle_request(self, request: httpx.Request) -> httpx.Response:
                sent.append(request)
                return transport.handle_request(request)

        with BackupClient("http://geminidb-emulator.invalid", emulator.project_id,
                          TokenAuth(emulator.token), transport=Counting(),
                          clock=emulator.library_clock()) as api:  # fmt: skip
            ids = [c.job_id or "" for c in created]
            seen: list[str] = []
            start = emulator.now()
            jobs = api.wait_jobs(ids, timeout=3600, on_progress=lambda job: seen.append(job.id))
    assert list(jobs) == ids
    assert {job.status for job in jobs.values()} == {"Completed"}
    assert 600 <= emulator.now() - start <= 660
    rounds = len(seen) // 120
    assert len(seen) == rounds * 120
    # Three pages of 50 a round (120 jobs), never a request per job.
    assert len(sent) <= 3 * rounds + 1
    assert all(request.url.params.get("id") is None for request in sent)


def test_poll_jobs_reads_every_jobs_state_once_without_waiting() -> None:
    from geminidb_backup import NotFound
    from geminidb_backup.testing import Emulator

    with Emulator(backup_seconds=600) as emulator, emulator.client() as api:
        other = emulator.add_instance().id
        first = api.create_backup(emulator.instance_id, "a-01").job_id or ""
        emulator.advance(600)
        second = api.create_backup(other, "b-01").job_id or ""
        start = emulator.now()
        states = api.poll_jobs([second, first])
        assert list(states) == [second, first]
        assert [job.status for job in states.values()] == ["Running", "Completed"]
        assert emulator.now() == start
        with pytest.raises(NotFound, match="'gone'"):
            api.poll_jobs([first, "gone"])


def test_wait_jobs_names_unknown_jobs_and_times_out_with_what_ended() -> None:
    from geminidb_backup import JobsWaitTimeout, NotFound
    from geminidb_backup.testing import Emulator

    with Emulator(backup_seconds=600) as emulator, emulator.client() as api:
        quick = emulator.add_instance().id
        long = api.create_backup(emulator.instance_id, "long-01").job_id or ""
        with pytest.raises(NotFound, match="'no-such-job'"):
            api.wait_jobs([long, "no-such-job"])
        emulator.advance(300)
        short = api.create_backup(quick, "short-01").job_id or ""
        with pytest.raises(JobsWaitTimeout) as raised:
            api.wait_jobs([long, short], timeout=400)
        assert list(raised.value.ended) == [long]
        assert list(raised.value.running) == [short]


def test_async_wait_accepts_a_coroutine_callback(fake_api: FakeServer) -> None:
    seen: list[str] = []

    async def report(job: Any) -> None:
        seen.append(job.status)

    async def main() -> None:
        async with AsyncBackupClient(fake_api.url, PROJECT_ID, TokenAuth(TOKEN)) as api:
            created = await api.create_backup(INSTANCE_ID, "backup-4f57", "")
            await api.wait(created.job_id or "", interval=0.05, on_progress=report)

    asyncio.run(main())
    assert seen[0] == "Running" and seen[-1] == "Completed"


def test_a_server_clock_follows_the_servers_date_and_never_goes_back() -> None:
    from email.utils import formatdate

    from geminidb_backup.timing import ServerClock

    clock = ServerClock()
    assert not clock.synced
    ahead = time.time() + 86_400  # a laptop a day behind the server
    clock.observe(formatdate(ahead, usegmt=True))
    assert clock.synced and clock() == pytest.approx(ahead, abs=2)
    seen = clock()
    clock.observe(formatdate(ahead - 3600, usegmt=True))  # a Date behind: ignored
    assert clock() >= seen
    clock.observe(formatdate(ahead + 7200, usegmt=True))  # a jump ahead (an emulator's)
    assert clock() == pytest.approx(ahead + 7200, abs=2)
    clock.observe("not a date")
    assert clock() == pytest.approx(ahead + 7200, abs=2)


def test_a_plain_callable_clock_ages_backups_for_prune(fake_api: FakeServer) -> None:
    fake_api.state.backup_seconds = 0
    with client(fake_api) as api:
        api.create_backup(INSTANCE_ID, "old-01", "")
    later = time.time() + 40 * 86_400
    with client(fake_api, clock=lambda: later) as api:
        plan = api.plan_prune(INSTANCE_ID, older_than=timedelta(days=30), prefix="old-")
        assert [backup.name for backup in plan.to_delete] == ["old-01"]
        assert api.now().timestamp() == pytest.approx(later, abs=1e-3)
