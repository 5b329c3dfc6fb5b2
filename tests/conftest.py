"""Shared fixtures: the packaged spec, walkers over its operations and examples, and a runner of
pytest files written by a test."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from geminidb_backup.spec import load_spec

REPO_ROOT = Path(__file__).resolve().parent.parent
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@pytest.fixture(scope="session")
def spec() -> Mapping[str, Any]:
    return load_spec()


# Parallel runs: the tests sharing a module's build or server stay on one worker.
pytest_plugins = ["xdist_groups"]


@pytest.fixture(scope="session", autouse=True)
def _own_data_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Each worker's processes get their own XDG data directory: `serve` keeps its state (and
    its lock) there by default, and a test must neither meet another's nor touch the user's."""
    previous = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("xdg-data"))
    yield
    if previous is None:
        os.environ.pop("XDG_DATA_HOME", None)
    else:
        os.environ["XDG_DATA_HOME"] = previous


def resolve(document: Mapping[str, Any], node: Any) -> Any:
    """Follow local ``$ref``s until ``node`` is not a reference."""
    while isinstance(node, Mapping) and "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def operations(document: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(path, method, operation) for every operation of the spec."""
    for path, item in document["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item[method]


@pytest.fixture
def fake_api() -> Iterator[Any]:
    """A running in-process stand-in of the API and of IAM; see tests/fake_api.py."""
    from fake_api import running

    with running() as server:
        yield server


def run_pytest_file(folder: Path, source: str, *options: str) -> subprocess.CompletedProcess[str]:
    """Write ``source`` (dedented) to ``folder/test_contract.py`` and run pytest on it, as a team
    using the pytest entry point of the contract suite would (with pytest's ``options``)."""
    (folder / "test_contract.py").write_text(textwrap.dedent(source))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options,
         "test_contract.py"],
        cwd=folder, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
