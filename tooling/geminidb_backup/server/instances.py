"""The instance model of the emulator: what an instance is, how ``listInstances`` shows it, and
its restorable windows.

An instance carries everything a restore to a new instance copies from it (datastore version,
region, availability zone, VPC, subnet, security group, mode, nodes and their specification,
storage, billing mode) and its lifecycle:

- ``status`` is one of the service's statuses, or ``busy`` (a test's stand-in for an operation
  such as a resize: listed as ``normal`` with the action ``BUSY``), possibly until
  ``status_until``; a created or restored instance is ``creating`` until its job ends, then
  ``normal``, or ``createfail`` when its creation was made to fail (``create_fail_reason``);
- ``gone_at``: once a deletion was accepted, when it ends; the instance is listed (with the
  action ``DELETE``) until then, and names nothing after.

Restorable windows (``listRestorableTimePeriods``, point-in-time restores): the service needs
incremental backups, which this emulator does not make. It pretends they run continuously from
the first completed full backup: an instance whose oldest live, completed backup ended at ``t``
can be restored to any moment from ``t`` to now, one window; without a completed backup it has
none.

Every field has a default, so ``Instance(project_id, id, name)`` is a whole instance; the network
IDs default to ones derived from the project (its instances share a VPC, a subnet and a security
group, as a project's usually do). :meth:`Store.seed` is the one way instances are made at start
(``serve``, the testing emulator, a fleet of hundreds alike).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

DATASTORE_TYPE = "cassandra"
DATASTORE_VERSION = "3.11"
DEFAULT_REGION = "eu-de"
DEFAULT_AVAILABILITY_ZONE = "eu-de-01"
DEFAULT_SPEC_CODE = "geminidb.cassandra.xlarge.4"
DEFAULT_NODES = 3
DEFAULT_STORAGE_GB = 100
# The service's only storage type for GeminiDB Cassandra (the spec's InstanceFlavor.storage).
STORAGE_TYPE = "ULTRAHIGH"
CREATE_JOB = "CreateInstance"
RESTORE_JOB = "RestoreNewInstance"
DELETE_INSTANCE_JOB = "DeleteInstance"
# What a running job shows in its instance's ``actions``.
JOB_ACTIONS = {
    "BackupInstance": "BACKUP",
    "DeleteBackup": "DELETE_BACKUP",
    CREATE_JOB: "CREATE",
    RESTORE_JOB: "RESTORE",
    DELETE_INSTANCE_JOB: "DELETE",
}
_LISTED_TIME = "%Y-%m-%dT%H:%M:%S"


def _project_uuid(project_id: str, what: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"geminidb-emulator:{project_id}:{what}"))


@dataclass(frozen=True)
class Instance:
    project_id: str
    id: str
    name: str
    datastore_version: str = DATASTORE_VERSION
    status: str = "normal"
    # When the status ends (back to ``normal``, or ``createfail``); None: until changed.
    status_until: float | None = None
    # Every backup of the instance fails with this reason; None: backups succeed.
    fail_reason: str | None = None
    mode: str = "Cluster"
    region: str = DEFAULT_REGION
    availability_zone: str = DEFAULT_AVAILABILITY_ZONE
    # Empty: derived from the project (see __post_init__).
    vpc_id: str = ""
    subnet_id: str = ""
    security_group_id: str = ""
    spec_code: str = DEFAULT_SPEC_CODE
    node_count: int = DEFAULT_NODES
    storage_gb: int = DEFAULT_STORAGE_GB
    # "0": pay-per-use; "1": yearly/monthly.
    pay_mode: str = "0"
    # Epoch seconds; None: when it is stored.
    created: float | None = None
    # The backup a running restore reads (it may not be deleted meanwhile).
    restored_from: str | None = None
    # Why its creation or restore fails (it ends ``createfail``); None: it succeeds.
    create_fail_reason: str | None = None
    # When its deletion ends; None: not being deleted.
    gone_at: float | None = None

    def __post_init__(self) -> None:
        for name in ("vpc_id", "subnet_id", "security_group_id"):
            if not getattr(self, name):
                object.__setattr__(self, name, _project_uuid(self.project_id, name))

    def status_at(self, now: float) -> str:
        if self.status_until is not None and now >= self.status_until:
            if self.status == "creating" and self.create_fail_reason is not None:
                return "createfail"
            return "normal"
        return self.status

    def exists_at(self, now: float) -> bool:
        return self.gone_at is None or now < self.gone_at

    def to_dict(self, now: float) -> dict[str, Any]:
        """What the control API and the testing emulator show of it."""
        return {
            "project_id": self.project_id,
            "id": self.id,
            "name": self.name,
            "datastore_version": self.datastore_version,
            "status": self.status_at(now),
            "status_until": None if self.status_until is None or now >= self.status_until
            else format_listed_time(self.status_until),
            "fail_reason": self.fail_reason,
        }  # fmt: skip

    def listed(self, now: float, running_jobs: list[str]) -> dict[str, Any]:
        """The instance as ``listInstances`` shows it (the spec's ``Instance``)."""
        status = self.status_at(now)
        actions = [JOB_ACTIONS.get(job, job.upper()) for job in running_jobs]
        if status == "busy":
            status = "normal"
            actions.append("BUSY")
        created = format_listed_time(self.created or 0.0)
        nodes = [
            {
                "id": _project_uuid(self.id, f"node{index}").replace("-", "") + "no06",
                "name": f"{self.name}_node_{index}",
                "status": "normal" if status != "creating" else "creating",
                "subnet_id": self.subnet_id,
                "private_ip": f"192.168.0.{10 + index}" if status != "creating" else "",
                "spec_code": self.spec_code,
                "availability_zone": self.availability_zone,
            }
            for index in range(1, self.node_count + 1)
        ]
        return {
            "id": self.id,
            "name": self.name,
            "status": status,
            "port": "8635",
            "mode": self.mode,
            "region": self.region,
            "availability_zone": self.availability_zone,
            "datastore": {"type": DATASTORE_TYPE, "version": self.datastore_version},
            "engine": "rocksDB",
            "created": created,
            "updated": created,
            "db_user_name": "rwuser",
            "vpc_id": self.vpc_id,
            "subnet_id": self.subnet_id,
            "security_group_id": self.security_group_id,
            "backup_strategy": {"start_time": "00:00-01:00", "keep_days": 7},
            "pay_mode": self.pay_mode,
            "maintenance_window": "02:00-06:00",
            "groups": [
                {
                    "id": _project_uuid(self.id, "group").replace("-", "") + "gr06",
                    "status": status,
                    "volume": {"size": str(self.storage_gb), "used": "0.003"},
                    "nodes": nodes,
                }
            ],
            "enterprise_project_id": "0",
            "time_zone": "",
            "actions": actions,
        }


INSTANCE_COLUMNS = tuple(f.name for f in fields(Instance))


def format_listed_time(epoch: float) -> str:
    """A time as the instance list shows it, ``2019-05-20T07:05:52`` (UTC)."""
    return datetime.fromtimestamp(epoch, UTC).strftime(_LISTED_TIME)


def matches(instance: Instance, query: dict[str, Any]) -> bool:
    """Whether ``instance`` is selected by listInstances' filters (``*text``: contains text)."""
    for name in ("id", "name"):
        wanted = query.get(name)
        if wanted is None:
            continue
        value = getattr(instance, name)
        if wanted.startswith("*"):
            if wanted[1:] not in value:
                return False
        elif value != wanted:
            return False
    if query.get("datastore_type") not in (None, DATASTORE_TYPE):
        return False
    for name in ("mode", "vpc_id", "subnet_id"):
        if query.get(name) is not None and getattr(instance, name) != query[name]:
            return False
    return True


def restorable_window(completed_backup_ends: list[float], now: float) -> tuple[float, float] | None:
    """The one window (epoch seconds) of the model above, or None."""
    if not completed_backup_ends:
        return None
    start = min(completed_backup_ends)
    return (start, now) if start <= now else None
