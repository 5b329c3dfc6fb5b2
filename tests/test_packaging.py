"""The distributions users install, built and checked as a release would be.

- ``geminidb-backup-client``: the generated package alone, needing httpx and attrs only;
- ``geminidb-backup``: the library and the CLI, with the spec inside, pinned to the client of the
  same version; its extras ``[server]`` and ``[contract]``.

The wheels are built once (``uv build --all-packages``), checked with ``twine check --strict``,
and each tier is installed into a fresh virtual environment outside the repository, then used as
its users use it.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
import tomllib
import unicodedata
import zipfile
from collections.abc import Iterator
from email.message import Message
from email.parser import Parser
from pathlib import Path

import pytest
import yaml

from conftest import REPO_ROOT
from geminidb_backup.server.process import serve_process
from geminidb_backup_client.spec_hash import SPEC_SHA256

SPEC_FILE = REPO_ROOT / "tooling" / "geminidb_backup" / "openapi.yaml"
PROJECT_ID = "054e292c9880d4992f02c0196d3ea468"
INSTANCE_ID = "a4d8ea2584e047439a667703c0684119in06"
TOKEN = "packaging-test-token"
# Pins that users' projects commonly hold and the client alone does not care about.
FOREIGN_PINS = ("pytest<8", "starlette<1", "rich<13")
# What each tier may install at most (the targets).
MAX_CLIENT_DISTRIBUTIONS = 9
MAX_CLIENT_MEGABYTES = 6
MAX_CORE_DISTRIBUTIONS = 20


def _run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, timeout=600, check=False, **kwargs
    )  # type: ignore[call-overload, no-any-return]


def _check(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The release's files, built and checked by scripts/build-dist, and what it printed."""
    out = tmp_path_factory.mktemp("dist")
    printed = _check(_run([str(REPO_ROOT / "scripts" / "build-dist"), str(out)]))
    return out, printed


@pytest.fixture(scope="module")
def dist(built: tuple[Path, str]) -> Path:
    return built[0]


def _one(dist: Path, pattern: str) -> Path:
    (found,) = dist.glob(pattern)
    return found


def _metadata(wheel_path: Path) -> Message:
    with zipfile.ZipFile(wheel_path) as wheel:
        (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        return Parser().parsestr(wheel.read(name).decode())


def _project_version() -> str:
    return str(tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["version"])


# The built files.


def test_the_client_wheel_is_the_generated_package_alone_typed_licensed(dist: Path) -> None:
    wheel_path = _one(dist, "geminidb_backup_client-*.whl")
    with zipfile.ZipFile(wheel_path) as wheel:
        names = set(wheel.namelist())
    packages = {name.split("/")[0] for name in names if not name.startswith("geminidb_backup_cl")}
    assert packages == set(), f"the client wheel ships other packages: {packages}"
    assert {
        "geminidb_backup_client/py.typed",
        "geminidb_backup_client/api/backups/create_backup.py",
        "geminidb_backup_client/spec_hash.py",
    } <= names
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    metadata = _metadata(wheel_path)
    assert metadata["Name"] == "geminidb-backup-client"
    assert metadata["Version"] == _project_version()
    assert metadata["License-Expression"] == "Apache-2.0"
    requirements = {req.split(">")[0].split("<")[0] for req in metadata.get_all("Requires-Dist")}
    assert requirements == {"httpx", "attrs"}
    assert "Typing :: Typed" in metadata.get_all("Classifier")
    assert metadata.get_all("Project-URL")


def test_the_core_wheel_ships_the_spec_as_a_real_file_matching_the_client(dist: Path) -> None:
    assert not SPEC_FILE.is_symlink(), "the package's spec must be the real file, not a link"
    wheel_path = _one(dist, "geminidb_backup-*.whl")
    with zipfile.ZipFile(wheel_path) as wheel:
        names = set(wheel.namelist())
        shipped = wheel.read("geminidb_backup/openapi.yaml")
    assert shipped == SPEC_FILE.read_bytes()
    assert hashlib.sha256(shipped).hexdigest() == SPEC_SHA256
    assert yaml.safe_load(shipped)["openapi"].startswith("3.1")
    assert "geminidb_backup/py.typed" in names
    assert not any(name.startswith("geminidb_backup_client/") for name in names)
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)

    metadata = _metadata(wheel_path)
    requirements = metadata.get_all("Requires-Dist")
    version = _project_version()
    assert f"geminidb-backup-client=={version}" in requirements
    core = {r.split(";")[0] for r in requirements if "extra ==" not in r}
    heavy = ("schemathesis", "starlette", "uvicorn", "hypothesis", "pytest", "jsonschema-rs")
    assert not [r for r in core if r.startswith(heavy)], core
    assert set(metadata.get_all("Provides-Extra")) == {"server", "contract"}
    # A range a user's resolver can satisfy, never one exact version.
    pinned = [r for r in requirements if "==" in r.split(";")[0]]
    assert pinned == [f"geminidb-backup-client=={version}"]
    assert "Typing :: Typed" in metadata.get_all("Classifier")


def test_every_built_file_passes_twine_check_strict(built: tuple[Path, str]) -> None:
    dist, printed = built
    files = sorted(path.name for path in dist.iterdir() if path.suffix in {".whl", ".gz"})
    assert len(files) == 4
    assert printed.count("PASSED") == 4, printed
    assert "FAILED" not in printed and "WARNING" not in printed, printed


def test_the_sdists_ship_no_tests_and_their_licence(dist: Path) -> None:
    for sdist in dist.glob("*.tar.gz"):
        with tarfile.open(sdist) as archive:
            names = archive.getnames()
        assert not [n for n in names if "/tests/" in n or n.endswith("conftest.py")], sdist
        assert any(n.endswith("/LICENSE") for n in names), sdist


def test_the_readmes_start_with_install_and_link_absolutely() -> None:
    for readme in (REPO_ROOT / "README.md", REPO_ROOT / "generated_client" / "README.md"):
        text = readme.read_text()
        headings = [line for line in text.splitlines() if line.startswith("## ")]
        assert headings[0] == "## Install", readme
        for target in _markdown_links(text):
            assert target.startswith(("https://", "#")), f"{readme}: relative link {target}"


def _markdown_links(text: str) -> list[str]:
    import re

    return re.findall(r"\]\(([^)\s]+)\)", text)


def test_one_version_for_both_distributions() -> None:
    version = _project_version()
    config = yaml.safe_load((REPO_ROOT / "openapi" / "generator-config.yaml").read_text())
    client = tomllib.loads((REPO_ROOT / "generated_client" / "pyproject.toml").read_text())
    assert str(config["package_version_override"]) == version
    assert client["project"]["version"] == version
    core = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    assert f"geminidb-backup-client=={version}" in core["project"]["dependencies"]


def test_the_custom_client_template_changes_only_what_hides_credentials() -> None:
    """openapi/templates/client.py.jinja is the generator's own template with six lines changed:
    four keep credentials out of repr(), two make the spec's token scheme (X-Auth-Token, no
    prefix) the default; when the generator's pin moves, this says whether the copy must follow."""
    import openapi_python_client

    upstream = (
        Path(openapi_python_client.__file__).parent / "templates" / "client.py.jinja"
    ).read_text()
    ours = (REPO_ROOT / "openapi" / "templates" / "client.py.jinja").read_text()
    ours_body = ours.split("#}\n", 1)[1]  # the leading comment that says why
    removed = set(upstream.splitlines()) - set(ours_body.splitlines())
    added = set(ours_body.splitlines()) - set(upstream.splitlines())
    assert len(removed) == len(added) == 6
    scheme = {
        line for line in added if line.lstrip().startswith(('"prefix"', '"auth_header_name"'))
    }
    assert len(scheme) == 2 and all("repr=False" in line for line in added - scheme)
    assert any("default='\"\"'" in line for line in scheme)  # no prefix
    assert any("default='\"X-Auth-Token\"'" in line for line in scheme)


# Each tier, installed into a fresh venv outside the repository.


@pytest.fixture(scope="module")
def constraints(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The locked versions, so that the tiers install what the tests ran with (from uv's cache)."""
    path = tmp_path_factory.mktemp("lock") / "constraints.txt"
    _check(_run(
        ["uv", "export", "--frozen", "--no-hashes", "--all-extras", "--no-dev",
         "--no-emit-workspace", "--quiet", "-o", str(path)],
        cwd=REPO_ROOT,
    ))  # fmt: skip
    return path


def _venv(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    venv = tmp_path_factory.mktemp("venvs") / name
    _check(_run(["uv", "venv", "--quiet", "--python", sys.executable, str(venv)]))
    return venv


def _install(venv: Path, dist: Path, constraints: Path, *requirements: str) -> None:
    _check(_run([
        "uv", "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
        "--find-links", str(dist), "-c", str(constraints), *requirements,
    ]))  # fmt: skip


def _distributions(venv: Path) -> list[str]:
    out = _check(_run(["uv", "pip", "freeze", "--python", str(venv / "bin" / "python")]))
    return sorted(line.split("==")[0].split(" @ ")[0] for line in out.splitlines() if line)


def _megabytes(venv: Path) -> float:
    (site,) = (venv / "lib").glob("python3.*/site-packages")
    return sum(f.stat().st_size for f in site.rglob("*") if f.is_file()) / 1e6


def _env(url: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GEMINIDB_", "OS_"))},
        "GEMINIDB_ENDPOINT": url,
        "GEMINIDB_TOKEN": TOKEN,
        "GEMINIDB_PROJECT_ID": PROJECT_ID,
    }


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """`geminidb-backup serve` from the repository's own environment (another venv)."""
    args = ["--token", TOKEN, "--db", ":memory:", "--backup-seconds", "1", "--no-access-log"]
    with serve_process(args) as running:
        yield running.url


def test_the_client_tier_is_small_and_creates_a_backup_as_its_readme_shows(
    tmp_path_factory: pytest.TempPathFactory, dist: Path, constraints: Path, server: str
) -> None:
    venv = _venv(tmp_path_factory, "client")
    _install(venv, dist, constraints, "geminidb-backup-client")
    installed = _distributions(venv)
    assert "geminidb-backup" not in installed
    assert not {"click", "rich", "pyyaml", "starlette", "schemathesis"} & set(installed)
    assert len(installed) <= MAX_CLIENT_DISTRIBUTIONS, installed
    assert _megabytes(venv) <= MAX_CLIENT_MEGABYTES

    readme = (REPO_ROOT / "generated_client" / "README.md").read_text()
    example = readme.split("## Create a backup\n\n```python\n", 1)[1].split("```", 1)[0]
    workdir = tmp_path_factory.mktemp("client-user")
    result = _run([str(venv / "bin" / "python"), "-c", example], cwd=workdir, env=_env(server))
    out = _check(result)
    assert "CreateBackupResponse(job_id=" in out
    assert TOKEN not in out

    # repr() of the client never shows the token, also once a request set its header.
    shows = (
        "from geminidb_backup_client import AuthenticatedClient as C\n"
        f"c = C(base_url='{server}', token='{TOKEN}', prefix='', auth_header_name='X-Auth-Token')\n"
        "c.get_httpx_client(); print(repr(c)); print(repr(c.with_headers({'X-A': 'b'})))\n"
    )
    out = _check(_run([str(venv / "bin" / "python"), "-c", shows], cwd=workdir))
    assert "AuthenticatedClient(" in out and TOKEN not in out


def test_the_client_resolves_beside_common_pins_of_other_tools(dist: Path) -> None:
    wheel = _one(dist, "geminidb_backup_client-*.whl")
    result = _run([
        "uv", "pip", "compile", "--quiet", "--no-header", "--python-version", "3.11", "-",
    ], input=f"{wheel}\n" + "\n".join(FOREIGN_PINS) + "\n")  # fmt: skip
    out = _check(result)
    assert "httpx==" in out and "pytest==7." in out and "starlette==0." in out


def test_the_core_tier_runs_the_cli_and_names_the_extras_it_lacks(
    tmp_path_factory: pytest.TempPathFactory, dist: Path, constraints: Path, server: str
) -> None:
    venv = _venv(tmp_path_factory, "core")
    _install(venv, dist, constraints, "geminidb-backup")
    installed = _distributions(venv)
    assert len(installed) <= MAX_CORE_DISTRIBUTIONS, installed
    assert not {"starlette", "uvicorn", "schemathesis", "hypothesis", "pytest"} & set(installed)

    cli = str(venv / "bin" / "geminidb-backup")
    workdir = tmp_path_factory.mktemp("core-user")
    env = _env(server)
    created = _run(
        [cli, "-o", "json", "create", "--instance", INSTANCE_ID, "--name", "tier-core",
         "--description", "from the core tier", "--wait", "--interval", "0.2"],
        cwd=workdir, env=env,
    )  # fmt: skip
    _check(created)
    listed = _check(_run([cli, "list", "--instance", INSTANCE_ID], cwd=workdir, env=env))
    assert "tier-core" in listed

    for command, extra in (("serve", "server"), ("contract", "contract")):
        refused = _run([cli, command], cwd=workdir, env=env)
        assert refused.returncode == 2, refused
        assert refused.stderr.strip() == (
            f"geminidb-backup {command} needs the {extra} extra: "
            f"pip install 'geminidb-backup[{extra}]'"
        )
        assert "Traceback" not in refused.stdout + refused.stderr
        helped = _run([cli, command, "--help"], cwd=workdir, env=env)
        assert helped.returncode == 0, helped
        assert f"pip install 'geminidb-backup[{extra}]'" in " ".join(helped.stdout.split())
    # Tab completion lists every command, those whose extra is missing too, without a traceback.
    completion = {**env, "_GEMINIDB_BACKUP_COMPLETE": "bash_complete",
                  "COMP_WORDS": "geminidb-backup ", "COMP_CWORD": "1"}  # fmt: skip
    completed = _run([cli], cwd=workdir, env=completion)
    assert completed.returncode == 0 and "Traceback" not in completed.stderr, completed
    assert {"serve", "contract", "prune"} <= {
        line.split(",")[-1] for line in completed.stdout.split()
    }
    imported = _run(
        [str(venv / "bin" / "python"), "-c", "import geminidb_backup.server as s; s.create_app"],
        cwd=workdir,
    )
    assert imported.returncode == 1
    assert "pip install 'geminidb-backup[server]'" in imported.stderr
    assert list(workdir.iterdir()) == []


def test_the_server_tier_serves(
    tmp_path_factory: pytest.TempPathFactory, dist: Path, constraints: Path
) -> None:
    venv = _venv(tmp_path_factory, "server")
    _install(venv, dist, constraints, "geminidb-backup[server]")
    assert "schemathesis" not in _distributions(venv)
    python = str(venv / "bin" / "python")
    args = ["--token", TOKEN, "--db", ":memory:", "--no-access-log"]
    with serve_process(args, python=python) as running:
        import httpx

        answer = httpx.get(
            f"{running.url}/v4/{PROJECT_ID}/backups", headers={"X-Auth-Token": TOKEN}, timeout=30
        )
    assert answer.status_code == 200
    assert "total_count" in answer.json()


@pytest.mark.starts_first  # its module's builds and installs: a minute and more on one worker
def test_the_contract_tier_runs_the_suite_and_leaves_no_files(
    tmp_path_factory: pytest.TempPathFactory, dist: Path, constraints: Path
) -> None:
    venv = _venv(tmp_path_factory, "contract")
    _install(venv, dist, constraints, "geminidb-backup[contract]")
    workdir = tmp_path_factory.mktemp("contract-user")
    # Every phase and every check against the embedded server, with 3 examples an operation and
    # phase, not the default's: what is tested here is the install, and the default run's
    # examples are CPU the whole suite's two cores lack (its cases are tested in the source tree).
    cache = tmp_path_factory.mktemp("contract-user-cache")
    result = _run(
        [str(venv / "bin" / "geminidb-backup"), "contract", "-n", "3"],
        cwd=workdir,
        env={**os.environ, "XDG_CACHE_HOME": str(cache)},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "No issues found" in result.stdout
    assert sorted(p.name for p in workdir.iterdir()) == []  # no .hypothesis/, no .schemathesis/
    # What is kept is in the user's cache: the parsed spec, and hypothesis's Unicode tables
    # (about 2.5 s of CPU a run to compute), not its example database or other caches.
    kept = sorted(str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file())
    tables = f"geminidb-backup/hypothesis/unicode_data/{unicodedata.unidata_version}"  # same Python
    assert [p for p in kept if not p.startswith("geminidb-backup/openapi-")] == [
        f"{tables}/charmap.json.gz",
        f"{tables}/codec-v2-utf-8.json.gz",
    ], kept
