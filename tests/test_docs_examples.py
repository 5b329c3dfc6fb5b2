"""Every code example of the guides runs, so the docs cannot drift from the code.

A fenced block is tested when the line before it is a marker comment (invisible on the site):

- ``<!-- test: python -->``: the block is executed (each block on its own, in a fresh namespace);
- ``<!-- test: python needs-server -->``: likewise, skipped only while the reference server
  (``geminidb_backup.server``) is not importable;
- ``<!-- test: sh -->``: each line is run with bash in the repository and must succeed;
- ``<!-- test: commands -->``: each line's command must be one of the project's commands (an
  executable file in the repository); for commands that cannot run inside the tests themselves,
  such as ``scripts/test``;
- ``<!-- test: json SCHEMA -->``: the block is JSON valid against ``#/components/schemas/SCHEMA``;
- ``<!-- test: pytest -->``: the block is a test module; pytest runs it and it must pass.
- ``<!-- test: cli -->``: each line is run with bash, in a scratch folder, against a fresh
  emulator (``geminidb_backup.testing``) on a loopback port, with its ``GEMINIDB_*`` variables
  and the project's ``geminidb-backup`` first on the PATH; each must succeed.

In the pages this branch writes (``GUIDES``), every fenced block must carry a marker.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REPO_ROOT, run_pytest_file
from geminidb_backup.spec import component_validator

DOCS = REPO_ROOT / "docs"
GUIDES = (
    "index.md", "quick-start.md", "changing-the-spec.md", "error-codes.md", "testing.md",
    "restore.md",
)  # fmt: skip
MARKER = re.compile(r"^(?P<indent>\s*)<!-- test: (?P<kind>[\w-]+)(?P<args>(?: [\w-]+)*) -->$")
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>```+)(?P<lang>[\w-]*)")


@dataclass(frozen=True)
class Example:
    page: str
    line: int  # 1-based line of the fence
    kind: str | None
    args: tuple[str, ...]
    lang: str
    code: str

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}:{self.kind}"


def examples(page: Path) -> list[Example]:
    """The fenced blocks of a Markdown page, with the marker before each, if any."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Example] = []
    index = 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        if not fence:
            index += 1
            continue
        indent, ticks = fence["indent"], fence["fence"]
        end = index + 1
        while end < len(lines) and lines[end].strip() != ticks:
            end += 1
        body = [line.removeprefix(indent) for line in lines[index + 1 : end]]
        previous = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
        marker = MARKER.match(previous)
        found.append(
            Example(
                page=page.name,
                line=index + 1,
                kind=marker["kind"] if marker else None,
                args=tuple(marker["args"].split()) if marker else (),
                lang=fence["lang"],
                code="\n".join(body) + "\n",
            )
        )
        index = end + 1
    return found


ALL = [example for page in sorted(DOCS.glob("*.md")) for example in examples(page)]
MARKED = [example for example in ALL if example.kind is not None]


def server_available() -> bool:
    return importlib.util.find_spec("geminidb_backup.server") is not None


def test_every_block_of_the_guides_is_tested() -> None:
    for name in GUIDES:
        blocks = examples(DOCS / name)
        assert blocks, f"{name} has no code block"
        untested = [f"{name}:{b.line}" for b in blocks if b.kind is None]
        assert not untested, f"code blocks without a test marker: {untested}"
    kinds = {example.kind for example in MARKED}
    assert {"python", "sh", "commands", "json"} <= kinds


@pytest.mark.parametrize("example", MARKED, ids=lambda e: e.id)
def test_the_example_runs(example: Example, tmp_path: Path) -> None:
    if example.kind == "python":
        assert example.lang == "python"
        if "needs-server" in example.args and not server_available():
            pytest.skip("the reference server (geminidb_backup.server) is not built yet")
        compiled = compile(example.code, f"docs/{example.page}:{example.line}", "exec")
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compiled, {"__name__": f"docs_example_{example.line}"})  # noqa: S102
    elif example.kind == "sh":
        for line in example.code.splitlines():
            if line.strip():
                result = subprocess.run(
                    ["bash", "-euo", "pipefail", "-c", line],
                    cwd=REPO_ROOT,
                    capture_output=True,
                    text=True,
                    timeout=120,
                    check=False,
                )
                assert result.returncode == 0, f"{line!r} failed:\n{result.stderr}"
    elif example.kind == "commands":
        for line in example.code.splitlines():
            command = shlex.split(line, comments=True)
            if command:
                path = REPO_ROOT / command[0]
                assert path.is_file(), f"{command[0]} is not a command of the project"
                assert path.stat().st_mode & 0o111, f"{command[0]} is not executable"
                if path.name == "docs" and len(command) > 1:
                    usage = path.read_text(encoding="utf-8")
                    assert f"{command[1]})" in usage, f"scripts/docs has no {command[1]!r}"
    elif example.kind == "cli":
        _run_cli_lines(example.code, tmp_path)
    elif example.kind == "json":
        (schema,) = example.args
        errors = list(component_validator(schema).iter_errors(json.loads(example.code)))
        assert not errors, errors
    elif example.kind == "pytest":
        strict = ("-W", "error", "--strict-markers") if "strict" in example.args else ()
        result = run_pytest_file(tmp_path, example.code, *strict)
        assert result.returncode == 0, result.stdout + result.stderr
        assert " passed" in result.stdout and " failed" not in result.stdout
    else:
        pytest.fail(f"unknown test marker {example.kind!r}")


def _run_cli_lines(code: str, workdir: Path) -> None:
    if not server_available():
        pytest.skip("the reference server (geminidb_backup.server) is not built yet")
    from geminidb_backup.testing import Emulator

    bin_dir = str(Path(sys.executable).parent)
    with Emulator() as emulator:
        emulator.serve()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINIDB_", "OS_"))}
        env |= emulator.environ() | {"PATH": f"{bin_dir}:{env.get('PATH', '')}"}
        for line in code.splitlines():
            if not line.strip():
                continue
            result = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", line],
                cwd=workdir,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
                stdin=subprocess.DEVNULL,
            )
            assert result.returncode == 0, f"{line!r} failed:\n{result.stdout}{result.stderr}"
