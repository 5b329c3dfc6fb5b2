"""``geminidb-backup contract``: the contract suite against a server, or the embedded one."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

PHASES = ("examples", "coverage", "fuzzing", "stateful")
REPORT_FORMATS = ("junit", "har", "vcr", "ndjson", "json", "html", "allure", "pytest", "wfc")


@click.command()
@click.option(
    "--url",
    metavar="URL",
    help="Base URL of the server under test. Default: the embedded reference server.",
)
@click.option(
    "--token",
    envvar="GEMINIDB_TOKEN",
    metavar="TOKEN",
    help="X-Auth-Token to send [env: GEMINIDB_TOKEN]. Without one, the suite signs with "
    "GEMINIDB_ACCESS_KEY/GEMINIDB_SECRET_KEY, or gets a token from IAM with OS_USERNAME/"
    "OS_PASSWORD or clouds.yaml, as the other commands do. Only used with --url.",
)
@click.option(
    "-n",
    "--max-examples",
    type=click.IntRange(min=1),
    help="Most test cases per operation and phase.",
)
@click.option("--seed", type=int, help="Random seed, to repeat a run exactly.")
@click.option(
    "-w",
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Concurrent workers.",
)
@click.option(
    "--operations",
    "operations",
    metavar="[-]OPERATION_ID,...",
    help="Operations to test, by operationId; prefix one with '-' to exclude it (e.g. -deleteBackup).",
)
@click.option(
    "--unserved",
    "unserved",
    metavar="OPERATION_ID,...",
    multiple=True,
    help="Operations the target does not implement at all (by operationId; e.g. no restores: "
    "createInstance): the suite sends them nothing, and each promise that needs one is skipped "
    "with the reason. Excluding one with --operations only narrows what schemathesis generates: "
    "the workflow's promises still send it.",
)
@click.option(
    "--phases",
    default=",".join(PHASES),
    show_default=True,
    help="Comma-separated phases: " + ", ".join(PHASES) + ".",
)
@click.option(
    "--report",
    "reports",
    metavar="FORMAT,...",
    help="Reports to write: " + ", ".join(REPORT_FORMATS) + ".",
)
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("contract-report"),
    show_default=True,
    help="Where reports go.",
)
@click.option(
    "--max-response-time",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Fail slower answers.",
)
@click.option(
    "--read-only",
    is_flag=True,
    help="Send only read operations and write requests that the spec forbids: nothing is created.",
)
@click.option(
    "--yes",
    "--allow-writes",
    "allow_writes",
    is_flag=True,
    help="Allow creating backups on a non-loopback URL.",
)
@click.option(
    "--allow",
    "allow",
    metavar="WHAT,...",
    multiple=True,
    help="On a target that is not the embedded server, also allow: policy (change an "
    "instance's backup policy, put back afterwards), instances (create and delete instances, "
    "billable), foreign-refusals (send the deletions the API must refuse to an automated backup "
    "the suite did not create). Without them the suite changes nothing it did not create.",
)
@click.option(
    "--max-backups",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    metavar="N",
    help="Most manual backups the run creates on a target other than the embedded server; "
    "at least what the workflow's promises need (a lower value is refused, saying how many).",
)
@click.option(
    "--no-cleanup", is_flag=True, help="Keep the backups the suite created on the target."
)
@click.option(
    "--job-timeout",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="How long to wait for a job (default 60 s, 1800 s for a target that is not on loopback).",
)
@click.option(
    "--project-id",
    metavar="ID",
    help="Send this project ID (one that exists on the target) in every path.",
)
@click.option(
    "--instance-id", metavar="ID", help="Send this instance ID in every path that has one."
)
@click.option(
    "--other-project-id",
    metavar="ID",
    help="A second project the credentials can read: the suite checks that the lists of one "
    "never show items of the other.",
)
def contract(
    url: str | None,
    token: str | None,
    max_examples: int | None,
    seed: int | None,
    workers: int,
    operations: str | None,
    unserved: tuple[str, ...],
    phases: str,
    reports: str | None,
    report_dir: Path,
    max_response_time: float | None,
    read_only: bool,
    allow_writes: bool,
    allow: tuple[str, ...],
    max_backups: int,
    no_cleanup: bool,
    job_timeout: float | None,
    project_id: str | None,
    instance_id: str | None,
    other_project_id: str | None,
) -> None:
    """Test a server against the API's spec and its domain rules (schemathesis).

    Every schemathesis check runs, in every phase (examples, coverage, fuzzing, and stateful
    through the spec's links), together with the backup-specific checks. Exit status 0 means
    nothing failed; 1, that something did; 2, a usage error.
    """
    from geminidb_backup.cli._state import State
    from geminidb_backup.contract.runner import ContractOptions, ContractUsageError, run

    # `geminidb-backup --token T --project-id P contract` works too; the URL is never taken from
    # the global --endpoint, so that the suite does not aim at the cloud unasked.
    state = click.get_current_context().find_object(State) or State()
    token = token or state.token
    project_id = project_id or state.project_id
    access_key = secret_key = None
    if url is not None:
        token, access_key, secret_key, project_id = _credentials(state, token, project_id)

    include, exclude = _split_operations(operations)
    chosen_phases = [p.strip() for p in phases.split(",") if p.strip()]
    unknown = [p for p in chosen_phases if p not in PHASES]
    if unknown:
        raise click.BadParameter(
            f"unknown phase {unknown[0]!r}; choose from {', '.join(PHASES)}", param_hint="--phases"
        )
    chosen_reports = [r.strip() for r in (reports or "").split(",") if r.strip()]
    unknown = [r for r in chosen_reports if r not in REPORT_FORMATS]
    if unknown:
        raise click.BadParameter(
            f"unknown format {unknown[0]!r}; choose from {', '.join(REPORT_FORMATS)}",
            param_hint="--report",
        )
    options = ContractOptions(
        url=url,
        token=token,
        access_key=access_key,
        secret_key=secret_key,
        verify_tls=not state.insecure,
        max_examples=max_examples,
        seed=seed,
        workers=workers,
        include_operations=include,
        exclude_operations=exclude,
        phases=chosen_phases,
        reports=chosen_reports,
        report_dir=report_dir,
        max_response_time=max_response_time,
        read_only=read_only,
        allow_writes=allow_writes,
        allow=_split_allow(allow),
        create_budget=max_backups,
        cleanup=not no_cleanup,
        job_timeout=job_timeout,
        project_id=project_id,
        instance_id=instance_id,
        other_project_id=other_project_id,
        unserved_operations=[
            _operation_id(name, "--unserved")
            for value in unserved
            for name in value.split(",")
            if name.strip()
        ],
    )
    confirm: Callable[[str], bool] | None = None
    if sys.stdin is not None and sys.stdin.isatty():
        confirm = lambda question: click.confirm(question, default=False)
    try:
        code = run(options, confirm=confirm, echo=click.echo)
    except ContractUsageError as exc:
        raise click.UsageError(str(exc)) from exc
    raise SystemExit(code)


def _credentials(
    state: Any, token: str | None, project_id: str | None
) -> tuple[str | None, str | None, str | None, str | None]:
    """(token, access key, secret key, project ID) for a target server, found as the other
    commands find them: options, then the environment, then clouds.yaml. An IAM password is
    exchanged for a token here, once: schemathesis sends a fixed token."""
    import httpx

    from geminidb_backup.auth import AuthenticationError, PasswordAuth
    from geminidb_backup.config import resolve
    from geminidb_backup.errors import ConfigurationError, TransportError

    try:
        settings = resolve(
            token=token,
            project_id=project_id,
            cloud=state.cloud,
            verify=False if state.insecure else None,
        )
        method = settings.auth_method
        if method == "none":
            raise click.UsageError(
                "no credentials for --url: pass --token or set GEMINIDB_TOKEN; or set "
                "GEMINIDB_ACCESS_KEY and GEMINIDB_SECRET_KEY; or OS_USERNAME/OS_PASSWORD/"
                "OS_AUTH_URL, or OS_CLOUD with a clouds.yaml"
            )
        click.echo(f"contract: authenticating with {AUTH_METHODS[method]}", err=True)
        if method == "aksk":
            return None, settings.access_key, settings.secret_key, settings.project_id
        if method == "password":
            auth = settings.auth()
            assert isinstance(auth, PasswordAuth)
            project = settings.project_id
            if not project and settings.project_name:
                project = settings.require_project_id(auth)
            return auth.token(verify=settings.verify, timeout=settings.timeout), None, None, project
        return settings.token, None, None, settings.project_id
    except (ConfigurationError, AuthenticationError) as error:
        raise click.UsageError(str(error)) from None
    except (httpx.TransportError, TransportError) as error:  # IAM unreachable: nothing sent
        raise click.UsageError(f"cannot reach IAM to get a token: {error}") from None


AUTH_METHODS = {
    "token": "the token",
    "aksk": "AK/SK signatures",
    "password": "a token from IAM (user and password)",
}


def _split_operations(value: str | None) -> tuple[list[str], list[str]]:
    include: list[str] = []
    exclude: list[str] = []
    for raw in (value or "").split(","):
        name = raw.strip()
        if not name:
            continue
        target = exclude if name.startswith("-") else include
        target.append(_operation_id(name.lstrip("-"), "--operations"))
    return include, exclude


def _operation_id(name: str, option: str) -> str:
    """``name`` when it is an operationId of the spec; else a usage error that suggests one."""
    import difflib

    from geminidb_backup.contract.probing import operations

    name = name.strip()
    known = sorted(operation_id for operation_id, _, _, _ in operations())
    if name in known:
        return name
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise click.BadParameter(
        f"unknown operation {name!r}; {hint}the spec has {', '.join(known)}", param_hint=option
    )


def _split_allow(values: tuple[str, ...]) -> list[str]:
    from geminidb_backup.contract.safety import ALLOW_VALUES

    chosen = [v.strip() for value in values for v in value.split(",") if v.strip()]
    unknown = [v for v in chosen if v not in ALLOW_VALUES]
    if unknown:
        raise click.BadParameter(
            f"unknown value {unknown[0]!r}; choose from {', '.join(ALLOW_VALUES)}",
            param_hint="--allow",
        )
    return chosen
