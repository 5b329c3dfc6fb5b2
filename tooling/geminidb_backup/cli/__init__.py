"""The ``geminidb-backup`` command.

Each command lives in a module of its own and is imported only when it runs, so that
``geminidb-backup --help`` starts fast (httpx alone costs about 0.3 s to import when click and
rich are installed). Add a command by adding a line to ``COMMANDS``. The global options are
stored on the context as a :class:`~geminidb_backup.cli._state.State`, which imports no HTTP
library either.

Exit codes: 0 success; 1 unexpected error; 2 usage, configuration or validation error (nothing
was sent); 3 the API answered with an error; 4 a job failed or a wait timed out; 5 the API could
not be reached; 130 interrupted.
"""

from __future__ import annotations

import importlib

import click

from ._state import State

# command name -> "module:attribute" of its click.Command
COMMANDS: dict[str, str] = {
    "create": "geminidb_backup.cli.create:create",
    "list": "geminidb_backup.cli.list_backups:list_backups",
    "show": "geminidb_backup.cli.show:show",
    "delete": "geminidb_backup.cli.delete:delete",
    "wait": "geminidb_backup.cli.wait:wait",
    "jobs": "geminidb_backup.cli.jobs:jobs",
    "contract": "geminidb_backup.cli.contract:contract",
    "serve": "geminidb_backup.cli.serve:serve",
}


# Commands that need an optional part of the distribution (pip install 'geminidb-backup[EXTRA]').
EXTRA_OF_COMMAND = {"serve": "server", "contract": "contract"}


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
                click.echo(_extras.message(extra, f"geminidb-backup {cmd_name}"), err=True)
                ctx.exit(2)
        if cmd_name in self.lazy_commands:
            module_name, attribute = self.lazy_commands[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy_commands[cmd_name]} is not a click command")
            return command
        return super().get_command(ctx, cmd_name)

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


SUMMARIES = {
    "create": "Create a manual backup of an instance (--wait to follow it).",
    "list": "List backups, all pages, with filters.",
    "show": "Show one backup.",
    "delete": "Delete a manual backup.",
    "wait": "Wait for a job to end, showing its progress.",
    "jobs": "List jobs (tasks), or show one with --id.",
    "serve": "Run the reference server: a local, stateful GeminiDB backup API.",
    "contract": "Test a server against the API's spec and its domain rules (schemathesis).",
}

EPILOG = """\b
Credentials: --token or GEMINIDB_TOKEN; GEMINIDB_ACCESS_KEY + GEMINIDB_SECRET_KEY (AK/SK);
OS_USERNAME/OS_PASSWORD/OS_AUTH_URL (IAM password); or OS_CLOUD and clouds.yaml.
Exit codes: 0 ok, 2 usage or validation error (nothing sent), 3 API error,
4 job failed or timed out, 5 API unreachable, 1 unexpected error."""


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EPILOG,
)
@click.option("--endpoint", metavar="URL", help="API endpoint [env GEMINIDB_ENDPOINT].")
@click.option("--region", metavar="REGION", help="Derive the endpoint from a region, e.g. eu-de.")
@click.option("--project-id", metavar="ID", help="Project ID [env GEMINIDB_PROJECT_ID].")
@click.option("--token", metavar="TOKEN", help="IAM token [env GEMINIDB_TOKEN].")
@click.option("--cloud", metavar="NAME", help="Cloud of clouds.yaml to use [env OS_CLOUD].")
@click.option(
    "--insecure", is_flag=True, help="Do not verify the server's TLS certificate (unsafe)."
)
@click.option(
    "--output",
    "-o",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Tables for people, JSON for scripts.",
)
@click.option("--verbose", "-v", is_flag=True, help="Log each HTTP request (never credentials).")
@click.version_option(package_name="geminidb-backup")
@click.pass_context
def main(
    ctx: click.Context,
    endpoint: str | None,
    region: str | None,
    project_id: str | None,
    token: str | None,
    cloud: str | None,
    insecure: bool,
    output: str,
    verbose: bool,
) -> None:
    """Create, follow, list and delete manual backups of GeminiDB Cassandra instances."""
    ctx.obj = State(
        endpoint=endpoint,
        region=region,
        project_id=project_id,
        token=token,
        cloud=cloud,
        insecure=insecure,
        output=output,
        verbose=verbose,
    )
