"""The distribution: one wheel with both import packages, typed, with the spec inside."""

from __future__ import annotations

import subprocess
import zipfile
from email.parser import Parser
from pathlib import Path

from conftest import REPO_ROOT


def test_the_wheel_ships_both_packages_typed_and_the_spec(tmp_path: Path) -> None:
    subprocess.run(
        ["uv", "build", "--wheel", "--out-dir", str(tmp_path), "--quiet", str(REPO_ROOT)],
        check=True,
        timeout=300,
    )
    (wheel_path,) = tmp_path.glob("geminidb_backup-*.whl")
    with zipfile.ZipFile(wheel_path) as wheel:
        names = set(wheel.namelist())
        assert {"geminidb_backup/py.typed", "geminidb_backup_client/py.typed"} <= names
        assert "geminidb_backup_client/api/backups/create_backup.py" in names
        # The packaged spec is the repository's one spec file, byte for byte (not a link).
        spec = (REPO_ROOT / "openapi" / "geminidb-backup.yaml").read_bytes()
        assert wheel.read("geminidb_backup/openapi.yaml") == spec
        (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(wheel.read(metadata_name).decode())
    assert metadata["Name"] == "geminidb-backup"
    assert metadata["Requires-Python"] == ">=3.11"
