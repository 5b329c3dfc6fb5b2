"""What a command loads (issue 12, speed): the parsed spec comes from a JSON cache keyed by the
spec's SHA-256, and a command that talks to the API imports neither PyYAML nor jsonschema (until
an error must be worded), nor httpx's own CLI, trio or anyio. No timing here: the benchmark
(benchmarks/bench_commands.py) measures; these tests keep the causes from coming back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fake_api import PROJECT_ID, TOKEN, FakeServer

LOAD = "from geminidb_backup.spec import load_spec; import sys; load_spec(); print('yaml' in sys.modules)"


def run_python(code: str, cache: Path, **env: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "XDG_CACHE_HOME": str(cache), **env}, check=True)  # fmt: skip
    return result.stdout.strip()


def test_the_parsed_spec_is_cached_and_read_back_without_yaml(tmp_path: Path) -> None:
    from geminidb_backup.spec import _parse_yaml, spec_sha256

    assert run_python(LOAD, tmp_path) == "True"  # first run: parsed, and cached
    (cached,) = (tmp_path / "geminidb-backup").iterdir()
    assert spec_sha256()[:32] in cached.name
    assert json.loads(cached.read_text()) == _parse_yaml()
    assert run_python(LOAD, tmp_path) == "False"  # second run: no YAML at all
    cached.write_text("{not json")  # a damaged cache is parsed anew, and rewritten
    assert run_python(LOAD, tmp_path) == "True"
    assert json.loads(cached.read_text()) == _parse_yaml()


def test_a_cache_that_cannot_be_written_is_not_used(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert run_python(LOAD, blocker) == "True"  # XDG_CACHE_HOME is a file: no cache, no error


def test_a_command_imports_no_yaml_jsonschema_or_unused_httpx_parts(
    fake_api: FakeServer, tmp_path: Path
) -> None:
    code = (
        "import sys\n"
        "from geminidb_backup.cli import main\n"
        "try:\n    main(['-o', 'json', 'list', '--backup-type', 'Manual'])\n"
        "except SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "heavy = ['yaml', 'jsonschema', 'referencing', 'tenacity', 'asyncio', 'trio', 'anyio',\n"
        "         'httpx._main', 'pygments']\n"
        "print(sorted(m for m in heavy if sys.modules.get(m) is not None), file=sys.stderr)"
    )
    env = {"GEMINIDB_ENDPOINT": fake_api.url, "GEMINIDB_PROJECT_ID": PROJECT_ID,
           "GEMINIDB_TOKEN": TOKEN}  # fmt: skip
    run_python("from geminidb_backup.spec import load_spec; load_spec()", tmp_path)  # warm cache
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "XDG_CACHE_HOME": str(tmp_path), **env},
                            check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "[]"
    assert json.loads(result.stdout)["total_count"] == 0


def _imported(lines: list[str]) -> list[str]:
    """The modules ``PYTHONPROFILEIMPORTTIME`` lines name, in the order they were imported."""
    return [line.rsplit("|", 1)[1].strip() for line in lines if line.startswith("import time:")]


def test_serve_starts_without_what_only_a_refusal_or_a_config_file_needs() -> None:
    """jsonschema words a refusal (the server checks with jsonschema-rs), PyYAML reads a --config
    file, and h11's protocol serves only when chosen: a start-up on httptools imports none of
    them, which was a third of its CPU. A refused request still gets its code."""
    import httpx
    from server_helpers import serve

    from geminidb_backup.server import errors

    lazy = {"jsonschema", "yaml", "uvicorn.protocols.http.h11_impl"}
    token = "start-up-token"
    with serve(
        ["--token", token, "--http", "httptools"], env={"PYTHONPROFILEIMPORTTIME": "1"}
    ) as server:
        at_start = set(_imported(server.output))
        refused = httpx.post(
            f"{server.url}/v3/{PROJECT_ID}/instances/any/backups",
            json={"name": "1-starts-with-a-digit", "description": ""},
            headers={"X-Auth-Token": token},
        )
    assert "uvicorn" in at_start  # the lines were read
    assert lazy & at_start == set()
    assert refused.status_code == 400, refused.text
    assert refused.json()["error_code"] == errors.INVALID_BACKUP_NAME
