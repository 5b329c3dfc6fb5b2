"""The ``geminidb-backup`` command.

Each command lives in a module of its own and is imported only when it runs, so that
``geminidb-backup --help`` starts fast (httpx alone costs about 0.3 s to import when click and
rich are installed). Add a command by adding a line to ``COMMANDS``. The global options are
stored on the context as a :class:`~geminidb_backup.cli._state.State`, which imports no HTTP
library either.

Exit codes: see ``EXIT_CODES`` in :mod:`geminidb_backup.cli._common` (and docs/cli.md).
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from ._options import group_options
from ._state import State

# command name -> "module:attribute" of its click.Command
COMMANDS: dict[str, str] = {
    "create": "geminidb_backup.cli.create:create",
    "list": "geminidb_backup.cli.list_backups:list_backups",
    "show": "geminidb_backup.cli.show:show",
    "delete": "geminidb_backup.cli.delete:delete",
    "wait": "geminidb_backup.cli.wait:wait",
    "jobs": "geminidb_backup.cli.jobs:jobs",
    "prune": "geminidb_backup.cli.prune:prune",
    "policy": "geminidb_backup.cli.policy:policy",
    "stop": "geminidb_backup.cli.stop:stop",
    "instances": "geminidb_backup.cli.instances:instances",
    "restore": "geminidb_backup.cli.restore:restore",
    "drill": "geminidb_backup.cli.drill:drill",
    "contract": "geminidb_backup.cli.contract:contract",
    "serve": "geminidb_backup.cli.serve:serve",
}


# Commands that need an optional part of the distribution (pip install 'geminidb-backup[EXTRA]').
EXTRA_OF_COMMAND = {"serve": "server", "contract": "contract"}


def write_epilog(formatter: click.HelpFormatter, epilog: str) -> None:
    """The epilog's paragraphs wrapped at the terminal's width between words only: click's own
    wrapping breaks at hyphens (``geminidb-`` / ``backup``, ``--end-`` / ``time``)."""
    import textwrap

    formatter.write_paragraph()
    with formatter.indentation():
        width = max(formatter.width - formatter.current_indent, 20)
        indent = " " * formatter.current_indent
        for index, paragraph in enumerate(epilog.split("\n\n")):
            if index:
                formatter.write("\n")
            text = textwrap.fill(
                " ".join(paragraph.split()), width + len(indent), initial_indent=indent,
                subsequent_indent=indent, break_on_hyphens=False, break_long_words=False,
            )  # fmt: skip
            formatter.write(text + "\n")


class LazyGroup(click.Group):
    """A click group that imports each command's module only when that command is used.

    click has no lazy loading of its own; this is the pattern its documentation describes
    ("Lazily Loading Subcommands").
    """

    def __init__(self, *args: object, lazy_commands: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in EXTRA_OF_COMMAND:
            from geminidb_backup import _extras

            extra = EXTRA_OF_COMMAND[cmd_name]
            if _extras.missing(extra):
                return self._needing_extra(
                    cmd_name, _extras.message(extra, f"geminidb-backup {cmd_name}")
                )
        if cmd_name in self.lazy_commands:
            return self._import(cmd_name)
        return super().get_command(ctx, cmd_name)

    def _import(self, cmd_name: str) -> click.Command:
        module_name, attribute = self.lazy_commands[cmd_name].split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.lazy_commands[cmd_name]} is not a click command")
        return command

    def _needing_extra(self, cmd_name: str, hint: str) -> click.Command:
        """A stand-in for a command whose extra is missing: listed, completed and helped like
        the real one (its options when its module imports without the extra), refusing to run."""
        try:
            real = self._import(cmd_name)
            params, help_text = real.params, real.help
        except ImportError:
            params, help_text = [], SUMMARIES.get(cmd_name, "")
        return NeedsExtra(
            cmd_name, hint=hint, params=params, help=help_text, epilog=hint,
            short_help=SUMMARIES.get(cmd_name),
        )  # fmt: skip

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = click.utils.make_str(args[0]) if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            import difflib

            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1, cutoff=0.6)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            ctx.fail(f"No such command {name!r}.{hint}")
        return super().resolve_command(ctx, args)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.epilog:
            write_epilog(formatter, self.epilog)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The default imports every command to read its short help; a fixed list keeps --help
        # from importing httpx and rich.
        rows = []
        for name in self.list_commands(ctx):
            summary = SUMMARIES.get(name)
            if summary is None:
                command = self.get_command(ctx, name)
                summary = command.get_short_help_str() if command else ""
            rows.append((name, summary))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


class NeedsExtra(click.Command):
    """A command whose optional dependencies are not installed: ``--help`` and tab completion
    work (a traceback at a Tab helps nobody); running it prints the install line, exit code 2."""

    def __init__(self, name: str, *, hint: str, **kwargs: Any) -> None:
        super().__init__(name, callback=None, **kwargs)
        self.hint = hint

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        write_epilog(formatter, self.hint)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.resilient_parsing or any(arg in ctx.help_option_names for arg in args):
            return super().parse_args(ctx, args)
        click.echo(self.hint, err=True)
        ctx.exit(2)


SUMMARIES = {
    "create": "Create a manual backup of an instance (--wait to follow it).",
    "list": "List backups, all pages, with filters.",
    "show": "Show one backup.",
    "delete": "Delete manual backups, by ID or name (several at once in batches of 10).",
    "policy": "Show or set an instance's automated backup policy (show, set; UTC).",
    "stop": "Stop a backup while it is being made (--wait to follow it).",
    "wait": "Wait for a job to end, showing its progress.",
    "jobs": "List jobs (tasks), or show one with --id.",
    "prune": "Delete the old manual backups of an instance (--keep N, --older-than 30d).",
    "instances": "List instances (or `instances delete ID`, typing its name to confirm).",
    "restore": "Restore a backup or a point in time to a new instance (--wait to follow it).",
    "drill": "Restore drill: restore the newest backup, check it, delete it; report (JUnit too).",
    "serve": "Run the reference server: a local, stateful GeminiDB backup API.",
    "contract": "Test a server against the API's spec and its domain rules (schemathesis).",
}

EPILOG = """Credentials: --token or GEMINIDB_TOKEN; GEMINIDB_ACCESS_KEY + GEMINIDB_SECRET_KEY
(AK/SK); OS_USERNAME/OS_PASSWORD/OS_AUTH_URL (IAM password); or OS_CLOUD and clouds.yaml.

Exit codes: 0 ok (or "no" at a prompt: nothing done); 2 usage, configuration or validation
error (nothing sent); 3 API error, or no such backup/job; 4 job failed or wait timed out;
5 API unreachable; 130 interrupted (Ctrl-C); 1 unexpected error (a bug)."""


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EPILOG,
)
@group_options
@click.version_option(package_name="geminidb-backup")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Create, follow, list, delete and prune manual backups of GeminiDB Cassandra instances.

    The options below may also be given after the command (`geminidb-backup list -o json`).
    """
    ctx.ensure_object(State)
