"""The reference server: a stateful, durable emulator of the GeminiDB backup API, driven by the
packaged spec. ``geminidb-backup serve`` runs it; :func:`create_app` makes the ASGI application.

The names below are imported on first use, so that importing a light submodule (such as
:mod:`geminidb_backup.server.process`) does not load the application and its dependencies."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geminidb_backup.server.app import ReferenceServer, create_app
    from geminidb_backup.server.config import ServerConfig, example_instance
    from geminidb_backup.server.faults import FaultConfig

__all__ = ["FaultConfig", "ReferenceServer", "ServerConfig", "create_app", "example_instance"]

_MODULE_OF = {
    "FaultConfig": "faults",
    "ReferenceServer": "app",
    "ServerConfig": "config",
    "create_app": "app",
    "example_instance": "config",
}


def __getattr__(name: str) -> object:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from geminidb_backup import _extras

    _extras.require("server", "geminidb_backup.server")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
