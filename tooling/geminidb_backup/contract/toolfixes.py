"""Work-arounds for faults of the tools under the suite, not of the target.

:func:`operation_configs_merged_once` spares schemathesis merging an operation's configuration
again for every generated case (a cost, not a fault of the results).

Hypothesis describes the lambdas of its strategies by parsing their source, with a cache of parsed
sources that is not safe across threads: under ``--workers`` on CPython 3.11 that parse fails now
and then ("AST constructor recursion depth mismatch", a KeyError from the cache), and schemathesis
reports it as an error of the operation being tested. :func:`serialized_lambda_descriptions`
runs those descriptions one at a time (each source is parsed once, so the lock costs little);
the runner also runs schemathesis once more when its report still shows the flake.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def serialized_lambda_descriptions() -> Iterator[None]:
    import importlib

    try:
        from hypothesis.internal import lambda_sources
    except ImportError:  # another Hypothesis: nothing to fix
        yield
        return
    original: Callable[[Any], str] | None = getattr(lambda_sources, "lambda_description", None)
    if original is None:
        yield
        return
    lock = threading.Lock()

    def described(f: Any) -> str:
        with lock:
            return original(f)

    # Every module that holds the function (filtering.py imported it by name).
    holders = [lambda_sources]
    for name in ("hypothesis.internal.filtering",):
        try:
            holders.append(importlib.import_module(name))
        except ImportError:
            continue
    patched = [m for m in holders if getattr(m, "lambda_description", None) is original]
    for module in patched:
        module.__dict__["lambda_description"] = described
    try:
        yield
    finally:
        for module in patched:
            module.__dict__["lambda_description"] = original


# The ProjectConfig methods that merge an operation's configuration with the project's.
_PER_OPERATION_CONFIG = ("generation_for", "phases_for", "checks_config_for")


@contextmanager
def operation_configs_merged_once() -> Iterator[None]:
    """schemathesis merges an operation's configuration (its ``[[operations]]`` section, the
    phase's, the project's) anew on every call of ``ProjectConfig.generation_for``,
    ``phases_for`` and ``checks_config_for``: several times per generated case, about a tenth of
    a run's CPU with the suite's settings, which give every operation a section. While the block
    runs, each merge is done once per configuration, operation and phase.

    Only around the execution of a run of the CLI, whose configuration is complete before the
    schema is loaded and is not changed while the run executes (a pytest session may change a
    schema's configuration at any time: the pytest entry point does not use this)."""
    try:
        from schemathesis.config._projects import ProjectConfig
    except ImportError:  # another schemathesis: nothing to speed up
        yield
        return
    originals = {name: getattr(ProjectConfig, name, None) for name in _PER_OPERATION_CONFIG}
    if None in originals.values():
        yield
        return
    # Each value keeps its configuration and operation alive, so that their ids stay theirs.
    merged: dict[tuple[str, int, int, Any], tuple[Any, Any, Any]] = {}

    def once(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def merge(self: Any, *, operation: Any = None, **kwargs: Any) -> Any:
            key = (name, id(self), id(operation), tuple(sorted(kwargs.items())))
            found = merged.get(key)
            if found is not None and found[0] is self and found[1] is operation:
                return found[2]
            value = original(self, operation=operation, **kwargs)
            merged[key] = (self, operation, value)
            return value

        return merge

    for name, original in originals.items():
        setattr(ProjectConfig, name, once(name, original))  # type: ignore[arg-type]
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(ProjectConfig, name, original)
        merged.clear()
