"""The global options, carried from the group to the commands. Imports no HTTP library."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(repr=False)
class State:
    endpoint: str | None = None
    region: str | None = None
    project_id: str | None = None
    token: str | None = None
    cloud: str | None = None
    insecure: bool = False
    # None: not given (a table on a terminal, tab-separated rows into a pipe).
    output: str | None = None
    verbose: bool = False
    columns: list[str] = field(default_factory=list)
    # Learnt once the settings are resolved: which credential is used, and where IAM is, so that
    # an error's advice points at the setting that is most likely wrong.
    auth_method: str = ""
    iam_url: str | None = None

    def __repr__(self) -> str:  # the token stays out of debug output
        return f"State(endpoint={self.endpoint!r}, project_id={self.project_id!r}, token=***)"

    @property
    def json(self) -> bool:
        return self.output == "json"

    @property
    def yaml(self) -> bool:
        return self.output == "yaml"

    @property
    def table(self) -> bool:
        """Output for people (the default, or -o table): notes and progress on stderr."""
        return self.output in (None, "table")

    @property
    def rows(self) -> bool:
        """Tab-separated rows: no -o given and stdout is not a terminal."""
        import sys

        return self.output is None and not sys.stdout.isatty()
