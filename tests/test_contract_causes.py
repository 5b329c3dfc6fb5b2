"""One cause shows once (issue 18, finding 6): a server defect that breaks every operation is one
failure on the console and in the JUnit report, with one reproduction and the operations it was
seen on, and the counts of schemathesis's summary, ours and the report's agree; a broken promise
is its own test case, not also a failure of the operation that started its scenario."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import broken_servers
import pytest
from broken_servers import INSTANCE_ID, TOKEN, contract_cli, reference_app, serving

from geminidb_backup.server import example_instance

# schemathesis's heading of one failure in its output and its report: "- ST401 API accepts ..."
FAILURE_HEADING = re.compile(r"^- (ST\d{3} .+)$", re.MULTILINE)


def _contract(url: str, report_dir: Path) -> subprocess.CompletedProcess[str]:
    return contract_cli(
        "--url", url, "--token", TOKEN,
        "--project-id", example_instance().project_id, "--instance-id", INSTANCE_ID,
        "--seed", "1", "-n", "3", "--report", "junit", "--report-dir", str(report_dir),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("variant", "heading"),
    [
        (broken_servers.accepts_any_token, "ST401"),
        (broken_servers.uses_uncatalogued_error_codes, "`error_body_is_catalogued`"),
    ],
    ids=["accepts any token", "uncatalogued error codes"],
)
def test_one_cause_on_every_operation_shows_once_where_the_report_says_it(
    variant: Callable[..., object], heading: str, tmp_path: Path
) -> None:
    with serving(variant(reference_app())) as url:  # type: ignore[arg-type]
        result = _contract(url, tmp_path)
    out = result.stdout
    assert result.returncode == 1, out + result.stderr

    # The console: each cause once among schemathesis's failures (with its reproduction).
    details = out[out.index(" FAILURES ") : out.index(" SUMMARY ")]
    shown = FAILURE_HEADING.findall(details)
    assert len(shown) == len(set(shown)), shown
    assert sum(heading in line for line in shown) == 1, shown
    # ... and where it was seen: more than one operation, listed once.
    seen = [line for line in out.splitlines() if heading in line and "seen on" in line]
    assert len(seen) == 1, out
    count = int(re.search(r"seen on (\d+) operations", seen[0]).group(1))  # type: ignore[union-attr]
    assert count >= 3, seen[0]
    listed = seen[0].split(": ")[-1].split(", ")
    assert len(listed) == count == len(set(listed)), seen[0]

    # The counts: schemathesis's unique failures, the causes we list, the report's failures.
    unique = int(re.search(r"(\d+) unique failures?", out).group(1))  # type: ignore[union-attr]
    causes = re.search(r"the failures above have (\d+) causes?", out)
    assert causes is not None and int(causes.group(1)) == unique == len(shown), out

    root = ElementTree.parse(tmp_path / "junit.xml").getroot()
    reported = [
        (case.get("name"), line)
        for case in root.iter("testcase")
        for failure in case.iter("failure")
        for line in FAILURE_HEADING.findall(failure.text or "")
    ]
    assert sorted(line for _, line in reported) == sorted(shown)
    (home,) = [name for name, line in reported if heading in line]
    (failure,) = [
        f
        for case in root.iter("testcase")
        if case.get("name") == home
        for f in case.iter("failure")
    ]
    assert seen[0].strip() in (failure.text or "")
    # A broken promise is its own test case only, and shown once on the console.
    promises = [case for case in root.iter("testcase") if case.get("classname") == "promises"]
    broken = [case.get("name", "") for case in promises if case.find("failure") is not None]
    assert broken, "the variant breaks a promise too"
    for name in broken:
        assert f"`{name}`" not in "".join(line for _, line in reported)
        assert out.count(f"FAILED `{name}`: Promise broken") == 1, out
    failed = sum(1 for case in root.iter("testcase") if case.find("failure") is not None)
    summary = re.search(r"contract: report: (\d+) test cases, (\d+) failed", out)
    assert summary is not None and int(summary.group(2)) == failed
    assert root.get("failures") == str(failed)
