"""geminidb_backup.testing: the emulator users put in their own tests. Clients in-process (sync,
async, generated) and over loopback (from_env, the CLI); failing jobs seen as JobFailed and exit
4; retries after drops; isolation, persistence; the opt-in pytest plugin; the ImportError that
names the extra to install."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from conftest import run_pytest_file
from geminidb_backup import BackupClient, JobFailed, TransportError
from geminidb_backup.cli import main
from geminidb_backup.testing import Emulator
from geminidb_backup_client.api.backups import create_backup, list_backups
from geminidb_backup_client.api.jobs import list_jobs
from geminidb_backup_client.models import (
    CreateBackupRequest,
    CreateBackupResponse,
    ListBackupsResponse,
    ListJobsResponse,
)


def test_a_backup_completes_when_the_clock_is_advanced_with_no_sleeping() -> None:
    with Emulator(backup_seconds=300) as emulator, emulator.client() as client:
        created = client.create_backup(emulator.instance_id, "nightly-01", "before upgrade")
        assert client.get_job(created.job_id).status == "Running"
        assert client.get_backup(created.backup_id).status == "BUILDING"
        emulator.advance(150)
        assert client.get_job(created.job_id).progress == "50%"
        emulator.advance(150)
        assert client.wait(created.job_id, timeout=1).status == "Completed"
        (seen,) = [b for b in emulator.backups() if b.type_ == "Manual"]
        assert (seen.id, seen.status) == (created.backup_id, "COMPLETED")
        assert [job.id for job in emulator.jobs()] == [created.job_id]


def test_wait_raises_job_failed_with_the_reason() -> None:
    with Emulator() as emulator, emulator.client() as client:
        emulator.fail_next_backup("Insufficient disk space on node 2.")
        created = client.create_backup(emulator.instance_id, "nightly-01")
        with pytest.raises(JobFailed) as failed:
            client.wait(created.job_id, timeout=1)
        assert failed.value.fail_reason == "Insufficient disk space on node 2."
        assert "Insufficient disk space" in str(failed.value)
        assert client.get_backup(created.backup_id).status == "FAILED"
        # Only the next one failed.
        again = client.create_backup(emulator.instance_id, "nightly-02")
        assert client.wait(again.job_id, timeout=1).status == "Completed"


def test_the_async_client_in_process() -> None:
    async def scenario(emulator: Emulator) -> None:
        emulator.fail_every_backup(emulator.instance_id, "instance abnormal")
        async with emulator.async_client() as client:
            created = await client.create_backup(emulator.instance_id, "nightly-01")
            with pytest.raises(JobFailed, match="instance abnormal"):
                await client.wait(created.job_id, timeout=1)
            emulator.fail_every_backup(emulator.instance_id, None)
            again = await client.create_backup(emulator.instance_id, "nightly-02")
            assert (await client.wait(again.job_id, timeout=1)).status == "Completed"

    with Emulator() as emulator:
        asyncio.run(scenario(emulator))


def test_the_generated_client_used_directly_sync_and_async() -> None:
    with Emulator(backup_seconds=60) as emulator:
        client = emulator.generated_client()
        created = create_backup.sync(
            emulator.project_id,
            emulator.instance_id,
            client=client,
            body=CreateBackupRequest(name="gen-0001", description=""),
        )
        assert isinstance(created, CreateBackupResponse)
        emulator.advance(60)
        jobs = list_jobs.sync(emulator.project_id, client=client, id=created.job_id)
        assert isinstance(jobs, ListJobsResponse) and jobs.jobs[0].status == "Completed"

        async def count() -> int:
            page = await list_backups.asyncio(emulator.project_id, client=client)
            assert isinstance(page, ListBackupsResponse)
            return page.total_count

        assert asyncio.run(count()) == 2  # the automated backup and ours


def test_a_busy_instance_refuses_then_accepts() -> None:
    with Emulator() as emulator, emulator.client() as client:
        emulator.make_busy(seconds=600)
        with pytest.raises(Exception, match="DBS.200019"):
            client.create_backup(emulator.instance_id, "nightly-01")
        emulator.advance(600)
        client.create_backup(emulator.instance_id, "nightly-01")


def test_a_retry_after_a_drop() -> None:
    with Emulator() as emulator, emulator.client() as client:
        emulator.arm_fault("drop", operation="listBackups")
        assert len(client.list_backups()) == 1  # dropped once, retried (a read is idempotent)
        emulator.arm_fault("drop-after-commit", operation="createBackup")
        created = client.create_backup(emulator.instance_id, "nightly-01")
        assert created.recovered  # the answer was lost; the backup was found by its name
        manual = [b for b in emulator.backups() if b.type_ == "Manual"]
        assert [b.id for b in manual] == [created.backup_id]  # one backup, not two


def test_a_drop_without_retries_is_a_transport_error() -> None:
    with Emulator() as emulator:
        from geminidb_backup import RetryPolicy

        with emulator.client(retry=RetryPolicy(attempts=1)) as client:
            emulator.arm_fault("drop")
            with pytest.raises(TransportError, match="RemoteProtocolError"):
                client.list_backups()


def test_code_that_builds_its_client_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Emulator(backup_seconds=30) as emulator:
        for name in list(os.environ):
            if name.startswith(("GEMINIDB_", "OS_")):
                monkeypatch.delenv(name)
        for name, value in emulator.environ().items():
            monkeypatch.setenv(name, value)
        assert emulator.url.startswith("http://127.0.0.1:")
        with BackupClient.from_env() as client:
            created = client.create_backup(emulator.instance_id, "from-env-01")
            emulator.advance(30)
            assert client.wait(created.job_id, timeout=5, interval=0.01).status == "Completed"
        # The loopback drops for real: the connection closes with no answer.
        emulator.arm_fault("drop")
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(f"{emulator.url}/v4/{emulator.project_id}/backups")


def _cli(emulator: Emulator, *args: str) -> tuple[int, str]:
    cleared: dict[str, str | None] = {
        name: None for name in os.environ if name.startswith(("GEMINIDB_", "OS_"))
    }
    result = CliRunner().invoke(
        main, ["--output", "json", *args], env={**cleared, **emulator.environ()}
    )
    return result.exit_code, result.output


def test_the_cli_exits_4_when_the_job_fails() -> None:
    with Emulator() as emulator:
        emulator.fail_next_backup("Backup agent not responding.")
        code, output = _cli(emulator, "create", "-i", emulator.instance_id, "-n", "cli-0001",
                            "--wait", "--interval", "0.1")  # fmt: skip
        assert code == 4, output
        assert "Backup agent not responding." in output

        emulator.fail_next_backup("Backup agent not responding.")
        code, output = _cli(emulator, "create", "-i", emulator.instance_id, "-n", "cli-0002")
        assert code == 0, output
        (job,) = [j for j in emulator.jobs() if j.status == "Failed" and j.id in output]
        code, output = _cli(emulator, "wait", job.id, "--interval", "0.1")
        assert code == 4, output
        assert '"fail_reason": "Backup agent not responding."' in output


def test_each_emulator_has_its_own_state() -> None:
    with Emulator() as first, Emulator() as second:
        with first.client() as client:
            client.create_backup(first.instance_id, "only-in-first")
        assert [b.name for b in first.backups() if b.type_ == "Manual"] == ["only-in-first"]
        assert [b.type_ for b in second.backups()] == ["Auto"]
        assert first.token != second.token


def test_state_persists_in_a_file_with_the_clock_not_behind_it(tmp_path: Path) -> None:
    path = tmp_path / "emulator.sqlite3"
    with Emulator(path=path, backup_seconds=3600) as emulator, emulator.client() as client:
        created = client.create_backup(emulator.instance_id, "kept-0001")
        emulator.advance(10 * 86_400)
        later = emulator.now()
    with Emulator(path=path, backup_seconds=3600) as reopened:
        assert reopened.now() >= later
        (kept,) = [b for b in reopened.backups() if b.type_ == "Manual"]
        assert (kept.id, kept.status) == (created.backup_id, "COMPLETED")


def test_control_calls_while_the_loopback_server_runs() -> None:
    with Emulator(backup_seconds=10) as emulator:
        url = emulator.serve()
        headers = {"X-Auth-Token": emulator.token}
        path = f"{url}/v3/{emulator.project_id}/instances/{emulator.instance_id}/backups"
        with httpx.Client(headers=headers) as http:
            created = http.post(path, json={"name": "loop-0001", "description": ""}).json()
            emulator.advance(10)
            jobs = http.get(f"{url}/v3/{emulator.project_id}/jobs",
                            params={"id": created["job_id"]}).json()  # fmt: skip
        assert jobs["jobs"][0]["status"] == "Completed"
        assert emulator.url == url  # one server per emulator


def test_the_token_stays_out_of_the_repr() -> None:
    with Emulator() as emulator:
        assert emulator.token not in repr(emulator)


def test_a_closed_emulator_says_so() -> None:
    emulator = Emulator()
    emulator.close()
    emulator.close()  # twice is harmless
    with pytest.raises(RuntimeError, match="closed"):
        emulator.client()
    with pytest.raises(RuntimeError, match="closed"):
        emulator.advance(1)


def test_the_plugin_gives_each_test_a_fresh_emulator(tmp_path: Path) -> None:
    result = run_pytest_file(
        tmp_path,
        """
        import pytest
        from geminidb_backup import BackupClient

        pytest_plugins = ["geminidb_backup.testing.pytest_plugin"]

        @pytest.mark.parametrize("run", [1, 2])
        def test_same_name_twice(geminidb_client, geminidb, run):
            # A second test would meet DBS.201201 if the state were shared.
            geminidb_client.create_backup(geminidb.instance_id, "nightly-01")

        @pytest.mark.geminidb(backup_seconds=120)
        def test_marker_options(geminidb_client, geminidb):
            created = geminidb_client.create_backup(geminidb.instance_id, "nightly-01")
            assert geminidb_client.get_job(created.job_id).status == "Running"
            geminidb.advance(120)
            assert geminidb_client.get_job(created.job_id).status == "Completed"

        def test_env(geminidb_env, geminidb):
            with BackupClient.from_env() as client:
                assert client.endpoint == geminidb.url
                assert len(client.list_backups()) == 1
        """,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout


def test_the_plugin_is_opt_in(tmp_path: Path) -> None:
    assert not [ep for ep in entry_points(group="pytest11") if "geminidb" in ep.value]
    result = run_pytest_file(tmp_path, "def test_x(geminidb):\n    pass\n")
    assert result.returncode != 0
    assert "fixture 'geminidb' not found" in result.stdout


def test_without_the_server_extra_the_import_error_says_what_to_install() -> None:
    blocker = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'starlette':\n"
        "            raise ImportError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import geminidb_backup.testing\n"
    )
    result = subprocess.run([sys.executable, "-c", blocker], capture_output=True, text=True,
                            timeout=60, check=False)  # fmt: skip
    assert result.returncode != 0
    assert "pip install 'geminidb-backup[server]'" in result.stderr
    assert "starlette is missing" in result.stderr


def test_the_sync_client_works_inside_a_running_event_loop() -> None:
    # run_until_complete cannot run inside a running loop: the emulator moves to its own thread.
    async def scenario(emulator: Emulator) -> None:
        with emulator.client() as client:
            created = client.create_backup(emulator.instance_id, "inside-a-loop")
            emulator.advance(1)
            assert client.wait(created.job_id, timeout=1).status == "Completed"

    with Emulator() as emulator:
        asyncio.run(scenario(emulator))
        assert [b.name for b in emulator.backups() if b.type_ == "Manual"] == ["inside-a-loop"]


def test_the_async_client_recovers_after_a_drop_after_commit() -> None:
    async def scenario(emulator: Emulator) -> None:
        async with emulator.async_client() as client:
            emulator.arm_fault("drop-after-commit", operation="createBackup")
            created = await client.create_backup(emulator.instance_id, "async-drop-01")
            assert created.recovered
            emulator.arm_fault("503", 2, operation="listJobs")
            assert created.job_id is not None
            assert (await client.wait(created.job_id, timeout=1)).status == "Completed"

    with Emulator() as emulator:
        asyncio.run(scenario(emulator))
        assert len([b for b in emulator.backups() if b.type_ == "Manual"]) == 1


def test_bad_emulator_options_are_refused_clearly() -> None:
    with pytest.raises(ValueError, match="PROJECT_ID/INSTANCE_ID"):
        Emulator(instances=["no-slash"])
    with pytest.raises(ValueError, match="at least one instance"):
        Emulator(instances=[])
    with Emulator() as emulator:
        with pytest.raises(ValueError, match="status must be one of"):
            emulator.set_instance_status(emulator.instance_id, "sleepy")
        with pytest.raises(ValueError, match="fault must be one of"):
            emulator.arm_fault("404")
