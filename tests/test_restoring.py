"""What restores and drills decide without I/O (geminidb_backup.restoring): the body copied from
the source, the password, the drill's checks, names and JUnit report."""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from xml.etree import ElementTree

import pytest

from geminidb_backup.errors import ValidationError
from geminidb_backup.restoring import (
    DrillResult,
    Secret,
    check_restored,
    drill_name,
    generate_password,
    is_drill_name,
    junit_report,
    parse_moment,
    restore_body,
)
from geminidb_backup.spec import component_validator, load_spec
from geminidb_backup.validation import validate_call
from geminidb_backup_client.models import Instance


def listed_example() -> dict[str, Any]:
    operation = load_spec()["paths"]["/v3/{project_id}/instances"]["get"]
    example = operation["responses"]["200"]["content"]["application/json"]["examples"]
    return copy.deepcopy(example["oneInstance"]["value"]["instances"][0])


SOURCE = Instance.from_dict(listed_example())


def test_the_body_copies_the_source_and_is_valid_by_the_spec() -> None:
    body = restore_body(SOURCE, name="cassandra-restored", password=generate_password().reveal(),
                        restore_info={"backup_id": "b1"})  # fmt: skip
    component_validator("CreateInstanceRequest").validate(body)
    assert body["datastore"] == {
        "type": "cassandra",
        "version": "3.11",
        "storage_engine": "rocksDB",
    }
    assert body["flavor"] == [{"num": "3", "storage": "ULTRAHIGH", "size": "100",
                               "spec_code": "geminidb.cassandra.xlarge.4"}]  # fmt: skip
    for key in ("region", "availability_zone", "vpc_id", "subnet_id", "security_group_id"):
        assert body[key] == getattr(SOURCE, key)
    assert body["mode"] == "Cluster" and body["charge_info"] == {"charge_mode": "postPaid"}
    validate_call("createInstance", {"project_id": "p"}, body)


def test_anything_can_be_overridden_but_not_below_the_source() -> None:
    body = restore_body(SOURCE, name="bigger", password="x", restore_info={"backup_id": "b"},
                        overrides={"nodes": 6, "storage_gb": 300, "availability_zone": "eu-de-02",
                                   "spec_code": "geminidb.cassandra.2xlarge.4"})  # fmt: skip
    assert body["flavor"][0]["num"] == "6" and body["flavor"][0]["size"] == "300"
    assert body["availability_zone"] == "eu-de-02"
    assert body["flavor"][0]["spec_code"] == "geminidb.cassandra.2xlarge.4"
    with pytest.raises(ValidationError, match="nodes 2 is below the source's 3"):
        restore_body(SOURCE, name="n", password="x", restore_info={}, overrides={"nodes": 2})
    with pytest.raises(ValidationError, match="storage_gb 50 is below the source's 100"):
        restore_body(SOURCE, name="n", password="x", restore_info={}, overrides={"storage_gb": 50})


def test_generated_passwords_follow_the_rules_and_never_show() -> None:
    validator = component_validator("InstancePassword")
    drawn = {generate_password().reveal() for _ in range(200)}
    assert len(drawn) == 200 and all(validator.is_valid(p) for p in drawn)
    assert all(len(p) == 24 for p in drawn)
    assert len(generate_password(8).reveal()) == 8
    with pytest.raises(ValidationError):
        generate_password(7)
    secret = generate_password()
    value = secret.reveal()
    for shown in (repr(secret), str(secret), f"{secret}", f"{secret!r}", repr([secret])):
        assert value not in shown
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    assert secret == Secret(value) and secret != Secret(value + "x")


def test_an_invalid_password_is_refused_without_being_shown() -> None:
    body = restore_body(
        SOURCE, name="n1234", password="onlylowercase", restore_info={"backup_id": "b"}
    )
    with pytest.raises(ValidationError) as caught:
        validate_call("createInstance", {"project_id": "p"}, body)
    assert caught.value.field == "password" and caught.value.value is None
    assert "onlylowercase" not in str(caught.value)
    assert "at least three of" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-06T10:00:00Z", datetime(2026, 12, 6, 10, tzinfo=UTC)),
        ("2026-12-06T10:00", datetime(2026, 12, 6, 10, tzinfo=UTC)),
        ("2026-12-06 11:00:00+01:00", datetime(2026, 12, 6, 10, tzinfo=UTC)),
    ],
)
def test_times_are_iso_8601_and_utc_unless_an_offset_is_given(
    text: str, expected: datetime
) -> None:
    assert parse_moment(text) == expected


def test_a_time_that_is_not_iso_8601_is_a_clear_error() -> None:
    with pytest.raises(ValidationError, match="is not an ISO 8601 time"):
        parse_moment("yesterday")


def test_drill_checks() -> None:
    assert check_restored(SOURCE, SOURCE) == []
    restored = listed_example()
    restored.update(status="creating", actions=["RESTORE"])
    restored["datastore"]["version"] = "4.0"
    restored["groups"][0]["volume"]["size"] = "50"
    restored["groups"][0]["nodes"].pop()
    problems = check_restored(SOURCE, Instance.from_dict(restored))
    assert problems == [
        "status is creating (running RESTORE), expected normal",
        "datastore version is 4.0, the source's is 3.11",
        "storage is 50 GB, less than the source's 100 GB",
        "2 nodes, fewer than the source's 3",
    ]


def test_drill_names_are_valid_instance_names_found_by_their_form() -> None:
    now = datetime(2026, 12, 6, 10, 0, 5, tzinfo=timezone(timedelta(hours=2)))
    name = drill_name("cassandra-prod", now)
    assert name == "drill-cassandra-prod-20261206080005"
    long = drill_name("c" * 64, now)
    assert len(long) == 64 and is_drill_name(long)
    for made in (name, long):
        validate_call("createInstance", {"project_id": "p"},
                      restore_body(SOURCE, name=made, password=generate_password().reveal(),
                                   restore_info={"backup_id": "b"}))  # fmt: skip
    assert is_drill_name(name)
    assert not is_drill_name("drill-prod") and not is_drill_name("cassandra-prod")


def test_junit_report() -> None:
    results = [
        DrillResult("i1", "one", backup_id="b1", restored_id="r1", cleaned=True, seconds=1.5),
        DrillResult("i2", "two", problems=["storage is 50 GB"], seconds=2.0),
        DrillResult("i3", "three", error="no completed backup"),
    ]
    assert [r.passed for r in results] == [True, False, False]
    root = ElementTree.fromstring(junit_report(results))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "1")
    cases = root.findall("testcase")
    assert cases[0].find("failure") is None and cases[0].find("error") is None
    assert cases[1].find("failure").get("message") == "storage is 50 GB"  # type: ignore[union-attr]
    assert cases[2].find("error").get("message") == "no completed backup"  # type: ignore[union-attr]
