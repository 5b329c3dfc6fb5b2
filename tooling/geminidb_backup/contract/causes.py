"""One cause of failure, shown once, with where else it was seen.

schemathesis keeps one failure per operation and kind (``Failure._unique_key`` is per operation),
so one defect of a server (it accepts any token, say) is listed once for every operation it
breaks, each with its own reproduction, and counted as that many "unique failures". Its
``filter_failure`` hook, the supported way to drop a failure before it counts, fails the run or is
shown, keeps here the first failure of each cause and drops the others, recording the operation
each was seen on; the runner then says on the console and in the JUnit report where each cause
was seen (:func:`.reporting.finish`). A cause is schemathesis's own identity of a failure
without the operation (:func:`cause_of`): schemathesis offers no grouping across operations.
A broken domain promise is dropped everywhere: the run's report has a test case of its own for
it (:func:`.reporting.promise_outcomes`).

Only a run of the CLI (:func:`.runner.run`) groups: between runs, and in the pytest entry point,
every failure passes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import schemathesis

from geminidb_backup.contract.promises import PROMISES
from geminidb_backup.contract.safety import is_suite_case

# The title schemathesis gives a failure of each promise's check (a custom check's, which the
# filter_failure hook is not told the name of).
PROMISE_TITLES = frozenset(f"Custom check failed: `{name}`" for name in PROMISES)
STATEFUL = " (stateful)"
STATEFUL_TEST_CASE = "Stateful tests"  # schemathesis's name for its stateful phase's test case


@dataclass
class Cause:
    """A kind of failure and where it was seen; it is shown where it was seen first."""

    heading: str  # as schemathesis shows it: code and title
    home: str  # where it is shown: an operation (with STATEFUL after it in that phase)
    seen: list[str] = field(default_factory=list)  # every such place, in the order seen

    @property
    def test_case(self) -> str:
        """The name of the test case of schemathesis's JUnit report that shows it."""
        return STATEFUL_TEST_CASE if self.home.endswith(STATEFUL) else self.home

    def seen_on(self) -> str:
        operations = list(dict.fromkeys(place.removesuffix(STATEFUL) for place in self.seen))
        stateful = sum(1 for place in self.seen if place.endswith(STATEFUL))
        count = len(operations)
        text = f"{self.heading}: seen on {count} {'operation' if count == 1 else 'operations'}"
        if stateful:
            text += f" ({stateful} of them in the stateful phase)"
        return f"{text}: {', '.join(operations)}"


class Causes:
    """The causes of one run, by key (:func:`cause_of`), in the order first seen."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.found: dict[tuple[str, ...], Cause] = {}

    def keep(self, failure: Any, where: str) -> bool:
        """Record ``failure`` seen at ``where``; whether it is to be shown.

        A cause is shown where it was seen first, every time it is seen there: Hypothesis runs a
        failing example again before reporting it, and a failure dropped then would make the
        test flaky. Everywhere else it is dropped (and listed).
        """
        key = cause_of(failure)
        with self.lock:
            cause = self.found.get(key)
            if cause is None:
                heading = f"{getattr(failure, 'code', '')} {failure.title}".strip()
                cause = self.found[key] = Cause(heading, where)
            if where not in cause.seen:
                cause.seen.append(where)
            return where == cause.home


_active: Causes | None = None


def begin() -> Causes:
    """Group the failures of the run that starts (until :func:`end`)."""
    global _active
    _active = Causes()
    return _active


def end() -> list[Cause]:
    """Stop grouping; the causes of the run, in the order first seen."""
    global _active
    found, _active = _active, None
    if found is None:
        return []
    with found.lock:
        return list(found.found.values())


def cause_of(failure: Any) -> tuple[str, ...]:
    """What makes two failures one cause: schemathesis's own identity of a failure (the one its
    baseline files use: the check, the failure's class and its signature), without the
    operation. A domain check's signature is the check and the line that raised, so one broken
    promise is one cause, whichever operations showed it (its own test case lists every probe)."""
    from schemathesis.baseline.model import failure_identity

    return failure_identity(failure, "")[1:]


@schemathesis.hook("filter_failure")
def _one_failure_per_cause(context: Any, failure: Any, case: Any, response: Any) -> bool:
    causes = _active
    if causes is None or not is_suite_case(case):
        return True
    if failure.title in PROMISE_TITLES:
        # A broken promise is its own test case of the run's report, with every probe that broke
        # it and the command that sends the first again (reporting.promise_outcomes): shown by
        # schemathesis too, under the operation whose answer started its scenario, it would be
        # one cause counted twice.
        return False
    where = str(failure.operation or case.operation.label)
    meta = getattr(case, "meta", None)
    if meta is not None and str(meta.phase.name) == "stateful":
        where += STATEFUL
    return causes.keep(failure, where)
