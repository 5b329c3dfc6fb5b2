"""Hand-written tooling around the generated GeminiDB backup client.

The OpenAPI document shipped in this package (``openapi.yaml``) is the single source of every
constraint the tooling applies; see :mod:`geminidb_backup.spec`.

The public names below are imported on first use (PEP 562), so that importing the package, as
the CLI does for ``--help``, does not pay for httpx.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._calls import RetryPolicy, progress_percent
    from .auth import AKSKAuth, AuthenticationError, PasswordAuth, TokenAuth
    from .client import (
        AsyncBackupClient,
        BackupClient,
        BatchDeletion,
        CreatedBackup,
        Paged,
        Period,
        PrunedBackup,
        PrunePlan,
        PruneResult,
        Restore,
    )
    from .errors import (
        APIError,
        ConfigurationError,
        GeminiDBError,
        JobFailed,
        JobsWaitTimeout,
        NotFound,
        RequestRuleError,
        TransportError,
        ValidationError,
        WaitTimeout,
    )
    from .policy import BackupPolicy
    from .restoring import DrillResult, Secret
    from .timing import Clock, FakeClock, PollSchedule
    from .validation import expand_name

_EXPORTS = {
    "BackupClient": "client", "AsyncBackupClient": "client", "CreatedBackup": "client",
    "Paged": "client", "PrunePlan": "client", "PrunedBackup": "client", "PruneResult": "client",
    "expand_name": "validation", "TokenAuth": "auth", "PasswordAuth": "auth", "AKSKAuth": "auth",
    "AuthenticationError": "auth", "RetryPolicy": "_calls", "progress_percent": "_calls",
    "GeminiDBError": "errors", "ValidationError": "errors", "ConfigurationError": "errors",
    "APIError": "errors", "NotFound": "errors", "TransportError": "errors",
    "JobFailed": "errors", "WaitTimeout": "errors", "JobsWaitTimeout": "errors",
    "RequestRuleError": "errors",
    "Clock": "timing", "FakeClock": "timing", "PollSchedule": "timing",
    "BackupPolicy": "policy", "BatchDeletion": "client",
    "Restore": "client", "Period": "client", "DrillResult": "restoring", "Secret": "restoring",
}  # fmt: skip

__all__ = [
    "AKSKAuth",
    "APIError",
    "AsyncBackupClient",
    "AuthenticationError",
    "BackupClient",
    "BackupPolicy",
    "BatchDeletion",
    "Clock",
    "ConfigurationError",
    "CreatedBackup",
    "DrillResult",
    "FakeClock",
    "GeminiDBError",
    "JobFailed",
    "JobsWaitTimeout",
    "NotFound",
    "Paged",
    "PasswordAuth",
    "Period",
    "PollSchedule",
    "PrunePlan",
    "PruneResult",
    "PrunedBackup",
    "RequestRuleError",
    "Restore",
    "RetryPolicy",
    "Secret",
    "TokenAuth",
    "TransportError",
    "ValidationError",
    "WaitTimeout",
    "expand_name",
    "progress_percent",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
