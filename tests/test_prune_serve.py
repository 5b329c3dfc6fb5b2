"""Retention against the reference server (``geminidb-backup serve``): ``prune`` by count, age
and prefix, a dry run, a prune racing a create, and name templates for ``create``."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from datetime import UTC, datetime

import pytest
from test_e2e_serve import CLI, INSTANCE_ID, PROJECT_ID, TOKEN, Server, Servers, as_json, cli
from test_e2e_serve import serve as serve  # noqa: PLC0414 - the fixture, used by name

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("geminidb_backup.server") is None,
    reason="the reference server is not part of this install",
)


def create(server: Server, name: str, *, wait: bool = True) -> str:
    args = ["-o", "json", "create", "-i", INSTANCE_ID, "-n", name]
    created = as_json(cli(server, *args, *(["--wait", "--interval", "0.1"] if wait else [])))
    return str(created["id"] if wait else created["backup_id"])


def manual_names(server: Server) -> set[str]:
    listed = as_json(cli(server, "-o", "json", "list", "--backup-type", "Manual"))["backups"]
    return {backup["name"] for backup in listed}


def test_dry_run_then_prune_keeps_the_newest(serve: Servers) -> None:
    server = serve("--backup-seconds", "0.2")
    for name in ("daily-1", "daily-2", "daily-3", "daily-4", "weekly-1"):
        create(server, name)
    dry = as_json(cli(server, "-o", "json", "prune", "-i", INSTANCE_ID, "--keep", "2",
                      "--prefix", "daily-", "--dry-run"))  # fmt: skip
    assert dry["dry_run"] is True
    assert [d["backup"]["name"] for d in dry["deleted"]] == ["daily-1", "daily-2"]
    assert [k["name"] for k in dry["kept"]] == ["daily-4", "daily-3"]
    assert manual_names(server) == {"daily-1", "daily-2", "daily-3", "daily-4", "weekly-1"}

    done = as_json(cli(server, "-o", "json", "prune", "-i", INSTANCE_ID, "--keep", "2",
                       "--prefix", "daily-", "--yes", "--interval", "0.1"))  # fmt: skip
    # Two at once: one batch deletion, which answers no job IDs (its jobs were waited for).
    assert done["dry_run"] is False and [d["job_id"] for d in done["deleted"]] == [None, None]
    assert manual_names(server) == {"daily-3", "daily-4", "weekly-1"}
    # Nothing more to do: a second run deletes nothing.
    again = as_json(cli(server, "-o", "json", "prune", "-i", INSTANCE_ID, "--keep", "2",
                        "--prefix", "daily-", "--yes"))  # fmt: skip
    assert again["deleted"] == []


def test_older_than_spares_recent_backups_and_automated_ones(serve: Servers) -> None:
    server = serve("--backup-seconds", "0.2", "--auto-backups")
    create(server, "manual-1")
    result = cli(server, "-o", "json", "prune", "-i", INSTANCE_ID, "--older-than", "1d", "--yes")
    assert as_json(result)["deleted"] == []
    everything = as_json(cli(server, "-o", "json", "list"))["backups"]
    assert {b["type"] for b in everything} == {"Auto", "Manual"}
    # --keep 0 with no age deletes every manual backup, never the automated one.
    as_json(cli(server, "-o", "json", "prune", "-i", INSTANCE_ID, "--keep", "0", "--yes",
                "--interval", "0.1"))  # fmt: skip
    left = as_json(cli(server, "-o", "json", "list"))["backups"]
    assert [b["type"] for b in left] == ["Auto"]


def test_prune_needs_a_rule_and_a_terminal_or_yes(serve: Servers) -> None:
    server = serve()
    assert cli(server, "prune", "-i", INSTANCE_ID).returncode == 2
    refused = cli(server, "prune", "-i", INSTANCE_ID, "--keep", "1")
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert cli(server, "prune", "-i", INSTANCE_ID, "--older-than", "soon").returncode == 2
    assert server.requests_logged() == 0


@pytest.mark.starts_first  # waits for a backup of real seconds
def test_a_prune_started_while_a_backup_is_being_made_waits_and_spares_it(
    serve: Servers,
) -> None:
    # Longer than a CLI start on a busy machine (both cores busy when the suite runs in parallel).
    server = serve("--backup-seconds", "4")
    for name in ("old-1", "old-2", "old-3"):
        create(server, name)
    # The new backup is BUILDING, and the instance busy, when the prune starts.
    new_id = create(server, "new-1", wait=False)
    result = cli(server, "-o", "json", "-v", "prune", "-i", INSTANCE_ID, "--keep", "1", "--yes",
                 "--interval", "0.1")  # fmt: skip
    pruned = as_json(result)
    deleted = {d["backup"]["name"] for d in pruned["deleted"]}
    assert deleted == {"old-1", "old-2"}  # the BUILDING backup was neither deleted nor counted
    assert "DBS.200019" in result.stderr and "waiting for the instance" in result.stderr
    listed = {b["id"]: b for b in as_json(cli(server, "-o", "json", "list"))["backups"]}
    assert new_id in listed and {b["name"] for b in listed.values()} == {"old-3", "new-1"}


def test_a_prune_racing_a_create_loses_nothing_it_should_keep(serve: Servers) -> None:
    server = serve("--backup-seconds", "0.5")
    for name in ("race-1", "race-2", "race-3", "race-4"):
        create(server, name)
    env_base = {"GEMINIDB_ENDPOINT": server.url, "GEMINIDB_PROJECT_ID": PROJECT_ID,
                "GEMINIDB_TOKEN": TOKEN, "PATH": "/usr/bin:/bin"}  # fmt: skip
    prune = subprocess.Popen([CLI, "-o", "json", "prune", "-i", INSTANCE_ID, "--keep", "2",
                              "--yes", "--interval", "0.1"], env=env_base,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    created = subprocess.run([CLI, "-o", "json", "create", "-i", INSTANCE_ID, "-n", "race-new"],
                             env=env_base, capture_output=True, text=True, timeout=120,
                             check=False)  # fmt: skip
    out, err = prune.communicate(timeout=180)
    assert prune.returncode == 0, err
    deleted = {d["backup"]["name"] for d in json.loads(out)["deleted"]}
    names = manual_names(server)
    # The two oldest go in every interleaving; the two newest of the plan stay.
    assert {"race-1", "race-2"} == deleted and {"race-3", "race-4"} <= names
    if created.returncode == 0:  # made before or between the deletions: never deleted
        assert "race-new" in names
    else:  # refused while a deletion ran on the instance: nothing was made
        assert created.returncode == 3 and "DBS.200019" in created.stderr
        assert "race-new" not in names


def test_a_name_template_is_expanded_and_checked_before_sending(serve: Servers) -> None:
    server = serve()
    created = as_json(cli(server, "-o", "json", "create", "-i", INSTANCE_ID,
                          "-n", "daily-{now:%Y%m%d}"))  # fmt: skip
    today = datetime.now(UTC).strftime("%Y%m%d")
    assert manual_names(server) == {f"daily-{today}"} and created["backup_id"]
    before = server.requests_logged()
    for template, says in (("{now:%Y}-daily", "must start with a letter"),
                           ("daily-{host}", "a template knows only {now:FORMAT}"),
                           ("daily-{now", "not a valid template")):  # fmt: skip
        result = cli(server, "create", "-i", INSTANCE_ID, "-n", template)
        assert result.returncode == 2 and says in result.stderr, result.stderr
    assert server.requests_logged() == before


def test_a_prune_whose_answers_get_lost_deletes_each_backup_once(serve: Servers) -> None:
    # A third of the calls are carried out but their answers never sent: a lost deletion is
    # asked again, and the API's "busy" or "no such backup" tells the prune it happened.
    server = serve("--backup-seconds", "0.2", "--fault-drop-after-commit", "0.3",
                   "--fault-seed", "3")  # fmt: skip
    for name in ("lossy-1", "lossy-2", "lossy-3", "lossy-4"):
        create(server, name)
    result = cli(server, "-o", "json", "-v", "prune", "-i", INSTANCE_ID, "--keep", "1", "--yes",
                 "--interval", "0.1")  # fmt: skip
    pruned = as_json(result)
    assert {d["backup"]["name"] for d in pruned["deleted"]} == {"lossy-1", "lossy-2", "lossy-3"}
    assert manual_names(server) == {"lossy-4"}
