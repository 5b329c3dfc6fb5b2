"""Where settings come from: explicit values, GEMINIDB_*, OS_*, clouds.yaml; and the endpoint
derived from a region."""

from __future__ import annotations

import os
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
        resolve(environ={"OS_REGION_NAME": "eu-de"}).base_url().endswith("eu-de.otc.t-systems.com")
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
    with pytest.raises(ConfigurationError, match="endpoint="):
        resolve(environ={}).base_url()
    with pytest.raises(ConfigurationError, match="project_id="):
        resolve(environ={}).require_project_id()


def test_every_missing_setting_is_reported_at_once_in_the_callers_words() -> None:
    with pytest.raises(ConfigurationError) as python:
        resolve(environ={}).check()
    message = str(python.value)
    assert all(f"no {what}" in message for what in ("endpoint", "project ID", "credentials"))
    assert "--" not in message and "token=" in message  # Python users pass keyword arguments
    with pytest.raises(ConfigurationError) as cli:
        resolve(environ={}).check(cli=True)
    assert "--endpoint" in str(cli.value) and "--project-id" in str(cli.value)


def test_from_env_tells_python_users_what_to_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    from geminidb_backup import BackupClient

    for name in list(os.environ):
        if name.startswith(("GEMINIDB_", "OS_")):
            monkeypatch.delenv(name)
    with pytest.raises(ConfigurationError) as raised:
        BackupClient.from_env(clouds_paths=[])
    assert "pass --token" not in str(raised.value) and "token=" in str(raised.value)
    assert "no endpoint" in str(raised.value) and "no project ID" in str(raised.value)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("clouds:\n  otc: [unclosed\n", "line 3"),
        ("clouds:\n  otc: just-a-string\n", "clouds.otc must be a mapping"),
        ("clouds:\n  otc:\n    auth: [a, b]\n", "clouds.otc.auth must be a mapping"),
        ("- a list\n", "the file must be a mapping"),
    ],
)
def test_a_malformed_clouds_yaml_is_a_configuration_error_naming_the_file(
    tmp_path: Path, text: str, says: str
) -> None:
    path = tmp_path / "clouds.yaml"
    path.write_text(text)
    with pytest.raises(ConfigurationError) as raised:
        resolve(environ={}, cloud="otc", clouds_paths=[path])
    assert str(path) in str(raised.value) and says in str(raised.value)


def test_an_endpoint_that_is_not_http_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="not an http:// or https:// URL"):
        resolve(environ={}, endpoint="ftp://example.com").base_url()


def test_settings_repr_masks_secrets() -> None:
    settings = resolve(environ={}, token="tok-1", secret_key="sk-1", password="pw-1")
    assert not {"tok-1", "sk-1", "pw-1"} & set(repr(settings).replace("'", " ").split())
