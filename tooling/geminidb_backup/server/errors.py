"""The service's errors: status, code and message, read from the spec's ``x-error-codes`` list.

No message is written here: an :class:`ApiError` names a code, and the catalogue supplies the HTTP
status and the English message the real service sends with it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from geminidb_backup.spec import SpecError, load_spec


@dataclass(frozen=True)
class ErrorCode:
    status: int
    code: str
    message: str


@cache
def entries() -> tuple[ErrorCode, ...]:
    """Every entry of the spec's ``x-error-codes``: one per (status, code) pair, in its order."""
    listed: Any = load_spec().get("x-error-codes")
    if not isinstance(listed, list):
        raise SpecError("the spec has no x-error-codes list")
    return tuple(
        ErrorCode(int(entry["status"]), str(entry["code"]), str(entry["message"]))
        for entry in listed
    )


@cache
def catalogue() -> Mapping[str, ErrorCode]:
    """code -> :class:`ErrorCode` of its first entry, whose status is the code's usual one (a code
    answered with two statuses, such as ``APIGW.0101`` with 404 and 405, has an entry for each)."""
    found: dict[str, ErrorCode] = {}
    for entry in entries():
        found.setdefault(entry.code, entry)
    return found


@cache
def statuses(code: str) -> frozenset[int]:
    """The statuses the catalogue gives ``code`` (empty when it is not catalogued)."""
    return frozenset(entry.status for entry in entries() if entry.code == code)


class ApiError(Exception):
    """An error answer of the service, as ``{"error_code", "error_msg"}``.

    ``backup_id`` names, at the end of the message, the backup of a batch that refused it.

    ``args`` fill the ``{0}``, ``{1}`` placeholders some messages have (``DBS.201000``); ``status``
    picks another of the code's catalogued statuses (405 for ``APIGW.0101``, 503 for
    ``DBS.200998``). An uncatalogued pair is a bug here, refused at once.
    """

    def __init__(
        self,
        code: str,
        *args: str,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        backup_id: str | None = None,
    ) -> None:
        entry = catalogue()[code]
        if status is not None and status != entry.status:
            if status not in statuses(code):
                raise SpecError(f"x-error-codes has no entry for {code} with status {status}")
            # The message of that status's entry (APIGW.0201 says another thing with 413).
            entry = next(e for e in entries() if e.code == code and e.status == status)
        super().__init__(code)
        self.code = code
        self.status = status if status is not None else entry.status
        self.message = entry.message.format(*args) if args else entry.message
        if backup_id is not None:
            # A batch names the backup that refused it (batchDeleteBackups' description).
            self.message += f" Backup ID: {backup_id}."
        self.headers = dict(headers or {})

    def body(self) -> bytes:
        return json.dumps({"error_code": self.code, "error_msg": self.message}).encode()


# The codes the server raises, named once so that a typo fails at import time (catalogue lookup)
# rather than at request time. The mapping from a situation to a code is the service's behaviour
# (see the spec's descriptions); the status and message of each come from the catalogue.
PARAMETER_ERROR = "DBS.200001"
PARAMETER_IS_NULL = "DBS.280040"
INVALID_REQUEST = "DBS.280042"
INVALID_BACKUP_NAME = "DBS.280277"
INVALID_BACKUP_DESCRIPTION = "DBS.280127"
BACKUP_ALREADY_EXISTS = "DBS.201201"
BACKUP_FILE_DOES_NOT_EXIST = "DBS.201214"
INVALID_PROJECT_ID = "DBS.280408"
INVALID_LIMIT = "DBS.280439"
INVALID_OFFSET = "DBS.280440"
INVALID_END_TIME = "DBS.280416"
BAD_AUTHENTICATION = "APIGW.0301"
INSTANCE_BUSY = "DBS.200019"
OPERATION_NOT_ALLOWED = "DBS.201000"
NO_PERMISSION = "DBS.280032"
INSTANCE_NOT_FOUND = "DBS.200002"
NO_SUCH_API = "APIGW.0101"
TOO_MANY_REQUESTS = "DBS.280443"
GATEWAY_THROTTLED = "APIGW.0308"
SYSTEM_BUSY = "DBS.200998"
SERVER_ERROR = "DBS.280005"
STATE_FORBIDS_OPERATION = "DBS.200011"
INVALID_RESTORE_INFO = "DBS.301024"
INVALID_RESTORE_TIME = "DBS.201215"
RESTORATION_IN_PROGRESS = "DBS.201319"
TOKEN_INVALID = "DBS.280056"
# The gateway's, for a request it refuses before the service sees it (the spec's "Request size").
BAD_REQUEST = "APIGW.0201"

_USED = (
    PARAMETER_ERROR, PARAMETER_IS_NULL, INVALID_REQUEST, INVALID_BACKUP_NAME,
    INVALID_BACKUP_DESCRIPTION, BACKUP_ALREADY_EXISTS, BACKUP_FILE_DOES_NOT_EXIST,
    INVALID_PROJECT_ID, INVALID_LIMIT, INVALID_OFFSET, INVALID_END_TIME, BAD_AUTHENTICATION,
    INSTANCE_BUSY, OPERATION_NOT_ALLOWED, NO_PERMISSION, INSTANCE_NOT_FOUND, NO_SUCH_API,
    TOO_MANY_REQUESTS, GATEWAY_THROTTLED, SYSTEM_BUSY, SERVER_ERROR, TOKEN_INVALID, BAD_REQUEST,
    STATE_FORBIDS_OPERATION,
    INVALID_RESTORE_INFO, INVALID_RESTORE_TIME, RESTORATION_IN_PROGRESS,
)  # fmt: skip


# The codes the server sends with a status other than their first entry's.
_USED_WITH_STATUS = ((NO_SUCH_API, 405), (SYSTEM_BUSY, 503), (BAD_REQUEST, 413))


def check_catalogue() -> None:
    """Raise :class:`SpecError` when a code (or a code with a status) the server uses is missing
    from ``x-error-codes``."""
    from geminidb_backup.rules import all_rules

    missing = [code for code in _USED if code not in catalogue()]
    with_status = [*_USED_WITH_STATUS, *((rule.code, rule.status) for rule in all_rules())]
    missing += [
        f"{code} with {status}" for code, status in with_status if status not in statuses(code)
    ]
    if missing:
        raise SpecError(f"x-error-codes lacks codes the reference server uses: {missing}")
