"""pytest fixtures of the GeminiDB emulator. Opt-in: a project enables them in its
``conftest.py`` with ``pytest_plugins = ["geminidb_backup.testing.pytest_plugin"]`` (or
``pytest -p geminidb_backup.testing.pytest_plugin``); installing the package loads nothing.

- ``geminidb``: a fresh :class:`~geminidb_backup.testing.Emulator` for each test, closed after
  it, made with the options of ``geminidb_options``.
- ``geminidb_options``: the emulator's keyword arguments, ``{}``; override it in a test module,
  a class or a ``conftest.py`` (as pytest-django's ``settings``), e.g. to return
  ``{"backup_seconds": 3600}``. This works wherever the plugin is loaded from, under
  ``-W error --strict-markers`` too. ``@pytest.mark.geminidb(backup_seconds=300, ...)`` adds
  options to one test, but the marker is registered only when the plugin is loaded before the
  test modules are imported (from the root ``conftest.py`` or ``-p``).
- ``geminidb_client``: a :class:`~geminidb_backup.BackupClient` wired to it, no socket.
- ``geminidb_env``: the emulator on a loopback port, and the environment set for it
  (``GEMINIDB_ENDPOINT``, ``GEMINIDB_PROJECT_ID``, ``GEMINIDB_TOKEN``; every other ``GEMINIDB_*``
  and ``OS_*`` variable removed for the test), for code that calls ``BackupClient.from_env()``
  or runs the CLI. Returns the variables set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from geminidb_backup import BackupClient
from geminidb_backup.testing import Emulator

MARKER = "geminidb"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): options of the test's GeminiDB emulator "
        "(geminidb_backup.testing.Emulator's keyword arguments)",
    )


@pytest.fixture
def geminidb_options() -> dict[str, Any]:
    """The keyword arguments of the test's :class:`Emulator`: override this fixture to change
    them (``backup_seconds``, ``seed``, ``autojump``, ``instances``...)."""
    return {}


@pytest.fixture
def geminidb(
    request: pytest.FixtureRequest, geminidb_options: dict[str, Any]
) -> Iterator[Emulator]:
    """A fresh emulator, its state in memory, closed after the test."""
    marker = request.node.get_closest_marker(MARKER)
    options = {**geminidb_options, **(marker.kwargs if marker is not None else {})}
    with Emulator(**options) as emulator:
        yield emulator


@pytest.fixture
def geminidb_client(geminidb: Emulator) -> Iterator[BackupClient]:
    """A BackupClient of the emulator's project, in-process."""
    with geminidb.client() as client:
        yield client


@pytest.fixture
def geminidb_env(geminidb: Emulator, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The emulator on a loopback port and the environment pointing at it."""
    variables = geminidb.environ()
    for name in list(os.environ):
        if name.startswith(("GEMINIDB_", "OS_")):
            monkeypatch.delenv(name)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return variables
