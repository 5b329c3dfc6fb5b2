"""The contract suite for teams that prefer pytest.

::

    # test_contract.py
    from geminidb_backup.contract.pytest import contract_schema

    schema = contract_schema("http://127.0.0.1:8080", token="...")
    # or sign each request with AK/SK:
    # schema = contract_schema(url, access_key="...", secret_key="...")

    @schema.parametrize()
    def test_operation(case):
        case.call_and_validate()

    TestWorkflow = schema.as_state_machine().TestCase

Importing this module registers the domain checks (:mod:`geminidb_backup.contract.checks`), so
``call_and_validate`` runs them beside schemathesis's own; pass ``app=`` instead of a URL to test
an ASGI application in-process.
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Sequence
from typing import Any

import schemathesis
from schemathesis.specs.openapi.schemas import OpenApiSchema

from geminidb_backup.contract import aksk, runner, safety, throttling
from geminidb_backup.contract import checks as _checks  # registers the domain checks
from geminidb_backup.contract.runner import suite_settings
from geminidb_backup.spec import load_spec


def contract_schema(
    base_url: str | None = None,
    *,
    token: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    app: Any = None,
    project_id: str | None = None,
    instance_id: str | None = None,
    other_project_id: str | None = None,
    unserved_operations: Sequence[str] = (),
    allow: Sequence[str] = (),
    max_backups: int = safety.DEFAULT_CREATE_BUDGET,
    job_timeout: float | None = None,
) -> OpenApiSchema:
    """A schemathesis schema of the packaged spec, sending ``token`` as ``X-Auth-Token``, or
    signing each request with ``access_key`` and ``secret_key`` (``SDK-HMAC-SHA256``).

    Give the server's ``base_url``, or an ASGI ``app`` to call in-process. ``project_id`` and
    ``instance_id`` fix those path parameters to ones that exist on the server; the settings are
    those of ``geminidb-backup contract``. The key pair stays registered for signing as long as
    the process runs.

    ``unserved_operations`` (operationIds) are the operations the server does not implement at
    all (``contract --unserved``): the schema has no test of them, and the domain checks of the
    process send them nothing, skipping what needs them.

    The other options are the CLI's, with its defaults: ``other_project_id``
    (``--other-project-id``), ``allow`` (``--allow``: ``policy``, ``instances``,
    ``foreign-refusals``), ``max_backups`` (``--max-backups``) and ``job_timeout``
    (``--job-timeout``; by default 60 s on loopback, 1800 s elsewhere, where a real backup takes
    minutes). A bad value is a ``ValueError`` that says what is allowed.
    """
    if token is None and not (access_key and secret_key):
        raise ValueError("contract_schema needs a token, or an access_key and a secret_key")
    options = runner.ContractOptions(
        url=base_url,
        project_id=project_id,
        instance_id=instance_id,
        unserved_operations=tuple(unserved_operations),
        allow=tuple(allow),
        create_budget=max_backups,
    )
    try:
        runner.check_options(options)
    except runner.ContractUsageError as error:
        raise ValueError(str(error)) from None
    if job_timeout is not None and not job_timeout >= 0:
        raise ValueError(f"job_timeout must be a number of seconds, at least 0, not {job_timeout}")
    # The domain checks read these where they run, as in a run of the CLI.
    if unserved_operations:
        os.environ[_checks.UNSERVED_ENV] = ",".join(unserved_operations)
    if other_project_id:
        os.environ[_checks.OTHER_PROJECT_ENV] = other_project_id
    if job_timeout is None and base_url is not None and not runner.is_loopback(base_url):
        job_timeout = runner.REMOTE_JOB_TIMEOUT
    if job_timeout is not None:
        os.environ[_checks.JOB_TIMEOUT_ENV] = str(job_timeout)
    safety.begin(
        safety.Scope(
            allow=frozenset(allow),
            create_budget=max_backups,
            reserved=runner.scenario_creates(options),
        )
    )
    pinned = {
        name: value
        for name, value in (("project_id", project_id), ("instance_id", instance_id))
        if value is not None
    }
    settings = suite_settings(pinned)
    throttling.install()  # a 429 is sent again, never a failure (see .throttling)
    # Values drawn from earlier answers make a test's strategy depend on what the target held
    # when Hypothesis replays it (FlakyStrategyDefinition); without them a seed repeats a run.
    settings["phases"] = {
        phase: {"extra-data-sources": {"responses": False}}
        for phase in ("examples", "coverage", "fuzzing")
    }
    if base_url is not None:
        _clean_up_at_exit(base_url, token, access_key, secret_key, project_id)
    # Credentials as the spec's security schemes, not as plain headers, so that schemathesis
    # knows them for its own: it takes them out to probe that the server enforces them.
    if token is not None:
        settings["auth"] = {"openapi": {"token": {"api_key": token}}}
    else:
        assert access_key and secret_key
        placeholder = aksk.register(access_key, secret_key, project_id)
        settings["auth"] = {"openapi": {"aksk": {"api_key": placeholder}}}
    if base_url is not None:
        settings["base-url"] = base_url
    schema = schemathesis.openapi.from_dict(
        dict(load_spec()), config=schemathesis.Config.from_dict(settings)
    )
    if app is not None:
        schema.app = app
    if unserved_operations:
        narrowed = schema.exclude(operation_id=list(unserved_operations))
        assert isinstance(narrowed, OpenApiSchema)  # a copy of the same kind
        return narrowed
    return schema


_cleanups: list[tuple[str, str | None, str | None, str | None, str | None]] = []


def _clean_up_at_exit(
    base_url: str,
    token: str | None,
    access_key: str | None,
    secret_key: str | None,
    project_id: str | None,
) -> None:
    """Delete what the process's tests created when it exits, as the CLI does after a run
    (:mod:`.cleanup`; it says what is left)."""
    if not _cleanups:
        atexit.register(_clean_up)
    _cleanups.append((base_url, token, access_key, secret_key, project_id))


def _clean_up() -> None:
    from geminidb_backup.contract import checks, runner, safety

    for base_url, token, access_key, secret_key, project_id in _cleanups:
        if not safety.SCOPE.created:
            return
        options = runner.ContractOptions(
            url=base_url,
            token=token,
            access_key=access_key,
            secret_key=secret_key,
            project_id=project_id,
        )
        timeout = checks.DEFAULT_JOB_TIMEOUT
        runner._clean_up(base_url, runner._auth(options), True, timeout, print)
