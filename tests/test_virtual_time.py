"""Issue 19: the emulator's clock is the test's clock, everywhere. A client of the emulator waits
in virtual time (the clock jumps instead of the test sleeping), the library reads "now" from its
client's clock (prune's ages, name templates), the loopback server and the CLI follow the
emulator's time (its ``Date``), seeded IDs repeat, snapshots bring the whole state back, and the
pytest plugin works from a test module under ``-W error --strict-markers``.

The scenarios run in a thread joined with a generous real-time limit: on code without virtual
time they would sleep for the job's whole duration, and the limit turns that into a failure
instead of a hung run (it measures nothing: speed is never asserted here)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from conftest import run_pytest_file
from geminidb_backup import BackupClient, JobFailed, WaitTimeout
from geminidb_backup.cli import main
from geminidb_backup.testing import Emulator

GUARD_SECONDS = 120.0
DAY = 86_400


def within_guard(scenario: Callable[[], Any]) -> Any:
    """``scenario()``'s result, run in a thread; a failure if it has not ended after
    GUARD_SECONDS of real time (it would have slept in real time)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = scenario()
        except BaseException as error:  # noqa: BLE001 - handed to the test
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(GUARD_SECONDS)
    if thread.is_alive():
        pytest.fail(f"still waiting after {GUARD_SECONDS:g} s of real time: no virtual time")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


def test_wait_on_a_600_second_backup_returns_completed_with_the_clock_moved() -> None:
    def scenario() -> None:
        with Emulator(backup_seconds=600) as emulator, emulator.client() as client:
            start = emulator.now()
            created = client.create_backup(emulator.instance_id, "nightly-01")
            assert created.job_id is not None
            job = client.wait(created.job_id, timeout=3600)
            assert job.status == "Completed"
            assert 600 <= emulator.now() - start <= 660  # the end seen within 10 %
            assert client.get_backup(created.backup_id).status == "COMPLETED"

    within_guard(scenario)


def test_wait_timeout_is_raised_in_virtual_time() -> None:
    def scenario() -> None:
        with Emulator(backup_seconds=600) as emulator, emulator.client() as client:
            start = emulator.now()
            created = client.create_backup(emulator.instance_id, "nightly-01")
            assert created.job_id is not None
            with pytest.raises(WaitTimeout) as raised:
                client.wait(created.job_id, timeout=5)
            assert raised.value.job.status == "Running"
            assert emulator.now() - start == pytest.approx(5, abs=1)

    within_guard(scenario)


def test_async_waits_run_side_by_side_and_do_not_add_their_sleeps() -> None:
    async def scenario() -> None:
        with Emulator(backup_seconds=600) as emulator:
            second = emulator.add_instance(name="second")
            async with emulator.async_client() as client:
                start = emulator.now()
                a = await client.create_backup(emulator.instance_id, "nightly-a")
                b = await client.create_backup(second.id, "nightly-b")
                assert a.job_id is not None and b.job_id is not None
                jobs = await asyncio.gather(
                    client.wait(a.job_id, timeout=3600), client.wait(b.job_id, timeout=3600)
                )
                assert [job.status for job in jobs] == ["Completed", "Completed"]
                # Both waited the same 600 s of the clock: not 1,200 s one after the other.
                assert 600 <= emulator.now() - start <= 700

    within_guard(lambda: asyncio.run(scenario()))


def test_async_waits_wake_at_the_earliest_moment_first() -> None:
    async def scenario() -> None:
        with Emulator(backup_seconds=300) as emulator:
            slow = emulator.add_instance(name="slow")
            async with emulator.async_client() as client:
                start = emulator.now()
                short = await client.create_backup(emulator.instance_id, "short-01")
                ended: dict[str, float] = {}

                async def wait(name: str, job_id: str | None) -> None:
                    assert job_id is not None
                    await client.wait(job_id, timeout=7200)
                    ended[name] = emulator.now() - start

                emulator.advance(200)  # the short job has 100 s left
                long = await client.create_backup(slow.id, "long-01")  # 300 s from now
                await asyncio.gather(wait("long", long.job_id), wait("short", short.job_id))
                assert 300 <= ended["short"] <= 330  # woken first, near its own end
                assert 500 <= ended["long"] <= 560

    within_guard(lambda: asyncio.run(scenario()))


def test_two_sync_threads_waiting_each_see_their_own_job_end() -> None:
    def scenario() -> None:
        with Emulator(backup_seconds=100) as emulator:
            second = emulator.add_instance(name="second")
            emulator.set_instance_status(second.id, "normal")
            ends: dict[str, float] = {}
            with emulator.client() as one, emulator.client() as two:
                a = one.create_backup(emulator.instance_id, "a-01")
                emulator.advance(200)
                b = two.create_backup(second.id, "b-01")
                start = emulator.now()

                def wait(client: BackupClient, job_id: str | None, key: str) -> None:
                    assert job_id is not None
                    client.wait(job_id, timeout=3600)
                    ends[key] = emulator.now()

                threads = [
                    threading.Thread(target=wait, args=(one, a.job_id, "a")),
                    threading.Thread(target=wait, args=(two, b.job_id, "b")),
                ]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
            assert ends["b"] - start <= 120

    within_guard(scenario)


def test_retry_back_off_and_retry_after_move_the_virtual_clock() -> None:
    def scenario() -> None:
        with Emulator(retry_after_seconds=10) as emulator, emulator.client() as client:
            emulator.arm_fault("429", 2, operation="listBackups")
            start = emulator.now()
            client.list_backups()
            assert emulator.now() - start == pytest.approx(20, abs=1)  # two Retry-After: 10

    within_guard(scenario)


def test_a_failing_long_backup_raises_job_failed_at_once() -> None:
    def scenario() -> None:
        with Emulator(backup_seconds=3600) as emulator, emulator.client() as client:
            emulator.fail_next_backup("Insufficient disk space on node 2.")
            created = client.create_backup(emulator.instance_id, "nightly-01")
            assert created.job_id is not None
            with pytest.raises(JobFailed):
                client.wait(created.job_id, timeout=7200)

    within_guard(scenario)


def test_autojump_off_keeps_the_clock_frozen_and_wait_counts_real_seconds() -> None:
    with Emulator(backup_seconds=600, autojump=False) as emulator, emulator.client() as client:
        start = emulator.now()
        created = client.create_backup(emulator.instance_id, "nightly-01")
        assert created.job_id is not None
        with pytest.raises(WaitTimeout):
            client.wait(created.job_id, timeout=0.05, interval=0.01)
        assert emulator.now() == start
        emulator.advance(600)
        assert client.wait(created.job_id, timeout=1).status == "Completed"


# One notion of "now".


def old_manual_backup(emulator: Emulator, client: BackupClient) -> str:
    created = client.create_backup(emulator.instance_id, "weekly-old")
    emulator.advance(40 * DAY)
    return created.backup_id


def test_prune_after_advance_deletes_by_the_emulators_clock() -> None:
    def scenario() -> None:
        with Emulator(backup_seconds=60) as emulator, emulator.client() as client:
            old = old_manual_backup(emulator, client)
            young = client.create_backup(emulator.instance_id, "weekly-new")
            plan = client.plan_prune(emulator.instance_id, older_than=timedelta(days=30))
            assert [b.id for b in plan.to_delete] == [old]
            result = client.prune(emulator.instance_id, older_than=timedelta(days=30))
            assert [p.backup.id for p in result.deleted] == [old]
            left = {b.id for b in emulator.backups() if b.type_ == "Manual"}
            assert left == {young.backup_id}

    within_guard(scenario)


def test_ten_nights_of_backups_with_a_name_template() -> None:
    def scenario() -> None:
        with Emulator(backup_seconds=600) as emulator, emulator.client() as client:
            names = []
            for _ in range(10):
                name = client.expand_name("nightly-{now:%Y%m%d}")
                created = client.create_backup(emulator.instance_id, name)
                assert created.job_id is not None
                client.wait(created.job_id)
                names.append(name)
                emulator.advance(DAY)
            assert len(set(names)) == 10
            day = datetime.fromtimestamp(emulator.now() - 10 * DAY, UTC)
            assert names[0] == f"nightly-{day:%Y%m%d}"

    within_guard(scenario)


def test_the_loopback_server_sends_the_emulators_time_in_date() -> None:
    with Emulator() as emulator:
        emulator.advance(40 * DAY)
        response = httpx.get(
            f"{emulator.url}/v3/{emulator.project_id}/jobs",
            headers={"X-Auth-Token": emulator.token},
        )
        sent = parsedate_to_datetime(response.headers["Date"]).timestamp()
        assert sent == pytest.approx(emulator.now(), abs=1)


def test_from_env_clients_take_now_from_the_servers_date(monkeypatch: pytest.MonkeyPatch) -> None:
    with Emulator() as emulator:
        emulator.advance(40 * DAY)
        for name, value in emulator.environ().items():
            monkeypatch.setenv(name, value)
        with BackupClient.from_env() as client:
            client.list_backups()
            assert client.clock() == pytest.approx(emulator.now(), abs=2)
            assert client.expand_name("n-{now:%Y%m%d}") == (
                f"n-{datetime.fromtimestamp(emulator.now(), UTC):%Y%m%d}"
            )


def cli(emulator: Emulator, *args: str) -> Any:
    return CliRunner().invoke(main, list(args), env=emulator.environ(), catch_exceptions=False)


def test_the_clis_prune_after_advance_deletes_the_old_backup_over_loopback() -> None:
    def scenario() -> None:
        with Emulator(backup_seconds=60) as emulator, emulator.client() as client:
            old = old_manual_backup(emulator, client)
            result = cli(emulator, "prune", "-i", emulator.instance_id, "--older-than", "30d",
                         "--yes")  # fmt: skip
            assert result.exit_code == 0, result.output
            assert old not in {b.id for b in emulator.backups()}

    within_guard(scenario)


def test_the_clis_create_wait_on_a_one_hour_backup_returns_at_once() -> None:
    def scenario() -> None:
        with Emulator(backup_seconds=3600) as emulator:
            start = emulator.now()
            result = cli(emulator, "create", "-i", emulator.instance_id, "--name",
                         "nightly-{now:%Y%m%d}", "--wait", "--timeout", "7200",
                         "-o", "json")  # fmt: skip
            assert result.exit_code == 0, result.output
            assert '"COMPLETED"' in result.output
            assert 3600 <= emulator.now() - start <= 3601
            day = datetime.fromtimestamp(start, UTC)
            assert f"nightly-{day:%Y%m%d}" in result.output

    within_guard(scenario)


def test_the_clis_wait_times_out_at_once_in_the_emulators_time() -> None:
    def scenario() -> None:
        with Emulator(backup_seconds=3600) as emulator, emulator.client() as client:
            created = client.create_backup(emulator.instance_id, "nightly-01")
            assert created.job_id is not None
            start = emulator.now()
            result = cli(emulator, "wait", created.job_id, "--timeout", "600")
            assert result.exit_code == 4, result.output
            assert emulator.now() - start == pytest.approx(600, abs=1)

    within_guard(scenario)


def test_a_cli_look_at_a_job_does_not_move_the_clock() -> None:
    with Emulator(backup_seconds=3600) as emulator, emulator.client() as client:
        created = client.create_backup(emulator.instance_id, "nightly-01")
        assert created.job_id is not None
        result = cli(emulator, "jobs", "--id", created.job_id, "-o", "json")
        assert result.exit_code == 0 and '"Running"' in result.output


# Seeds and snapshots.


def made_ids(seed: int | None) -> list[str]:
    with Emulator(seed=seed, backup_seconds=0) as emulator, emulator.client() as client:
        ids = [emulator.add_instance().id]
        for night in range(3):
            created = client.create_backup(emulator.instance_id, f"nightly-{night}")
            ids += [created.backup_id, created.job_id or ""]
        return ids


def test_a_seed_makes_the_same_ids_in_the_same_order() -> None:
    assert made_ids(7) == made_ids(7)
    assert made_ids(7) != made_ids(8)
    assert made_ids(None) != made_ids(None)


def test_a_snapshot_brings_back_the_whole_state() -> None:
    with Emulator(backup_seconds=300, seed=1) as emulator, emulator.client() as client:
        client.create_backup(emulator.instance_id, "kept-01")
        emulator.fail_next_backup("disk full")
        emulator.arm_fault("503", 2, operation="listJobs")
        saved, state = emulator.snapshot(), emulator.state()
        next_ids = made_after(emulator, client)

        emulator.advance(3 * DAY)
        emulator.add_instance(name="extra")
        emulator.clear_failures()
        emulator.disarm_faults()
        emulator.restore_snapshot(saved)
        assert emulator.state() == state
        # The IDs' generator is part of it: the same calls make the same IDs again.
        assert made_after(emulator, client) == next_ids
        emulator.restore_snapshot(saved)  # as often as needed
        assert emulator.state() == state


def made_after(emulator: Emulator, client: BackupClient) -> list[str]:
    emulator.advance(600)
    emulator.disarm_faults()
    created = client.create_backup(emulator.instance_id, "later-01")
    return [created.backup_id, created.job_id or ""]


def test_a_snapshot_takes_parts_registered_by_other_features() -> None:
    settings = {"window": "01:00-02:00"}
    with Emulator() as emulator:
        emulator.register_snapshot_part(
            "policies", lambda: dict(settings), lambda saved: settings.update(saved)
        )
        saved = emulator.snapshot()
        settings["window"] = "05:00-06:00"
        emulator.restore_snapshot(saved)
        assert settings == {"window": "01:00-02:00"}
        with pytest.raises(ValueError, match="already has a part"):
            emulator.register_snapshot_part("policies", dict, print)


# The pytest plugin from a test module.


def test_the_plugin_from_a_test_module_runs_under_strict_markers_and_w_error(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_backups.py").write_text(
        "import pytest\n"
        "pytest_plugins = ['geminidb_backup.testing.pytest_plugin']\n"
        "\n"
        "@pytest.fixture\n"
        "def geminidb_options():\n"
        "    return {'backup_seconds': 3600, 'seed': 3}\n"
        "\n"
        "def test_long_backup(geminidb, geminidb_client):\n"
        "    created = geminidb_client.create_backup(geminidb.instance_id, 'nightly-01')\n"
        "    assert geminidb_client.get_job(created.job_id).status == 'Running'\n"
        "    assert geminidb_client.wait(created.job_id, timeout=7200).status == 'Completed'\n"
    )
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error",
         "--strict-markers", "test_backups.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert run_pytest_file is not None  # the helper other plugin tests use
