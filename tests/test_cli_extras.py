"""Commands whose extra is missing: listed, completed and helped, refused only when run."""

from __future__ import annotations

import sys

import click
import pytest
from click.testing import CliRunner

from geminidb_backup import _extras
from geminidb_backup.cli import main


@pytest.fixture
def no_extras(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_extras, "missing", lambda extra: ("some-distribution",))


def invoke(*args: str, **env: str) -> click.testing.Result:
    return CliRunner().invoke(main, list(args), env=env, prog_name="geminidb-backup")


def complete(words: str) -> click.testing.Result:
    return invoke(
        _GEMINIDB_BACKUP_COMPLETE="bash_complete", COMP_WORDS=words,
        COMP_CWORD=str(len(words.split(" ")) - 1),
    )  # fmt: skip


@pytest.mark.usefixtures("no_extras")
def test_completion_lists_every_command_without_a_traceback() -> None:
    result = complete("geminidb-backup ")
    assert result.exit_code == 0, result.output
    assert result.exception is None
    listed = {line.split(",")[-1] for line in result.output.splitlines()}
    assert {"serve", "contract", "create", "list", "prune"} <= listed


@pytest.mark.usefixtures("no_extras")
def test_completion_inside_a_command_that_lacks_its_extra() -> None:
    result = complete("geminidb-backup serve --")
    assert result.exit_code == 0 and result.exception is None, result.output
    assert "--port" in result.output


@pytest.mark.usefixtures("no_extras")
@pytest.mark.parametrize(
    ("command", "extra", "option"),
    [("serve", "server", "--port"), ("contract", "contract", "--seed")],
)
def test_help_shows_without_the_extra_and_running_refuses(
    command: str, extra: str, option: str
) -> None:
    hint = (
        f"geminidb-backup {command} needs the {extra} extra: pip install 'geminidb-backup[{extra}]'"
    )
    helped = invoke(command, "--help", COLUMNS="80")
    assert helped.exit_code == 0, helped.output
    assert f"Usage: geminidb-backup {command} [OPTIONS]" in helped.output
    assert option in helped.output
    assert "'geminidb-backup[" in helped.output  # wrapped between words, never inside one
    assert " ".join(hint.split()) in " ".join(helped.output.split())
    refused = invoke(command, option, "1")
    assert refused.exit_code == 2
    assert refused.stderr.strip() == hint


def test_the_top_level_epilog_wraps_between_words_at_80_columns() -> None:
    helped = invoke("--help", COLUMNS="80")
    lines = helped.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    epilog = helped.output.split("Credentials:", 1)[1]
    words = set(epilog.split())
    for word in ("GEMINIDB_ACCESS_KEY", "OS_USERNAME/OS_PASSWORD/OS_AUTH_URL", "interrupted"):
        assert word in words, word


@pytest.mark.usefixtures("no_extras")
def test_help_of_a_command_whose_module_needs_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    # As in a core install: the serve module cannot even be imported.
    monkeypatch.setitem(sys.modules, "uvicorn.protocols.http.h11_impl", None)
    for name in ("geminidb_backup.cli.serve", "geminidb_backup.server.transport"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    helped = invoke("serve", "--help")
    assert helped.exit_code == 0, helped.output
    assert "Run the reference server" in helped.output
    assert "pip install 'geminidb-backup[server]'" in " ".join(helped.output.split())
    assert complete("geminidb-backup ").exception is None
