"""Where hypothesis keeps its files during a contract run.

Hypothesis keeps them under ``./.hypothesis/`` by default. A contract run writes nothing into the
user's working directory but the reports it was asked for, so hypothesis's home is the run's
temporary directory, and its files go with it.

The exception is hypothesis's Unicode tables: the category of every code point and what UTF-8
can encode. Computing them costs a run about 2.5 s of CPU, more than a short run's requests.
They depend only on Python's Unicode version, so they are kept in the user's cache directory,
beside the parsed spec (:func:`geminidb_backup.spec.cache_dir`). They are copied into the run's
home before it starts, and copied back out after it when the cache lacked them.

This copies files instead of pointing hypothesis's home at the cache: the example database and
the other caches of one run stay with that run. It copies rather than links because hypothesis
writes a table to a temporary file in its home, then renames it into place, and a rename cannot
cross into another file system.
"""

from __future__ import annotations

import os
import shutil
from contextlib import ExitStack, suppress
from pathlib import Path

from geminidb_backup.spec import cache_dir

# Hypothesis's own layout: <home>/unicode_data/<unicodedata version>/<table>.json.gz
UNICODE_TABLES = "unicode_data"


def keep_hypothesis_files_in(workdir: Path, stack: ExitStack) -> None:
    """Make ``workdir/hypothesis`` hypothesis's home until ``stack`` closes, with the Unicode
    tables of the user's cache in it (and any it computes kept there)."""
    from hypothesis.configuration import set_hypothesis_home_dir

    tables = workdir / "hypothesis" / UNICODE_TABLES
    cache = cache_dir()
    if cache is not None:
        kept = cache / "hypothesis" / UNICODE_TABLES
        copy_missing_files(kept, tables)
        stack.callback(copy_missing_files, tables, kept)
    set_hypothesis_home_dir(workdir / "hypothesis")
    stack.callback(set_hypothesis_home_dir, None)


def copy_missing_files(source: Path, target: Path) -> None:
    """Copy each file under ``source`` that ``target`` lacks to the same place under ``target``.

    Each file appears whole (written beside, then renamed) for the runs sharing ``target``. A
    cache is only ever a saving: one that cannot be read or written is left as it is."""
    try:
        files = [path for path in source.rglob("*") if path.is_file()]
    except OSError:
        return
    for path in files:
        destination = target / path.relative_to(source)
        if destination.exists():
            continue
        partial = destination.with_name(f".{destination.name}.{os.getpid()}.tmp")
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, partial)
            os.replace(partial, destination)
        except OSError:
            with suppress(OSError):
                partial.unlink(missing_ok=True)
