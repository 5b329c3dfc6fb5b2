"""The reference server: a stateful, durable emulator of the GeminiDB backup API, driven by the
packaged spec. ``geminidb-backup serve`` runs it; :func:`create_app` makes the ASGI application."""

from geminidb_backup.server.app import ReferenceServer, create_app
from geminidb_backup.server.config import ServerConfig, example_instance
from geminidb_backup.server.faults import FaultConfig

__all__ = ["FaultConfig", "ReferenceServer", "ServerConfig", "create_app", "example_instance"]
