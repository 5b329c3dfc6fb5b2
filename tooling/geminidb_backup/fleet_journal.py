"""A fleet run's memory across a cut (Ctrl-C, a crash, a reboot): one JSON-lines file per run.

The first line is the run's header: its key (the operation and its parameters: endpoint,
project, which instances, the name *template*...), when it started, and what was decided once at
the start, above all the backup name the template expanded to. Then a line per instance when its
first request is about to be sent, and one when it ended (its :class:`~geminidb_backup.fleet.Outcome`).
Run again with the same key while the run is unfinished (an instance without an outcome, or
failed) and within ``resume_within`` of its start, the same file is read and the run goes on
with the *same* name: a run cut at 23:59 and resumed at 00:01 makes no second backup, and an
instance done before the cut is not touched. Once every instance succeeded (or was skipped) the
run is finished, and the next one with the same key starts anew.

The header is flushed and fsynced before any request; the other lines are flushed (a crash of
the process loses none). A line torn by a crash is ignored when the file is read.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .fleet import Outcome

STATE_DIR_ENV = "GEMINIDB_STATE_DIR"
DEFAULT_RESUME_WITHIN = 12 * 3600.0


def state_dir() -> Path:
    """Where runs are kept: ``$GEMINIDB_STATE_DIR``, else the platform's per-user state
    directory: ``$XDG_STATE_HOME/geminidb-backup`` (``~/.local/state/geminidb-backup``) on
    Linux, ``~/Library/Application Support/geminidb-backup`` on macOS,
    ``%LOCALAPPDATA%\\geminidb-backup`` on Windows."""
    # A few lines rather than platformdirs: the core install may not grow (tests/test_packaging.py).
    override = os.environ.get(STATE_DIR_ENV)
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "geminidb-backup"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "geminidb-backup"
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "geminidb-backup"


def run_key(parameters: Mapping[str, Any]) -> str:
    """The key of a run: a digest of its parameters (no credential among them)."""
    canonical = json.dumps(parameters, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:24]


class RunJournal:
    """The journal of one run (see the module's docstring). Use :meth:`open`."""

    def __init__(self, path: Path, header: dict[str, Any], resumed: bool) -> None:
        self.path = path
        self.header = header
        self.resumed = resumed
        self._sent: set[str] = set()
        self._outcomes: dict[str, Outcome] = {}
        self._file: Any = None

    @classmethod
    def open(
        cls,
        parameters: Mapping[str, Any],
        decide: Callable[[], Mapping[str, Any]],
        *,
        directory: Path | None = None,
        resume_within: float = DEFAULT_RESUME_WITHIN,
        fresh: bool = False,
        now: float | None = None,
    ) -> RunJournal:
        """The unfinished run of these ``parameters`` begun less than ``resume_within`` seconds
        ago (unless ``fresh``), or a new one whose header holds what ``decide()`` returns (the
        expanded name...), written before this returns."""
        now = time.time() if now is None else now
        key = run_key(parameters)
        folder = (directory or state_dir()) / "runs"
        path = folder / f"{key}.jsonl"
        if not fresh and path.exists():
            journal = cls._read(path)
            started = journal.header.get("started", 0.0) if journal else 0.0
            if (
                journal is not None
                and journal.header.get("key") == key
                and not journal.header.get("finished")
                and 0 <= now - started < resume_within
            ):
                journal._file = path.open("a", encoding="utf-8")
                return journal
        folder.mkdir(parents=True, exist_ok=True)
        header = {"key": key, "started": now, "parameters": dict(parameters), **decide()}
        journal = cls(path, header, resumed=False)
        temporary = path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as file:
            file.write(json.dumps({"header": header}, default=str) + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)  # a half-written header never replaces the last run's file
        journal._file = path.open("a", encoding="utf-8")
        return journal

    @classmethod
    def _read(cls, path: Path) -> RunJournal | None:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        entries = []
        for line in lines:
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue  # torn by a crash
        if not entries or not isinstance(entries[0], dict) or "header" not in entries[0]:
            return None
        journal = cls(path, dict(entries[0]["header"]), resumed=True)
        for entry in entries[1:]:
            if not isinstance(entry, dict):
                continue
            if "sent" in entry:
                journal._sent.add(str(entry["sent"]))
            elif "outcome" in entry:
                outcome = Outcome.from_dict(entry["outcome"])
                journal._outcomes[outcome.instance_id] = outcome
            elif "finished" in entry:
                journal.header["finished"] = entry["finished"]
        return journal

    def _append(self, entry: Mapping[str, Any]) -> None:
        self._file.write(json.dumps(entry, default=str) + "\n")
        self._file.flush()

    # The fleet engine's side (geminidb_backup.fleet.Journal).

    def outcome_of(self, instance_id: str) -> Outcome | None:
        return self._outcomes.get(instance_id)

    def was_sent(self, instance_id: str) -> bool:
        return instance_id in self._sent

    def note_sent(self, instance_id: str) -> None:
        if instance_id not in self._sent:
            self._sent.add(instance_id)
            self._append({"sent": instance_id})

    def record(self, outcome: Outcome) -> None:
        self._outcomes[outcome.instance_id] = outcome
        self._append({"outcome": outcome.to_dict()})

    @property
    def done(self) -> int:
        """How many instances ended well in the earlier parts of the run."""
        return sum(outcome.status != "failed" for outcome in self._outcomes.values())

    def close(self, *, finished: bool) -> None:
        """Close the file; ``finished`` (nothing left to do) marks the run as finished, so that
        the next one with the same key starts anew."""
        if self._file is None:
            return
        if finished:
            self._append({"finished": time.time()})
        self._file.close()
        self._file = None
