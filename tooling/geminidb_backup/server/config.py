"""The reference server's settings, and parsers for their command-line forms."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geminidb_backup.server.faults import FaultConfig
from geminidb_backup.server.instances import Instance
from geminidb_backup.server.policy import Policy
from geminidb_backup.server.rate_limit import RateLimit
from geminidb_backup.server.state import DEFAULT_LOCK_TIMEOUT_SECONDS
from geminidb_backup.spec import load_spec

DEFAULT_BACKUP_SECONDS = 5.0
# How long creating or restoring to a new instance takes (the real service: minutes to hours).
DEFAULT_RESTORE_SECONDS = 10.0
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


def fleet_instances(project_id: str, count: int, start: int = 1) -> list[Instance]:
    """``count`` instances of ``project_id`` for fleet tests, named ``cassandra-0001``... Their
    IDs are shaped like the service's (32 hex digits and ``in06``) and derived from the project
    and the number, so that a server restarted on the same state file with the same count finds
    the same instances rather than adding as many again."""
    width = max(4, len(str(start + count - 1)))
    return [
        Instance(
            project_id=project_id,
            id=hashlib.sha256(f"{project_id}/fleet/{number}".encode()).hexdigest()[:32] + "in06",
            name=f"cassandra-{number:0{width}d}",
        )
        for number in range(start, start + count)
    ]


def parse_instance(text: str) -> Instance:
    """``PROJECT_ID/INSTANCE_ID`` or ``PROJECT_ID/INSTANCE_ID/NAME``."""
    parts = text.split("/")
    if len(parts) not in (2, 3) or not all(parts):
        raise ValueError(f"expected PROJECT_ID/INSTANCE_ID[/NAME], got {text!r}")
    name = parts[2] if len(parts) == 3 else f"cassandra-{parts[1][:8]}"
    return Instance(project_id=parts[0], id=parts[1], name=name)


def split_projects(text: str) -> tuple[str, frozenset[str] | None]:
    """``CREDENTIAL`` or ``CREDENTIAL@PROJECT_ID[,PROJECT_ID...]``: the credential, and the
    projects it is bound to (None: every project). Split at the last ``@``: IAM tokens (base64)
    and access keys hold none. The message of a failure never quotes the credential."""
    credential, separator, projects = text.rpartition("@")
    if not separator:
        return text, None
    bound = frozenset(project.strip() for project in projects.split(","))
    if not all(bound):
        raise ValueError("expected CREDENTIAL@PROJECT_ID[,PROJECT_ID...] with no empty project ID")
    return credential, bound


def parse_token(text: str) -> tuple[str, frozenset[str] | None]:
    """``TOKEN`` or ``TOKEN@PROJECT_ID[,PROJECT_ID...]`` (see :func:`split_projects`)."""
    return split_projects(text)


def parse_access_key(text: str) -> tuple[str, str]:
    """``AK:SK``; the message of a failure never quotes the secret."""
    access_key, separator, secret_key = text.partition(":")
    if not separator or not access_key or not secret_key:
        raise ValueError("expected ACCESS_KEY:SECRET_KEY[@PROJECT_ID,...]")
    return access_key, secret_key


def parse_bound_access_key(text: str) -> tuple[str, str, frozenset[str] | None]:
    """``AK:SK`` or ``AK:SK@PROJECT_ID[,PROJECT_ID...]``."""
    pair, projects = split_projects(text)
    access_key, secret_key = parse_access_key(pair)
    return access_key, secret_key, projects


def finite_number(name: str, value: float) -> float:
    """``value`` unless it is NaN or infinite (which float("nan") and YAML's .inf give)."""
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {value}")
    return value


@dataclass(frozen=True)
class FileSettings:
    """What a ``--config`` file may hold (YAML); each key optional::

    instances: [PROJECT_ID/INSTANCE_ID/NAME, ...]
    tokens: [token, token@PROJECT_ID,PROJECT_ID, ...]
    access_keys: [AK:SK, AK:SK@PROJECT_ID, ...]
    backup_seconds: 5
    backup_limit: 50
    auto_backups: true
    """

    instances: tuple[Instance, ...] = ()
    tokens: tuple[str, ...] = ()
    access_keys: tuple[tuple[str, str], ...] = ()
    # The projects a token or an access key is bound to; absent: every project.
    token_projects: Mapping[str, frozenset[str]] = field(default_factory=dict)
    access_key_projects: Mapping[str, frozenset[str]] = field(default_factory=dict)
    backup_seconds: float | None = None
    backup_limit: int | None = None
    auto_backups: bool | None = None


_FILE_KEYS = {
    "instances",
    "tokens",
    "access_keys",
    "backup_seconds",
    "backup_limit",
    "auto_backups",
}


def _yaml_error(path: str | Path, error: Exception) -> str:
    """Where the YAML error is, and nothing of the file: PyYAML's own message quotes the
    offending line (a token, a secret key) and parts of it (a tag, a character), so neither
    the message nor its "problem" may be shown."""
    message = f"the config file {str(path)!r} is not valid YAML"
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is not None:
        message += f" (line {mark.line + 1}, column {mark.column + 1})"
    return message


def load_file_settings(path: str | Path) -> FileSettings:
    """Read a ``--config`` file; ``ValueError`` names what is wrong (never a secret)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ValueError(f"cannot read the config file {str(path)!r}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise ValueError(
            f"the config file {str(path)!r} is not UTF-8 (byte {error.start})"
        ) from None
    import yaml  # only for a --config file: a start-up without one spares its import

    try:
        data: Any = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise ValueError(_yaml_error(path, error)) from None
    if not isinstance(data, dict) or not set(data) <= _FILE_KEYS:
        raise ValueError(f"the config file must be a mapping with keys among {sorted(_FILE_KEYS)}")

    def strings(key: str) -> list[str]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValueError(f"config file: {key} must be a list of strings")
        return value

    def number(key: str, kind: type) -> Any:
        value = data.get(key)
        if value is not None and (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not 0 <= value < math.inf  # also refuses .nan
            or (kind is int and not isinstance(value, int))
        ):
            raise ValueError(f"config file: {key} must be a finite non-negative {kind.__name__}")
        return value

    auto_backups = data.get("auto_backups")
    if auto_backups is not None and not isinstance(auto_backups, bool):
        raise ValueError("config file: auto_backups must be true or false")
    tokens = [parse_token(text) for text in strings("tokens")]
    access_keys = [parse_bound_access_key(text) for text in strings("access_keys")]
    return FileSettings(
        instances=tuple(parse_instance(text) for text in strings("instances")),
        tokens=tuple(token for token, _ in tokens),
        access_keys=tuple((access_key, secret) for access_key, secret, _ in access_keys),
        token_projects={token: bound for token, bound in tokens if bound is not None},
        access_key_projects={key: bound for key, _, bound in access_keys if bound is not None},
        backup_seconds=number("backup_seconds", float),
        backup_limit=number("backup_limit", int),
        auto_backups=auto_backups,
    )


@dataclass(frozen=True)
class ServerConfig:
    tokens: frozenset[str]
    access_keys: dict[str, str] = field(default_factory=dict)
    instances: tuple[Instance, ...] = field(default_factory=lambda: (example_instance(),))
    db_path: str = ":memory:"
    backup_seconds: float = DEFAULT_BACKUP_SECONDS
    restore_seconds: float = DEFAULT_RESTORE_SECONDS
    backup_limit: int = DEFAULT_BACKUP_LIMIT
    auto_backups: bool = True
    fsync: bool = False
    signature_skew_seconds: float = DEFAULT_SIGNATURE_SKEW_SECONDS
    # How long a write waits for another process's lock on the state file before a 503.
    lock_timeout_seconds: float = DEFAULT_LOCK_TIMEOUT_SECONDS
    faults: FaultConfig = field(default_factory=FaultConfig)
    # The bearer token of the control API (server/control.py); None: no control API at all.
    admin_token: str | None = None
    # Requests per project over this are answered 429 (server/rate_limit.py); None: no limit.
    rate_limit: RateLimit | None = None
    # The automated backup policy of the seeded instances, as setBackupPolicy's backup_policy
    # ({"keep_days": 7, "start_time": "01:00-02:00", "period": "1,2,3,4,5,6,7"}); None: off, so
    # that the seeded state is what it always was (the real service's default is on, 7 days).
    policy: Mapping[str, Any] | None = None
    # The projects a token or an access key is valid for (team decision 2); one not named here
    # is valid for every project.
    token_projects: Mapping[str, frozenset[str]] = field(default_factory=dict)
    access_key_projects: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Seeds the generator of backup and job IDs: the same IDs in the same order on every run.
    seed: int | None = None

    def __post_init__(self) -> None:
        finite_number("backup_seconds", self.backup_seconds)
        if self.backup_seconds < 0:
            raise ValueError("backup_seconds must not be negative")
        for projects in (*self.token_projects.values(), *self.access_key_projects.values()):
            if not projects or not all(isinstance(p, str) and p for p in projects):
                raise ValueError("a credential is bound to a non-empty set of project IDs")
        # An empty token (`--token "$TOKEN"` with TOKEN unset, or `''` in a config file) would let
        # in any request with an empty X-Auth-Token. HTTP strips the white space around a header
        # value, so a token with some could never match: a mistake too. The messages quote none.
        for token in self.tokens:
            if not token.strip() or token != token.strip():
                raise ValueError("a token must not be empty or have white space around it")
        # The same for the control API's bearer token: an empty one would hand the emulator's
        # clock, faults and reset to any caller that sends an empty one.
        if self.admin_token is not None and (
            not self.admin_token.strip() or self.admin_token != self.admin_token.strip()
        ):
            raise ValueError("the admin token must not be empty or have white space around it")
        if self.policy is not None:
            check_policy(self.policy)
        for access_key, secret_key in self.access_keys.items():
            if not access_key or any(character.isspace() for character in access_key):
                raise ValueError("an access key must not be empty or hold white space")
            if not secret_key.strip():
                raise ValueError("a secret key must not be empty")

    def __repr__(self) -> str:  # tokens and secret keys must not reach a log through a repr
        return (
            f"ServerConfig(tokens=<{len(self.tokens)}>, access_keys={sorted(self.access_keys)},"
            f" instances={self.instances!r}, db_path={self.db_path!r},"
            f" backup_seconds={self.backup_seconds}, restore_seconds={self.restore_seconds},"
            f" backup_limit={self.backup_limit},"
            f" auto_backups={self.auto_backups}, fsync={self.fsync}, faults={self.faults!r},"
            f" admin_token={'<set>' if self.admin_token else None}, policy={self.policy!r},"
            f" rate_limit={self.rate_limit!r})"
        )

    def seed_policy(self) -> Policy | None:
        return None if self.policy is None else Policy.from_api(self.policy)


def check_policy(policy: Mapping[str, Any]) -> None:
    """``ValueError`` (with the spec's message) unless ``policy`` is a valid ``BackupPolicy``."""
    from geminidb_backup.errors import ValidationError
    from geminidb_backup.validation import validate_call

    try:  # the schemas, then the x-request-rules (the one-hour window)
        validate_call("setBackupPolicy", {}, {"backup_policy": dict(policy)})
    except ValidationError as error:
        raise ValueError(f"policy: {error}") from None


def parse_policy(text: str) -> dict[str, Any]:
    """``KEEP_DAYS[/WINDOW[/DAYS]]`` (``7``, ``7/01:00-02:00``, ``14/01:00-02:00/mon,thu``) as
    setBackupPolicy's ``backup_policy``: the window 00:00-01:00 UTC and every day by default;
    days as numbers (1 = Monday), names or ranges (``1-5``, ``mon-fri``)."""
    from geminidb_backup.policy import parse_weekdays

    parts = text.split("/")
    if len(parts) > 3 or not parts[0].strip().isdigit():
        raise ValueError(f"expected KEEP_DAYS[/WINDOW[/DAYS]], got {text!r}")
    keep_days = int(parts[0])
    if keep_days == 0:
        return {"keep_days": 0}
    window = parts[1] if len(parts) > 1 else "00:00-01:00"
    days = parse_weekdays(parts[2]) if len(parts) > 2 else (1, 2, 3, 4, 5, 6, 7)
    policy = {"keep_days": keep_days, "start_time": window,
              "period": ",".join(str(day) for day in days)}  # fmt: skip
    check_policy(policy)
    return policy
