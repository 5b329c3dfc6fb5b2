"""The quick check of :mod:`geminidb_backup.validation` (which spares the CLI jsonschema's import)
agrees with jsonschema on every schema of the API's parameters and bodies."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geminidb_backup.spec import at_pointer
from geminidb_backup.validation import (
    _inline,
    _operation,
    _validator,
    quick_supported,
    quick_valid,
)

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 200) | st.floats(-5, 200, allow_nan=False)
    | st.text(max_size=80) | st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{2,70}", fullmatch=True)
    | st.sampled_from(["Auto", "Manual", "Running", "Instance", "cassandra", "a&b", ""]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["name", "description", "x"]), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip


def pointers() -> list[str]:
    found = []
    for operation_id in ("createBackup", "listBackups", "deleteBackup", "listJobs"):
        parameters, body = _operation(operation_id)
        found += [*parameters.values(), *([body] if body else [])]
    return found


@pytest.mark.parametrize("pointer", pointers())
# 150 values a schema (23 schemas): a run of the whole suite is CPU-bound on two cores, and 300
# found nothing 150 did not.
@settings(max_examples=150, deadline=None)
@given(value=VALUES)
def test_the_quick_check_agrees_with_jsonschema(pointer: str, value: object) -> None:
    schema = _inline(at_pointer(pointer))
    assert quick_supported(schema), f"{pointer} uses a keyword the quick check lacks"
    assert quick_valid(schema, value) == _validator(pointer).is_valid(value)


def test_a_schema_with_another_keyword_is_left_to_jsonschema() -> None:
    assert not quick_supported({"type": "string", "format": "date-time"})
    assert not quick_supported({"anyOf": [{"type": "string"}]})
    assert quick_supported({"type": "string", "pattern": "^a", "description": "x"})
