"""A contract run keeps hypothesis's files in its temporary directory, but for the Unicode tables,
which hypothesis computes at about 2.5 s of CPU a process: they are kept in the user's cache and
read from there by the next run (tests/test_packaging.py runs the installed CLI and finds them
there, and nothing in its working directory)."""

from __future__ import annotations

import gzip
import json
import sys
import unicodedata
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from hypothesis.internal import charmap

from geminidb_backup.contract.hypothesis_files import keep_hypothesis_files_in


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "geminidb-backup" / "hypothesis" / "unicode_data"


def _table(path: Path, content: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(path, "wb") as file:
        file.write(json.dumps(content).encode())


class _Without:
    """``module`` without the attribute hypothesis scans every code point with."""

    def __init__(self, module: Any, scanned_with: str) -> None:
        self.module, self.scanned_with = module, scanned_with

    def __getattr__(self, name: str) -> Any:
        if name == self.scanned_with:
            raise AssertionError(f"the tables were computed again ({name})")
        return getattr(self.module, name)


def test_a_run_reads_the_cached_tables_instead_of_computing_them(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    categories = dict(charmap.charmap())
    encodable, lossy = charmap.intervals_from_codec("utf-8")
    tables = cache / unicodedata.unidata_version
    _table(tables / "charmap.json.gz", sorted(categories.items()))
    _table(tables / "codec-v2-utf-8.json.gz", [encodable.intervals, lossy.intervals])

    monkeypatch.setattr(charmap, "_charmap", None)
    monkeypatch.setattr(charmap, "unicodedata", _Without(unicodedata, "category"))
    monkeypatch.setattr(charmap, "sys", _Without(sys, "maxunicode"))
    with ExitStack() as stack:
        keep_hypothesis_files_in(tmp_path, stack)
        assert charmap.charmap_file().is_relative_to(tmp_path)
        assert dict(charmap.charmap()) == categories
        read = charmap.intervals_from_codec.__wrapped__("utf-8")  # past its per-process cache
    assert (read[0].intervals, read[1].intervals) == (encodable.intervals, lossy.intervals)


def test_tables_computed_in_a_run_are_kept_and_kept_ones_are_not_overwritten(
    cache: Path, tmp_path: Path
) -> None:
    _table(cache / "14.0.0" / "charmap.json.gz", ["kept"])
    with ExitStack() as stack:
        keep_hypothesis_files_in(tmp_path, stack)
        home = tmp_path / "hypothesis" / "unicode_data" / "14.0.0"
        _table(home / "codec-v2-utf-8.json.gz", ["computed"])
        _table(home / "charmap.json.gz", ["computed"])
        (tmp_path / "hypothesis" / "examples").mkdir()
    with gzip.open(cache / "14.0.0" / "codec-v2-utf-8.json.gz") as file:
        assert json.load(file) == ["computed"]
    with gzip.open(cache / "14.0.0" / "charmap.json.gz") as file:
        assert json.load(file) == ["kept"]
    assert sorted(p.name for p in cache.parent.iterdir()) == ["unicode_data"]  # no database


def test_a_cache_that_cannot_be_written_costs_the_run_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cache").write_text("a file where the folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with ExitStack() as stack:
        keep_hypothesis_files_in(tmp_path / "run", stack)
        _table(tmp_path / "run" / "hypothesis" / "unicode_data" / "14.0.0" / "charmap.json.gz", [])
    assert (tmp_path / "cache").read_text() == "a file where the folder would be"
