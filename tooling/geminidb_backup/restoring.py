"""What restores and drills decide without I/O: the new instance's body copied from its source,
the password generated to the service's rules, the checks of a drill, its names and reports.

Every rule comes from the packaged spec: the password's length and special characters
(``InstancePassword``), the only storage type and engine (``InstanceFlavor``,
``CreateInstanceDatastore``), the billing mode (``ChargeInfo``), the not-below-source rule of
createInstance's ``x-request-rules`` and the instance name's pattern (``InstanceName``).
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any
from xml.etree import ElementTree

from geminidb_backup_client.models import Instance

from .errors import ValidationError
from .spec import component_validator, load_spec

__all__ = [
    "DRILL_PREFIX",
    "DrillResult",
    "Secret",
    "check_restored",
    "drill_name",
    "generate_password",
    "is_drill_name",
    "junit_report",
    "parse_moment",
    "restore_body",
]

# Every instance a drill makes is named drill-<source name>-<UTC time>: `drill --clean` finds
# the leftovers of a crashed drill by this form, and deletes nothing else.
DRILL_PREFIX = "drill-"
_DRILL_STAMP = "%Y%m%d%H%M%S"
_DRILL_NAME = re.compile(rf"^{DRILL_PREFIX}.*-[0-9]{{14}}$")


class Secret:
    """A password: shown by nothing (``repr``, ``str``, f-strings, logs) but :meth:`reveal`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and secrets.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash(Secret)

    def __reduce__(self) -> Any:  # no pickle: it would write the password wherever it goes
        raise TypeError("a Secret cannot be pickled")


def _schema(name: str) -> Mapping[str, Any]:
    schema: Mapping[str, Any] = load_spec()["components"]["schemas"][name]
    return schema


def _only_value(schema: Mapping[str, Any], what: str) -> Any:
    values = schema.get("enum", [])
    if len(values) != 1:
        raise RuntimeError(f"the spec allows {len(values)} values of {what}; give one")
    return values[0]


def generate_password(length: int | None = None) -> Secret:
    """A password to the service's rules (the spec's ``InstancePassword``): of each kind of
    character at least one, drawn with :mod:`secrets`; ``length`` defaults to the longest up to
    24 the rules allow."""
    schema = _schema("InstancePassword")
    shortest, longest = int(schema["minLength"]), int(schema["maxLength"])
    length = min(max(shortest, 24), longest) if length is None else length
    if not shortest <= length <= longest:
        raise ValidationError("password length", length, f"must be {shortest} to {longest}")
    kinds = [
        string.ascii_uppercase,
        string.ascii_lowercase,
        string.digits,
        str(schema["x-special-characters"]),
    ]
    alphabet = "".join(kinds)
    validator = component_validator("InstancePassword")
    draw = secrets.SystemRandom()
    for _ in range(100):
        characters = [draw.choice(kind) for kind in kinds]
        characters += [draw.choice(alphabet) for _ in range(length - len(kinds))]
        draw.shuffle(characters)
        candidate = "".join(characters)
        if validator.is_valid(candidate):
            return Secret(candidate)
    raise RuntimeError(
        "no password drawn satisfies the spec's InstancePassword"
    )  # pragma: no cover


def parse_moment(text: str) -> datetime:
    """A time in ISO 8601 (``2026-12-06T10:00``, ``2026-12-06 10:00:00+01:00``, ``...Z``); UTC
    unless it gives an offset. A clear :class:`ValidationError` otherwise."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            "time", text, "is not an ISO 8601 time such as 2026-12-06T10:00:00Z"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def epoch_ms(moment: datetime) -> int:
    """UTC epoch milliseconds (a naive ``moment`` is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def node_count(instance: Instance) -> int:
    return sum(len(group.nodes) for group in instance.groups)


def storage_gb(instance: Instance) -> int:
    """The storage size of the instance (its largest group's), in GB."""
    sizes = [int(float(group.volume.size)) for group in instance.groups]
    return max(sizes, default=0)


def spec_code(instance: Instance) -> str:
    for group in instance.groups:
        for node in group.nodes:
            return node.spec_code
    raise ValidationError("source instance", instance.id, "has no nodes to copy the flavor of")


@cache
def _below_source_rule() -> Mapping[str, Any]:
    operation = load_spec()["paths"]["/v3/{project_id}/instances"]["post"]
    for rule in operation.get("x-request-rules", []):
        if rule.get("rule") == "not-below-source":
            found: Mapping[str, Any] = rule
            return found
    raise RuntimeError("the spec's createInstance has no not-below-source rule")


def restore_body(
    source: Instance,
    *,
    name: str,
    password: str,
    restore_info: Mapping[str, Any],
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """createInstance's body for a restore: everything copied from ``source`` (datastore and
    version, region, availability zone, VPC, subnet, security group, mode, node count, storage
    size, specification code; pay-per-use), then ``overrides`` (``nodes``, ``storage_gb``,
    ``spec_code`` or any top-level field of the body). Refuses fewer nodes or less storage than
    the source with the spec's not-below-source rule."""
    overrides = dict(overrides or {})
    nodes = int(overrides.pop("nodes", None) or node_count(source))
    size = int(overrides.pop("storage_gb", None) or storage_gb(source))
    code = overrides.pop("spec_code", None) or spec_code(source)
    rule = _below_source_rule()
    if nodes < node_count(source):
        raise ValidationError("nodes", nodes, f"is below the source's {node_count(source)}: "
                              f"{rule['message']}")  # fmt: skip
    if size < storage_gb(source):
        raise ValidationError("storage_gb", size, f"is below the source's {storage_gb(source)}: "
                              f"{rule['message']}")  # fmt: skip
    schemas = load_spec()["components"]["schemas"]
    body: dict[str, Any] = {
        "name": name,
        "datastore": {
            "type": source.datastore.type_,
            "version": source.datastore.version,
            "storage_engine": _only_value(
                schemas["CreateInstanceDatastore"]["properties"]["storage_engine"],
                "storage_engine",
            ),
        },
        "region": source.region,
        "availability_zone": source.availability_zone,
        "vpc_id": source.vpc_id,
        "subnet_id": source.subnet_id,
        "security_group_id": source.security_group_id,
        "password": password,
        "mode": str(source.mode),
        "flavor": [
            {
                "num": str(nodes),
                "storage": _only_value(
                    schemas["InstanceFlavor"]["properties"]["storage"], "storage"
                ),
                "size": str(size),
                "spec_code": code,
            }
        ],
        "charge_info": {
            "charge_mode": _only_value(
                schemas["ChargeInfo"]["properties"]["charge_mode"], "charge_mode"
            ),
        },
        "restore_info": dict(restore_info),
    }
    for key, value in overrides.items():
        if value is not None:
            body[key] = value
    return body


def check_restored(source: Instance, restored: Instance) -> list[str]:
    """What a drill finds wrong with the instance it restored: not ready (status ``normal`` and
    no running action), another datastore version than the source's, less storage or fewer
    nodes. Empty when it passes."""
    problems = []
    if str(restored.status) != "normal" or restored.actions:
        actions = f" (running {', '.join(restored.actions)})" if restored.actions else ""
        problems.append(f"status is {restored.status}{actions}, expected normal")
    if restored.datastore.version != source.datastore.version:
        problems.append(
            f"datastore version is {restored.datastore.version}, the source's is "
            f"{source.datastore.version}"
        )
    if storage_gb(restored) < storage_gb(source):
        problems.append(
            f"storage is {storage_gb(restored)} GB, less than the source's {storage_gb(source)} GB"
        )
    if node_count(restored) < node_count(source):
        problems.append(
            f"{node_count(restored)} nodes, fewer than the source's {node_count(source)}"
        )
    return problems


def drill_name(source_name: str, now: datetime) -> str:
    """``drill-<source name>-<UTC time>``, within the spec's instance name rules."""
    longest = int(_schema("InstanceName")["maxLength"])
    stamp = now.astimezone(UTC).strftime(_DRILL_STAMP)
    room = longest - len(DRILL_PREFIX) - len(stamp) - 1
    middle = re.sub(r"[^A-Za-z0-9_-]", "-", source_name)[:room]
    return f"{DRILL_PREFIX}{middle}-{stamp}"


def is_drill_name(name: str) -> bool:
    """Whether ``name`` has the form only a drill gives its instances."""
    return _DRILL_NAME.fullmatch(name) is not None


@dataclass
class DrillResult:
    """The outcome of one restore drill of ``instance_id``: the backup it restored, the
    temporary instance, whether every check ``passed`` (``problems`` says what failed, ``error``
    why the drill could not run to its end), and whether the temporary instance was deleted
    (``cleaned``). ``seconds`` is the drill's duration on the client's clock."""

    instance_id: str
    instance_name: str = ""
    backup_id: str | None = None
    backup_name: str | None = None
    restored_id: str | None = None
    restored_name: str | None = None
    problems: list[str] = field(default_factory=list)
    error: str | None = None
    cleaned: bool = False
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.problems and self.error is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "instance_id": self.instance_id,
            "instance_name": self.instance_name,
            "passed": self.passed,
            "backup_id": self.backup_id,
            "backup_name": self.backup_name,
            "restored_id": self.restored_id,
            "restored_name": self.restored_name,
            "problems": list(self.problems),
            "error": self.error,
            "cleaned": self.cleaned,
            "seconds": round(self.seconds, 3),
        }


def junit_report(results: Iterable[DrillResult], *, suite: str = "geminidb-backup drill") -> str:
    """A JUnit XML report: one test case per drilled instance, failed with its problems."""
    results = list(results)
    root = ElementTree.Element(
        "testsuite",
        name=suite,
        tests=str(len(results)),
        failures=str(sum(1 for r in results if r.problems and r.error is None)),
        errors=str(sum(1 for r in results if r.error is not None)),
        time=f"{sum(r.seconds for r in results):.3f}",
    )
    for result in results:
        case = ElementTree.SubElement(
            root,
            "testcase",
            classname="drill",
            name=f"{result.instance_name or result.instance_id} ({result.instance_id})",
            time=f"{result.seconds:.3f}",
        )
        if result.error is not None:
            ElementTree.SubElement(case, "error", message=result.error).text = result.error
        elif result.problems:
            text = "\n".join(result.problems)
            ElementTree.SubElement(case, "failure", message=result.problems[0]).text = text
        details = [f"backup {result.backup_name} ({result.backup_id})",
                   f"restored to {result.restored_name} ({result.restored_id})",
                   f"temporary instance deleted: {'yes' if result.cleaned else 'no'}"]  # fmt: skip
        ElementTree.SubElement(case, "system-out").text = "\n".join(details)
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, "unicode") + "\n"
