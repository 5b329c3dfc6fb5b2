"""The fleet engine (geminidb_backup.fleet) on the emulator: bounded concurrency, throttling with
and without Retry-After, busy instances, per-instance failures in JSON and JUnit, and a run cut
halfway then resumed from its journal without a second backup.

Time: the emulator's clock is frozen, so the engine and its pace are given the emulator's clock
and a sleep that moves it (virtual time: nothing here sleeps for real)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from geminidb_backup.errors import ValidationError
from geminidb_backup.fleet import AsyncFleet, Fleet, FleetProgress, Outcome, Target, select
from geminidb_backup.fleet_journal import RunJournal
from geminidb_backup.testing import Emulator
from geminidb_backup.throttle import AdaptiveRate


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(instances=12) as emulator:
        yield emulator


def virtual(emulator: Emulator, **pace: Any) -> dict[str, Any]:
    """The clock, sleep and pace options of a fleet that runs on the emulator's clock."""

    async def sleep(seconds: float) -> None:
        emulator.advance(seconds)

    return {
        "clock": emulator.now,
        "sleep": sleep,
        "pace": AdaptiveRate(clock=emulator.now, sleep=sleep, **pace),
    }


def manual_names(emulator: Emulator) -> Counter[tuple[str, str]]:
    return Counter((b.instance_id, b.name) for b in emulator.backups() if b.type_ == "Manual")


def run_create(emulator: Emulator, instances: list[str], name: str, **options: Any) -> Any:
    async def main() -> Any:
        async with emulator.async_client() as client:
            fleet = AsyncFleet(client, **{**virtual(emulator), **options})
            return await fleet.create_backups(instances, name, "nightly")

    return asyncio.run(main())


def ids(emulator: Emulator) -> list[str]:
    return [instance.id for instance in emulator.instances()]


def test_one_backup_per_instance_at_bounded_concurrency(emulator: Emulator) -> None:
    seen: list[int] = []

    def on_progress(progress: FleetProgress, outcome: Outcome | None) -> None:
        seen.append(progress.in_flight)

    report = run_create(emulator, ids(emulator), "nightly-01", concurrency=3,
                        on_progress=on_progress)  # fmt: skip
    assert report.ok and report.counts == {"succeeded": 12, "failed": 0, "skipped": 0}
    assert max(seen) == 3
    assert manual_names(emulator) == Counter((i, "nightly-01") for i in ids(emulator))
    by_id = {b.id for b in emulator.backups()}
    assert all(o.details["backup_id"] in by_id for o in report.outcomes)
    assert [o.instance_id for o in report.outcomes] == ids(emulator)  # the order given


def test_the_sync_facade_runs_the_same_engine(emulator: Emulator) -> None:
    with emulator.client() as client:
        report = Fleet(client, concurrency=4).create_backups(ids(emulator)[:5], "nightly-02")
    assert report.counts["succeeded"] == 5
    assert len(manual_names(emulator)) == 5


@pytest.mark.parametrize("retry_after", [None, 2])
def test_a_throttled_fleet_finishes_without_a_duplicate(retry_after: int | None) -> None:
    with Emulator(instances=30, rate_limit="5/s", retry_after_seconds=retry_after) as emulator:
        started = emulator.now()
        report = run_create(emulator, ids(emulator), "nightly-03", concurrency=8, timeout=3600)
        elapsed = emulator.now() - started
        assert report.ok, [o for o in report.outcomes if o.status == "failed"]
        assert manual_names(emulator) == Counter((i, "nightly-03") for i in ids(emulator))
        refused = emulator.state()["rate_limit"]["refused"]
        assert refused > 0 and report.throttled == refused
        assert sum(o.throttled for o in report.outcomes) == refused
        # 30 requests at 5/s after a burst of 5: at least 5 s on the server's clock.
        assert elapsed >= 5.0


def test_retry_after_is_honoured() -> None:
    with Emulator(instances=2, rate_limit="1/min", retry_after_seconds=7) as emulator:
        waits: list[float] = []
        options = virtual(emulator)
        sleep = options["sleep"]

        async def noting(seconds: float) -> None:
            waits.append(seconds)
            await sleep(seconds)

        options["sleep"] = options["pace"].sleep = noting
        report = run_create(emulator, ids(emulator), "nightly-04", **options)
        assert report.ok
        # The second create is refused until the minute's token is back, each time told to wait
        # 7 s; the other sleeps are the pace's, learnt meanwhile (at most its minimum's 2 s).
        throttled = report.outcomes[1].throttled
        assert throttled >= 8 and waits.count(7.0) == throttled
        assert all(wait == 7.0 or wait <= 2.0 for wait in waits)
        assert len(manual_names(emulator)) == 2


def test_throttled_past_the_run_timeout_fails_with_the_service_code() -> None:
    with Emulator(instances=3, rate_limit="1/min", retry_after_seconds=None) as emulator:
        report = run_create(emulator, ids(emulator), "nightly-05", timeout=20, concurrency=1)
        assert [o.status for o in report.outcomes] == ["succeeded", "failed", "failed"]
        failed = report.outcomes[1]
        assert failed.code == "DBS.280443" and failed.throttled >= 1
        assert "maximum number of connections" in failed.message
        assert len(manual_names(emulator)) == 1


def test_busy_instances_are_tried_again_within_the_timeout(emulator: Emulator) -> None:
    first, second, third = ids(emulator)[:3]
    emulator.make_busy(first, seconds=40)
    emulator.make_busy(second, seconds=10_000)
    report = run_create(emulator, [first, second, third], "nightly-06", timeout=600)
    outcomes = {o.instance_id: o for o in report.outcomes}
    assert outcomes[first].status == "succeeded" and outcomes[first].busy >= 1
    assert outcomes[second].status == "failed" and outcomes[second].code == "DBS.200019"
    assert outcomes[third].status == "succeeded" and outcomes[third].busy == 0
    assert not report.ok


def test_failures_are_reported_per_instance_in_json_and_junit(emulator: Emulator) -> None:
    frozen = ids(emulator)[1]
    emulator.set_instance_status(frozen, "frozen")
    targets = [Target(i.id, i.name) for i in emulator.instances()[:3]]
    report = run_create(emulator, targets, "nightly-07")
    data = json.loads(json.dumps(report.to_dict()))
    assert data["counts"] == {"succeeded": 2, "failed": 1, "skipped": 0}
    failed = [entry for entry in data["instances"] if entry["status"] == "failed"]
    assert failed[0]["instance_id"] == frozen and failed[0]["code"] == "DBS.201000"
    assert failed[0]["message"]
    suite = ET.fromstring(report.to_junit()).find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("3", "1")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [f"{t.name} ({t.id})" for t in targets]
    failure = cases[1].find("failure")
    assert failure is not None and failure.get("type") == "DBS.201000"
    assert cases[0].find("failure") is None and cases[2].find("failure") is None


def test_a_dry_run_sends_nothing(emulator: Emulator) -> None:
    async def main() -> Any:
        async with emulator.async_client() as client:
            return await AsyncFleet(client).create_backups(ids(emulator), "x-dry", dry_run=True)

    report = asyncio.run(main())
    assert report.dry_run and report.counts["skipped"] == 12
    assert not manual_names(emulator) and not emulator.jobs()


def test_select_filters_names_with_a_glob() -> None:
    targets = [Target("1", "cassandra-0001"), Target("2", "mongo-1"), Target("3", "cassandra-x")]
    assert [t.id for t in select(targets, "cassandra-*")] == ["1", "3"]
    assert select(targets, None) == targets


class Cut(Exception):
    """Stands for a crash or Ctrl-C halfway through a run."""


def test_a_run_cut_halfway_is_finished_by_the_next_without_a_second_backup(
    emulator: Emulator, tmp_path: Path
) -> None:
    parameters = {"operation": "create", "name": "nightly-{now:%H%M%S}", "instances": "all"}
    names = iter(["nightly-235959", "nightly-000100"])  # what the template gives at each start

    def open_journal() -> RunJournal:
        return RunJournal.open(parameters, lambda: {"name": next(names)}, directory=tmp_path)

    def cut_after_five(progress: FleetProgress, outcome: Outcome | None) -> None:
        if progress.done == 5:
            raise Cut

    journal = open_journal()
    assert not journal.resumed and journal.header["name"] == "nightly-235959"
    with pytest.raises(Cut):
        run_create(emulator, ids(emulator), journal.header["name"], concurrency=2,
                   journal=journal, on_progress=cut_after_five)  # fmt: skip
    journal.close(finished=False)
    done_before = journal.done  # 5, or 6 when the other worker's answer came in the meantime
    assert 5 <= done_before <= 6
    first_part = manual_names(emulator)
    assert 5 <= len(first_part) < 12
    # A create sent just before the crash, whose outcome was never written.
    sent_only = next(i for i in ids(emulator) if (i, "nightly-235959") not in first_part)
    with emulator.client() as client:
        client.create_backup(sent_only, "nightly-235959", "nightly")
    journal = RunJournal.open(parameters, lambda: {"name": "unused"}, directory=tmp_path)
    journal.note_sent(sent_only)
    journal.close(finished=False)

    resumed = open_journal()
    assert resumed.resumed and resumed.header["name"] == "nightly-235959"
    report = run_create(emulator, ids(emulator), resumed.header["name"], journal=resumed)
    resumed.close(finished=report.ok)
    assert report.ok
    assert manual_names(emulator) == Counter((i, "nightly-235959") for i in ids(emulator))
    outcomes = {o.instance_id: o for o in report.outcomes}
    assert sum(o.earlier for o in report.outcomes) == done_before
    assert outcomes[sent_only].details["recovered"] is True
    # Finished: the next run with the same key starts anew, with a new name.
    fresh = open_journal()
    assert not fresh.resumed and fresh.header["name"] == "nightly-000100"


def test_an_old_unfinished_run_is_not_resumed(tmp_path: Path) -> None:
    journal = RunJournal.open({"k": 1}, lambda: {"name": "a"}, directory=tmp_path, now=1000.0)
    journal.close(finished=False)
    again = RunJournal.open({"k": 1}, lambda: {"name": "b"}, directory=tmp_path, now=1000.0 + 60)
    assert again.resumed and again.header["name"] == "a"
    again.close(finished=False)
    later = RunJournal.open({"k": 1}, lambda: {"name": "c"}, directory=tmp_path,
                            now=1000.0 + 13 * 3600)  # fmt: skip
    assert not later.resumed and later.header["name"] == "c"
    later.close(finished=False)


def test_a_torn_journal_line_is_ignored(tmp_path: Path) -> None:
    journal = RunJournal.open({"k": 2}, lambda: {"name": "a"}, directory=tmp_path)
    journal.record(Outcome("i-1", "one", "succeeded"))
    journal.close(finished=False)
    with journal.path.open("a") as file:
        file.write('{"outcome": {"instance_id": "i-2", "sta')  # a crash mid-line
    again = RunJournal.open({"k": 2}, lambda: {"name": "b"}, directory=tmp_path)
    assert again.resumed and again.outcome_of("i-1") is not None
    assert again.outcome_of("i-2") is None
    again.close(finished=False)


def test_a_bad_name_is_refused_once_before_anything_is_sent(emulator: Emulator) -> None:
    with pytest.raises(ValidationError, match="at least 4 characters"):
        run_create(emulator, ids(emulator), "ab")
    assert not emulator.jobs()


@pytest.mark.parametrize("retry_after", [None, 1])
def test_on_the_emulator_s_virtual_time_a_throttled_fleet_takes_no_real_time(
    retry_after: int | None,
) -> None:
    import time

    with Emulator(instances=40, rate_limit="10/s", retry_after_seconds=retry_after) as emulator:
        started, began = emulator.now(), time.monotonic()
        with emulator.client() as client:  # the sync face; the emulator's clock throughout
            report = Fleet(client, concurrency=8).create_backups(ids(emulator), "nightly-09")
        assert report.ok and report.throttled > 0
        assert manual_names(emulator) == Counter((i, "nightly-09") for i in ids(emulator))
        assert emulator.now() - started >= 3.0  # 40 creates at 10/s after a burst of 10
        assert time.monotonic() - began < emulator.now() - started  # slept in virtual time


def test_the_rate_limit_is_part_of_a_snapshot() -> None:
    with Emulator(instances=2, rate_limit="2/min") as emulator:
        saved = emulator.snapshot()
        http = emulator.generated_client().get_httpx_client()
        path = f"/v3/{emulator.project_id}/jobs"
        assert [http.get(path).status_code for _ in range(3)] == [200, 200, 429]
        emulator.restore_snapshot(saved)
        assert emulator.state()["rate_limit"]["refused"] == 0
        assert http.get(path).status_code == 200  # the bucket is full again


def test_with_wait_each_instance_is_settled_by_its_job() -> None:
    with Emulator(instances=6, backup_seconds=600) as emulator:
        failing = ids(emulator)[2]
        emulator.fail_every_backup(failing, "disk full")
        started = emulator.now()
        with emulator.client() as client:
            report = Fleet(client).create_backups(ids(emulator), "nightly-10", wait=True)
        outcomes = {o.instance_id: o for o in report.outcomes}
        assert outcomes[failing].status == "failed" and outcomes[failing].code == "job-failed"
        assert outcomes[failing].message == "disk full"
        done = [o for o in report.outcomes if o.status == "succeeded"]
        assert len(done) == 5 and all(o.details["job_status"] == "Completed" for o in done)
        assert emulator.now() - started >= 600  # in virtual time: no real wait


def test_jobs_still_running_at_the_timeout_fail_the_instance() -> None:
    with Emulator(instances=2, backup_seconds=3600) as emulator, emulator.client() as client:
        report = Fleet(client, timeout=600).create_backups(ids(emulator), "nightly-11", wait=True)
        assert [o.code for o in report.outcomes] == ["timeout", "timeout"]
        assert all("still Running" in o.message for o in report.outcomes)


def test_a_fleet_drill_reports_each_instance(emulator: Emulator) -> None:
    drilled, no_backup = ids(emulator)[:2], "f" * 32 + "in06"  # an instance that does not exist
    with emulator.client() as client:
        for instance_id in drilled:
            client.create_backup(instance_id, "drill-source")
        report = Fleet(client, concurrency=2).drill([*drilled, no_backup], interval=1)
        listed = [instance.name for instance in client.list_instances()]
    outcomes = {o.instance_id: o for o in report.outcomes}
    assert all(outcomes[i].status == "succeeded" for i in drilled)
    assert all(outcomes[i].details["cleaned"] for i in drilled)
    assert outcomes[no_backup].status == "failed" and outcomes[no_backup].code == "drill-failed"
    assert outcomes[no_backup].message
    assert not [name for name in listed if name.startswith("drill-")]  # all deleted again
