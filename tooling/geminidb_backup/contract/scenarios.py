"""Domain scenarios: what the workflow means, probed once per run, each promise its own check.

schemathesis's checks judge one answer by its shape; these scenarios send the requests that tell
why an answer was given, from what the spec says (``x-rules``, ``x-error-codes``, ``x-unknown``,
``x-list``, ``x-refused-targets``, ``x-request-rules``, ``x-case-sensitive``, the examples of each documented
response). A scenario runs beside the first answer that gives it what it needs (a real project,
instance and backup), once per run; each promise it probes is a check of its own, which fails
with every request that broke it.

- the **create scenario**, beside the first createBackup answered 202:
  ``backup_is_completed_after_its_job``, ``each_rule_is_refused_with_its_code``,
  ``bounds_are_accepted``, ``content_type_is_enforced``, ``names_are_case_sensitive``,
  ``unknown_ids_are_refused``, ``forbidden_targets_are_refused``,
  ``created_backup_can_be_deleted``, ``created_backup_stays_listed``, and the lifecycle beyond
  create (:mod:`.lifecycle`): ``stop_of_a_made_backup_is_refused``,
  ``stopped_backup_ends_as_documented``, ``batch_is_checked_whole``,
  ``batch_deletes_the_runs_backups``, ``policy_rules_are_refused_with_their_codes`` and
  ``policy_is_read_back`` (the last two only when the run may change a policy);
- the **unknown-ID probes**, beside the first success of each operation (so with pinned IDs and in
  read-only runs too): ``unknown_ids_are_refused``;
- the **list scenario**, beside the first 200 of each operation with ``x-list``:
  ``list_paging_holds``, ``list_filters_hold``, and, when the run knows a second project,
  ``lists_keep_to_their_project``;
- the **credentials probes**, beside the first answer of each operation:
  ``unauthorized_answer_is_documented``;
- the **rule examples** of an operation's ``x-request-rules``, beside its first success:
  ``documented_refusals_happen``;
- the **restore scenario**, beside the first createBackup answered 202 of a run that may create
  instances (the embedded server, or the "instances" opt-in): ``restore_refusals_are_documented``,
  ``restored_instance_is_listed``, ``instance_jobs_are_named``, ``deleted_instance_is_gone``. It
  makes one backup, restores it to one larger instance, backs that up, is refused a restore of it
  to the source's smaller size, and deletes the instance: at most one instance of its own.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import schemathesis
from schemathesis import CheckContext, Response

from geminidb_backup.contract import checks, lifecycle, safety
from geminidb_backup.contract.probing import (
    Answer,
    Case,
    Prober,
    body_fields,
    case_variants,
    catalogue_statuses,
    describe_request,
    first_body_example,
    format_timestamp,
    fresh_body,
    operation,
    operations,
    parameters,
    parse_json,
    parse_timestamp,
    response_codes,
    violations,
)
from geminidb_backup.contract.promises import PROMISES, broken_text
from geminidb_backup.contract.safety import raw_path_parameters
from geminidb_backup.rules import STATEFUL_KINDS, rules_of
from geminidb_backup.spec import follow_refs

CREATE, LIST_BACKUPS, DELETE = "createBackup", "listBackups", "deleteBackup"
# The most failing requests a failure message quotes.
SHOWN_FAILURES = 8
# The most pages the list scenario reads to know a list whole.
MAX_PAGES = 10
# Half the width of the time window probed around an item (at least two seconds wide in all).
WINDOW_MARGIN = timedelta(seconds=1)


class _Stop(Exception):
    """The scenario cannot go on (a job of the run never ended)."""


@dataclass
class Report:
    """What a scenario found: for each check it probed, its failures (empty: kept)."""

    failures: dict[str, list[str]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # check -> why it was not probed
    reproductions: dict[str, str] = field(default_factory=dict)  # check -> its first failing probe
    probers: list[Prober] = field(default_factory=list)  # to close once the scenario is done

    def probed(self, check: str) -> None:
        self.failures.setdefault(check, [])

    def skip(self, check: str, reason: str) -> None:
        self.skipped.setdefault(check, reason)

    def fail(self, check: str, text: str) -> None:
        self.failures.setdefault(check, []).append(text)
        latest = self.probers[-1].last if self.probers else None
        if latest is not None and latest.curl and check not in self.reproductions:
            # schemathesis's own "Reproduce with" shows the request that started the scenario.
            self.reproductions[check] = latest.curl


@dataclass
class Scenario:
    """Runs ``run`` beside the first answer for which ``trigger`` gives a key not seen before."""

    name: str
    checks: tuple[str, ...]
    trigger: Callable[[Case, Response], tuple[str, ...] | None]
    run: Callable[[Case, Response, Report], None]


_lock = threading.Lock()
_claimed: set[tuple[str, ...]] = set()
_reports: dict[tuple[str, ...], Report] = {}  # trigger key -> the report of its scenario


def reset() -> None:
    with _lock:
        _claimed.clear()
        _reports.clear()


def _report_for(scenario: Scenario, case: Case, response: Response) -> Report | None:
    """The report of ``scenario`` for this answer's trigger key, running the scenario on the
    first answer with that key. Later answers with the key get the same report, so that a case
    schemathesis replays (to shrink or confirm a failure) fails the same way."""
    key = scenario.trigger(case, response)
    if key is None:
        return None
    # One process may test several targets (the tests do): a scenario runs once per schema and
    # target, not once per process.
    target = f"{id(case.operation.schema)} {response.request.url or ''}".split("/v", 1)[0]
    key = (target, scenario.name, *key)
    with _lock:
        if key in _reports:
            return _reports[key]
        if key in _claimed:
            return None  # another worker is running it
        _claimed.add(key)
    report = Report()
    try:
        scenario.run(case, response, report)
    except _Stop:
        pass
    finally:
        for prober in report.probers:
            prober.close()
    with _lock:
        _reports[key] = report
    return report


def _outcome(check: str, case: Case, response: Response) -> bool | None:
    """The verdict of ``check`` on this answer: None when no scenario probed it here."""
    found: list[str] | None = None
    reproduce = ""
    for scenario in SCENARIOS:
        if check not in scenario.checks:
            continue
        report = _report_for(scenario, case, response)
        if report is not None and check in report.failures:
            found = [*(found or []), *report.failures[check]]
            reproduce = reproduce or report.reproductions.get(check, "")
    if found is None:
        return None
    if found:
        raise AssertionError(broken_text(check, found, reproduce, SHOWN_FAILURES))
    return True


# --- helpers ----------------------------------------------------------------------------


def _field(item: Any, path: str) -> Any:
    for part in path.split("/"):
        item = item.get(part) if isinstance(item, Mapping) else None
    return item


def _expect(
    report: Report,
    check: str,
    what: str,
    answer: Answer,
    statuses: Collection[int],
    code: str | None,
) -> None:
    """Count one probe of ``check``, and fail it unless ``answer`` has one of ``statuses`` with
    ``code``; the failure names ``what`` was sent and shows the answer."""
    report.probed(check)
    if answer.status not in statuses or answer.code != code:
        expected = f"expected {min(statuses)} {code or ''}".rstrip()
        report.fail(check, f"{what}: {answer.shows()}, {expected}")


@dataclass
class Session:
    """A scenario's prober, project and the backups it created."""

    case: Case
    prober: Prober
    project_id: str
    report: Report
    created: list[str] = field(default_factory=list)

    def wait(self, job_id: str, check: str) -> dict[str, Any] | None:
        """The job once it has ended. A job that cannot be followed (listJobs does not find it)
        fails ``check`` and gives None; one that does not end in time stops the scenario."""
        try:
            return checks._wait_for_job(self.case, self.prober.credentials, self.project_id, job_id)
        except checks.JobNeverEnded:
            raise _Stop from None
        except AssertionError as error:
            self.report.fail(check, str(error))
            if checks._stuck_jobs:
                raise _Stop from None
            return None

    def settle(self, answer: Answer, check: str) -> None:
        """After an accepted write: remember a created backup, and wait for the job, so that the
        instance is free for the next request."""
        if answer.status != 202 or not isinstance(answer.body, dict):
            return
        backup_id = answer.body.get("backup_id")
        if isinstance(backup_id, str):
            self.created.append(backup_id)  # safety has recorded it for the clean-up
        job_id = answer.body.get("job_id")
        if isinstance(job_id, str):
            self.wait(job_id, check)

    def listed(self, backup_id: str) -> tuple[Answer, list[dict[str, Any]]]:
        answer = self.prober.call(
            LIST_BACKUPS, {"project_id": self.project_id}, query={"backup_id": backup_id}
        )
        items = answer.body.get("backups") if isinstance(answer.body, dict) else None
        found = [b for b in items or [] if isinstance(b, dict) and b.get("id") == backup_id]
        return answer, found


def _prober(case: Case, response: Response, report: Report) -> Prober:
    prober = Prober(case, checks._credentials(case, response))
    report.probers.append(prober)
    return prober


# --- the create scenario ----------------------------------------------------------------


def _create_trigger(case: Case, response: Response) -> tuple[str, ...] | None:
    if checks._operation_id(case) != CREATE or response.status_code != 202:
        return None
    body = checks._json(response)
    if not isinstance(body, dict) or not isinstance(body.get("backup_id"), str):
        return None
    return ("create",)


def _create_scenario(case: Case, response: Response, report: Report) -> None:
    accepted = checks.accepted_create(case, response) or {}
    params = raw_path_parameters(case)
    session = Session(case, _prober(case, response, report), params["project_id"], report)
    backup_id = str(accepted["backup_id"])

    if isinstance(accepted.get("job_id"), str):
        _completed_after_job(session, backup_id, accepted["job_id"])
    _rules(session, params)
    _content_type(session, params)
    # Their creates are the ones the run keeps back from schemathesis's phases for them
    # (runner.scenario_creates): without the reserve, a small budget refused them.
    with safety.using_reserve():
        _case_sensitivity(session, params)
    _unknown_ids(session, {**params, "backup_id": backup_id}, None)
    _forbidden_targets(session, params)
    with safety.using_reserve():
        lifecycle.stop_probes(session, params, backup_id)
    lifecycle.policy_probes(session, params)
    lifecycle.batch_probes(session)
    _delete_created(session)
    check = "created_backup_stays_listed"
    answer, found = session.listed(backup_id)
    report.probed(check)
    if answer.status != 200 or len(found) != 1:
        report.fail(
            check,
            f"{answer.shows()}: backup {backup_id}, accepted at the start of the scenario, is "
            f"listed {len(found)} times after the scenario's other requests, expected once",
        )


def _completed_after_job(session: Session, backup_id: str, job_id: str) -> None:
    check = "backup_is_completed_after_its_job"
    job = session.wait(job_id, check)
    if job is None or job.get("status") != "Completed":
        return  # backup_job_completes reports a job that failed
    seen: list[tuple[Answer, list[dict[str, Any]]]] = []

    def completed() -> bool:
        seen[:] = [session.listed(backup_id)]
        answer, found = seen[0]
        return answer.status == 200 and len(found) == 1 and found[0].get("status") == "COMPLETED"

    checks.until_true(checks.list_lag(LIST_BACKUPS), completed)  # the list may lag
    answer, found = seen[0]
    session.report.probed(check)
    if answer.status != 200 or len(found) != 1:
        session.report.fail(check, f"{answer.shows()}: the backup is not listed once")
    elif found[0].get("status") != "COMPLETED":
        session.report.fail(
            check,
            f"{answer.shows()}: backup {backup_id} is {found[0].get('status')!r} though its job "
            f"{job_id} is Completed",
        )


def _rules(session: Session, params: Mapping[str, str]) -> None:
    check = "each_rule_is_refused_with_its_code"
    schema, fields = body_fields(CREATE)
    probes: list[tuple[str, dict[str, Any], Mapping[str, Any]]] = []
    for found in fields:
        for violation in violations(found):
            body = fresh_body(CREATE, **{found.name: violation.value})
            label = f"{found.name} with {violation.label} ({violation.rule.get('message')})"
            probes.append((label, body, violation.rule))
    for rule in schema.get("x-rules", []):
        if rule.get("keyword") == "required":
            for name in schema.get("required", []):
                body = fresh_body(CREATE)
                del body[name]
                probes.append((f"no {name} ({rule.get('message')})", body, rule))
    for label, body, rule in probes:
        code = rule.get("code")
        if not isinstance(code, str):
            continue
        statuses = catalogue_statuses(code) or frozenset({400})
        answer = session.prober.call(CREATE, params, body=body)
        _expect(session.report, check, label, answer, statuses, code)
        session.settle(answer, check)


def _content_type(session: Session, params: Mapping[str, str]) -> None:
    check = "content_type_is_enforced"
    codes = response_codes(CREATE, 415)
    if not codes:
        return
    answer = session.prober.call(
        CREATE, params, body=json.dumps(fresh_body(CREATE)), media_type="text/plain"
    )
    session.report.probed(check)
    if answer.status != 415 or answer.code not in codes:
        session.report.fail(
            check, f"{answer.shows()}, expected 415 with one of {', '.join(sorted(codes))}"
        )
    session.settle(answer, check)


def _case_sensitivity(session: Session, params: Mapping[str, str]) -> None:
    _, fields = body_fields(CREATE)

    def at_bounds() -> dict[str, Any]:
        return {
            f.name: f.fresh(int(f.schema["maxLength"]) if "maxLength" in f.schema else None)
            for f in fields
        }

    for found in fields:
        pair = case_variants(found)
        if pair is None:
            continue
        first = session.prober.call(CREATE, params, body={**at_bounds(), found.name: pair[0]})
        session.report.probed("bounds_are_accepted")
        if first.status != 202:
            session.report.fail(
                "bounds_are_accepted",
                f"every field at its greatest length: {first.shows()}, expected 202",
            )
            continue
        session.settle(first, "bounds_are_accepted")
        second = session.prober.call(CREATE, params, body={**at_bounds(), found.name: pair[1]})
        session.report.probed("names_are_case_sensitive")
        if second.status != 202:
            session.report.fail(
                "names_are_case_sensitive",
                f"{found.name} {pair[1]!r} differs only in case from that of a backup just "
                f"created: {second.shows()}, expected 202",
            )
        session.settle(second, "names_are_case_sensitive")


def _unknown_ids(
    session: Session, known: Mapping[str, str], only: str | None, query: Any = None
) -> None:
    """Each operation (or ``only``) with each of its ``x-unknown`` path parameters in turn
    replaced by a fresh ID, the others real."""
    check = "unknown_ids_are_refused"
    for operation_id, _, _, definition in operations():
        if only is not None and operation_id != only or not checks.served(operation_id):
            continue
        path = [p for p in parameters(operation_id) if p.get("in") == "path"]
        if not all(p["name"] in known for p in path):
            continue
        has_body = "requestBody" in definition
        for parameter in path:
            unknown = parameter.get("x-unknown")
            if not isinstance(unknown, Mapping):
                continue
            values = {p["name"]: known[p["name"]] for p in path}
            values[parameter["name"]] = "unknown" + uuid.uuid4().hex
            kwargs: dict[str, Any] = {}
            if has_body:
                kwargs["body"] = fresh_body(operation_id)
            if query and only is not None:
                kwargs["query"] = query
            answer = session.prober.call(operation_id, values, **kwargs)
            what = f"{operation_id} with an unknown {parameter['name']}"
            # Credentials not valid for every project get the answer of `scoped-credentials`
            # (the spec's decision on credentials bound to projects) for any other project.
            scoped = unknown.get("scoped-credentials")
            if isinstance(scoped, Mapping) and (answer.status, answer.code) == (
                int(scoped["status"]),
                scoped.get("code"),
            ):
                session.report.probed(check)
            else:
                _expect(
                    session.report,
                    check,
                    what,
                    answer,
                    {int(unknown["status"])},
                    unknown.get("code"),
                )
            session.settle(answer, check)


def _forbidden_targets(session: Session, params: Mapping[str, str]) -> None:
    check = "forbidden_targets_are_refused"
    if not safety.SCOPE.allows("foreign-refusals"):
        # These requests go to resources the run did not create: a server that does not refuse
        # them changes them (deletes an automated backup).
        session.report.skip(
            check,
            "it sends refused requests to resources the suite did not create (an automated "
            "backup): run with --allow foreign-refusals to probe it",
        )
        return
    for operation_id, _, _, definition in operations():
        for target in definition.get("x-refused-targets", []):
            find = target["find"]
            items_key = operation(find["operationId"]).get("x-list", {}).get("items")
            listed = session.prober.call(
                find["operationId"], {"project_id": session.project_id}, query=find.get("query")
            )
            items = listed.body.get(items_key) if isinstance(listed.body, dict) else None
            values = [_field(item, find["field"]) for item in items or [] if isinstance(item, dict)]
            values = [v for v in values if isinstance(v, str)]
            if not values:
                what = target.get("description", "a resource it must refuse")
                session.report.skip(check, f"the project has no {what} to probe with")
                continue
            path = {
                p["name"]: params.get(p["name"], session.project_id)
                for p in parameters(operation_id)
                if p.get("in") == "path"
            }
            path[target["parameter"]] = values[0]
            with safety.permitting(values[0]):
                answer = session.prober.call(operation_id, path)
            what = (
                f"{operation_id} of {target.get('description', 'a forbidden target')} {values[0]}"
            )
            _expect(
                session.report, check, what, answer, {int(target["status"])}, target.get("code")
            )
            if answer.status == 202 and isinstance(answer.body, dict):
                job_id = answer.body.get("job_id")
                if isinstance(job_id, str):
                    session.wait(job_id, check)


def _delete_created(session: Session) -> None:
    check = "created_backup_can_be_deleted"
    for backup_id in list(session.created):
        # Read before the deletion, as a client would: a server's read cache then holds it.
        session.listed(backup_id)
        answer = session.prober.call(
            DELETE, {"project_id": session.project_id, "backup_id": backup_id}
        )
        session.report.probed(check)
        job_id = answer.body.get("job_id") if isinstance(answer.body, dict) else None
        if answer.status != 202 or not isinstance(job_id, str):
            session.report.fail(check, f"{answer.shows()}, expected 202 with a job_id")
            continue
        job = session.wait(job_id, check)
        if job is None:
            continue
        if job.get("status") != "Completed":
            session.report.fail(
                check, f"{answer.shows()}: its job {job_id} ended {job.get('status')}"
            )
            continue
        listed, found = session.listed(backup_id)
        if found:
            session.report.fail(
                check, f"{listed.shows()}: still listed after its deletion job completed"
            )
            continue
        safety.forget_created(backup_id)


# --- unknown IDs beside the first success of each operation -------------------------------


def _success_trigger(case: Case, response: Response) -> tuple[str, ...] | None:
    if not 200 <= response.status_code < 300 or not _own_method(case):
        return None
    return ("unknown", checks._operation_id(case) or "")


def _unknown_scenario(case: Case, response: Response, report: Report) -> None:
    params = raw_path_parameters(case)
    if "project_id" not in params:
        return
    session = Session(case, _prober(case, response, report), params["project_id"], report)
    operation_id = checks._operation_id(case) or ""
    query = dict(case.query or {}) or None
    _unknown_ids(session, params, operation_id, query)


# --- the rules' examples beside the first success of each operation ----------------------------


def _refusals_trigger(case: Case, response: Response) -> tuple[str, ...] | None:
    operation_id = checks._operation_id(case)
    if not operation_id or not 200 <= response.status_code < 300 or not _own_method(case):
        return None
    if not rules_of(operation_id):
        return None
    return ("refusals", operation_id)


def _refusals_scenario(case: Case, response: Response, report: Report) -> None:
    """The example of each of the operation's ``x-request-rules``, with the case's path."""
    check = "documented_refusals_happen"
    operation_id = checks._operation_id(case) or ""
    path = raw_path_parameters(case)
    prober = _prober(case, response, report)
    for rule in rules_of(operation_id):
        if rule.kind in STATEFUL_KINDS:
            continue  # no request alone breaks it: see the restore promises
        example = rule.example
        answer = prober.call(
            operation_id, path, query=example.get("query", {}), **_example_body(example)
        )
        what = f"{operation_id} breaking its rule {rule.message!r}"
        _expect(report, check, what, answer, {rule.status}, rule.code)


def _example_body(example: Mapping[str, Any]) -> dict[str, Any]:
    return {"body": example["body"]} if "body" in example else {}


# --- the list scenario ------------------------------------------------------------------


def _list_trigger(case: Case, response: Response) -> tuple[str, ...] | None:
    operation_id = checks._operation_id(case)
    if response.status_code != 200 or not operation_id:
        return None
    if "x-list" not in operation(operation_id):
        return None
    return ("list", operation_id)


@dataclass
class Listing:
    """Reads one list operation of one project."""

    session: Session
    operation_id: str
    items: str
    total: str
    offset: str
    limit: str

    def page(self, query: Mapping[str, Any]) -> tuple[Answer, list[dict[str, Any]], Any]:
        answer = self.session.prober.call(
            self.operation_id, {"project_id": self.session.project_id}, query=query
        )
        body = answer.body if isinstance(answer.body, dict) else {}
        items = [i for i in body.get(self.items) or [] if isinstance(i, dict)]
        return answer, items, body.get(self.total)


def _limits(operation_id: str, name: str) -> tuple[int, int]:
    """The smallest and greatest value of a limit parameter."""
    for parameter in parameters(operation_id):
        if parameter.get("name") == name:
            schema, _ = follow_refs(parameter.get("schema", {}))
            if "enum" in schema:
                return min(schema["enum"]), max(schema["enum"])
            return int(schema.get("minimum", 1)), int(schema.get("maximum", 100))
    return 1, 100


def _list_scenario(case: Case, response: Response, report: Report) -> None:
    operation_id = checks._operation_id(case) or ""
    spec = operation(operation_id)["x-list"]
    params = raw_path_parameters(case)
    if "project_id" not in params:
        return
    session = Session(case, _prober(case, response, report), params["project_id"], report)
    listing = Listing(
        session, operation_id, spec["items"], spec["total"], spec["offset"], spec["limit"]
    )
    smallest, greatest = _limits(operation_id, listing.limit)
    everything = _read_whole(listing, greatest)
    if everything is None:
        return
    _paging(listing, everything, smallest, greatest)
    _filters(listing, spec.get("filters", {}), everything, greatest)
    _other_project(listing, everything, greatest)


def _read_whole(listing: Listing, greatest: int) -> list[dict[str, Any]] | None:
    """Every item of the list, page by page; None when it is too long to read whole (or a page
    failed, which is reported)."""
    check = "list_paging_holds"
    report = listing.session.report
    gathered: list[dict[str, Any]] = []
    total: Any = None
    for _ in range(MAX_PAGES):
        answer, items, total = listing.page(
            {listing.offset: len(gathered), listing.limit: greatest}
        )
        report.probed(check)
        if answer.status != 200:
            report.fail(check, f"{answer.shows()}, expected 200")
            return None
        if not items:
            break
        gathered += items
        if isinstance(total, int) and len(gathered) >= total:
            # Nothing must follow the last item that total_count counts.
            answer, more, _ = listing.page({listing.offset: len(gathered), listing.limit: greatest})
            if more:
                report.fail(
                    check,
                    f"{answer.shows()}: {len(more)} items beyond the total_count of {total}",
                )
            break
    else:
        return None
    if total != len(gathered):
        report.fail(
            check,
            f"{listing.operation_id}: total_count is {total!r} but the pages hold "
            f"{len(gathered)} items",
        )
    return gathered


def _other_project(listing: Listing, everything: list[dict[str, Any]], greatest: int) -> None:
    """The same list of the other project shares no item with this one."""
    check = "lists_keep_to_their_project"
    other = os.environ.get(checks.OTHER_PROJECT_ENV)
    if not other or other == listing.session.project_id:
        return
    session = listing.session
    theirs = Listing(
        Session(session.case, session.prober, other, Report()),
        listing.operation_id,
        listing.items,
        listing.total,
        listing.offset,
        listing.limit,
    )
    answer, _, _ = theirs.page({listing.offset: 0, listing.limit: greatest})
    items = _read_whole(theirs, greatest) or []
    session.report.probed(check)
    shared = set(map(str, _ids(everything))) & set(map(str, _ids(items)))
    if shared:
        session.report.fail(
            check,
            f"{answer.shows()}: {len(shared)} items of project {session.project_id} are listed in "
            f"project {other} too ({sorted(shared)[:3]})",
        )


def _ids(items: Iterable[Mapping[str, Any]]) -> list[Any]:
    return [item.get("id") for item in items]


def _paging(
    listing: Listing, everything: list[dict[str, Any]], smallest: int, greatest: int
) -> None:
    check = "list_paging_holds"
    report = listing.session.report
    answer, items, _ = listing.page({listing.offset: 0, listing.limit: smallest})
    if len(items) > smallest:
        report.fail(check, f"{answer.shows()}: {len(items)} items, more than the limit {smallest}")
    if len(everything) >= 2:
        answer, items, total = listing.page({listing.offset: 1, listing.limit: smallest})
        expected = _ids(everything[1 : 1 + smallest])
        if _ids(items) != expected:
            report.fail(
                check,
                f"{answer.shows()}: items {_ids(items)[:5]}, expected those from the second on: "
                f"{expected[:5]}",
            )
        if total != len(everything):
            report.fail(
                check,
                f"{answer.shows()}: total_count {total!r} on a page from offset 1, expected "
                f"{len(everything)}",
            )
    answer, items, _ = listing.page({listing.offset: len(everything), listing.limit: greatest})
    if items:
        report.fail(check, f"{answer.shows()}: {len(items)} items after the last one")


def _equals(path: str, value: Any) -> Callable[[Mapping[str, Any]], bool | None]:
    return lambda item: bool(_field(item, path) == value)


def _filters(
    listing: Listing,
    filters: Mapping[str, Mapping[str, Any]],
    everything: list[dict[str, Any]],
    greatest: int,
) -> None:
    check = "list_filters_hold"
    queries: list[tuple[dict[str, Any], Callable[[Mapping[str, Any]], bool | None]]] = []
    by_name = {p.get("name"): p for p in parameters(listing.operation_id)}
    bounds: dict[str, dict[str, str]] = {}
    for name, spec in filters.items():
        path = str(spec["field"])
        if "bound" in spec:
            bounds.setdefault(path, {})[str(spec["bound"])] = name
            continue
        schema, _ = follow_refs(by_name.get(name, {}).get("schema", {}))
        values: list[Any] = list(schema.get("enum", []))
        if not values:
            seen = [_field(item, path) for item in everything]
            values = list(dict.fromkeys(v for v in seen if isinstance(v, str)))[:2]
            values.append("unknown" + uuid.uuid4().hex)
        for value in values:
            queries.append(({name: value}, _equals(path, value)))
    for path, names in bounds.items():
        if not {"lower", "upper"} <= set(names):
            continue
        windows = [(datetime(2000, 1, 1, tzinfo=UTC), datetime(2000, 1, 2, tzinfo=UTC))]
        first = parse_timestamp(_field(everything[0], path)) if everything else None
        if first is not None:
            # At least two seconds wide: a server may keep times finer than the second its lists
            # show, so an item shown in the window's last second may fall on either side.
            windows.append((first - WINDOW_MARGIN, first + WINDOW_MARGIN))
        for low, high in windows:
            query = {names["lower"]: format_timestamp(low), names["upper"]: format_timestamp(high)}

            def within(
                item: Mapping[str, Any], p: str = path, lo: Any = low, hi: Any = high
            ) -> bool | None:
                moment = parse_timestamp(_field(item, p))
                if moment is None:
                    return False
                if moment == hi:
                    return None  # shown in the last second: the server may count it either way
                return bool(lo <= moment <= hi)

            queries.append((query, within))
    current = everything
    for query, matches in queries:
        answer, items, total = listing.page({**query, listing.limit: greatest})
        listing.session.report.probed(check)
        problem = _filter_problem(answer, items, total, current, matches, greatest)
        if problem is not None:
            # The list may have changed since it was read (a job ended): read it again once.
            current = _read_whole(listing, greatest) or current
            answer, items, total = listing.page({**query, listing.limit: greatest})
            problem = _filter_problem(answer, items, total, current, matches, greatest)
        if problem is not None:
            listing.session.report.fail(check, f"{answer.shows()}: {problem}")


def _filter_problem(
    answer: Answer,
    items: list[dict[str, Any]],
    total: Any,
    everything: list[dict[str, Any]],
    matches: Callable[[Mapping[str, Any]], bool | None],
    greatest: int,
) -> str | None:
    """What is wrong with a filtered page; ``matches`` says None for an item that may be listed
    or not (at the edge of a time window)."""
    if answer.status != 200:
        return "expected 200"
    strangers = [item.get("id") for item in items if matches(item) is False]
    if strangers:
        return (
            f"{len(strangers)} of the {len(items)} items do not match the filter ({strangers[:3]})"
        )
    expected = [item for item in everything if matches(item)]
    either = [item for item in everything if matches(item) is None]
    if not isinstance(total, int) or not len(expected) <= total <= len(expected) + len(either):
        return f"total_count is {total!r}, but {len(expected)} items match"
    wanted = set(map(str, _ids(expected)))
    allowed = wanted | set(map(str, _ids(either)))
    listed = set(map(str, _ids(items)))
    if len(expected) + len(either) <= greatest and not wanted <= listed <= allowed:
        return f"{len(items)} items listed, but {len(expected)} match"
    return None


# --- credentials --------------------------------------------------------------------------


def _own_method(case: Case) -> bool:
    """Whether ``case`` uses its operation's method (not a probe of an unsupported one)."""
    return str(case.method).upper() == str(case.operation.method).upper()


def _auth_trigger(case: Case, response: Response) -> tuple[str, ...] | None:
    if not _own_method(case):
        return None
    return ("auth", checks._operation_id(case) or "")


def _auth_scenario(case: Case, response: Response, report: Report) -> None:
    check = "unauthorized_answer_is_documented"
    operation_id = checks._operation_id(case) or ""
    codes = response_codes(operation_id, 401)
    if not codes:
        return
    kept = {
        name: value
        for name, value in (case.headers or {}).items()
        if name.lower() not in ("x-auth-token", "authorization", "x-sdk-date")
    }
    attempts = [
        ("without credentials", kept),
        ("with an unknown token", {**kept, "X-Auth-Token": "unknown-" + uuid.uuid4().hex}),
    ]
    for label, headers in attempts:
        probe = case.derive(headers=headers)  # type: ignore[arg-type]
        answer = probe.call()
        checks.accepted_create(probe, answer)  # a server that let it through may have made one
        body = parse_json(answer.content)
        code = body.get("error_code") if isinstance(body, dict) else None
        message = body.get("error_msg") if isinstance(body, dict) else None
        report.probed(check)
        if answer.status_code != 401 or code not in codes or not isinstance(message, str):
            shape = f"{code}" if code else f"body {answer.content[:80]!r}"
            report.fail(
                check,
                f"{label}: {describe_request(answer.request)} -> {answer.status_code} {shape}, "
                f"expected 401 with an Error whose error_code is one of {', '.join(sorted(codes))}",
            )


# --- the restore scenario ----------------------------------------------------------------

LIST_INSTANCES, CREATE_INSTANCE, DELETE_INSTANCE = (
    "listInstances",
    "createInstance",
    "deleteInstance",
)
RESTORE_JOB, DELETE_INSTANCE_JOB = "RestoreNewInstance", "DeleteInstance"


RESTORE_PROMISES = (
    "restore_refusals_are_documented",
    "restored_instance_is_listed",
    "instance_jobs_are_named",
    "deleted_instance_is_gone",
)
# The backups the restore scenario makes (one of its source, one of the instance it restores).
RESTORE_SCENARIO_BACKUPS = 2


def _restore_trigger(case: Case, response: Response) -> tuple[str, ...] | None:
    _note_instances(case, response)
    if checks._operation_id(case) != CREATE or response.status_code != 202:
        return None
    return ("restore",)


def _guard_create_instance(case: Any, scope: safety.Scope) -> None:
    """createInstance (safety.OPERATION_GUARDS): on a target that is not the embedded server,
    only the restore scenario's own (under ``safety.permitting(CREATE_INSTANCE)``, which it takes
    only with ``--allow instances``) reach the project; any other (a phase's, a probe's) is aimed
    at a project that cannot exist, so it still tests a refusal and creates nothing billable."""
    if scope.embedded or (scope.allows("instances") and safety.is_permitted(CREATE_INSTANCE)):
        return
    if case.path_parameters is not None:
        case.path_parameters["project_id"] = safety.unknown_id()


safety.OPERATION_GUARDS[CREATE_INSTANCE] = _guard_create_instance


def _note_instances(case: Case, response: Response) -> None:
    """Every instance a createInstance of the run made is recorded, for the runner to delete."""
    if checks._operation_id(case) != CREATE_INSTANCE or response.status_code != 202:
        return
    body = checks._json(response)
    if isinstance(body, dict) and isinstance(body.get("id"), str):
        project_id = str((case.path_parameters or {}).get("project_id"))
        with checks._created_lock:
            checks.CREATED_INSTANCES[body["id"]] = project_id


def _example_code(name: str) -> str:
    value = follow_refs({"$ref": f"#/components/examples/{name}"})[0]["value"]
    return str(value["error_code"])


def _instance_lag() -> float:
    return float(operation(LIST_INSTANCES).get("x-list", {}).get("lag", 0))


@dataclass
class Restores:
    """The restore scenario's requests on one project."""

    session: Session

    def listed(self, instance_id: str) -> tuple[Answer, list[dict[str, Any]]]:
        answer = self.session.prober.call(
            LIST_INSTANCES, {"project_id": self.session.project_id}, query={"id": instance_id}
        )
        items = answer.body.get("instances") if isinstance(answer.body, dict) else None
        return answer, [
            i for i in items or [] if isinstance(i, dict) and i.get("id") == instance_id
        ]

    def until(
        self, instance_id: str, done: Callable[[list[dict[str, Any]]], bool]
    ) -> tuple[Answer, list[dict[str, Any]]]:
        """The instance list of ``instance_id`` once ``done`` holds, or as last seen once the
        list's lag (``x-list`` of listInstances) has passed."""
        deadline = time.monotonic() + _instance_lag()
        while True:
            answer, found = self.listed(instance_id)
            if done(found) or time.monotonic() >= deadline:
                return answer, found
            time.sleep(0.2)

    def create(self, body: Mapping[str, Any]) -> Answer:
        answer = self.session.prober.call(
            CREATE_INSTANCE, {"project_id": self.session.project_id}, body=dict(body)
        )
        if answer.status == 202 and isinstance(answer.body, dict):
            instance_id = answer.body.get("id")
            if isinstance(instance_id, str):
                with checks._created_lock:
                    checks.CREATED_INSTANCES[instance_id] = self.session.project_id
        return answer

    def job(self, job_id: Any, name: str, what: str) -> bool:
        """Whether the job is listed with ``name`` and completes (instance_jobs_are_named)."""
        check = "instance_jobs_are_named"
        report = self.session.report
        report.probed(check)
        if not isinstance(job_id, str):
            report.fail(check, f"{what}: the 202 answer has no job_id")
            return False
        ended = self.session.wait(job_id, check)
        if ended is None:
            return False
        if ended.get("name") != name or ended.get("status") != "Completed":
            report.fail(check, f"{what}: job {job_id} is {ended.get('name')!r}, "
                        f"{ended.get('status')!r}; expected {name!r}, 'Completed'")  # fmt: skip
            return False
        return True


def _size(instance: Mapping[str, Any]) -> tuple[int, int]:
    """(nodes, storage in GB) of a listed instance."""
    groups = [g for g in instance.get("groups") or [] if isinstance(g, dict)]
    nodes = sum(len(g.get("nodes") or []) for g in groups)
    sizes = [int(float(g.get("volume", {}).get("size", 0) or 0)) for g in groups]
    return nodes, max(sizes, default=0)


def _restore_body(
    source: Mapping[str, Any], restore_info: Mapping[str, Any], nodes: int, size: int
) -> dict[str, Any]:
    """createInstance's first request example, turned into a restore of ``source``."""
    body: dict[str, Any] = json.loads(json.dumps(first_body_example(CREATE_INSTANCE)))
    body["name"] = safety.prefixed("r" + uuid.uuid4().hex[:12])
    body["datastore"]["version"] = _field(source, "datastore/version")
    for key in ("region", "availability_zone", "vpc_id", "subnet_id", "security_group_id", "mode"):
        if isinstance(source.get(key), str):
            body[key] = source[key]
    spec_code = next((n.get("spec_code") for g in source.get("groups") or []
                      for n in g.get("nodes") or []), None)  # fmt: skip
    body["flavor"][0].update(num=str(nodes), size=str(size))
    if isinstance(spec_code, str):
        body["flavor"][0]["spec_code"] = spec_code
    body["restore_info"] = dict(restore_info)
    return body


def _restore_scenario(case: Case, response: Response, report: Report) -> None:
    if not safety.SCOPE.allows("instances"):
        for check in RESTORE_PROMISES:
            report.skip(check, "it needs --allow instances (it creates and deletes an instance)")
        return
    params = raw_path_parameters(case)
    session = Session(case, _prober(case, response, report), params["project_id"], report)
    with safety.permitting(CREATE_INSTANCE), safety.using_reserve():
        _restores(session, params, report)


def _restores(session: Session, params: Mapping[str, str], report: Report) -> None:
    restores = Restores(session)
    _, found = restores.listed(params["instance_id"])
    if len(found) != 1:
        return  # the list scenario reports a list that misses the instance
    source = found[0]
    nodes, size = _size(source)
    backup_id = _completed_backup(session, params)
    if backup_id is None:
        return
    refused = "restore_refusals_are_documented"
    invalid, missing, bad_time = (_example_code(n) for n in
                                  ("InvalidRestoreInfo", "BackupFileDoesNotExist", "InvalidRestoreTime"))  # fmt: skip
    now_ms = int(time.time() * 1000)
    for label, info, code in (
        ("restore_info with nothing to restore", {}, invalid),
        ("restore_info with a backup and an instance",
         {"backup_id": backup_id, "source_instance_id": source["id"], "restore_time": now_ms},
         invalid),
        ("an unknown backup", {"backup_id": "unknown" + uuid.uuid4().hex}, missing),
        ("a time before any backup", {"source_instance_id": source["id"], "restore_time": 1000},
         bad_time),
    ):  # fmt: skip
        answer = restores.create(_restore_body(source, info, nodes, size))
        _expect(report, refused, f"a restore of {label}", answer, {400}, code)

    # One restore, larger than its source: then its own backup cannot go back to the source's size.
    answer = restores.create(_restore_body(source, {"backup_id": backup_id}, nodes + 1, size + 100))
    listed_check = "restored_instance_is_listed"
    report.probed(listed_check)
    if answer.status != 202 or not isinstance(answer.body, dict):
        report.fail(
            listed_check, f"a restore of backup {backup_id}: {answer.shows()}, expected 202"
        )
        return
    restored_id = str(answer.body.get("id"))
    seen, items = restores.until(restored_id, lambda found: len(found) == 1)
    if len(items) != 1:
        report.fail(listed_check, f"{seen.shows()}: restored instance {restored_id} is listed "
                    f"{len(items)} times after {_instance_lag():g} s, expected once")  # fmt: skip
    restored_ok = restores.job(answer.body.get("job_id"), RESTORE_JOB, f"restore {restored_id}")
    if restored_ok:
        seen, items = restores.until(restored_id, lambda found: len(found) == 1 and (
            found[0].get("status") == "normal" and not found[0].get("actions")))  # fmt: skip
        _check_restored(report, seen, items, source, restored_id)
        _below_source(session, restores, source, restored_id, nodes, size)
    with safety.permitting(restored_id):
        deleted = session.prober.call(
            DELETE_INSTANCE, {"project_id": session.project_id, "instance_id": restored_id}
        )
    gone = "deleted_instance_is_gone"
    report.probed(gone)
    if deleted.status != 202 or not isinstance(deleted.body, dict):
        report.fail(gone, f"{deleted.shows()}, expected 202")
        return
    if restores.job(deleted.body.get("job_id"), DELETE_INSTANCE_JOB, f"deletion of {restored_id}"):
        seen, items = restores.until(restored_id, lambda found: not found)
        if items:
            report.fail(gone, f"{seen.shows()}: instance {restored_id} is still listed "
                        f"{_instance_lag():g} s after its deletion job completed")  # fmt: skip
        else:
            with checks._created_lock:
                checks.CREATED_INSTANCES.pop(restored_id, None)


def _completed_backup(session: Session, params: Mapping[str, str]) -> str | None:
    """A fresh backup of the instance, once its job has completed."""
    answer = session.prober.call(CREATE, params, body=fresh_body(CREATE))
    session.settle(answer, "restored_instance_is_listed")
    if answer.status != 202 or not isinstance(answer.body, dict):
        return None
    backup_id = answer.body.get("backup_id")
    return backup_id if isinstance(backup_id, str) else None


def _check_restored(
    report: Report,
    seen: Answer,
    items: list[dict[str, Any]],
    source: Mapping[str, Any],
    restored_id: str,
) -> None:
    check = "restored_instance_is_listed"
    if len(items) != 1:
        report.fail(check, f"{seen.shows()}: instance {restored_id} is not listed once")
        return
    restored = items[0]
    problems = []
    if restored.get("status") != "normal" or restored.get("actions"):
        problems.append(f"status {restored.get('status')!r}, actions {restored.get('actions')!r}")
    if _field(restored, "datastore/version") != _field(source, "datastore/version"):
        problems.append(f"datastore version {_field(restored, 'datastore/version')!r}, the "
                        f"source's {_field(source, 'datastore/version')!r}")  # fmt: skip
    (nodes, size), (source_nodes, source_size) = _size(restored), _size(source)
    if nodes < source_nodes or size < source_size:
        problems.append(f"{nodes} nodes and {size} GB, the source {source_nodes} and "
                        f"{source_size}")  # fmt: skip
    if problems:
        report.fail(check, f"{seen.shows()}: restored instance {restored_id} after its job "
                    f"completed: {'; '.join(problems)}")  # fmt: skip


def _below_source(
    session: Session,
    restores: Restores,
    source: Mapping[str, Any],
    restored_id: str,
    nodes: int,
    size: int,
) -> None:
    """A backup of the (larger) restored instance, restored at the smaller source's size."""
    rule = next((r for r in rules_of(CREATE_INSTANCE) if r.kind == "not-below-source"), None)
    if rule is None:
        return
    backup_id = _completed_backup(
        session, {"project_id": session.project_id, "instance_id": restored_id}
    )
    if backup_id is None:
        return
    answer = restores.create(_restore_body(source, {"backup_id": backup_id}, nodes, size))
    _expect(session.report, "restore_refusals_are_documented",
            f"a restore of backup {backup_id} below its instance's nodes and storage", answer,
            {rule.status}, rule.code)  # fmt: skip


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "create",
        (
            "backup_is_completed_after_its_job",
            "each_rule_is_refused_with_its_code",
            "bounds_are_accepted",
            "content_type_is_enforced",
            "names_are_case_sensitive",
            "unknown_ids_are_refused",
            "forbidden_targets_are_refused",
            "created_backup_can_be_deleted",
            "created_backup_stays_listed",
            "stop_of_a_made_backup_is_refused",
            "stopped_backup_ends_as_documented",
            "batch_is_checked_whole",
            "batch_deletes_the_runs_backups",
            "policy_rules_are_refused_with_their_codes",
            "policy_is_read_back",
        ),
        _create_trigger,
        _create_scenario,
    ),
    Scenario("unknown", ("unknown_ids_are_refused",), _success_trigger, _unknown_scenario),
    Scenario(
        "list",
        ("list_paging_holds", "list_filters_hold", "lists_keep_to_their_project"),
        _list_trigger,
        _list_scenario,
    ),
    Scenario("auth", ("unauthorized_answer_is_documented",), _auth_trigger, _auth_scenario),
    Scenario("refusals", ("documented_refusals_happen",), _refusals_trigger, _refusals_scenario),
    Scenario(
        "restore",
        RESTORE_PROMISES,
        _restore_trigger,
        _restore_scenario,
    ),
)


def _register(check: str) -> None:
    def run(ctx: CheckContext, response: Response, case: Case) -> bool | None:
        return _outcome(check, case, response)

    run.__name__ = run.__qualname__ = check
    run.__doc__ = PROMISES[check].text
    schemathesis.check(run)


for _check in PROMISES:
    _register(_check)

SCENARIO_CHECKS = tuple(PROMISES)
