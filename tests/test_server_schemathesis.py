"""Schemathesis against the reference server: every default check, all four phases (examples,
coverage, fuzzing, stateful through the spec's links), in-process and over HTTP.

The configuration is tests/schemathesis.toml (each departure from the defaults is explained
there). Each mode runs with a fixed seed and with a random one, shown in the test's ID and in any
failure; GEMINIDB_CONTRACT_SEED replaces the random one to replay a run.
"""

from __future__ import annotations

import copy
import json
import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema
from server_helpers import TOKEN, serve

from geminidb_backup.server import ServerConfig, create_app
from geminidb_backup.server.validation import compile_operations
from geminidb_backup.spec import load_spec

CONFIG_FILE = Path(__file__).with_name("schemathesis.toml")
FIXED_SEED = 20261127


def _random_seed() -> int:
    replay = os.environ.get("GEMINIDB_CONTRACT_SEED")
    if replay:
        return int(replay)
    # Under pytest-xdist every worker collects the tests, and their IDs (the seed is in them) must
    # agree or the run stops: there the draw is seeded by the run's ID, which the workers share
    # (a new one each run).
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    return (random.Random(run) if run else random.SystemRandom()).randrange(2**31)


RANDOM_SEED = _random_seed()
SEEDS = [
    pytest.param(FIXED_SEED, id=f"seed={FIXED_SEED}"),
    pytest.param(RANDOM_SEED, id=f"seed={RANDOM_SEED}"),
]
# Examples per operation and phase: enough for the coverage phase's scenarios and a fuzzing
# sample, within about two minutes for the four runs on two cores.
MAX_EXAMPLES_IN_PROCESS = 15
MAX_EXAMPLES_HTTP = 8


def _schema(seed: int, max_examples: int, base_url: str | None = None) -> Any:
    os.environ["GEMINIDB_CONTRACT_TOKEN"] = TOKEN
    config = SchemathesisConfig.from_path(CONFIG_FILE)
    config.update(seed=seed, max_failures=None)
    config.projects.default.update(workers=1, base_url=base_url)
    config.projects.default.generation.update(max_examples=max_examples)
    # A deep copy: schemathesis rewrites parts of the document it is given (its links), and
    # load_spec() is the one shared, cached copy that other tests read.
    document = copy.deepcopy(dict(load_spec()))
    # Plain schemathesis, not the contract suite: the suite's safety guard, registered as a global
    # schemathesis hook once its modules are imported (by another test of the same xdist worker),
    # acts on cases of the packaged spec, known by its title; a title of this test's own keeps it
    # out (it aimed createInstance at a project that cannot exist: 400 where 202 was due).
    document["info"] = {**document["info"], "title": f"{document['info']['title']} (plain)"}
    return schemathesis.openapi.from_dict(document, config=config)


# The body schemas as the server compiled them (jsonschema-rs, whose regular expressions follow
# ECMA 262 as JSON Schema requires), by operation.
_BODY_SCHEMAS = {op.operation_id: op.body_validator for op in compile_operations()}


def _refusal_failure(operation: Any, case: Any, response: Any) -> str | None:
    """tests/schemathesis.toml lets a schema-valid (positive) request be refused with 400; here
    the refusal must carry one of the codes the operation's ``x-schema-valid-refusals`` lists."""
    if response is None or response.status_code != 400 or case.meta is None:
        return None
    if not case.meta.generation.mode.is_positive:
        return None
    allowed = operation.get("x-schema-valid-refusals", [])
    try:
        code = json.loads(response.content).get("error_code")
    except ValueError:
        code = None
    if code in allowed:
        return None
    body_schema = _BODY_SCHEMAS.get(operation["operationId"])
    if body_schema is not None and not body_schema.is_valid(case.body):
        # Valid only by Python's re, whose "$" also matches before a final newline: hypothesis
        # generates such names ("abcd\n") as valid; JSON Schema (and the service) says invalid.
        return None
    return f"a schema-valid request refused with {code}, not one of {allowed}"


def _failures(schema: Any) -> Iterator[str]:
    """Every failed check and every error of a full engine run, as text."""
    spec = load_spec()
    operations = {
        (method.upper(), path): item[method]
        for path, item in spec["paths"].items()
        for method in item
        if method != "parameters"
    }
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            recorder = event.recorder
            for case_id, node in recorder.cases.items():
                case = node.value
                interaction = recorder.interactions.get(case_id)
                operation = operations.get((case.method.upper(), case.operation.path))
                if operation is None:  # a probe with a method the path does not have
                    continue
                problem = _refusal_failure(
                    operation, case, interaction.response if interaction else None
                )
                if problem:
                    yield f"{problem}: {case.method} {case.path} query={case.query} body={case.body!r:.200}"
            for case_id, checks in recorder.checks.items():
                for check in checks:
                    if check.status != Status.FAILURE:
                        continue
                    case = recorder.cases[case_id].value
                    detail = check.failure_info.failure if check.failure_info else None
                    yield (
                        f"{check.name} on {recorder.label}: {case.method} {case.path}"
                        f" path={case.path_parameters} query={case.query} body={case.body!r:.200}"
                        f"\n  {detail.title if detail else ''}: {detail.message if detail else ''}"
                    )
        elif isinstance(event, events.NonFatalError | events.FatalError):
            yield f"error: {event!r}"


def _announce(capsys: pytest.CaptureFixture[str], mode: str, seed: int) -> None:
    # Straight to the terminal, past pytest's capture: the seed of a run belongs in the log even
    # when it passes, to replay it.
    with capsys.disabled():
        print(f"\nschemathesis {mode}: seed {seed}", flush=True)


@pytest.mark.parametrize("seed", SEEDS)
def test_schemathesis_in_process(seed: int, capsys: pytest.CaptureFixture[str]) -> None:
    _announce(capsys, "in-process", seed)
    schema = _schema(seed, MAX_EXAMPLES_IN_PROCESS)
    schema.app = create_app(ServerConfig(tokens=frozenset({TOKEN}), backup_seconds=0))
    failures = list(_failures(schema))
    assert not failures, f"seed {seed}:\n" + "\n".join(failures)


@pytest.mark.parametrize("seed", SEEDS)
def test_schemathesis_over_http(
    seed: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _announce(capsys, "over HTTP", seed)
    # With the control API on: it must stay invisible to the suite (it is not in the spec).
    with serve(
        ["--token", TOKEN, "--backup-seconds", "0", "--db", str(tmp_path / "s.db"),
         "--admin-token", "control-api-on"]
    ) as server:  # fmt: skip
        failures = list(_failures(_schema(seed, MAX_EXAMPLES_HTTP, base_url=server.url)))
        assert server.process.poll() is None, "the server died"
    assert not failures, f"seed {seed}:\n" + "\n".join(failures)
