"""The reference server's settings, and parsers for their command-line forms."""

from __future__ import annotations

from dataclasses import dataclass, field

from geminidb_backup.server.faults import FaultConfig
from geminidb_backup.server.state import Instance
from geminidb_backup.spec import load_spec

DEFAULT_BACKUP_SECONDS = 5.0
# The spec's decision: at most 50 manual backups per instance (createBackup's description).
DEFAULT_BACKUP_LIMIT = 50
# An X-Sdk-Date further than this from the server's clock is refused, as by Huawei Cloud's gateway.
DEFAULT_SIGNATURE_SKEW_SECONDS = 15 * 60


def example_instance() -> Instance:
    """The project and instance of the spec's example request, so that it works verbatim."""
    parameters = load_spec()["components"]["parameters"]
    return Instance(
        project_id=str(parameters["ProjectId"]["example"]),
        id=str(parameters["InstanceId"]["example"]),
        name="cassandra-prod",
    )


def parse_instance(text: str) -> Instance:
    """``PROJECT_ID/INSTANCE_ID`` or ``PROJECT_ID/INSTANCE_ID/NAME``."""
    parts = text.split("/")
    if len(parts) not in (2, 3) or not all(parts):
        raise ValueError(f"expected PROJECT_ID/INSTANCE_ID[/NAME], got {text!r}")
    name = parts[2] if len(parts) == 3 else f"cassandra-{parts[1][:8]}"
    return Instance(project_id=parts[0], id=parts[1], name=name)


def parse_access_key(text: str) -> tuple[str, str]:
    """``AK:SK``; the message of a failure never quotes the secret."""
    access_key, separator, secret_key = text.partition(":")
    if not separator or not access_key or not secret_key:
        raise ValueError("expected ACCESS_KEY:SECRET_KEY")
    return access_key, secret_key


@dataclass(frozen=True)
class ServerConfig:
    tokens: frozenset[str]
    access_keys: dict[str, str] = field(default_factory=dict)
    instances: tuple[Instance, ...] = field(default_factory=lambda: (example_instance(),))
    db_path: str = ":memory:"
    backup_seconds: float = DEFAULT_BACKUP_SECONDS
    backup_limit: int = DEFAULT_BACKUP_LIMIT
    auto_backups: bool = True
    signature_skew_seconds: float = DEFAULT_SIGNATURE_SKEW_SECONDS
    faults: FaultConfig = field(default_factory=FaultConfig)

    def __repr__(self) -> str:  # tokens and secret keys must not reach a log through a repr
        return (
            f"ServerConfig(tokens=<{len(self.tokens)}>, access_keys={sorted(self.access_keys)},"
            f" instances={self.instances!r}, db_path={self.db_path!r},"
            f" backup_seconds={self.backup_seconds}, backup_limit={self.backup_limit},"
            f" auto_backups={self.auto_backups}, faults={self.faults!r})"
        )
