"""The work-arounds of contract/toolfixes.py change how much a run costs, never what it runs: a
configuration merged once per operation and phase is the one schemathesis merges every time,
and schemathesis is left as it was after the block."""

from __future__ import annotations

import copy
from typing import Any

import schemathesis
from schemathesis.config._projects import ProjectConfig

from geminidb_backup.contract import toolfixes
from geminidb_backup.contract.runner import suite_settings
from geminidb_backup.spec import load_spec


def _merged(schema: Any, operation: Any) -> list[Any]:
    config = schema.config
    return [
        config.phases_for(operation=operation),
        config.generation_for(operation=operation, phase="fuzzing"),
        config.generation_for(operation=operation),
        config.checks_config_for(operation=operation, phase="coverage"),
    ]


def test_each_operations_configuration_is_merged_once_and_is_schemathesiss_own() -> None:
    # The suite's settings (a section for every operation), as a run of the CLI has them.
    settings = suite_settings({"project_id": "p", "instance_id": "i"})
    schema = schemathesis.openapi.from_dict(
        copy.deepcopy(dict(load_spec())),  # schemathesis edits what it is given; the spec is shared
        config=schemathesis.Config.from_dict(settings),
    )
    originals = [getattr(ProjectConfig, name) for name in toolfixes._PER_OPERATION_CONFIG]
    operations = [result.ok() for result in schema.get_all_operations()]
    expected = {op.label: _merged(schema, op) for op in operations}
    with toolfixes.operation_configs_merged_once():
        for operation in operations:
            first, again = _merged(schema, operation), _merged(schema, operation)
            assert all(a is b for a, b in zip(first, again, strict=True)), operation.label
            # The same settings as schemathesis's own merge: the per-operation limits of
            # suite_settings (createInstance's fewer examples) and the checks' statuses included.
            assert first == expected[operation.label], operation.label
            assert first[2].max_examples == expected[operation.label][2].max_examples
    assert [getattr(ProjectConfig, name) for name in toolfixes._PER_OPERATION_CONFIG] == originals
