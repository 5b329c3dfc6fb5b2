"""The run's verdict, one and the same in the JUnit report, on the console and in the exit code.

schemathesis writes a test case per operation (and one for its stateful phase), each failure
once, where its cause was seen first (:mod:`.causes`), and no failure of a domain promise. After
schemathesis, the run adds to that report a test case for every promise (passed, failed with the
probes that broke it, or skipped with the reason), one for each scenario that could not run at
all (failed, naming the option that provides what it needs), and one for the clean-up (failed
when something the run created is left), and to each cause's failure the operations it was seen
on. The console's summary and the exit code are then read from the report itself, so that none
of the three can disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from geminidb_backup.contract.causes import Cause
from geminidb_backup.contract.promises import PROMISES, SCENARIOS, broken_text

SUITE_NAME = "geminidb-backup contract"
# The probes of a broken promise the console shows (the report has them all).
SHOWN_PROBES = 8


@dataclass(frozen=True)
class Outcome:
    name: str
    status: str  # "passed", "failed" or "skipped"
    detail: str = ""  # as the report gives it
    shown: str = ""  # as the console gives it, when shorter than the report


def promise_outcomes(options: Any) -> list[Outcome]:
    """The verdict on every promise, and on each scenario that could not run, from the reports
    of this run's scenarios."""
    from geminidb_backup.contract import scenarios

    failures: dict[str, list[str]] = {}
    skipped: dict[str, str] = {}
    reproductions: dict[str, str] = {}
    with scenarios._lock:
        reports = list(scenarios._reports.values())
        started = {key[1] for key in scenarios._claimed}
    for report in reports:
        for check, found in report.failures.items():
            failures.setdefault(check, []).extend(found)
        for check, reason in report.skipped.items():
            skipped.setdefault(check, reason)
        for check, command in report.reproductions.items():
            reproductions.setdefault(check, command)

    outcomes: list[Outcome] = []
    missing_scenarios: dict[str, dict[str, None]] = {}  # need -> the scenarios that lacked it
    for name, promise in PROMISES.items():
        if failures.get(name):
            found, reproduce = failures[name], reproductions.get(name, "")
            text = broken_text(name, found, reproduce)
            shown = broken_text(name, found, reproduce, limit=SHOWN_PROBES)
            outcomes.append(Outcome(name, "failed", f"`{name}`: {text}", f"`{name}`: {shown}"))
        elif name in failures:
            outcomes.append(Outcome(name, "passed"))
        elif name in skipped:
            outcomes.append(Outcome(name, "skipped", skipped[name]))
        elif promise.opt_in is not None and (
            promise.scenario in started or not _opted_in(promise.opt_in)
        ):
            # Left out on purpose: without its opt-in, a scenario that could not start (no
            # create accepted) is the failure of the scenario that needs the same, not its own.
            outcomes.append(Outcome(name, "skipped", f"it needs {promise.opt_in}"))
        else:
            left_out = _left_out_by(options, promise.scenario)
            reason = left_out or ""
            if left_out is None:
                needed = SCENARIOS[promise.scenario]
                reason = f"not exercised: the run never had {needed.needs}"
                missing_scenarios.setdefault(needed.needs, {})[promise.scenario] = None
            outcomes.append(Outcome(name, "skipped", reason))
    # One failure per missing need: scenarios that start on the same answer (create and restore,
    # on an accepted create) could not run for one cause.
    for needs, names in missing_scenarios.items():
        first = SCENARIOS[next(iter(names))]
        whose = "its" if len(names) == 1 else f"the {' and '.join(names)} scenarios'"
        why = f"the run never had {needs}, so none of {whose} promises were probed; give {first.provided_by}"
        outcomes.append(Outcome(f"{next(iter(names))} scenario", "failed", why))
    return outcomes


def _opted_in(opt_in: str) -> bool:
    """Whether the run was given the ``--allow`` value ``opt_in`` names (another opt-in, such as
    ``--other-project-id ID``, is judged by its scenario when it runs)."""
    from geminidb_backup.contract import safety

    value = opt_in.removeprefix("--allow ")
    return value == opt_in or safety.SCOPE.allows(value)


def _left_out_by(options: Any, scenario_name: str) -> str | None:
    """The option that left a scenario out on purpose, if one did."""
    scenario = SCENARIOS[scenario_name]
    unserved = set(getattr(options, "unserved_operations", ()))
    if set(scenario.operations) <= unserved:
        return f"left out by --unserved: the target serves none of {', '.join(scenario.operations)}"
    if scenario.writes and options.read_only:
        return "left out by --read-only"
    included = set(options.include_operations) or set(scenario.operations)
    if not (included - set(options.exclude_operations)) & set(scenario.operations):
        return "left out by --operations"
    return None


def finish(
    junit: Path,
    code: int,
    outcomes: list[Outcome],
    cleanup: Any,
    echo: Callable[[str], None],
    causes: Sequence[Cause] = (),
) -> int:
    """Add the run's own test cases to the JUnit report, and to the failure that shows each of
    the run's ``causes`` (:mod:`.causes`) where else it was seen; print the summary, and return
    the exit code the report gives (1 when a test case failed or erred)."""
    root = _load(junit)
    shown = _say_where_causes_were_seen(root, causes)
    ours = ElementTree.SubElement(root, "testsuite", {"name": SUITE_NAME})
    for outcome in outcomes:
        _case(ours, "promises", outcome)
    if cleanup is not None:
        left = getattr(cleanup, "left", {})
        detail = "\n".join(f"{backup_id}: {why}" for backup_id, why in left.items())
        status = "failed" if left else "passed"
        _case(ours, "clean-up", Outcome("clean-up", status, detail and f"left: {detail}"))
    counts = _counts(root)
    if code != 0 and not (counts["failures"] or counts["errors"]):
        # schemathesis failed the run for something that is no test case of its report.
        _case(
            ours,
            "schemathesis",
            Outcome(
                "schemathesis run",
                "failed",
                f"schemathesis exited {code} without a failing test case: see its output",
            ),
        )
    _recount(root)
    junit.parent.mkdir(parents=True, exist_ok=True)
    ElementTree.ElementTree(root).write(junit, encoding="unicode", xml_declaration=True)

    if shown:
        echo(
            f"contract: the failures above have {len(shown)} "
            f"{'cause' if len(shown) == 1 else 'causes'}, each shown once, with one "
            "reproduction, where it was seen first (schemathesis counts the others as filtered):"
        )
        for cause in shown:
            echo(f"  {cause.seen_on()}")
    by_status = {
        status: [o for o in outcomes if o.status == status and o.name in PROMISES]
        for status in ("passed", "failed", "skipped")
    }
    echo(
        f"contract: promises: {len(by_status['passed'])} passed, {len(by_status['failed'])} failed, "
        f"{len(by_status['skipped'])} skipped"
    )
    for outcome in sorted(outcomes, key=lambda outcome: outcome.status != "failed"):
        if outcome.status == "skipped":
            echo(f"  skipped {outcome.name}: {outcome.detail}")
        elif outcome.status == "failed" and outcome.name in PROMISES:
            echo("  FAILED " + (outcome.shown or outcome.detail).replace("\n", "\n    "))
        elif outcome.status == "failed":
            echo(f"  FAILED {outcome.name}: {outcome.detail}")
    counts = _counts(root)
    echo(
        f"contract: report: {counts['tests']} test cases, {counts['failures']} failed, "
        f"{counts['errors']} errors, {counts['skipped']} skipped"
    )
    return 1 if counts["failures"] or counts["errors"] else 0


def _say_where_causes_were_seen(root: ElementTree.Element, causes: Sequence[Cause]) -> list[Cause]:
    """Add to the failure that shows each cause the operations it was seen on; the causes so
    shown."""
    shown: list[Cause] = []
    for cause in causes:
        for case in root.iter("testcase"):
            failure = case.find("failure")
            if case.get("name") == cause.test_case and failure is not None:
                failure.text = f"{failure.text or ''}\n\n{cause.seen_on()}"
                shown.append(cause)
                break
    return shown


def _load(junit: Path) -> ElementTree.Element:
    """The report's root, a ``testsuites`` element (a new one when schemathesis wrote none)."""
    if junit.exists():
        try:
            found = ElementTree.parse(junit).getroot()
        except ElementTree.ParseError:
            found = None
        if found is not None and found.tag == "testsuites":
            return found
        if found is not None:
            wrapper = ElementTree.Element("testsuites")
            wrapper.append(found)
            return wrapper
    return ElementTree.Element("testsuites")


def _case(suite: ElementTree.Element, classname: str, outcome: Outcome) -> None:
    case = ElementTree.SubElement(
        suite, "testcase", {"name": outcome.name, "classname": classname, "time": "0"}
    )
    if outcome.status == "failed":
        first = outcome.detail.splitlines()[0] if outcome.detail else "failed"
        failure = ElementTree.SubElement(case, "failure", {"message": first, "type": "failure"})
        failure.text = outcome.detail
    elif outcome.status == "skipped":
        ElementTree.SubElement(case, "skipped", {"message": outcome.detail, "type": "skipped"})


def _counts(root: ElementTree.Element) -> dict[str, int]:
    cases = list(root.iter("testcase"))
    return {
        "tests": len(cases),
        "failures": sum(1 for c in cases if c.find("failure") is not None),
        "errors": sum(1 for c in cases if c.find("error") is not None),
        "skipped": sum(1 for c in cases if c.find("skipped") is not None),
    }


def _recount(root: ElementTree.Element) -> None:
    """Every suite's attributes, and the root's, from its test cases."""
    for element in [root, *root.iter("testsuite")]:
        counts = _counts(element)
        for key, value in counts.items():
            element.set(key, str(value))
