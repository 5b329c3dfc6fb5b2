"""Which backups of each instance still exist, kept in memory beside the SQLite file.

createBackup refuses a name that a backup of the instance still holds and a manual backup past
the instance's limit. Asked of SQLite, the two cost every create a query and the backups table
an index on names, about a quarter of what a create spends in SQLite; asked here, a dictionary
lookup. :class:`~geminidb_backup.server.state.Store` keeps this exact: it loads it from the file,
notes each backup it inserts and each deletion it starts, and loads it again whenever a
transaction is rolled back.

A backup exists until its deletion ends (a backup being deleted still holds its name and counts
against the limit), so each entry keeps that moment, infinity while no deletion was asked for,
and is forgotten once the clock has passed it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

InstanceKey = tuple[str, str]  # (project_id, instance_id)


@dataclass(slots=True)
class _InstanceBackups:
    # name -> {backup_id: when it stops existing}; several only while a deleted one lingers.
    by_name: dict[str, dict[str, float]] = field(default_factory=dict)
    # backup_id -> when it stops existing, for the manual backups only.
    manual: dict[str, float] = field(default_factory=dict)


class LiveBackups:
    """The backups that exist, by instance: by name, and the manual ones counted."""

    def __init__(self) -> None:
        self._instances: dict[InstanceKey, _InstanceBackups] = {}

    def note(
        self,
        project_id: str,
        instance_id: str,
        backup_id: str,
        name: str,
        *,
        manual: bool,
        gone_at: float = math.inf,
    ) -> None:
        """Record a backup made, or (``gone_at``: when its deletion ends) the deletion of one
        started. Plain arguments rather than a record: this runs on every createBackup."""
        entry = self._instances.get((project_id, instance_id))
        if entry is None:
            entry = self._instances[(project_id, instance_id)] = _InstanceBackups()
        entry.by_name.setdefault(name, {})[backup_id] = gone_at
        if manual:
            entry.manual[backup_id] = gone_at

    def name_taken(self, project_id: str, instance_id: str, name: str, now: float) -> bool:
        entry = self._instances.get((project_id, instance_id))
        holders = entry.by_name.get(name) if entry is not None else None
        if not holders:
            return False
        for backup_id, gone_at in list(holders.items()):
            if gone_at <= now:
                del holders[backup_id]
        if not holders and entry is not None:
            del entry.by_name[name]
            return False
        return True

    def manual_count(self, project_id: str, instance_id: str, now: float) -> int:
        entry = self._instances.get((project_id, instance_id))
        if entry is None:
            return 0
        gone = [backup_id for backup_id, gone_at in entry.manual.items() if gone_at <= now]
        for backup_id in gone:
            del entry.manual[backup_id]
        return len(entry.manual)
