"""Where settings come from: explicit values, GEMINIDB_*, OS_*, clouds.yaml; and the endpoint
derived from a region."""

from __future__ import annotations

from pathlib import Path

import pytest

from geminidb_backup.auth import AKSKAuth, PasswordAuth, TokenAuth
from geminidb_backup.config import resolve
from geminidb_backup.errors import ConfigurationError


def test_endpoint_from_region() -> None:
    assert resolve(environ={}, region="eu-de").base_url() == (
        "https://gaussdb-nosql.eu-de.otc.t-systems.com")  # fmt: skip
    assert resolve(environ={}, region="ap-southeast-1").base_url() == (
        "https://gaussdb-nosql.ap-southeast-1.myhuaweicloud.com")  # fmt: skip
    assert (
        resolve(environ={"OS_REGION_NAME": "eu-nl"}).base_url().endswith("eu-nl.otc.t-systems.com")
    )
    assert resolve(environ={}, endpoint="example.com:8443").base_url() == "https://example.com:8443"


def test_precedence_flag_then_geminidb_then_os() -> None:
    environ = {"GEMINIDB_PROJECT_ID": "from-geminidb", "OS_PROJECT_ID": "from-os",
               "GEMINIDB_TOKEN": "t"}  # fmt: skip
    assert resolve(environ=environ).project_id == "from-geminidb"
    assert resolve(environ=environ, project_id="from-flag").project_id == "from-flag"
    assert resolve(environ={"OS_PROJECT_ID": "from-os"}).project_id == "from-os"


def test_auth_chosen_from_what_is_given() -> None:
    assert isinstance(resolve(environ={"GEMINIDB_TOKEN": "t"}).auth(), TokenAuth)
    aksk = {"GEMINIDB_ACCESS_KEY": "ak", "GEMINIDB_SECRET_KEY": "sk"}
    assert isinstance(resolve(environ=aksk).auth(), AKSKAuth)
    password = {"OS_USERNAME": "u", "OS_PASSWORD": "p", "OS_AUTH_URL": "https://iam/v3",
                "OS_PROJECT_NAME": "eu-de_project"}  # fmt: skip
    auth = resolve(environ=password).auth()
    assert isinstance(auth, PasswordAuth) and auth.project_name == "eu-de_project"
    with pytest.raises(ConfigurationError, match="no credentials"):
        resolve(environ={}).auth()


def test_clouds_yaml(tmp_path: Path) -> None:
    path = tmp_path / "clouds.yaml"
    path.write_text(
        "clouds:\n  otc:\n    region_name: eu-de\n    auth:\n      auth_url: https://iam/v3\n"
        "      username: alice\n      password: s3cret\n      project_id: p1\n"
        "      user_domain_name: OTC00000000001000000001\n"
    )
    settings = resolve(environ={"OS_CLOUD": "otc"}, clouds_paths=[path])
    assert (settings.project_id, settings.username, settings.auth_method) == (
        "p1",
        "alice",
        "password",
    )
    assert settings.base_url() == "https://gaussdb-nosql.eu-de.otc.t-systems.com"
    assert "s3cret" not in repr(settings)
    with pytest.raises(ConfigurationError, match="not in any clouds.yaml"):
        resolve(environ={}, cloud="other", clouds_paths=[path])


def test_missing_endpoint_and_project_say_how_to_set_them() -> None:
    with pytest.raises(ConfigurationError, match="--endpoint"):
        resolve(environ={}).base_url()
    with pytest.raises(ConfigurationError, match="--project-id"):
        resolve(environ={}).require_project_id()


def test_settings_repr_masks_secrets() -> None:
    settings = resolve(environ={}, token="tok-1", secret_key="sk-1", password="pw-1")
    assert not {"tok-1", "sk-1", "pw-1"} & set(repr(settings).replace("'", " ").split())
