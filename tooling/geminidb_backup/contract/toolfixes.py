"""Work-arounds for faults of the tools under the suite, not of the target.

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
