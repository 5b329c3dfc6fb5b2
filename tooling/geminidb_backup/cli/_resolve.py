"""Backups named on the command line by ID or by name, as ``show`` and ``delete`` take them.

A reference is an ID when a backup has that ID; otherwise it is a name. Names are unique per
instance, not per project: a name found on several instances is refused (exit 2) listing the
candidates, and ``--instance`` chooses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import NotFound
from ._common import EXIT_USAGE, fail
from ._state import State

if TYPE_CHECKING:
    from geminidb_backup_client.models import Backup

    from ..client import BackupClient


def resolve_backups(
    state: State, client: BackupClient, references: Sequence[str], instance_id: str | None = None
) -> list[Backup]:
    """The backup each reference names, in their order: by ID first, else by name (the
    backups of ``instance_id``, or of the project, are listed once for every name). Raises
    :class:`NotFound` for a reference that names nothing; exits 2 for an ambiguous name."""
    found: list[Backup] = []
    listed: list[Backup] | None = None
    for reference in references:
        try:
            backup = client.get_backup(reference)
        except NotFound:
            if listed is None:
                listed = list(client.iter_backups(instance_id=instance_id))
            backup = _by_name(state, listed, reference, instance_id)
        if instance_id is not None and backup.instance_id != instance_id:
            raise NotFound(f"backup {reference!r} is not a backup of instance {instance_id}")
        found.append(backup)
    return found


def resolve_backup(
    state: State, client: BackupClient, reference: str, instance_id: str | None = None
) -> Backup:
    """The backup ``reference`` names (see :func:`resolve_backups`)."""
    return resolve_backups(state, client, [reference], instance_id)[0]


def _by_name(state: State, listed: list[Backup], name: str, instance_id: str | None) -> Backup:
    named = [backup for backup in listed if backup.name == name]
    if not named:
        where = f" on instance {instance_id}" if instance_id else ""
        raise NotFound(f"no backup has the ID or the name {name!r}{where}")
    if len(named) > 1:
        fail(state, EXIT_USAGE, f"{len(named)} backups on different instances are named {name!r}",
             "Choose one with --instance (or give the ID): " + "; ".join(
                 f"--instance {b.instance_id} ({b.instance_name}): {b.id}" for b in named))  # fmt: skip
    return named[0]
