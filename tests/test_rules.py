"""The spec's rules across parameters and fields (``x-request-rules``): the evaluator's kinds, the
spec's rules themselves, and the three readers (the client before sending, the reference server,
the contract suite), including a rule the spec gains without a change to any of them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fake_api import PROJECT_ID, TOKEN, FakeServer
from server_helpers import FakeClock
from starlette.testclient import TestClient

from geminidb_backup import rules
from geminidb_backup.auth import TokenAuth
from geminidb_backup.client import BackupClient
from geminidb_backup.contract.probing import operation, parameters
from geminidb_backup.errors import RequestRuleError, ValidationError
from geminidb_backup.rules import ABSENT, RequestRule, all_rules, broken_rule, rules_of
from geminidb_backup.server import ServerConfig, create_app
from geminidb_backup.server.errors import statuses
from geminidb_backup.spec import follow_refs, load_spec, validator_at
from geminidb_backup.validation import validate_call

SERVER_TOKEN = "rules-token"
SERVER_PROJECT = "054e292c9880d4992f02c0196d3ea468"
SERVER_INSTANCE = "a4d8ea2584e047439a667703c0684119in06"


def make_rule(kind: str, fields: list[str], **entry: Any) -> RequestRule:
    return rules._read("listBackups", {"rule": kind, "fields": fields, "message": "m",
                                       "status": 400, "code": "DBS.200001", **entry})  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "extra", "query", "broken"),
    [
        ("together", {}, {}, False),
        ("together", {}, {"a": "x", "b": "y"}, False),
        ("together", {}, {"a": "x"}, True),
        ("together", {}, {"b": "y", "a": None}, True),
        ("ordered", {}, {"a": "2019-05-27T00:00:00+0000", "b": "2019-05-27T00:00:00Z"}, False),
        ("ordered", {}, {"a": "2019-05-27T01:00:00+0100", "b": "2019-05-27T00:00:00Z"}, False),
        ("ordered", {}, {"a": "2019-05-27T00:00:01+0000", "b": "2019-05-27T00:00:00+0000"}, True),
        ("ordered", {}, {"a": 5, "b": 4}, True),
        ("ordered", {}, {"a": "2019-05-28T00:00:00+0000"}, False),
        ("ordered", {}, {"a": "not a time", "b": "2019-05-27T00:00:00+0000"}, False),
        ("max-span", {"days": 30}, {"a": "2019-01-01T00:00:00Z", "b": "2019-01-31T00:00:00Z"}, False),
        ("max-span", {"days": 30}, {"a": "2019-01-01T00:00:00Z", "b": "2019-01-31T00:00:01Z"}, True),
        ("max-span", {"days": 1}, {"a": 0.0, "b": 86_401.0}, True),
        ("max-span", {"days": 30}, {"b": "2019-01-31T00:00:01Z"}, False),
    ],
)  # fmt: skip
def test_each_kind_judges_the_values_it_is_given(
    kind: str, extra: dict[str, Any], query: dict[str, Any], broken: bool
) -> None:
    assert make_rule(kind, ["a", "b"], **extra).broken_by(query) is broken


def test_fields_may_be_body_pointers_and_when_narrows_a_rule() -> None:
    rule = make_rule(
        "together", ["/policy/start_time", "/policy/period"],
        when={"field": "/policy/keep_days", "schema": {"minimum": 1}},
    )  # fmt: skip
    assert rule.broken_by({}, {"policy": {"keep_days": 3, "start_time": "01:00-02:00"}})
    assert not rule.broken_by({}, {"policy": {"keep_days": 0, "start_time": "01:00-02:00"}})
    assert not rule.broken_by({}, {"policy": {"start_time": "01:00-02:00"}})  # when: no keep_days
    assert not rule.broken_by({}, {"policy": {"keep_days": 3, "start_time": "x", "period": "1"}})
    assert rule.values({}, None) == [ABSENT, ABSENT]


def test_a_new_kind_is_one_function(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(
        rules.KINDS, "absent", lambda rule, values: any(v is not ABSENT for v in values)
    )
    assert make_rule("absent", ["a"]).broken_by({"a": 1})
    with pytest.raises(ValueError, match="unknown kind 'nope'"):
        make_rule("nope", ["a"])


def test_every_rule_of_the_spec_is_well_formed_and_its_example_breaks_it_alone() -> None:
    found = all_rules()
    assert {(r.operation_id, r.kind, r.code) for r in found} >= {
        ("listBackups", "together", "DBS.280416"), ("listBackups", "ordered", "DBS.280416"),
        ("listJobs", "max-span", "DBS.200001"),
    }  # fmt: skip
    for rule in found:
        if rule.kind in rules.STATEFUL_KINDS:
            assert rule.example == {} and not rule.broken_by({}, {})
            continue
        by_name = {p["name"]: p for p in parameters(rule.operation_id)}
        query = rule.example.get("query", {})
        body = rule.example.get("body")
        # Valid by the schemas: what JSON Schema can say stays in the schemas.
        for name, value in query.items():
            _, pointer = follow_refs(by_name[name]["schema"])
            assert pointer is not None and validator_at(pointer).is_valid(value), name
        for name in rule.fields:
            assert name.startswith("/") or name in by_name, name
        assert rule.status in statuses(rule.code), rule
        assert rule.code in operation(rule.operation_id)["x-schema-valid-refusals"]
        assert rule.broken_by(query, body)
        others = [
            o for o in rules_of(rule.operation_id) if o is not rule and o.broken_by(query, body)
        ]
        assert others == [], (rule.message, [o.message for o in others])


def test_x_refused_queries_is_gone_for_x_request_rules() -> None:
    text = str(load_spec())
    assert "x-refused-queries" not in text
    assert "`x-request-rules`" in load_spec()["info"]["description"]
    for kind in rules.KINDS:
        assert f"`{kind}`" in load_spec()["info"]["description"], kind


# --- the client: checked before sending, the rule's message and code in the error -------------


def _client(server: FakeServer) -> BackupClient:
    return BackupClient(server.url, PROJECT_ID, TokenAuth(TOKEN))


@pytest.mark.parametrize(
    ("call", "code", "message"),
    [
        (lambda api: api.list_backups(begin_time="2019-05-27T00:00:00+0000"), "DBS.280416",
         "begin_time and end_time must be given together"),
        (lambda api: api.list_backups(end_time="2019-05-27T00:00:00+0000"), "DBS.280416",
         "begin_time and end_time must be given together"),
        (lambda api: api.list_backups(begin_time="2019-05-28T00:00:00+0000",
                                      end_time="2019-05-27T00:00:00+0000"), "DBS.280416",
         "end_time must not be before begin_time"),
        (lambda api: list(api.iter_jobs(start_time="2019-01-01T00:00:00+0000",
                                        end_time="2019-03-01T00:00:00+0000")), "DBS.200001",
         "at most 30 days apart"),
        (lambda api: list(api.iter_jobs(start_time="2019-01-02T00:00:00+0000",
                                        end_time="2019-01-01T00:00:00+0000")), "DBS.200001",
         "end_time must not be before start_time"),
    ],
)  # fmt: skip
def test_the_client_refuses_a_broken_rule_before_sending(
    fake_api: FakeServer, call: Any, code: str, message: str
) -> None:
    with _client(fake_api) as api, pytest.raises(RequestRuleError) as caught:
        call(api)
    assert isinstance(caught.value, ValidationError)
    assert (caught.value.status, caught.value.code) == (400, code)
    assert message in str(caught.value) and code in str(caught.value)
    assert fake_api.state.requests == []


def test_every_rule_example_is_refused_by_the_client() -> None:
    for rule in all_rules():
        if rule.kind in rules.STATEFUL_KINDS:
            continue  # judged by restore() against the source it reads (test_restoring.py)
        params = {"project_id": PROJECT_ID, **rule.example.get("query", {})}
        with pytest.raises(RequestRuleError) as caught:
            validate_call(rule.operation_id, params, rule.example.get("body"))
        assert (caught.value.code, caught.value.rule) == (rule.code, rule.message)


# --- the server and the contract suite answer and probe the same rules -------------------------


@pytest.fixture
def server() -> Iterator[TestClient]:
    config = ServerConfig(tokens=frozenset({SERVER_TOKEN}), backup_seconds=0.0)
    app = create_app(config, clock=FakeClock())
    with TestClient(app, headers={"X-Auth-Token": SERVER_TOKEN}) as client:
        yield client


def _route(operation_id: str) -> tuple[str, str]:
    """The method and path of an operation, on the seeded project and instance."""
    for path, item in load_spec()["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                path = path.replace("{project_id}", SERVER_PROJECT)
                return method.upper(), path.replace("{instance_id}", SERVER_INSTANCE)
    raise AssertionError(operation_id)


def test_the_server_answers_each_rule_example_as_the_rule_says(server: TestClient) -> None:
    for rule in all_rules():
        if rule.kind in rules.STATEFUL_KINDS:
            continue  # judged against the source instance (test_server_instances.py)
        method, path = _route(rule.operation_id)
        answer = server.request(
            method, path, params=rule.example.get("query", {}), json=rule.example.get("body")
        )
        assert answer.status_code == rule.status, (rule.message, answer.text)
        assert answer.json()["error_code"] == rule.code


def test_a_rule_added_to_the_spec_is_checked_by_client_and_server_alike(
    monkeypatch: pytest.MonkeyPatch, server: TestClient, fake_api: FakeServer
) -> None:
    added = rules._read("listBackups", {
        "rule": "together", "fields": ["backup_type", "datastore_type"], "status": 400,
        "code": "DBS.200001", "message": "backup_type needs datastore_type",
        "example": {"query": {"backup_type": "Manual"}},
    })  # fmt: skip
    original = rules_of("listBackups")
    monkeypatch.setattr(rules, "rules_of", lambda op: (*original, added) if op == "listBackups"
                        else rules_of.__wrapped__(op))  # fmt: skip
    assert broken_rule("listBackups", {"backup_type": "Manual"}) is added
    answer = server.get(_route("listBackups")[1], params={"backup_type": "Manual"})
    assert (answer.status_code, answer.json()["error_code"]) == (400, "DBS.200001")
    with _client(fake_api) as api, pytest.raises(RequestRuleError, match="needs datastore_type"):
        api.list_backups(backup_type="Manual")
    assert fake_api.state.requests == []
