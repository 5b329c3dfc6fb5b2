"""The create scenario's probes of the backup lifecycle beyond create: stopping a backup, batch
deletion, and the automated backup policy. What each expects is read from the spec
(``x-backup-states`` of stopBackup, the ``x-rules`` and ``x-unknown`` of batchDeleteBackups'
body, the schema of ``BackupPolicy`` and setBackupPolicy's examples); nothing is copied here.

Safety (:mod:`.safety`): a stop names its backup in its path, so the suite's guard lets only
the run's own through; a batch names its backups in its body, and an instance's policy is named
by no path parameter: both get a guard of their own here (:data:`.safety.OPERATION_GUARDS`).
A batch keeps only the run's own IDs (any other is replaced by one that cannot exist); a policy is
changed only on the embedded server or with ``--allow policy``, read first and put back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from geminidb_backup.contract import safety
from geminidb_backup.contract.probing import catalogue_statuses, fresh_body, operation
from geminidb_backup.spec import follow_refs, load_spec

if TYPE_CHECKING:
    from geminidb_backup.contract.scenarios import Session

CREATE, STOP, BATCH = "createBackup", "stopBackup", "batchDeleteBackups"
SET_POLICY, SHOW_POLICY, SHOW_POLICIES = "setBackupPolicy", "showBackupPolicy", "showBackupPolicies"


def _guard_batch(case: Any, scope: safety.Scope) -> None:
    """Only the run's own backups in a batch: any other ID becomes one that cannot exist."""
    ids = case.body.get("backup_ids") if isinstance(case.body, dict) else None
    if not isinstance(ids, list):
        return  # a body the server must refuse: it deletes nothing
    own = safety.created_ids() | getattr(safety._local, "permitted", frozenset())
    case.body["backup_ids"] = [
        i if not isinstance(i, str) or i in own else safety.unknown_id() for i in ids
    ]


def _guard_policy(case: Any, scope: safety.Scope) -> None:
    """An instance's policy changes only where ``--allow policy`` permits it (always on the
    embedded server); elsewhere the request is aimed at an instance that cannot exist."""
    if not scope.allows("policy") and case.path_parameters:
        case.path_parameters["instance_id"] = safety.unknown_id()


safety.OPERATION_GUARDS[BATCH] = _guard_batch
safety.OPERATION_GUARDS[SET_POLICY] = _guard_policy


def _states() -> Mapping[str, Any]:
    states: Mapping[str, Any] = operation(STOP).get("x-backup-states", {})
    return states


def stop_probes(session: Session, params: Mapping[str, str], finished_id: str) -> None:
    """A stop of the run's finished backup is refused as x-backup-states says; a backup of the
    run stopped while being made ends in its final status, through a job of its name."""
    if _left_out(
        session, STOP, "stop_of_a_made_backup_is_refused", "stopped_backup_ends_as_documented"
    ):
        return
    states = _states()
    refused = states.get("refused")
    if refused:
        check = "stop_of_a_made_backup_is_refused"
        from geminidb_backup.contract.scenarios import _expect

        answer = session.prober.call(
            STOP,
            {"project_id": session.project_id, "backup_id": finished_id},
            body={"action": "stop"},
        )
        _expect(session.report, check, f"a stop of the finished backup {finished_id}", answer,
                {int(refused["status"])}, refused.get("code"))  # fmt: skip
    check = "stopped_backup_ends_as_documented"
    created = session.prober.call(CREATE, params, body=fresh_body(CREATE))
    if created.status != 202 or not isinstance(created.body, dict):
        return
    backup_id = str(created.body.get("backup_id"))
    session.created.append(backup_id)  # safety has recorded it for the clean-up
    answer = session.prober.call(
        STOP, {"project_id": session.project_id, "backup_id": backup_id}, body={"action": "stop"}
    )
    job_id = answer.body.get("job_id") if isinstance(answer.body, dict) else None
    session.report.probed(check)
    if answer.status != 202 or not isinstance(job_id, str):
        # Made before the stop arrived (the embedded server's backups take no time): then the
        # refusal must be the documented one, for a backup that is indeed made.
        session.wait(str(created.body.get("job_id")), check)
        made_statuses = (refused or {}).get("statuses", ())
        listed, found = _listed_within_lag(
            session, backup_id, lambda found: found[0].get("status") in made_statuses
        )
        made = found and found[0].get("status") in made_statuses
        if not refused or answer.status != int(refused["status"]) or not made:
            session.report.fail(check, f"{answer.shows()}: a stop right after the create was "
                                       f"neither accepted (202) nor refused as made "
                                       f"({listed.shows()})")  # fmt: skip
        return
    job = session.wait(job_id, check)
    if job is None:
        return
    if states.get("job") and job.get("name") != states["job"]:
        session.report.fail(check, f"{answer.shows()}: the stop job is named {job.get('name')!r}, "
                                   f"expected {states['job']!r}")  # fmt: skip
    listed, found = _listed_within_lag(
        session, backup_id, lambda found: found[0].get("status") == states.get("final")
    )
    status = found[0].get("status") if found else None
    if states.get("final") and status != states["final"]:
        session.report.fail(check, f"{listed.shows()}: the stopped backup {backup_id} is "
                                   f"{status!r} after its stop job ended, expected "
                                   f"{states['final']!r}")  # fmt: skip
    session.wait(str(created.body.get("job_id")), check)


def _listed_within_lag(
    session: Session, backup_id: str, settled: Callable[[list[dict[str, Any]]], bool]
) -> tuple[Any, list[dict[str, Any]]]:
    """listBackups for ``backup_id`` until it is listed and ``settled`` holds, or the list's lag
    (its ``x-list``) has passed: a list may show a change that late."""
    from geminidb_backup.contract import checks

    seen: list[tuple[Any, list[dict[str, Any]]]] = []

    def shown() -> bool:
        seen[:] = [session.listed(backup_id)]
        found = seen[0][1]
        return bool(found) and settled(found)

    checks.until_true(checks.list_lag("listBackups"), shown)  # calls it at least once
    return seen[0]


def _left_out(session: Session, operation_id: str, *checks: str) -> bool:
    """Whether the target does not serve ``operation_id`` (unserved_operations): then
    ``checks`` are skipped."""
    from geminidb_backup.contract.checks import served

    if served(operation_id):
        return False
    for check in checks:
        session.report.skip(check, f"the target does not serve {operation_id}, which it sends")
    return True


def _ids_schema() -> Mapping[str, Any]:
    body = follow_refs(operation(BATCH)["requestBody"])[0]
    schema = follow_refs(body["content"]["application/json"]["schema"])[0]
    ids: Mapping[str, Any] = follow_refs(schema["properties"]["backup_ids"])[0]
    return ids


def batch_probes(session: Session) -> None:
    """A batch over its size, and one naming an unknown backup, are refused with their codes
    and delete nothing; a batch of the run's own backups deletes them all."""
    from geminidb_backup.contract.scenarios import _expect

    if _left_out(session, BATCH, "batch_is_checked_whole", "batch_deletes_the_runs_backups"):
        return
    schema = _ids_schema()
    project = {"project_id": session.project_id}
    own = [b for b in session.created if _listed_once(session, b)]
    check = "batch_is_checked_whole"
    for rule in schema.get("x-rules", []):
        if rule.get("keyword") != "maxItems" or not isinstance(rule.get("code"), str):
            continue
        # One more than allowed, whether or not one of the run's own backups is listed yet.
        known = own[:1]
        too_many = [*known, *(_unknown() for _ in range(int(schema["maxItems"]) + 1 - len(known)))]
        answer = session.prober.call(BATCH, project, body={"backup_ids": too_many})
        statuses = catalogue_statuses(rule["code"]) or frozenset({400})
        _expect(session.report, check, f"a batch of {len(too_many)} IDs ({rule.get('message')})",
                answer, statuses, rule["code"])  # fmt: skip
    unknown = schema.get("items", {}).get("x-unknown")
    if isinstance(unknown, Mapping):
        missing = _unknown()
        with safety.permitting(missing):  # names nothing: the guard may let it through as it is
            answer = session.prober.call(BATCH, project, body={"backup_ids": [*own[:1], missing]})
        _expect(session.report, check, f"a batch naming the unknown backup {missing}", answer,
                {int(unknown["status"])}, unknown.get("code"))  # fmt: skip
        message = answer.body.get("error_msg") if isinstance(answer.body, dict) else ""
        if answer.status == int(unknown["status"]) and missing not in str(message):
            session.report.fail(check, f"{answer.shows()}: the message does not name {missing}")
    for backup_id in own[:1]:
        if not _listed_once(session, backup_id):
            session.report.fail(check, f"backup {backup_id} of a refused batch is gone")
    # The first is left to the create scenario's own deletion (created_backup_can_be_deleted).
    batch = own[1 : 1 + int(schema.get("maxItems", 10))]
    if len(batch) < 2:
        return
    check = "batch_deletes_the_runs_backups"
    answer = session.prober.call(BATCH, project, body={"backup_ids": batch})
    session.report.probed(check)
    if not 200 <= answer.status < 300:
        session.report.fail(check, f"{answer.shows()}, expected a success")
        return
    for backup_id in batch:
        if _gone_after_jobs(session, backup_id):
            session.created.remove(backup_id)
            safety.forget_created(backup_id)  # nothing left for the clean-up
        else:
            session.report.fail(check, f"backup {backup_id} is still listed after the batch's "
                                       "deletion jobs ended")  # fmt: skip


def _gone_after_jobs(session: Session, backup_id: str) -> bool:
    jobs = session.prober.call(
        "listJobs", {"project_id": session.project_id}, query={"status": "Running"}
    )
    for job in (jobs.body or {}).get("jobs", []) if isinstance(jobs.body, dict) else []:
        if isinstance(job, dict) and isinstance(job.get("id"), str):
            session.wait(job["id"], "batch_deletes_the_runs_backups")
    return not _listed_once(session, backup_id)


def _listed_once(session: Session, backup_id: str) -> bool:
    _, found = session.listed(backup_id)
    return len(found) == 1


def _unknown() -> str:
    return "unknown" + uuid.uuid4().hex


# --- the policy ---------------------------------------------------------------------------


def _policy_schema() -> Mapping[str, Any]:
    schema: Mapping[str, Any] = load_spec()["components"]["schemas"]["BackupPolicy"]
    return schema


def _field(name: str) -> Mapping[str, Any]:
    found: Mapping[str, Any] = follow_refs(_policy_schema()["properties"][name])[0]
    return found


def _on_example() -> dict[str, Any]:
    body = follow_refs(operation(SET_POLICY)["requestBody"])[0]
    for example in body["content"]["application/json"].get("examples", {}).values():
        value = follow_refs(example)[0].get("value", {}).get("backup_policy", {})
        if value.get("keep_days"):
            return dict(value)
    raise ValueError("setBackupPolicy has no example of a policy that is on")


def _rule_code(schema: Mapping[str, Any], keyword: str) -> str | None:
    for rule in schema.get("x-rules", []):
        if rule.get("keyword") == keyword and isinstance(rule.get("code"), str):
            return str(rule["code"])
    return None


def _policy_violations() -> list[tuple[str, dict[str, Any], str]]:
    """(label, backup_policy, code): each breaking one rule of the schema, from the spec."""
    good = _on_example()
    keep = _field("keep_days")
    found: list[tuple[str, dict[str, Any], str]] = []
    code = _rule_code(keep, "maximum")
    if code:
        found.append(
            (f"keep_days {keep['maximum'] + 1}", {**good, "keep_days": keep["maximum"] + 1}, code)
        )
    code = _rule_code(_field("period"), "pattern")
    if code:
        found.append(("period 0,8 (no such weekdays)", {**good, "period": "0,8"}, code))
    code = _rule_code(_field("start_time"), "pattern")
    if code:
        found.append(("start_time 01:10-02:10", {**good, "start_time": "01:10-02:10"}, code))
    # keep_days within the range that needs every day, with one day only.
    short = follow_refs(_policy_schema().get("else", {}))[0].get("then", {})
    every = short.get("then", {}).get("properties", {}).get("period", {})
    maximum = short.get("if", {}).get("properties", {}).get("keep_days", {}).get("maximum")
    code = _rule_code(every, "const")
    if code and maximum:
        found.append((f"keep_days {maximum} with one weekday", {**good, "keep_days": maximum,
                      "period": "1"}, code))  # fmt: skip
    return found


def policy_probes(session: Session, params: Mapping[str, str]) -> None:
    """Each rule of the policy refused with its code; a policy set is read back by both show
    operations; the instance's policy put back as it was."""
    from geminidb_backup.contract.scenarios import _expect

    if not safety.SCOPE.allows("policy"):
        return
    checks = ("policy_rules_are_refused_with_their_codes", "policy_is_read_back")
    if any(_left_out(session, op, *checks) for op in (SET_POLICY, SHOW_POLICY, SHOW_POLICIES)):
        return
    path = {"project_id": session.project_id, "instance_id": params["instance_id"]}
    before = session.prober.call(SHOW_POLICY, path)
    original = before.body.get("backup_policy") if isinstance(before.body, dict) else None
    if before.status != 200 or not isinstance(original, dict):
        return
    try:
        check = "policy_rules_are_refused_with_their_codes"
        for label, policy, code in _policy_violations():
            answer = session.prober.call(SET_POLICY, path, body={"backup_policy": policy})
            _expect(session.report, check, label, answer, catalogue_statuses(code) or {400}, code)
        check = "policy_is_read_back"
        wanted = _on_example()
        answer = session.prober.call(SET_POLICY, path, body={"backup_policy": wanted})
        session.report.probed(check)
        if not 200 <= answer.status < 300:
            session.report.fail(check, f"{answer.shows()}, expected a success")
            return
        for operation_id in (SHOW_POLICY, SHOW_POLICIES):
            shown = session.prober.call(operation_id, path)
            got = shown.body.get("backup_policy") if isinstance(shown.body, dict) else None
            got = {k: v for k, v in (got or {}).items() if k in wanted}
            if got != wanted:
                session.report.fail(check, f"{shown.shows()}: shows {got}, expected {wanted}")
    finally:
        restore = {k: v for k, v in original.items() if k in ("keep_days", "start_time", "period")}
        session.prober.call(SET_POLICY, path, body={"backup_policy": restore})
