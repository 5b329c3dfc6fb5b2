"""The global options, carried from the group to the commands. Imports no HTTP library."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(repr=False)
class State:
    endpoint: str | None = None
    region: str | None = None
    project_id: str | None = None
    token: str | None = None
    cloud: str | None = None
    insecure: bool = False
    output: str = "table"
    verbose: bool = False

    def __repr__(self) -> str:  # the token stays out of debug output
        return f"State(endpoint={self.endpoint!r}, project_id={self.project_id!r}, token=***)"

    @property
    def json(self) -> bool:
        return self.output == "json"
