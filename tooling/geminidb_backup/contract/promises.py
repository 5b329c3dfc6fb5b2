"""The promises the domain scenarios (:mod:`.scenarios`) probe: check name -> what it asks of the
server, as a failure states it. Kept apart so that :mod:`.checks` can name these checks without
importing the scenarios, which import it."""

from __future__ import annotations

PROMISES: dict[str, str] = {
    "backup_is_completed_after_its_job": (
        "once its job has completed, the backup is COMPLETED in listBackups"
    ),
    "each_rule_is_refused_with_its_code": (
        "a value that breaks one rule of its schema (x-rules) is refused with the code of that rule"
    ),
    "bounds_are_accepted": "values at the bounds of their rules are accepted",
    "content_type_is_enforced": (
        "a body not sent as application/json is refused with 415 and a code the 415 response documents"
    ),
    "names_are_case_sensitive": (
        "values of a case-sensitive field (x-case-sensitive) that differ only in case are different"
    ),
    "unknown_ids_are_refused": (
        "an ID that names nothing of the project is refused with the answer its parameter's "
        "x-unknown gives"
    ),
    "forbidden_targets_are_refused": "the resources an operation must refuse (x-refused-targets) are refused",
    "created_backup_can_be_deleted": (
        "a backup the suite created can be deleted: 202, its job completes, it is no longer listed"
    ),
    "created_backup_stays_listed": "a created backup stays listed until it is deleted",
    "list_paging_holds": (
        "offset and limit select the page, and total_count is the number of items that match"
    ),
    "list_filters_hold": (
        "each filter of a list (x-list) returns exactly the items that match it, counted by total_count"
    ),
    "lists_keep_to_their_project": (
        "a list of one project holds no item of another project (--other-project-id)"
    ),
    "documented_refusals_happen": (
        "a request valid by the schemas that breaks a rule of the operation (x-request-rules) "
        "is refused with the rule's status and code"
    ),
    "unauthorized_answer_is_documented": (
        "a request without valid credentials is answered 401 with an Error whose code the 401 "
        "response documents"
    ),
}
