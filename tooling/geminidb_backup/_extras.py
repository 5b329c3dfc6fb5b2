"""Which optional parts of ``geminidb-backup`` are installed.

``serve`` and ``geminidb_backup.testing`` need the ``server`` extra, ``contract`` the ``contract``
extra. Which distributions an extra brings is read from the installed package's own metadata
(``Requires-Dist: ...; extra == "server"``), so pyproject.toml stays the one place that says it.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import metadata

DISTRIBUTION = "geminidb-backup"

# "name[extras] (>=1.0) ; extra == 'server'" -> name, and the extra of the marker. Only these two
# parts of a requirement are needed, and `packaging` (which parses them fully) is no dependency
# of the core install, so two small patterns do it.
_REQUIREMENT = re.compile(r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)")
_EXTRA_MARKER = re.compile(r"""extra\s*==\s*["'](?P<extra>[^"']+)["']""")


class MissingExtraError(ImportError):
    """A part of geminidb-backup was used whose optional dependencies are not installed."""


@cache
def missing(extra: str) -> tuple[str, ...]:
    """The distributions of ``extra`` that are not installed (empty when it is complete)."""
    try:
        requirements = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return ()
    absent = []
    for requirement in requirements:
        marker = _EXTRA_MARKER.search(requirement)
        name = _REQUIREMENT.match(requirement)
        if marker is None or marker["extra"] != extra or name is None:
            continue
        if name["name"] == DISTRIBUTION:  # an extra that includes another one
            continue
        try:
            metadata.distribution(name["name"])
        except metadata.PackageNotFoundError:
            absent.append(name["name"])
    return tuple(absent)


def message(extra: str, what: str) -> str:
    """One line that says what to install."""
    return f"{what} needs the {extra} extra: pip install '{DISTRIBUTION}[{extra}]'"


def require(extra: str, what: str) -> None:
    """Raise :class:`MissingExtraError` when ``extra`` is not completely installed."""
    if missing(extra):
        raise MissingExtraError(message(extra, what))
