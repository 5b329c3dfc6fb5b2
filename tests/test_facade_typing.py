"""The facade's parameters are typed (issue 21, item 2): under ``mypy --strict`` a misspelt
option or filter, or a value outside the spec's enum, is an error, on both twins; at run time an
unknown keyword names the valid ones. Before, ``**kw: Any`` accepted all of them."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import pytest

from geminidb_backup import AsyncBackupClient, BackupClient

TYPOS = {
    "constructor": 'BackupClient("h", "p", verifyy=False)',
    "timeout": 'AsyncBackupClient("h", "p", timeot=3)',
    "filter": 'sync.list_backups(instanse_id="x")',
    "enum": 'sync.list_backups(backup_type="manual")',
    "job status": "sync.iter_jobs(status=42)",
    "async filter": 'asynchronous.iter_backups(typ="Instance")',
    "wait option": 'sync.wait("j", timout=3)',
}
CORRECT = [
    'BackupClient("h", "p", verify=False, timeout=3.0, clock=lambda: 0.0)',
    'sync.list_backups(instance_id="x", backup_type="Manual", type="Instance")',
    'sync.iter_jobs(status="Running")',
    'asynchronous.iter_backups(instance_id="x")',
]


def test_mypy_strict_rejects_each_typo_and_accepts_the_right_spelling(tmp_path: Path) -> None:
    lines = [
        "from geminidb_backup import AsyncBackupClient, BackupClient",
        'sync = BackupClient("h", "p")',
        'asynchronous = AsyncBackupClient("h", "p")',
    ]
    first_typo = len(lines) + 1
    lines += TYPOS.values()
    lines += CORRECT
    source = tmp_path / "snippet.py"
    source.write_text("\n".join(lines) + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir",
         str(tmp_path / ".mypy_cache"), str(source)],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    flagged = {int(n) for n in re.findall(r"snippet\.py:(\d+): error", result.stdout)}
    expected = set(range(first_typo, first_typo + len(TYPOS)))
    assert flagged == expected, result.stdout


def test_an_unknown_filter_at_run_time_names_the_valid_ones() -> None:
    with BackupClient("http://h.invalid", "p") as client, pytest.raises(TypeError) as raised:
        client.list_backups(instanse_id="x")  # type: ignore[call-arg]
    message = str(raised.value)
    assert "'instanse_id'" in message and "did you mean 'instance_id'" in message
    for valid in ("instance_id", "backup_type", "type", "begin_time", "page_size"):
        assert valid in message


def test_an_unknown_wait_option_of_the_async_twin_names_the_valid_ones() -> None:
    async def main() -> None:
        async with AsyncBackupClient("http://h.invalid", "p") as client:
            await client.wait("j", timout=3)  # type: ignore[call-arg]

    with pytest.raises(TypeError, match=r"did you mean 'timeout'.*it takes: job_id, timeout"):
        asyncio.run(main())
