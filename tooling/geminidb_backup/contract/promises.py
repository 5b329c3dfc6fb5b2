"""The promises the domain scenarios (:mod:`.scenarios`) probe, with what each needs.

A promise is a check of its own (a function of a scenario that calls ``report.probed`` /
``report.fail`` under the promise's name) plus an entry here: what it asks of the server, as a
failure states it, the scenario that probes it, and what a run needs to exercise it. The run's
report has a test case for every promise: passed, failed, or skipped with the reason (an option
left it out); a scenario that could not run at all fails once, naming the option that provides
what it needs. Kept apart so that :mod:`.checks` can name these checks without importing the
scenarios, which import it.

To add a promise: write its function in a scenario (or a new scenario in ``SCENARIOS``), and add
its entry here; a promise that changes what the run did not create also needs an ``allow`` value
(``--allow``) and a guard in :data:`.safety.OPERATION_GUARDS`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    """When a scenario runs, and what provides it when it cannot."""

    needs: str  # what must happen in the run for the scenario to start
    provided_by: str  # the option that provides it, for the failure message
    operations: tuple[str, ...]  # an answer of one of these starts it
    writes: bool = False  # it creates (so --read-only leaves it out)


SCENARIOS: dict[str, Scenario] = {
    "create": Scenario(
        "a createBackup answered 202",
        "--instance-id ID (an instance of the project, idle, with room for the run's backups)",
        ("createBackup",),
        writes=True,
    ),
    "unknown": Scenario(
        "a success of each operation",
        "--project-id ID (and --instance-id ID)",
        ("createBackup", "listJobs", "listBackups", "deleteBackup"),
    ),
    "list": Scenario(
        "a 200 of a list operation",
        "--project-id ID",
        ("listJobs", "listBackups"),
    ),
    "auth": Scenario(
        "an answer of each operation", "--url URL", ("createBackup", "listJobs", "listBackups")
    ),
    "refusals": Scenario("a success of a list operation", "--project-id ID", ("listBackups",)),
    "restore": Scenario(
        "a createBackup answered 202",
        "--instance-id ID (an instance of the project, idle) and --allow instances",
        ("createBackup",),
        writes=True,
    ),
}


@dataclass(frozen=True)
class Promise:
    text: str  # what it asks of the server
    scenario: str  # the key of the scenario that probes it (SCENARIOS)
    # The option without which the run leaves it out on purpose (skipped, naming the option).
    opt_in: str | None = None


PROMISES: dict[str, Promise] = {
    "backup_is_completed_after_its_job": Promise(
        "once its job has completed, the backup is COMPLETED in listBackups", "create"
    ),
    "each_rule_is_refused_with_its_code": Promise(
        "a value that breaks one rule of its schema (x-rules) is refused with the code of that rule",
        "create",
    ),
    "bounds_are_accepted": Promise("values at the bounds of their rules are accepted", "create"),
    "content_type_is_enforced": Promise(
        "a body not sent as application/json is refused with 415 and a code the 415 response documents",
        "create",
    ),
    "names_are_case_sensitive": Promise(
        "values of a case-sensitive field (x-case-sensitive) that differ only in case are different",
        "create",
    ),
    "unknown_ids_are_refused": Promise(
        "an ID that names nothing of the project is refused with the answer its parameter's "
        "x-unknown gives",
        "unknown",
    ),
    "forbidden_targets_are_refused": Promise(
        "the resources an operation must refuse (x-refused-targets) are refused",
        "create",
        opt_in="--allow foreign-refusals",
    ),
    "created_backup_can_be_deleted": Promise(
        "a backup the suite created can be deleted: 202, its job completes, it is no longer listed",
        "create",
    ),
    "created_backup_stays_listed": Promise(
        "a created backup stays listed until it is deleted", "create"
    ),
    "list_paging_holds": Promise(
        "offset and limit select the page, and total_count is the number of items that match",
        "list",
    ),
    "list_filters_hold": Promise(
        "each filter of a list (x-list) returns exactly the items that match it, counted by "
        "total_count",
        "list",
    ),
    "lists_keep_to_their_project": Promise(
        "a list of one project holds no item of another project (--other-project-id)",
        "list",
        opt_in="--other-project-id ID",
    ),
    "documented_refusals_happen": Promise(
        "a request valid by the schemas that breaks a rule of the operation (x-request-rules) "
        "is refused with the rule's status and code",
        "refusals",
    ),
    "stop_of_a_made_backup_is_refused": Promise(
        "a stop of a backup no longer being made is refused with the answer stopBackup's "
        "x-backup-states gives",
        "create",
    ),
    "stopped_backup_ends_as_documented": Promise(
        "a backup stopped while being made ends in the status x-backup-states gives, through a "
        "job of the name it gives",
        "create",
    ),
    "batch_is_checked_whole": Promise(
        "a batch deletion over its size or naming an unknown backup is refused whole with its "
        "code (x-rules, x-unknown), the unknown ID named, and deletes nothing",
        "create",
    ),
    "batch_deletes_the_runs_backups": Promise(
        "a batch deletion of the run's own backups is accepted and each leaves the list once its "
        "deletion has ended",
        "create",
    ),
    "policy_rules_are_refused_with_their_codes": Promise(
        "a backup policy that breaks a rule of its schema (keep_days out of range, a bad weekday "
        "set, a bad window, not every day for a short retention) is refused with that rule's code",
        "create",
        opt_in="--allow policy",
    ),
    "policy_is_read_back": Promise(
        "a backup policy set is shown as set by showBackupPolicy and showBackupPolicies",
        "create",
        opt_in="--allow policy",
    ),
    "restore_refusals_are_documented": Promise(
        "a restore the API must refuse (restore_info neither a backup nor an instance and a time, "
        "an unknown backup, fewer nodes or less storage than the source, a time outside the "
        "restorable windows) is refused with the status and code createInstance documents",
        "restore",
        opt_in="--allow instances",
    ),
    "restored_instance_is_listed": Promise(
        "a restore answered 202 is listed by listInstances, then ready (normal, no action) with "
        "the source's datastore version and at least its nodes and storage",
        "restore",
        opt_in="--allow instances",
    ),
    "instance_jobs_are_named": Promise(
        "the jobs of a restore and of an instance's deletion are listed as RestoreNewInstance and "
        "DeleteInstance, and complete",
        "restore",
        opt_in="--allow instances",
    ),
    "deleted_instance_is_gone": Promise(
        "an instance whose deletion job has completed is no longer listed by listInstances",
        "restore",
        opt_in="--allow instances",
    ),
    "unauthorized_answer_is_documented": Promise(
        "a request without valid credentials is answered 401 with an Error whose code the 401 "
        "response documents",
        "auth",
    ),
}


def broken_text(check: str, found: list[str], reproduce: str = "", limit: int | None = None) -> str:
    """How a broken promise is shown: the promise, the ``found`` failures of its probes (the
    first ``limit`` of them), and the command that sends the first failing probe again."""
    shown = "\n".join(f"  - {text}" for text in found[:limit])
    more = len(found) - limit if limit is not None else 0
    if more > 0:
        shown += f"\n  ... and {more} more"
    if reproduce:
        shown += f"\n\nReproduce the first failing probe with:\n\n    {reproduce}"
    return f"Promise broken: {PROMISES[check].text}.\n{shown}"
