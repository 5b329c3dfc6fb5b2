"""The hand-written spec: valid, complete, and faithful to the API reference."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from openapi_spec_validator import validate

from conftest import HTTP_METHODS, operations, resolve
from geminidb_backup.spec import component_validator, load_spec, validator_at

SPEC = load_spec()
REFERENCE_REQUEST = {"name": "backup-4f57", "description": "manual backup"}
REFERENCE_RESPONSE = {
    "job_id": "8061ceaf-b319-4315-9338-7f3de8e26f05",
    "backup_id": "646d88d0b03f4fd2ae944ae2a33bcb6ain06",
}


def _pointer(*parts: str) -> str:
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def test_spec_is_a_valid_openapi_3_1_document() -> None:
    assert SPEC["openapi"] == "3.1.0"
    validate(dict(SPEC))


def test_operations_tags_and_ids_are_exactly_the_workflow() -> None:
    found = {(method, path): op["operationId"] for path, method, op in operations(SPEC)}
    assert found == {
        ("post", "/v3/{project_id}/instances/{instance_id}/backups"): "createBackup",
        ("get", "/v3/{project_id}/jobs"): "listJobs",
        ("get", "/v4/{project_id}/backups"): "listBackups",
        ("delete", "/v3/{project_id}/backups/{backup_id}"): "deleteBackup",
        ("put", "/v3/{project_id}/backups/{backup_id}"): "stopBackup",
        ("delete", "/v3/{project_id}/instances/backups"): "batchDeleteBackups",
        ("put", "/v3/{project_id}/instances/{instance_id}/backups/policy"): "setBackupPolicy",
        ("get", "/v3/{project_id}/instances/{instance_id}/backups/policy"): "showBackupPolicy",
        ("get", "/v3.1/{project_id}/instances/{instance_id}/backups/policy"): "showBackupPolicies",
        ("get", "/v3/{project_id}/instances"): "listInstances",
        ("post", "/v3/{project_id}/instances"): "createInstance",
        ("delete", "/v3/{project_id}/instances/{instance_id}"): "deleteInstance",
        (
            "get",
            "/v3/{project_id}/instances/{instance_id}/backups/restorable-time-periods",
        ): "listRestorableTimePeriods",
    }
    tags = {op["operationId"]: op["tags"] for _, _, op in operations(SPEC)}
    assert tags == {
        "createBackup": ["backups"],
        "listJobs": ["jobs"],
        "listBackups": ["backups"],
        "deleteBackup": ["backups"],
        "stopBackup": ["backups"],
        "batchDeleteBackups": ["backups"],
        "setBackupPolicy": ["policy"],
        "showBackupPolicy": ["policy"],
        "showBackupPolicies": ["policy"],
        "listInstances": ["instances"],
        "createInstance": ["instances"],
        "deleteInstance": ["instances"],
        "listRestorableTimePeriods": ["instances"],
    }


def test_success_statuses_are_the_documented_ones() -> None:
    success = {
        op["operationId"]: sorted(s for s in op["responses"] if s.startswith("2"))
        for _, _, op in operations(SPEC)
    }
    assert success == {
        "createBackup": ["202"],
        "listJobs": ["200"],
        "listBackups": ["200"],
        "deleteBackup": ["202"],
        "stopBackup": ["202"],
        "batchDeleteBackups": ["200"],
        "setBackupPolicy": ["204"],
        "showBackupPolicy": ["200"],
        "showBackupPolicies": ["200"],
        "listInstances": ["200"],
        "createInstance": ["202"],
        "deleteInstance": ["202"],
        "listRestorableTimePeriods": ["200"],
    }


def test_token_or_aksk_security_and_server_default() -> None:
    schemes = SPEC["components"]["securitySchemes"]
    token, aksk = schemes["token"], schemes["aksk"]
    assert token == token | {"type": "apiKey", "in": "header", "name": "X-Auth-Token"}
    assert aksk == aksk | {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "x-signature-algorithm": "SDK-HMAC-SHA256",
    }
    # Alternatives (one requirement each), not both at once.
    assert SPEC["security"] == [{"token": []}, {"aksk": []}]
    for _, _, op in operations(SPEC):
        assert op.get("security", SPEC["security"]) == [{"token": []}, {"aksk": []}]
    (server,) = SPEC["servers"]
    assert server["url"] == "https://{Endpoint}"
    assert server["variables"]["Endpoint"]["default"] == "gaussdb-nosql.eu-de.otc.t-systems.com"


def test_create_backup_requires_a_json_body() -> None:
    op = SPEC["paths"]["/v3/{project_id}/instances/{instance_id}/backups"]["post"]
    assert op["requestBody"]["required"] is True
    assert list(op["requestBody"]["content"]) == ["application/json"]


def test_create_backup_examples_are_the_reference_page_verbatim() -> None:
    op = SPEC["paths"]["/v3/{project_id}/instances/{instance_id}/backups"]["post"]
    request = op["requestBody"]["content"]["application/json"]["examples"]["reference"]["value"]
    response = op["responses"]["202"]["content"]["application/json"]["examples"]["reference"]
    # Order of keys too: the page writes name before description, job_id before backup_id.
    assert json.dumps(request) == json.dumps(REFERENCE_REQUEST)
    assert json.dumps(response["value"]) == json.dumps(REFERENCE_RESPONSE)
    params = {p["name"]: p for p in (resolve(SPEC, p) for p in _path_parameters(op))}
    assert params["project_id"]["example"] == "054e292c9880d4992f02c0196d3ea468"
    assert params["instance_id"]["example"] == "a4d8ea2584e047439a667703c0684119in06"


def _path_parameters(op: Mapping[str, Any]) -> list[Any]:
    path_item = SPEC["paths"]["/v3/{project_id}/instances/{instance_id}/backups"]
    return [*path_item.get("parameters", []), *op.get("parameters", [])]


NAME_CASES = [
    ("backup-4f57", True),
    ("abcd", True),  # 4 characters, the least allowed
    ("a" * 64, True),
    ("B_a-9", True),
    ("abc", False),  # too short
    ("a" * 65, False),  # too long
    ("1abc", False),  # must start with a letter
    ("-abc", False),
    ("_abc", False),
    ("ab cd", False),  # no spaces
    ("abc.d", False),
    ("abcé", False),  # letters are ASCII letters
    ("", False),
]


@pytest.mark.parametrize(("name", "valid"), NAME_CASES)
def test_backup_name_rules(name: str, valid: bool) -> None:
    validator = component_validator("CreateBackupRequest")
    errors = [e for e in validator.iter_errors({"name": name, "description": "ok"})]
    assert (not errors) is valid, [e.message for e in errors]
    assert all(list(e.absolute_path) == ["name"] for e in errors)


@pytest.mark.parametrize("forbidden", list(">!<\"&'="))
def test_backup_description_forbids_each_special_character(forbidden: str) -> None:
    validator = component_validator("CreateBackupRequest")
    assert validator.is_valid({"name": "backup-1", "description": "nightly backup"})
    assert not validator.is_valid({"name": "backup-1", "description": f"a{forbidden}b"})


def test_backup_description_length() -> None:
    validator = component_validator("CreateBackupRequest")
    assert validator.is_valid({"name": "backup-1", "description": "d" * 256})
    assert validator.is_valid({"name": "backup-1", "description": ""})
    assert not validator.is_valid({"name": "backup-1", "description": "d" * 257})


@pytest.mark.parametrize("missing", ["name", "description"])
def test_name_and_description_are_required(missing: str) -> None:
    body = dict(REFERENCE_REQUEST)
    del body[missing]
    errors = list(component_validator("CreateBackupRequest").iter_errors(body))
    assert [e.validator for e in errors] == ["required"]


def test_every_rule_of_the_name_and_description_has_a_message() -> None:
    """The tooling names the broken rule from `x-rules`; every constraint keyword needs one."""
    for name in ("BackupName", "BackupDescription"):
        schema = SPEC["components"]["schemas"][name]
        constraint_keywords = {k for k in schema if k in {"minLength", "maxLength", "pattern"}}
        assert {rule["keyword"] for rule in schema["x-rules"]} == constraint_keywords


def test_list_parameters_have_documented_enums_and_ranges() -> None:
    jobs = {
        p["name"]: p["schema"] for p in SPEC["paths"]["/v3/{project_id}/jobs"]["get"]["parameters"]
    }
    assert set(jobs) == {"id", "status", "name", "start_time", "end_time", "offset", "limit"}
    assert resolve(SPEC, jobs["limit"])["enum"] == [10, 20, 50]
    # The defaults stand next to the $ref: a page size or a level is shared, a default is not.
    assert jobs["limit"]["default"] == 50
    assert jobs["offset"]["minimum"] == 0 and jobs["offset"]["default"] == 0
    assert jobs["offset"]["maximum"] == 2**31 - 1  # the Decision on a 32-bit offset
    assert resolve(SPEC, jobs["status"])["enum"] == ["Running", "Completed", "Failed"]

    backups = {
        p["name"]: p["schema"]
        for p in SPEC["paths"]["/v4/{project_id}/backups"]["get"]["parameters"]
    }
    assert set(backups) == {
        "instance_id", "datastore_type", "backup_id", "backup_type", "type",
        "offset", "limit", "begin_time", "end_time",
    }  # fmt: skip
    assert (
        backups["limit"]["minimum"],
        backups["limit"]["maximum"],
        backups["limit"]["default"],
    ) == (1, 100, 100)
    assert (backups["offset"]["minimum"], backups["offset"]["maximum"]) == (0, 2**31 - 1)
    assert resolve(SPEC, backups["backup_type"])["enum"] == ["Auto", "Manual"]
    assert resolve(SPEC, backups["type"])["enum"] == ["Instance", "DatabaseTable"]
    assert backups["type"]["default"] == "Instance"
    assert resolve(SPEC, backups["datastore_type"])["enum"] == ["cassandra"]
    status = SPEC["components"]["schemas"]["BackupStatus"]["enum"]
    assert status == ["BUILDING", "COMPLETED", "FAILED"]


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2019-05-27T03:38:51+0000", True),
        ("2019-05-27T03:38:51-0130", True),
        ("2019-12-31T23:59:59+1400", True),
        ("2019-05-27T03:38:51Z", True),
        ("2019-05-27T03:38:51+00:00", False),  # RFC 3339's colon is not the API's form
        ("2019-05-27 03:38:51", False),
        ("", False),
    ],
)
def test_timestamp_form(value: str, valid: bool) -> None:
    assert component_validator("Timestamp").is_valid(value) is valid


def _walk(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, node
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _walk(value, (*path, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*path, str(index)))


def test_no_rfc3339_date_time_format_is_declared() -> None:
    assert not [
        p for p, n in _walk(SPEC) if isinstance(n, Mapping) and n.get("format") == "date-time"
    ]


def test_every_operation_parameter_and_property_is_described() -> None:
    for _, _, op in operations(SPEC):
        assert op.get("summary") and op.get("description"), op["operationId"]
    for path, node in _walk(SPEC):
        if not isinstance(node, Mapping):
            continue
        if "in" in node and "name" in node and "schema" in node:  # a parameter
            schema = node["schema"]
            assert node.get("description"), path
            # Repeated inside the schema (or the referenced schema) so generated docstrings carry it.
            assert resolve(SPEC, schema).get("description"), path
        if node.get("type") == "object":
            for prop_name, prop in node.get("properties", {}).items():
                assert resolve(SPEC, prop).get("description"), (*path, prop_name)


def test_every_error_response_uses_error_with_a_catalogued_example() -> None:
    catalogue = {entry["code"]: entry for entry in SPEC["x-error-codes"]}
    for _, _, op in operations(SPEC):
        statuses = {s for s in op["responses"] if not s.startswith("2")}
        assert {"400", "401", "500"} <= statuses, op["operationId"]
        for status in statuses:
            response = resolve(SPEC, op["responses"][status])
            media = response["content"]["application/json"]
            assert media["schema"] == {"$ref": "#/components/schemas/Error"}
            examples = [resolve(SPEC, e)["value"] for e in media["examples"].values()]
            assert examples, (op["operationId"], status)
            for example in examples:
                entry = catalogue[example["error_code"]]  # a real, catalogued code
                assert example["error_msg"].startswith(entry["message"].split("{0}")[0])
            assert "X-Request-Id" in response["headers"]


def test_the_error_catalogue_has_the_reference_codes() -> None:
    codes = {(e["status"], e["code"]) for e in SPEC["x-error-codes"]}
    for expected in [
        (400, "DBS.200001"), (400, "DBS.280040"), (400, "DBS.280277"), (400, "DBS.280127"),
        (400, "DBS.201201"), (400, "DBS.280439"), (400, "DBS.280440"), (401, "APIGW.0301"),
        (403, "DBS.200019"), (404, "DBS.200002"), (404, "APIGW.0101"), (500, "DBS.280005"),
        (405, "APIGW.0101"), (415, "DBS.280042"), (500, "DBS.200998"), (503, "DBS.200998"),
    ]:  # fmt: skip
        assert expected in codes


def test_links_encode_the_backup_workflow() -> None:
    create = SPEC["paths"]["/v3/{project_id}/instances/{instance_id}/backups"]["post"]
    links = create["responses"]["202"]["links"]
    assert links["BackupJob"]["operationId"] == "listJobs"
    assert links["BackupJob"]["parameters"]["id"] == "$response.body#/job_id"
    assert links["CreatedBackup"]["operationId"] == "listBackups"
    assert links["CreatedBackup"]["parameters"]["backup_id"] == "$response.body#/backup_id"
    delete = SPEC["paths"]["/v3/{project_id}/backups/{backup_id}"]["delete"]
    job = delete["responses"]["202"]["links"]["DeletionJob"]
    assert job["operationId"] == "listJobs" and job["parameters"]["id"] == "$response.body#/job_id"
    # Every link names a real operation and real parameters of it.
    by_id = {op["operationId"]: (path, op) for path, _, op in operations(SPEC)}
    for _, _, op in operations(SPEC):
        for response in op["responses"].values():
            for link in resolve(SPEC, response).get("links", {}).values():
                path, target = by_id[link["operationId"]]
                names = {
                    resolve(SPEC, p)["name"]
                    for p in [
                        *SPEC["paths"][path].get("parameters", []),
                        *target.get("parameters", []),
                    ]
                }
                assert set(link["parameters"]) <= names


def _examples() -> Iterator[tuple[str, str, Any]]:
    """(where, JSON pointer of the schema, example value) for every example in the spec."""
    for path, item in SPEC["paths"].items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            base = ("paths", path, method)
            for index, param in enumerate(op.get("parameters", [])):
                if "example" in param:
                    yield (f"{op['operationId']} {param['name']}",
                           _pointer(*base, "parameters", str(index), "schema"), param["example"])  # fmt: skip
            media_places = [("requestBody", "content")] if "requestBody" in op else []
            media_places += [("responses", s, "content") for s in op["responses"]]
            for place in media_places:
                holder = resolve(SPEC, _get(op, place[:-1]))
                for media_type, media in holder.get("content", {}).items():
                    schema_ptr = _schema_pointer(base, place, media_type, holder, op)
                    for key, example in media.get("examples", {}).items():
                        yield (f"{op['operationId']} {'/'.join(place)} {key}",
                               schema_ptr, resolve(SPEC, example)["value"])  # fmt: skip
    for name in ("ProjectId", "InstanceId", "BackupId"):
        param = SPEC["components"]["parameters"][name]
        yield name, _pointer("components", "parameters", name, "schema"), param["example"]
    for name, schema in SPEC["components"]["schemas"].items():
        for example in schema.get("examples", []):
            yield name, _pointer("components", "schemas", name), example
        for prop, prop_schema in schema.get("properties", {}).items():
            for example in prop_schema.get("examples", []):
                yield (f"{name}.{prop}",
                       _pointer("components", "schemas", name, "properties", prop), example)  # fmt: skip


def _get(node: Any, parts: tuple[str, ...]) -> Any:
    for part in parts:
        node = node[part]
    return node


def _schema_pointer(base: tuple[str, ...], place: tuple[str, ...], media_type: str,
                    holder: Mapping[str, Any], op: Mapping[str, Any]) -> str:  # fmt: skip
    raw = _get(op, place[:-1])
    if "$ref" in raw:  # a shared response: point into components
        return raw["$ref"].removeprefix("#") + _pointer("content", media_type, "schema")
    return _pointer(*base, *place, media_type, "schema")


EXAMPLES = list(_examples())


def test_the_spec_has_examples_everywhere_it_should() -> None:
    assert len(EXAMPLES) > 50


@pytest.mark.parametrize(
    ("where", "schema_pointer", "example"), EXAMPLES, ids=[e[0] for e in EXAMPLES]
)
def test_every_example_validates_against_its_schema(
    where: str, schema_pointer: str, example: Any
) -> None:
    errors = [e.message for e in validator_at(schema_pointer).iter_errors(example)]
    assert not errors, f"{where}: {errors}"


def test_example_checking_would_catch_a_bad_example() -> None:
    """The walker really validates: a broken example of the reference request fails."""
    request_pointer = next(
        p for w, p, _ in EXAMPLES if w == "createBackup requestBody/content reference"
    )
    assert not validator_at(request_pointer).is_valid(
        {"name": "4f57", "description": "manual backup"}
    )


def test_patterns_compile_as_python_regular_expressions() -> None:
    for path, node in _walk(SPEC):
        if isinstance(node, Mapping) and isinstance(node.get("pattern"), str):
            re.compile(node["pattern"])


def test_schema_valid_refusals_are_catalogued_400s_with_examples() -> None:
    catalogue = {entry["code"]: entry["status"] for entry in SPEC["x-error-codes"]}
    for _, _, op in operations(SPEC):
        refusals = op["x-schema-valid-refusals"]
        assert refusals, op["operationId"]
        examples = resolve(SPEC, op["responses"]["400"])["content"]["application/json"]["examples"]
        example_codes = {resolve(SPEC, e)["value"]["error_code"] for e in examples.values()}
        for code in refusals:
            assert catalogue[code] == 400
            assert code in example_codes, (op["operationId"], code)


@pytest.mark.parametrize(
    "value",
    ["2019-13-01T00:00:00Z", "2019-00-10T00:00:00Z", "2019-01-32T00:00:00Z", "2019-01-01T24:00:00Z",
     "2019-01-01T00:60:00Z", "2019-01-01T00:00:60Z", "2019-01-01T00:00:00+1500"],
)  # fmt: skip
def test_timestamp_fields_are_in_range(value: str) -> None:
    assert not component_validator("Timestamp").is_valid(value)
    assert not component_validator("TimestampOrEmpty").is_valid(value)


def test_every_error_code_entry_has_exactly_its_fields() -> None:
    for entry in SPEC["x-error-codes"]:
        assert set(entry) - {"unanswered"} == {"status", "code", "message", "meaning"}, entry
        assert isinstance(entry["status"], int) and 400 <= entry["status"] < 600
        assert entry["message"].endswith(".") and entry["meaning"].endswith("."), entry


# --- the error catalogue, both ways ---------------------------------------------------------------

_CODE = re.compile(r"\b(?:DBS|APIGW)\.[0-9]{4,6}\b")


def _declared_pairs() -> set[tuple[int, str]]:
    """Every (status, code) an operation declares: in an error response's examples, named in its
    description, or among its schema-valid refusals (400)."""
    pairs: set[tuple[int, str]] = set()
    for _, _, op in operations(SPEC):
        pairs |= {(400, code) for code in op.get("x-schema-valid-refusals", [])}
        for status, raw in op["responses"].items():
            if status.startswith("2"):
                continue
            response = resolve(SPEC, raw)
            pairs |= {(int(status), code) for code in _CODE.findall(response["description"])}
            examples = response["content"]["application/json"]["examples"].values()
            pairs |= {(int(status), resolve(SPEC, e)["value"]["error_code"]) for e in examples}
    return pairs


def _gateway_pairs() -> set[tuple[int, str]]:
    """What the reference server answers to requests that match no operation (no operation can
    declare those): an unknown path, a known path with another method, and a request the gateway
    cannot read as one (two Host headers)."""
    from starlette.testclient import TestClient

    from geminidb_backup.server import ServerConfig, create_app

    client = TestClient(create_app(ServerConfig(tokens=frozenset({"t"}))))
    answers = [
        client.get("/v9/nothing/here"),
        client.put("/v3/p/jobs"),
        client.get("/v3/p/jobs", headers=[("Host", "a"), ("Host", "b")]),
    ]
    return {(r.status_code, r.json()["error_code"]) for r in answers}


def _answered_pairs() -> set[tuple[int, str]]:
    return {(e["status"], e["code"]) for e in SPEC["x-error-codes"] if "unanswered" not in e}


def test_every_declared_error_is_in_the_catalogue_with_its_status() -> None:
    catalogue = _answered_pairs()
    assert _declared_pairs() - catalogue == set()
    assert _gateway_pairs() - catalogue == set()


def test_every_catalogue_entry_is_reachable() -> None:
    assert _answered_pairs() - _declared_pairs() - _gateway_pairs() == set()


def test_ids_are_opaque_the_malformed_id_codes_are_answered_by_no_operation() -> None:
    """Decision 1: an unknown ID of any form gets its parameter's x-unknown answer; the codes for
    malformed IDs stay catalogued, marked with the reason, and no operation declares them."""
    unanswered = {e["code"]: e["unanswered"] for e in SPEC["x-error-codes"] if "unanswered" in e}
    assert set(unanswered) == {"DBS.280404", "DBS.280124"}
    assert all("opaque" in reason for reason in unanswered.values())
    assert not {code for _, code in _declared_pairs()} & set(unanswered)


def test_scoped_credentials_get_403_for_any_project() -> None:
    """Decision 2: the unknown-project answer is for credentials valid for every project;
    others get 403 DBS.280056, which every operation documents."""
    unknown = SPEC["components"]["parameters"]["ProjectId"]["x-unknown"]
    assert (unknown["status"], unknown["code"]) == (400, "DBS.280408")
    assert unknown["scoped-credentials"] == {"status": 403, "code": "DBS.280056"}
    assert {(403, "DBS.280056")} <= _declared_pairs()
    for _, _, op in operations(SPEC):
        forbidden = resolve(SPEC, op["responses"]["403"])["content"]["application/json"]
        codes = {resolve(SPEC, e)["value"]["error_code"] for e in forbidden["examples"].values()}
        assert "DBS.280056" in codes, op["operationId"]


def test_every_operation_may_be_throttled_with_an_optional_retry_after() -> None:
    """Decision 3: 429 everywhere, from the service or the gateway, Retry-After optional."""
    for _, _, op in operations(SPEC):
        throttled = resolve(SPEC, op["responses"]["429"])
        header = resolve(SPEC, throttled["headers"]["Retry-After"])
        assert header["required"] is False, op["operationId"]
        examples = throttled["content"]["application/json"]["examples"].values()
        codes = {resolve(SPEC, e)["value"]["error_code"] for e in examples}
        assert codes == {"DBS.280443", "APIGW.0308"}, op["operationId"]


def test_a_code_is_catalogued_once_per_status() -> None:
    pairs = [(entry["status"], entry["code"]) for entry in SPEC["x-error-codes"]]
    assert len(pairs) == len(set(pairs))


def test_the_401_response_names_both_ways_of_authenticating() -> None:
    unauthorized = SPEC["components"]["responses"]["Unauthorized"]
    for words in ("X-Auth-Token", "AK/SK", "Authorization", "X-Sdk-Date", "APIGW.0301"):
        assert words in unauthorized["description"], words
    (example,) = unauthorized["content"]["application/json"]["examples"].values()
    assert "signature" in resolve(SPEC, example)["summary"]


def test_offset_is_a_32_bit_integer() -> None:
    for path in ("/v3/{project_id}/jobs", "/v4/{project_id}/backups"):
        (offset,) = [p for p in SPEC["paths"][path]["get"]["parameters"] if p["name"] == "offset"]
        schema = resolve(SPEC, offset["schema"])
        assert (schema["type"], schema["format"], schema["maximum"]) == (
            "integer",
            "int32",
            2**31 - 1,
        )


def test_query_parameter_enums_are_named_components() -> None:
    # Generators name an inline enum after its operation and parameter (ListBackupsType); a named
    # component gets its own name, shared wherever it is used.
    for path, method, op in operations(SPEC):
        for parameter in op.get("parameters", []):
            schema = parameter.get("schema", {})
            if "enum" in resolve(SPEC, schema):
                assert "$ref" in schema, (method, path, parameter["name"])


def test_every_operation_declares_the_body_limit() -> None:
    # Team decision 5: the limit holds on every path, so every operation declares its 413.
    assert isinstance(SPEC["x-max-request-body-bytes"], int)
    for _, _, op in operations(SPEC):
        assert op["responses"]["413"] == {"$ref": "#/components/responses/PayloadTooLarge"}, op[
            "operationId"
        ]


def test_the_quota_of_manual_backups_is_machine_readable_and_agrees_with_its_decision() -> None:
    create = SPEC["paths"]["/v3/{project_id}/instances/{instance_id}/backups"]["post"]
    quota = create["x-quota"]
    assert f"at most {quota['count']} manual backups" in create["description"]
    assert (quota["status"], quota["code"]) in _answered_pairs()
    assert quota["per"] in {p["name"] for p in _path_parameters(create)}


def _path_parameters(operation: dict[str, Any]) -> list[dict[str, Any]]:
    item = SPEC["paths"]["/v3/{project_id}/instances/{instance_id}/backups"]
    nodes = [*item.get("parameters", []), *operation.get("parameters", [])]
    return [resolve(SPEC, node) for node in nodes]
