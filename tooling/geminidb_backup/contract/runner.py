"""Run the contract suite: schemathesis, the packaged spec, the domain checks, one target.

The suite is schemathesis's own CLI, run in this process with arguments built here, so that every
option and report format of schemathesis behaves as its documentation says, and the domain checks
(:mod:`.checks`) and the record of created backups live in the same process as the clean-up.
"""

from __future__ import annotations

import ipaddress
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

ALL_PHASES = ("examples", "coverage", "fuzzing", "stateful")
TOKEN_ENV = "GEMINIDB_CONTRACT_TOKEN"  # how the token reaches schemathesis's config, never argv
WRITE_OPERATIONS = (
    "createBackup", "deleteBackup", "createInstance", "deleteInstance", "stopBackup",
    "batchDeleteBackups", "setBackupPolicy",
)  # fmt: skip
INSTANCE_OPERATIONS = (
    "listInstances", "createInstance", "deleteInstance", "listRestorableTimePeriods",
)  # fmt: skip
INSTANCE_OPERATIONS_MAX_EXAMPLES = 10
INSTANCE_WRITE_OPERATIONS = ("createInstance", "deleteInstance")
# Changes what no run creates (an instance's backup policy): on a target other than the embedded
# server, sent only with --allow policy, by the policy promises, which read it first and put it back.
POLICY_WRITE_OPERATIONS = ("setBackupPolicy",)
# Whose generated requests the safety guard aims at resources that cannot exist, on every target.
NEVER_SERVED_OPERATIONS = ("batchDeleteBackups",)
GUARDED_TARGET_OPERATIONS = ("deleteInstance",)
# The examples per phase of a default run, shared out among the spec's operations (--max-examples
# sets each operation's instead), and the fewest an operation gets.
DEFAULT_RUN_EXAMPLES = 400
MIN_EXAMPLES_PER_OPERATION = 10
REPORT_FILE_NAMES = {
    "junit": "junit.xml",
    "har": "network.har",
    "vcr": "cassette.yaml",
    "ndjson": "events.ndjson",
    "json": "report.json",
}
# The second project of the embedded server (lists_keep_to_their_project).
EMBEDDED_OTHER_PROJECT = "contract-other-project"
# schemathesis's own default for positive_data_acceptance (its `st run` output lists them).
POSITIVE_ACCEPTANCE_DEFAULT_STATUSES = ("2xx", "3xx", "401", "403", "404", "409", "429", "5xx")


@dataclass
class ContractOptions:
    """One run of the suite. Credentials (for ``url``; the embedded server makes its own): a
    ``token``, or an ``access_key`` and ``secret_key`` to sign each request with (the token wins
    when both are given, as in the CLI)."""

    url: str | None = None
    token: str | None = field(default=None, repr=False)
    access_key: str | None = None
    secret_key: str | None = field(default=None, repr=False)
    max_examples: int | None = None
    seed: int | None = None
    workers: int = 1
    include_operations: Sequence[str] = ()
    exclude_operations: Sequence[str] = ()
    phases: Sequence[str] = ALL_PHASES
    reports: Sequence[str] = ()
    report_dir: Path = Path("contract-report")
    max_response_time: float | None = None
    read_only: bool = False
    allow_writes: bool = False
    cleanup: bool = True
    job_timeout: float | None = None
    allow: Sequence[str] = ()
    create_budget: int = 8
    # Where the JUnit report goes; None: report_dir/junit.xml. The run always writes one (see
    # `run`), into its temporary directory when none was asked for.
    junit_path: Path | None = None
    project_id: str | None = None
    verify_tls: bool = True
    instance_id: str | None = None
    other_project_id: str | None = None
    # Operations the target does not serve: never sent (see checks.UNSERVED_ENV).
    unserved_operations: Sequence[str] = ()
    extra_args: Sequence[str] = field(default_factory=tuple)


class ContractUsageError(ValueError):
    """The options cannot run: the message says what to change."""


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def writes_planned(options: ContractOptions) -> bool:
    if options.read_only:
        return False
    writes = set(WRITE_OPERATIONS)
    if options.url is not None and "instances" not in options.allow:
        writes -= set(INSTANCE_WRITE_OPERATIONS)  # never sent there (see run)
    if options.url is not None and "policy" not in options.allow:
        writes -= set(POLICY_WRITE_OPERATIONS)  # likewise
    included = set(options.include_operations) or writes
    return bool((included - set(options.exclude_operations)) & writes)


def suite_settings(pinned: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The schemathesis settings of the suite, shared by the CLI and the pytest entry point.

    ``pinned`` fixes path parameters (``project_id``, ``instance_id``) to values that exist on the
    target: with random project IDs nearly every request would stop at "invalid project".
    """
    from schemathesis.config import SchemathesisWarning

    from geminidb_backup.contract.checks import VALID_REFUSALS

    settings: dict[str, Any] = {"generation": {"database": "none"}}  # no example database on disk
    # A run whose every request is refused for its credentials (401/403) tested nothing: fail it
    # instead of passing on these statuses, which each request alone is allowed.
    # The `validation_mismatch` warning ("valid data mostly rejected") is not shown: here every
    # refusal of a schema-valid request fails a check (positive_data_acceptance, or for the codes
    # of x-schema-valid-refusals valid_request_refused_only_as_documented), so the warning only
    # repeated, for deleteBackup, that random backup IDs do not exist. `low_valid_rate` stays off,
    # as by schemathesis's default.
    hidden = (SchemathesisWarning.VALIDATION_MISMATCH, SchemathesisWarning.LOW_VALID_RATE)
    settings["warnings"] = {
        "display": [warning.value for warning in SchemathesisWarning if warning not in hidden],
        "fail-on": [SchemathesisWarning.MISSING_AUTH.value],
    }
    if pinned:
        settings["parameters"] = {f"path.{name}": value for name, value in pinned.items()}
    per_operation: dict[str, dict[str, Any]] = {}
    # schemathesis's batchDeleteBackups names only backups the run did not create (the safety
    # guard turns them into IDs that cannot exist), so none of its requests is ever served: a
    # scenario refused 403 for a reason the spec gives (DBS.200019, a backup busy) would read as
    # failed credentials and fail the run. The other operations' answers prove the credentials.
    for operation_id in NEVER_SERVED_OPERATIONS:
        per_operation.setdefault(operation_id, {})["warnings"] = {
            "display": [
                warning
                for warning in settings["warnings"]["display"]
                if warning != SchemathesisWarning.MISSING_AUTH.value
            ],
            "fail-on": [],
        }
    # deleteInstance reaches only instances the run made (the safety guard turns any other ID into
    # one that cannot exist), so schemathesis's own requests are mostly answered 404: that is the
    # guard at work, not missing test data, and the warning would hide a clean run's verdict.
    for operation_id in GUARDED_TARGET_OPERATIONS:
        per_operation.setdefault(operation_id, {})["warnings"] = {
            "display": [
                warning
                for warning in settings["warnings"]["display"]
                if warning != SchemathesisWarning.MISSING_TEST_DATA.value
            ],
            "fail-on": settings["warnings"]["fail-on"],
        }
    # positive_data_acceptance refuses every 400 to a schema-valid request. Where the spec lists
    # codes for rules JSON Schema cannot express (x-schema-valid-refusals), 400 is let through here
    # and the domain check valid_request_refused_only_as_documented accepts only those codes.
    statuses = [*POSITIVE_ACCEPTANCE_DEFAULT_STATUSES, "400"]
    for operation_id, codes in sorted(VALID_REFUSALS.items()):
        if codes:
            per_operation.setdefault(operation_id, {})["checks"] = {
                "positive_data_acceptance": {"expected-statuses": statuses}
            }
    # The instance operations' bodies are large (createInstance's coverage phase alone makes
    # hundreds of cases) and every accepted createInstance adds an instance that later lists
    # read: fewer generated examples keep the default run short (--max-examples overrides it).
    for operation_id in INSTANCE_OPERATIONS:
        per_operation.setdefault(operation_id, {})["generation"] = {
            "max-examples": INSTANCE_OPERATIONS_MAX_EXAMPLES
        }
    # The run's examples are shared out among the operations, so that the default run stays
    # under a minute as the spec gains operations (the first four had schemathesis's 100 each).
    from geminidb_backup.contract.probing import operations

    every = [operation_id for operation_id, _, _, _ in operations()]
    share = max(MIN_EXAMPLES_PER_OPERATION, DEFAULT_RUN_EXAMPLES // max(1, len(every)))
    for operation_id in every:
        generation = per_operation.setdefault(operation_id, {}).setdefault("generation", {})
        generation["max-examples"] = min(generation.get("max-examples", share), share)
    settings["operations"] = [
        {"include-operation-id": operation_id, **entry}
        for operation_id, entry in sorted(per_operation.items())
    ]
    return settings


def schemathesis_config(
    token_env: str,
    pinned: Mapping[str, str] | None = None,
    *,
    signing_placeholder: str | None = None,
) -> str:
    """schemathesis.toml of a CLI run.

    The token comes from the environment variable ``token_env``, so that it is in no file and no
    command line. With ``signing_placeholder``, the run signs its requests with AK/SK instead: the
    ``aksk`` scheme's value is the placeholder that :mod:`.aksk` replaces with each signature.
    """
    import tomli_w

    settings = suite_settings(pinned)
    # schemathesis records crashes for `schemathesis replay` under ./.schemathesis/: a contract run
    # writes nothing into the user's working directory but the reports it was asked for.
    settings["cache"] = {"enabled": False}
    if signing_placeholder is not None:
        settings["auth"] = {"openapi": {"aksk": {"api_key": signing_placeholder}}}
    else:
        settings["auth"] = {"openapi": {"token": {"api_key": f"${{{token_env}}}"}}}
    return tomli_w.dumps(settings)


def schemathesis_arguments(
    options: ContractOptions, spec_path: str, url: str, config_path: str
) -> list[str]:
    """The `schemathesis` command line of one run (the read-only mode runs two; see `run`)."""
    args = ["--config-file", config_path, "run", spec_path, "--url", url]
    args += ["--phases", ",".join(options.phases), "--workers", str(options.workers)]
    if options.max_examples is not None:
        args += ["--max-examples", str(options.max_examples)]
    if options.seed is not None:
        args += ["--seed", str(options.seed)]
    # Once each: schemathesis refuses a repeated value (a read-only run excludes the writes that
    # a run without --allow instances already excludes).
    for operation_id in dict.fromkeys(options.include_operations):
        args += ["--include-operation-id", operation_id]
    for operation_id in dict.fromkeys(options.exclude_operations):
        args += ["--exclude-operation-id", operation_id]
    if options.reports:
        args += ["--report", ",".join(options.reports), "--report-dir", str(options.report_dir)]
        # Fixed names, so that a CI job can point at them (schemathesis adds a timestamp).
        for report in options.reports:
            if report in REPORT_FILE_NAMES:
                args += [f"--report-{report}-path", str(_report_path(options, report))]
    if options.max_response_time is not None:
        args += ["--max-response-time", str(options.max_response_time)]
    if not options.verify_tls:
        args += ["--tls-verify", "false"]
    return [*args, *options.extra_args]


def _report_path(options: ContractOptions, report: str) -> Path:
    if report == "junit" and options.junit_path is not None:
        return options.junit_path
    return options.report_dir / REPORT_FILE_NAMES[report]


def _run_schemathesis(args: list[str]) -> int:
    import click
    from schemathesis.cli import schemathesis as schemathesis_cli

    from geminidb_backup.contract import checks  # noqa: F401 - registers the domain checks

    try:
        result = schemathesis_cli.main(args=args, prog_name="schemathesis", standalone_mode=False)
    except SystemExit as exit_:
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    return int(result or 0)


def run(
    options: ContractOptions,
    confirm: Callable[[str], bool] | None = None,
    echo: Callable[[str], None] = print,
) -> int:
    """Run the suite; return the exit code: 0 only when nothing failed, 1 when a check, a promise
    or the clean-up failed (the JUnit report, when asked for, says the same), 130 when
    interrupted (after cleaning up).

    ``confirm`` is asked before writes to a target that is not loopback, unless ``allow_writes``;
    without it, such a run is refused with :class:`ContractUsageError`.
    """
    from geminidb_backup.contract import causes, checks, reporting, safety, throttling, toolfixes
    from geminidb_backup.contract.embedded import embedded_server
    from geminidb_backup.contract.hypothesis_files import keep_hypothesis_files_in
    from geminidb_backup.spec import load_spec

    check_options(options)
    with ExitStack() as stack:
        url, token = options.url, options.token
        other_project_id = options.other_project_id
        signing_placeholder: str | None = None
        embedded = url is None
        scope = safety.begin(
            safety.Scope(
                embedded=embedded,
                allow=frozenset(options.allow),
                create_budget=None if embedded else options.create_budget,
                reserved=0 if embedded else scenario_creates(options),
            )
        )
        stack.callback(safety.begin, safety.Scope())
        plan = plan_text(options, scope)
        if url is None:
            # A second project beside the spec's example, so that lists are seen to keep to
            # their project.
            example = load_spec()["components"]["parameters"]
            instances = [
                f"{example['ProjectId']['example']}/{example['InstanceId']['example']}",
                f"{EMBEDDED_OTHER_PROJECT}/{EMBEDDED_OTHER_PROJECT}-instance",
            ]
            server = stack.enter_context(
                embedded_server(*(arg for i in instances for arg in ("--instance", i)))
            )
            url, token = server.url, server.token
            other_project_id = other_project_id or EMBEDDED_OTHER_PROJECT
            echo(f"contract: testing the embedded reference server at {url}")
        elif not is_loopback(url) and writes_planned(options) and not options.allow_writes:
            question = f"{url} is not a loopback address. {plan} Go on?"
            if confirm is None or not confirm(question):
                raise ContractUsageError(
                    f"{url} is not a loopback address and the suite writes (createBackup, deleteBackup): "
                    "pass --yes to allow it, or --read-only to send only reads and requests the spec forbids"
                )
        if options.url is not None and "instances" not in options.allow:
            # Instances are billable, and a fuzzed deleteInstance of a pinned instance ID would
            # delete the user's own: neither operation is sent to a target without the opt-in.
            options = replace(
                options,
                exclude_operations=[*options.exclude_operations, *INSTANCE_WRITE_OPERATIONS],
            )
        if options.url is not None and "policy" not in options.allow:
            # schemathesis would set policies of its own on the instances of the target; the
            # safety guard would aim each at an instance that cannot exist, so that every answer
            # is a 404 and schemathesis reports the operation as missing test data.
            options = replace(
                options,
                exclude_operations=[*options.exclude_operations, *POLICY_WRITE_OPERATIONS],
            )
        if options.unserved_operations:
            options = replace(
                options,
                exclude_operations=[*options.exclude_operations, *options.unserved_operations],
            )
        if token is None and not (options.access_key and options.secret_key):
            raise ContractUsageError(
                "no credentials: pass --token or set GEMINIDB_TOKEN, or set GEMINIDB_ACCESS_KEY "
                "and GEMINIDB_SECRET_KEY to sign requests with AK/SK"
            )
        if not embedded:
            if writes_planned(options) and options.instance_id and options.project_id:
                _check_room_under_quota(options, url, scope.create_budget)
            echo(f"contract: {plan}")
        if token is None:
            from geminidb_backup.contract import aksk

            assert options.access_key and options.secret_key
            signing_placeholder = stack.enter_context(
                aksk.signing_with(options.access_key, options.secret_key, options.project_id)
            )

        spec_path = str(
            stack.enter_context(as_file(files("geminidb_backup").joinpath("openapi.yaml")))
        )
        workdir = Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="geminidb-contract-"))
        )
        # schemathesis names its configuration file in its output: with reports asked for, it
        # stays beside them (it holds no secret: the token is read from the environment).
        config_path = workdir / "schemathesis.toml"
        if options.reports:
            options.report_dir.mkdir(parents=True, exist_ok=True)
            config_path = options.report_dir / "schemathesis.toml"
        keep_hypothesis_files_in(workdir, stack)
        pinned = {
            name: value
            for name, value in (
                ("project_id", options.project_id),
                ("instance_id", options.instance_id),
            )
            if value is not None
        }
        if options.url is None and "project_id" not in pinned:
            # The embedded server seeds the project of the spec's example.
            pinned["project_id"] = str(
                load_spec()["components"]["parameters"]["ProjectId"]["example"]
            )
        config_path.write_text(
            schemathesis_config(TOKEN_ENV, pinned, signing_placeholder=signing_placeholder)
        )
        # The JUnit report is always written (into the run's temporary directory when it was not
        # asked for): the run's promises and its clean-up are added to it, and the exit code is
        # read from it, so that the two never disagree.
        reports = list(options.reports)
        junit = options.report_dir / REPORT_FILE_NAMES["junit"]
        if "junit" not in reports:
            reports.append("junit")
            junit = workdir / "reports" / REPORT_FILE_NAMES["junit"]
        run_options = replace(options, reports=reports, junit_path=junit)

        job_timeout = options.job_timeout
        if job_timeout is None and not is_loopback(url):
            job_timeout = REMOTE_JOB_TIMEOUT
            echo(
                f"contract: waiting at most {REMOTE_JOB_TIMEOUT:.0f} s for each job (a real backup "
                "takes minutes; --job-timeout SECONDS changes it)"
            )
        environment = (
            TOKEN_ENV,
            checks.JOB_TIMEOUT_ENV,
            checks.OTHER_PROJECT_ENV,
            checks.UNSERVED_ENV,
        )
        previous = {name: os.environ.get(name) for name in environment}
        if token is not None:
            os.environ[TOKEN_ENV] = token
        os.environ.pop(checks.OTHER_PROJECT_ENV, None)
        if other_project_id:
            os.environ[checks.OTHER_PROJECT_ENV] = other_project_id
        os.environ.pop(checks.JOB_TIMEOUT_ENV, None)
        os.environ.pop(checks.UNSERVED_ENV, None)
        if options.unserved_operations:
            os.environ[checks.UNSERVED_ENV] = ",".join(options.unserved_operations)
        if job_timeout is not None:
            os.environ[checks.JOB_TIMEOUT_ENV] = str(job_timeout)
        checks.reset()
        code = 1
        interrupted = False
        cleanup: Any = None
        stack.enter_context(throttling.retrying())
        stack.enter_context(toolfixes.operation_configs_merged_once())
        if options.workers > 1:
            stack.enter_context(toolfixes.serialized_lambda_descriptions())
        causes.begin()
        try:
            code = _run_with_flake_retry(run_options, spec_path, url, str(config_path), junit, echo)
        except KeyboardInterrupt:
            interrupted = True
            echo("contract: interrupted: cleaning up as at the end of a run")
        finally:
            found = causes.end()
            for name, value in previous.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            # What the suite made and cannot take away again stays on the target: the server
            # broke a promise (a manual backup can be deleted) that the run must report.
            if options.cleanup and options.url is not None:
                cleanup = _clean_up(
                    url,
                    _auth(options),
                    options.verify_tls,
                    job_timeout if job_timeout is not None else checks.DEFAULT_JOB_TIMEOUT,
                    echo,
                )
            outcomes = reporting.promise_outcomes(options)
            checks.reset()  # what this run made and found is not a later run's in the process
        if not options.reports:
            echo(
                "contract: the schemathesis configuration named above was the run's own and is "
                "gone with it; --report-dir DIR with --report keeps it beside the reports"
            )
        if interrupted:
            return 130
        return reporting.finish(junit, code, outcomes, cleanup, echo, found)


def check_options(options: ContractOptions) -> None:
    """Refuse an unknown ``--allow`` value, unserved operations the spec does not have or that
    the run is to test, and a budget of creates too small for the scenarios (the CLI and the
    pytest entry point)."""
    from geminidb_backup.contract import safety
    from geminidb_backup.contract.probing import operations

    unknown_allowed = sorted(set(options.allow) - set(safety.ALLOW_VALUES))
    if unknown_allowed:
        raise ContractUsageError(
            f"unknown --allow value {unknown_allowed[0]!r}; choose from "
            f"{', '.join(safety.ALLOW_VALUES)}"
        )
    known = {operation_id for operation_id, _, _, _ in operations()}
    unknown = sorted(set(options.unserved_operations) - known)
    if unknown:
        raise ContractUsageError(
            f"unknown operation {unknown[0]!r} in --unserved; the spec has {', '.join(sorted(known))}"
        )
    if options.url is not None and writes_planned(options):
        least = scenario_creates(options) + 1
        if options.create_budget < least:
            raise ContractUsageError(
                f"--max-backups {options.create_budget} is too few: the workflow's promises "
                f"create {least} backups (one, then {least - 1} more to probe it)"
            )
    both = sorted(set(options.unserved_operations) & set(options.include_operations))
    if both:
        raise ContractUsageError(
            f"{both[0]} is both to be tested (--operations) and not served (--unserved): choose one"
        )


def _check_room_under_quota(options: ContractOptions, url: str, budget: int | None) -> None:
    """Refuse a run whose creates would meet the quota of the instance (createBackup's
    ``x-quota``): there the API may answer 403 for the quota before any other rule, and the run
    would report promises broken that the target keeps."""
    import httpx

    from geminidb_backup._tls import verify_for
    from geminidb_backup.auth import urls_of
    from geminidb_backup.contract.probing import operation, operations

    quota = operation(WRITE_OPERATIONS[0]).get("x-quota")
    if not quota or budget is None:
        return
    find = quota["find"]
    template = next(t for op, t, _, _ in operations() if op == find["operationId"])
    path = template.replace("{project_id}", quote(str(options.project_id), safe=""))
    query = {**find.get("query", {}), find["filter"]: options.instance_id}
    total_key = operation(find["operationId"]).get("x-list", {}).get("total", "total_count")
    auth = _auth(options)
    try:
        with httpx.Client(
            base_url=url,
            auth=auth,
            verify=verify_for(options.verify_tls, url, *urls_of(auth)),
            timeout=30,
        ) as client:
            answer = client.get(path, params=query)
        held = answer.json().get(total_key) if answer.status_code == 200 else None
    except (httpx.HTTPError, ValueError, AttributeError):
        return  # the run itself reports a target it cannot read
    if isinstance(held, int) and held + budget > int(quota["count"]):
        raise ContractUsageError(
            f"instance {options.instance_id} holds {held} manual backups and the run creates up "
            f"to {budget}, over the quota of {quota['count']} (x-quota of createBackup), where "
            f"the API answers {quota['status']} {quota['code']} before its other rules: delete "
            "some first, or give --instance-id of an instance with room"
        )


REMOTE_JOB_TIMEOUT = 1800.0
# Errors of Hypothesis under threads (--workers) on CPython 3.11 that have nothing to do with the
# target (known tool flakes): describing a lambda's source races in its AST parse and in its
# cache of parsed sources (a KeyError from hypothesis/internal/lambda_sources.py).
TOOL_FLAKES = ("AST constructor recursion depth mismatch", "lambda_sources.py")


def scenario_creates(options: ContractOptions | None = None) -> int:
    """How many backups the scenarios make beyond the one that starts them: two per
    case-sensitive body field (:func:`.scenarios._case_sensitivity`), the one the stop probes
    stop while it is made (:func:`.lifecycle.stop_probes`) unless stopBackup is not served, and
    the restore scenario's when instances are allowed."""
    from geminidb_backup.contract.lifecycle import STOP
    from geminidb_backup.contract.probing import body_fields
    from geminidb_backup.contract.scenarios import RESTORE_SCENARIO_BACKUPS

    _, fields = body_fields(WRITE_OPERATIONS[0])
    restores = options is not None and "instances" in options.allow
    stops = options is None or STOP not in options.unserved_operations
    return (
        2 * sum(1 for found in fields if found.schema.get("x-case-sensitive"))
        + (1 if stops else 0)
        + (RESTORE_SCENARIO_BACKUPS if restores else 0)
    )


def plan_text(options: ContractOptions, scope: Any) -> str:
    """What the run will create, change and delete on its target, said before it starts."""
    if not writes_planned(options):
        return "The run creates, changes and deletes nothing (reads, and writes the spec refuses)."
    budget = scope.create_budget
    most = "no more than the run needs" if budget is None else f"at most {budget}"
    text = (
        f"The run creates {most} manual backups (names starting with {scope.prefix!r}) on the "
        f"instances it is given or finds, and deletes them again; it sends no change to anything "
        "it did not create."
    )
    if scope.allows("instances"):
        text += (
            " --allow instances: it also restores one of its backups to one new instance (named "
            f"starting with {scope.prefix!r}, one node and 100 GB larger than its source: billable "
            "while it exists), backs that up, and deletes both."
        )
    if scope.allows("foreign-refusals"):
        text += (
            " --allow foreign-refusals: it also sends the deletions the API must refuse to an "
            "automated backup of the project."
        )
    return text


def _run_with_flake_retry(
    options: ContractOptions,
    spec_path: str,
    url: str,
    config_path: str,
    junit: Path,
    echo: Callable[[str], None],
) -> int:
    """Run schemathesis; when its report shows a known flake of the tools (not of the target),
    run once more and say so."""

    def once() -> int:
        if options.read_only:
            return _run_read_only(options, spec_path, url, config_path)
        return _run_schemathesis(schemathesis_arguments(options, spec_path, url, config_path))

    def merged_once() -> int:
        code = once()
        if options.read_only:
            _merge_reports([junit.parent / part / junit.name for part in READ_ONLY_PARTS], junit)
        return code

    code = merged_once()
    text = junit.read_text(errors="replace") if junit.exists() else ""
    flake = next((flake for flake in TOOL_FLAKES if flake in text), None)
    if flake is None:
        return code
    echo(f"contract: schemathesis hit a known tool flake ({flake!r}): running again, once")
    from geminidb_backup.contract import causes

    causes.begin()  # the failures of the run that counts, not of the one that flaked
    return merged_once()


READ_ONLY_PARTS = ("reads", "negative-writes")


def _merge_reports(parts: list[Path], junit: Path) -> None:
    """One JUnit report of a read-only run's two schemathesis runs (each keeps its own too)."""
    from xml.etree import ElementTree

    root = ElementTree.Element("testsuites")
    for part in parts:
        if part.exists():
            found = ElementTree.parse(part).getroot()
            root.extend(list(found) if found.tag == "testsuites" else [found])
    junit.parent.mkdir(parents=True, exist_ok=True)
    ElementTree.ElementTree(root).write(junit, encoding="unicode", xml_declaration=True)


def _auth(options: ContractOptions) -> Any:
    """The run's credentials as an ``httpx.Auth``, for the clean-up: the CLI's choice (the token
    first, else AK/SK)."""
    from geminidb_backup.config import Settings

    return Settings(
        token=options.token,
        access_key=options.access_key,
        secret_key=options.secret_key,
        project_id=options.project_id,
    ).auth()


def _part_junit(options: ContractOptions, part: str) -> Path:
    whole = _report_path(options, "junit")
    return whole.parent / part / whole.name


def _run_read_only(options: ContractOptions, spec_path: str, url: str, config_path: str) -> int:
    """Reads in every mode, then the write operations with only the requests the spec forbids."""

    reads = replace(
        options,
        exclude_operations=[*options.exclude_operations, *WRITE_OPERATIONS],
        phases=[p for p in options.phases if p != "stateful"],
        report_dir=options.report_dir / READ_ONLY_PARTS[0],
        junit_path=_part_junit(options, READ_ONLY_PARTS[0]),
    )
    negative_writes = replace(
        options,
        include_operations=[op for op in WRITE_OPERATIONS if op not in options.exclude_operations],
        exclude_operations=(),
        # examples are valid requests, and the stateful phase follows the created resources
        phases=[p for p in options.phases if p in ("coverage", "fuzzing")],
        report_dir=options.report_dir / READ_ONLY_PARTS[1],
        junit_path=_part_junit(options, READ_ONLY_PARTS[1]),
        extra_args=[*options.extra_args, "--mode", "negative"],
    )
    codes = [_run_schemathesis(schemathesis_arguments(reads, spec_path, url, config_path))]
    if negative_writes.include_operations and negative_writes.phases:
        codes.append(
            _run_schemathesis(schemathesis_arguments(negative_writes, spec_path, url, config_path))
        )
    return max(codes)


def _clean_up(
    url: str, auth: Any, verify: bool, timeout: float, echo: Callable[[str], None]
) -> Any:
    """Delete the backups the run created and did not delete itself (:mod:`.cleanup`); say what
    is left, with the commands that delete it."""
    import httpx

    from geminidb_backup._tls import verify_for
    from geminidb_backup.auth import urls_of
    from geminidb_backup.contract import cleanup, safety
    from geminidb_backup.contract.checks import CREATED_INSTANCES

    # Instances first: a deleted instance takes its automated backups with it.
    instances_left = _clean_up_instances(url, auth, verify, echo, dict(CREATED_INSTANCES))
    leftovers = list(safety.SCOPE.created.values())
    if not leftovers:
        return cleanup.CleanupResult(left=instances_left)
    echo(f"contract: deleting the {len(leftovers)} backups the run created and did not delete")
    with httpx.Client(
        base_url=url, auth=auth, verify=verify_for(verify, url, *urls_of(auth)), timeout=30
    ) as client:
        try:
            result = cleanup.Cleaner(client, timeout).run(leftovers)
        except KeyboardInterrupt:
            result = cleanup.CleanupResult(
                left={b.backup_id: "the clean-up was interrupted" for b in leftovers}
            )
    echo(
        f"contract: deleted {len(result.deleted)} of the {len(leftovers)} backups the suite created"
    )
    result.left.update(instances_left)
    if result.left:
        left = [b for b in leftovers if b.backup_id in result.left]
        reasons = ", ".join(f"{b} ({why})" for b, why in result.left.items())
        echo(f"contract: FAILED: the clean-up left: {reasons}. Delete them with:")
        for command in cleanup.removal_commands(url, left):
            echo(f"    {command}")
    return result


def _clean_up_instances(
    url: str, auth: Any, verify: bool, echo: Callable[[str], None], leftovers: dict[str, str]
) -> dict[str, str]:
    """Delete the instances the run created and did not delete itself; what is left, by ID,
    with why."""
    from urllib.parse import quote

    import httpx

    from geminidb_backup._tls import verify_for
    from geminidb_backup.auth import urls_of
    from geminidb_backup.contract import cleanup

    if not leftovers:
        return {}
    left: dict[str, str] = {}
    with httpx.Client(
        base_url=url, auth=auth, verify=verify_for(verify, url, *urls_of(auth)), timeout=30
    ) as client:
        for instance_id, project_id in leftovers.items():
            path = f"/v3/{quote(project_id, safe='')}/instances/{quote(instance_id, safe='')}"
            try:
                response = client.delete(path)
            except httpx.HTTPError as error:
                left[instance_id] = type(error).__name__
                continue
            if response.status_code != 202:
                left[instance_id] = f"{response.status_code} {cleanup.error_code(response)}"
    echo(f"contract: deleted {len(leftovers) - len(left)} of the {len(leftovers)} instances "
         "the suite created")  # fmt: skip
    if left:
        reasons = ", ".join(f"{i} ({why})" for i, why in left.items())
        echo(f"contract: FAILED: the clean-up left the instances: {reasons}")
    return left
