"""Client-side validation: the inlined validators judge exactly as the spec's own validators,
and every x-rules message of the spec is used."""

from __future__ import annotations

from typing import Any

import pytest

from geminidb_backup.errors import ValidationError
from geminidb_backup.spec import load_spec, validator_at
from geminidb_backup.validation import _operation, _validator, validate_call

VALUES: list[Any] = ["", "b1", "backup-4f57", "1abc", "a<b", "x" * 65, "d" * 257, 0, 7, 10, 101,
                     "Manual", "manual", "2019-05-27T03:38:51+0000", "2019-05-27", None, {},
                     {"name": "backup-4f57", "description": "manual backup"},
                     {"name": "b1", "description": ""}, {"name": "backup-1"}]  # fmt: skip


@pytest.mark.parametrize(
    "operation_id", ["createBackup", "listJobs", "listBackups", "deleteBackup"]
)
def test_inlined_validators_agree_with_the_spec(operation_id: str) -> None:
    parameters, body = _operation(operation_id)
    for pointer in [*parameters.values(), *([body] if body else [])]:
        for value in VALUES:
            assert _validator(pointer).is_valid(value) == validator_at(pointer).is_valid(value)


def test_every_x_rules_message_is_reachable() -> None:
    schemas = load_spec()["components"]["schemas"]
    messages = {rule["message"] for name in ("BackupName", "BackupDescription")
                for rule in schemas[name]["x-rules"]}  # fmt: skip
    seen = set()
    for name, description in [("b1", ""), ("x" * 65, ""), ("1abc", ""), ("abcd", "a" * 257),
                              ("abcd", "=")]:  # fmt: skip
        with pytest.raises(ValidationError) as caught:
            validate_call("createBackup", {"project_id": "p", "instance_id": "i"},
                          {"name": name, "description": description})  # fmt: skip
        seen.add(caught.value.rule)
    assert seen == messages


def test_the_package_exports_what_the_docs_use() -> None:
    import geminidb_backup

    for name in geminidb_backup.__all__:
        assert getattr(geminidb_backup, name) is not None


def test_an_unknown_filter_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="listBackups has no parameter 'colour'"):
        validate_call("listBackups", {"project_id": "p", "colour": "blue"})
