"""Test your backup code without a cloud: the GeminiDB backup API emulated in-process (no
socket) or on a loopback port, with its clock, failures, instance statuses and faults under the
test's control. What moto is for AWS.

    from geminidb_backup.testing import Emulator

    with Emulator(backup_seconds=300) as emulator, emulator.client() as client:
        created = client.create_backup(emulator.instance_id, "nightly-01")
        emulator.advance(300)
        assert client.wait(created.job_id).status == "Completed"

A pytest fixture (``geminidb``) is in :mod:`geminidb_backup.testing.pytest_plugin`; it loads only
where a project asks for it (``pytest_plugins = ["geminidb_backup.testing.pytest_plugin"]``).
Guide: "Testing your backup code" in the docs.
"""

from __future__ import annotations

try:
    import jsonschema_rs  # noqa: F401 - the reference server's dependencies
    import starlette  # noqa: F401
    import uvicorn  # noqa: F401
except ImportError as error:
    raise ImportError(
        f"geminidb_backup.testing runs the reference server, whose dependencies are not "
        f"installed ({error.name} is missing): pip install 'geminidb-backup[server]'",
        name=error.name,
    ) from error

from geminidb_backup.server.instances import Instance
from geminidb_backup.server.state import INSTANCE_STATUSES

from ._emulator import FAST_RETRY, IN_PROCESS_URL, ClientOptions, Emulator, Snapshot

__all__ = [
    "FAST_RETRY",
    "INSTANCE_STATUSES",
    "IN_PROCESS_URL",
    "ClientOptions",
    "Emulator",
    "Instance",
    "Snapshot",
]
