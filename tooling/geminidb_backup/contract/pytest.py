"""The contract suite for teams that prefer pytest.

::

    # test_contract.py
    from geminidb_backup.contract.pytest import contract_schema

    schema = contract_schema("http://127.0.0.1:8080", token="...")

    @schema.parametrize()
    def test_operation(case):
        case.call_and_validate()

    TestWorkflow = schema.as_state_machine().TestCase

Importing this module registers the domain checks (:mod:`geminidb_backup.contract.checks`), so
``call_and_validate`` runs them beside schemathesis's own; pass ``app=`` instead of a URL to test
an ASGI application in-process.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis.specs.openapi.schemas import OpenApiSchema

from geminidb_backup.contract import checks as _checks  # noqa: F401 - registers the domain checks
from geminidb_backup.spec import load_spec


def contract_schema(base_url: str | None = None, *, token: str, app: Any = None) -> OpenApiSchema:
    """A schemathesis schema of the packaged spec, sending ``token`` as ``X-Auth-Token``.

    Give the server's ``base_url``, or an ASGI ``app`` to call in-process.
    """
    settings: dict[str, Any] = {"headers": {"X-Auth-Token": token}}
    if base_url is not None:
        settings["base-url"] = base_url
    schema = schemathesis.openapi.from_dict(
        dict(load_spec()), config=schemathesis.Config.from_dict(settings)
    )
    if app is not None:
        schema.app = app
    return schema
