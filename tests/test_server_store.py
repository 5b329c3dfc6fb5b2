"""The reference server's store under group commit: what memory keeps beside the file (names taken,
manual backups counted) agrees with the file through deletions, restarts and rollbacks, and one
failing change of a batch fails alone."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from server_helpers import INSTANCE_ID, PROJECT_ID, FakeClock

from geminidb_backup.server.errors import ApiError
from geminidb_backup.server.state import Instance, Store

INSTANCE = Instance(PROJECT_ID, INSTANCE_ID, "cassandra-1")


def _store(path: str, clock: FakeClock, *, limit: int = 0, seconds: float = 10.0) -> Store:
    store = Store(path, backup_seconds=seconds, backup_limit=limit, clock=clock)
    store.seed([INSTANCE], auto_backups=False)
    return store


async def _outcomes(*calls: Any) -> list[Any]:
    """Run the store calls together (one batch), each result or the error it raised."""
    return list(await asyncio.gather(*calls, return_exceptions=True))


def _codes(outcomes: list[Any]) -> list[str]:
    return [
        o.code if isinstance(o, ApiError) else type(o).__name__ if isinstance(o, BaseException)
        else "ok"
        for o in outcomes
    ]  # fmt: skip


def _names(store: Store) -> list[str]:
    return sorted(backup["name"] for backup in store.all_backups(PROJECT_ID))


@pytest.mark.parametrize("where", [":memory:", "file"])
def test_a_name_is_taken_until_its_deletion_ends(tmp_path: Path, where: str) -> None:
    clock = FakeClock()
    store = _store(str(tmp_path / "s.sqlite3") if where == "file" else where, clock, seconds=0)

    async def run() -> None:
        _, backup_id = await store.create_backup(PROJECT_ID, INSTANCE_ID, "nightly", "")
        with pytest.raises(ApiError) as refused:
            await store.create_backup(PROJECT_ID, INSTANCE_ID, "nightly", "")
        assert refused.value.code == "DBS.201201"
        # Another instance's name, and another case, are other names.
        await store.create_backup(PROJECT_ID, INSTANCE_ID, "Nightly", "")
        store.backup_seconds = 10.0
        await store.delete_backup(PROJECT_ID, backup_id)
        clock.advance(9)
        with pytest.raises(ApiError):  # still being deleted: the name is still taken
            await store.create_backup(PROJECT_ID, INSTANCE_ID, "nightly", "")
        clock.advance(1)
        await store.create_backup(PROJECT_ID, INSTANCE_ID, "nightly", "")

    try:
        asyncio.run(run())
        assert _names(store) == ["Nightly", "nightly"]
    finally:
        store.close()


def test_the_limit_counts_manual_backups_until_their_deletion_ends() -> None:
    clock = FakeClock()
    store = _store(":memory:", clock, limit=2, seconds=0)
    store.seed([INSTANCE], auto_backups=True)  # an automated backup does not count

    async def run() -> None:
        _, first = await store.create_backup(PROJECT_ID, INSTANCE_ID, "one-", "")
        await store.create_backup(PROJECT_ID, INSTANCE_ID, "two-", "")
        with pytest.raises(ApiError) as refused:
            await store.create_backup(PROJECT_ID, INSTANCE_ID, "three", "")
        assert refused.value.code == "DBS.201000"
        store.backup_seconds = 5.0
        await store.delete_backup(PROJECT_ID, first)
        clock.advance(5)  # the delete job is over: the backup is gone, and the instance free
        await store.create_backup(PROJECT_ID, INSTANCE_ID, "three", "")

    try:
        asyncio.run(run())
    finally:
        store.close()


def test_names_taken_survive_a_restart_on_the_same_file(tmp_path: Path) -> None:
    clock = FakeClock()
    path = str(tmp_path / "s.sqlite3")
    store = _store(path, clock, limit=2, seconds=0)
    asyncio.run(store.create_backup(PROJECT_ID, INSTANCE_ID, "kept-1", ""))
    asyncio.run(store.create_backup(PROJECT_ID, INSTANCE_ID, "kept-2", ""))
    store.close()

    reopened = _store(path, clock, limit=2, seconds=0)
    try:
        outcomes = asyncio.run(
            _outcomes(
                reopened.create_backup(PROJECT_ID, INSTANCE_ID, "kept-1", ""),
                reopened.create_backup(PROJECT_ID, INSTANCE_ID, "kept-3", ""),
            )
        )
        assert _codes(outcomes) == ["DBS.201201", "DBS.201000"]
    finally:
        reopened.close()


@pytest.mark.parametrize("failure", [RuntimeError("disk on fire"), ApiError("DBS.201201")])
def test_a_change_that_fails_after_writing_fails_alone_and_leaves_nothing(
    tmp_path: Path, failure: Exception
) -> None:
    """A change that wrote and then failed (an unexpected error, or a refusal raised too late) is
    rolled back, in the file and in memory; the other changes of its batch are committed."""
    clock = FakeClock()
    store = _store(str(tmp_path / "s.sqlite3"), clock, seconds=0)
    make = store._create_backup

    def fails_on_boom(project_id: str, instance_id: str, name: str, description: str) -> Any:
        made = make(project_id, instance_id, name, description)
        if name == "boom":
            raise failure
        return made

    store._create_backup = fails_on_boom  # type: ignore[method-assign]
    names = ["before", "boom", "after"]
    try:
        outcomes = asyncio.run(
            _outcomes(*(store.create_backup(PROJECT_ID, INSTANCE_ID, n, "") for n in names))
        )
        assert [isinstance(o, tuple) for o in outcomes] == [True, False, True]
        assert outcomes[1] is failure
        assert _names(store) == ["after", "before"]
        assert len(store.all_jobs(PROJECT_ID)) == 2
        # The IDs answered are the ones committed.
        committed = {b["id"] for b in store.all_backups(PROJECT_ID)}
        assert {outcomes[0][1], outcomes[2][1]} == committed
        # Memory forgot the name "boom" with the rollback: it can be made now.
        store._create_backup = make  # type: ignore[method-assign]
        asyncio.run(store.create_backup(PROJECT_ID, INSTANCE_ID, "boom", ""))
        assert _names(store) == ["after", "before", "boom"]
    finally:
        store.close()


def test_a_refusal_costs_the_batch_no_rollback(tmp_path: Path) -> None:
    """A refused change wrote nothing (its checks come first), so the batch is written once."""
    clock = FakeClock()
    store = _store(str(tmp_path / "s.sqlite3"), clock, seconds=0)
    reloads = 0
    reload = store._reload_memory

    def counted() -> None:
        nonlocal reloads
        reloads += 1
        reload()

    store._reload_memory = counted  # type: ignore[method-assign]
    try:
        outcomes = asyncio.run(
            _outcomes(*(store.create_backup(PROJECT_ID, INSTANCE_ID, n, "") for n in
                        ["same", "same", "other", "same"]))
        )  # fmt: skip
        assert _codes(outcomes) == ["ok", "DBS.201201", "ok", "DBS.201201"]
        assert reloads == 0
    finally:
        store.close()


def test_the_name_index_of_earlier_releases_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    _store(str(path), FakeClock()).close()
    with sqlite3.connect(path) as db:
        db.execute("CREATE INDEX backups_by_name ON backups (project_id, instance_id, name)")
    _store(str(path), FakeClock()).close()
    with sqlite3.connect(path) as db:
        indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert "backups_by_name" not in indexes


def test_a_write_asked_for_a_turn_of_the_loop_later_joins_the_batch(tmp_path: Path) -> None:
    """Group commit waits a turn of the loop more than it must: the requests read by the next poll
    of the sockets share the commit (under load, about twice as many per commit)."""
    clock = FakeClock()
    store = _store(str(tmp_path / "s.sqlite3"), clock, seconds=0)
    batches: list[int] = []
    commit = store._commit

    def counted(batch: Any) -> Any:
        batches.append(len(batch))
        return commit(batch)

    store._commit = counted  # type: ignore[method-assign]

    async def run() -> None:
        first = asyncio.ensure_future(store.create_backup(PROJECT_ID, INSTANCE_ID, "early", ""))
        await asyncio.sleep(0)  # a turn of the loop: the first write is asked for
        second = store.create_backup(PROJECT_ID, INSTANCE_ID, "later", "")
        await asyncio.gather(first, second)

    try:
        asyncio.run(run())
        assert batches == [2]
        assert _names(store) == ["early", "later"]
    finally:
        store.close()
