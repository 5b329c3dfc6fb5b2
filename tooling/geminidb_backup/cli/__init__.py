"""The ``geminidb-backup`` command.

Each command lives in a module of its own and is imported only when it runs, so that
``geminidb-backup --help`` starts fast (httpx alone costs about 0.3 s to import when click and
rich are installed). Add a command by adding a line to ``COMMANDS``.
"""

from __future__ import annotations

import importlib

import click

# command name -> "module:attribute" of its click.Command
COMMANDS: dict[str, str] = {
    "contract": "geminidb_backup.cli.contract:contract",
    "serve": "geminidb_backup.cli.serve:serve",
}


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
        if cmd_name in self.lazy_commands:
            module_name, attribute = self.lazy_commands[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy_commands[cmd_name]} is not a click command")
            return command
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=LazyGroup, lazy_commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(package_name="geminidb-backup")
def main() -> None:
    """Create, follow, list and delete manual backups of GeminiDB Cassandra instances."""
