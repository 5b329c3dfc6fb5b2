"""Where the endpoint, project and credentials come from, in order of precedence:

1. explicit values (the CLI's flags, or keyword arguments);
2. ``GEMINIDB_ENDPOINT``, ``GEMINIDB_PROJECT_ID``, ``GEMINIDB_TOKEN``, ``GEMINIDB_ACCESS_KEY``,
   ``GEMINIDB_SECRET_KEY``, ``GEMINIDB_REGION``;
3. the OpenStack variables T Cloud Public users already have (``OS_AUTH_URL``, ``OS_USERNAME``,
   ``OS_PASSWORD``, ``OS_USER_DOMAIN_NAME``, ``OS_PROJECT_ID``/``OS_PROJECT_NAME``,
   ``OS_REGION_NAME``, ``OS_AUTH_TOKEN``);
4. the cloud named by ``OS_CLOUD`` (or ``cloud=``) in ``clouds.yaml``, searched in ``./``,
   ``~/.config/openstack/`` and ``/etc/openstack/``, as openstacksdk does.

This module imports no HTTP library: the CLI resolves settings before it needs one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigurationError
from .regions import endpoint_for_region, iam_url_for_region

if TYPE_CHECKING:
    import httpx

SECRET_FIELDS = frozenset({"token", "secret_key", "password"})


def clouds_yaml_paths() -> list[Path]:
    return [
        Path.cwd() / "clouds.yaml",
        Path.home() / ".config" / "openstack" / "clouds.yaml",
        Path("/etc/openstack/clouds.yaml"),
    ]


@dataclass(frozen=True, repr=False)
class Settings:
    """Resolved settings. Its ``repr`` masks every secret."""

    endpoint: str | None = None
    region: str | None = None
    project_id: str | None = None
    project_name: str | None = None
    token: str | None = None
    access_key: str | None = None
    secret_key: str | None = None
    auth_url: str | None = None
    username: str | None = None
    password: str | None = None
    user_domain_name: str | None = None
    verify: bool = True
    timeout: float = 30.0

    def __repr__(self) -> str:
        shown = []
        for field in fields(self):
            value = getattr(self, field.name)
            if value is None:
                continue
            shown.append(f"{field.name}={'***' if field.name in SECRET_FIELDS else repr(value)}")
        return f"Settings({', '.join(shown)})"

    def base_url(self) -> str:
        if self.endpoint:
            url = self.endpoint if "://" in self.endpoint else f"https://{self.endpoint}"
            scheme = url.split("://", 1)[0].lower()
            if scheme not in ("http", "https"):
                raise ConfigurationError(
                    f"the endpoint {self.endpoint!r} is not an http:// or https:// URL"
                )
            return url
        if self.region:
            return f"https://{endpoint_for_region(self.region)}"
        raise ConfigurationError(f"no endpoint: {_WHERE['endpoint'][False]}")

    def iam_url(self) -> str | None:
        """Keystone's URL when an IAM password is used: ``auth_url``, or the region's."""
        if self.auth_method != "password":
            return None
        return self.auth_url or (iam_url_for_region(self.region) if self.region else None)

    def require_project_id(self, auth: object = None) -> str:
        """The project ID; with an IAM password and only a project name, the ID of the project
        the token is scoped to (one token request)."""
        from_token = getattr(auth, "project_id_from_token", None)
        if not self.project_id and self.project_name and from_token is not None:
            return str(from_token(verify=self.verify, timeout=self.timeout))
        if not self.project_id:
            raise ConfigurationError(f"no project ID: {_WHERE['project_id'][False]}")
        return self.project_id

    def missing(self, *, cli: bool = False) -> list[str]:
        """What is missing to make a client, each with where it may be given (worded for the
        command line when ``cli``, for Python otherwise); empty when nothing is."""
        missing = []
        if not self.endpoint and not self.region:
            missing.append(f"no endpoint: {_WHERE['endpoint'][cli]}")
        method = self.auth_method
        if not self.project_id and not (self.project_name and method == "password"):
            missing.append(f"no project ID: {_WHERE['project_id'][cli]}")
        if method == "none":
            half = self._half_credential(cli)
            missing.append(half or f"no credentials: {_WHERE['credentials'][cli]}")
        elif method == "password" and not self.iam_url():
            missing.append(f"no IAM URL for the password: {_WHERE['auth_url'][cli]}")
        return missing

    def _half_credential(self, cli: bool) -> str | None:
        """What is missing of a credential given in part (an access key without its secret
        key...): saying "no credentials" then sends people looking in the wrong place."""
        pairs = (
            ("access_key", "secret_key", "an access key", "GEMINIDB_SECRET_KEY"),
            ("secret_key", "access_key", "a secret key", "GEMINIDB_ACCESS_KEY"),
            ("username", "password", "a user name", "OS_PASSWORD"),
            ("password", "username", "a password", "OS_USERNAME"),
        )
        for given, lacking, what, variable in pairs:
            if getattr(self, given) and not getattr(self, lacking):
                where = f"set {variable}" if cli else f"pass {lacking}= or set {variable}"
                return f"{what} is given without its {lacking.replace('_', ' ')}: {where}"
        return None

    def check(self, *, cli: bool = False) -> None:
        """Raise one :class:`ConfigurationError` naming every missing setting, so that a first
        run learns them all at once. The endpoint's form is checked too."""
        missing = self.missing(cli=cli)
        if missing:
            raise ConfigurationError("; ".join(missing))
        self.base_url()

    @property
    def auth_method(self) -> str:
        """``token``, ``aksk``, ``password`` or ``none``: the credential :meth:`auth` will use."""
        if self.token:
            return "token"
        if self.access_key and self.secret_key:
            return "aksk"
        if self.username and self.password:
            return "password"
        return "none"

    def auth(self) -> httpx.Auth:
        """The httpx.Auth for the strongest credential given: a token, then AK/SK, then an IAM
        password."""
        from . import auth

        method = self.auth_method
        if method == "token":
            assert self.token
            return auth.TokenAuth(self.token)
        if method == "aksk":
            assert self.access_key and self.secret_key
            return auth.AKSKAuth(self.access_key, self.secret_key, project_id=self.project_id)
        if method == "password":
            assert self.username and self.password
            auth_url = self.auth_url or (iam_url_for_region(self.region) if self.region else None)
            if not auth_url:
                raise ConfigurationError(
                    f"no IAM URL for the password: {_WHERE['auth_url'][False]}"
                )
            return auth.PasswordAuth(
                auth_url,
                self.username,
                self.password,
                user_domain_name=self.user_domain_name or "Default",
                project_id=self.project_id,
                project_name=self.project_name,
            )
        raise ConfigurationError(f"no credentials: {_WHERE['credentials'][False]}")


# Where each setting may be given: {for_the_command_line: advice}.
_WHERE: dict[str, dict[bool, str]] = {
    "endpoint": {
        True: "pass --endpoint or --region, or set GEMINIDB_ENDPOINT or GEMINIDB_REGION "
        "(or OS_REGION_NAME, or region_name in clouds.yaml)",
        False: "pass endpoint= or region=, or set GEMINIDB_ENDPOINT or GEMINIDB_REGION "
        "(or OS_REGION_NAME, or region_name in clouds.yaml)",
    },
    "project_id": {
        True: "pass --project-id, or set GEMINIDB_PROJECT_ID or OS_PROJECT_ID",
        False: "pass project_id=, or set GEMINIDB_PROJECT_ID or OS_PROJECT_ID",
    },
    "credentials": {
        True: "pass --token or set GEMINIDB_TOKEN; or set GEMINIDB_ACCESS_KEY and "
        "GEMINIDB_SECRET_KEY; or OS_USERNAME, OS_PASSWORD and OS_AUTH_URL; or OS_CLOUD (--cloud) "
        "naming a cloud of clouds.yaml",
        False: "pass token= (or access_key= and secret_key=, or username=, password= and "
        "auth_url=), or set GEMINIDB_TOKEN; or GEMINIDB_ACCESS_KEY and GEMINIDB_SECRET_KEY; or "
        "OS_USERNAME, OS_PASSWORD and OS_AUTH_URL; or pass cloud= (or set OS_CLOUD) naming a "
        "cloud of clouds.yaml",
    },
    "auth_url": {
        True: "set OS_AUTH_URL (or auth_url in clouds.yaml), or a region (--region)",
        False: "pass auth_url= or region=, or set OS_AUTH_URL (or auth_url in clouds.yaml)",
    },
}


_ENV = {
    "endpoint": ["GEMINIDB_ENDPOINT"],
    "region": ["GEMINIDB_REGION", "OS_REGION_NAME"],
    "project_id": ["GEMINIDB_PROJECT_ID", "OS_PROJECT_ID"],
    "project_name": ["OS_PROJECT_NAME", "OS_TENANT_NAME"],
    "token": ["GEMINIDB_TOKEN", "OS_AUTH_TOKEN"],
    "access_key": ["GEMINIDB_ACCESS_KEY"],
    "secret_key": ["GEMINIDB_SECRET_KEY"],
    "auth_url": ["OS_AUTH_URL"],
    "username": ["OS_USERNAME"],
    "password": ["OS_PASSWORD"],
    "user_domain_name": ["OS_USER_DOMAIN_NAME", "OS_DOMAIN_NAME"],
}
# clouds.yaml keys, under the cloud's ``auth`` section unless said otherwise.
_CLOUDS = {
    "auth_url": "auth_url",
    "username": "username",
    "password": "password",
    "project_id": "project_id",
    "project_name": "project_name",
    "user_domain_name": "user_domain_name",
    "token": "token",
}


def load_cloud(name: str, paths: list[Path] | None = None) -> dict[str, Any]:
    """The settings of cloud ``name`` from the first ``clouds.yaml`` that defines it. A file that
    is not valid YAML, or not shaped as openstacksdk reads it, is a :class:`ConfigurationError`
    naming the file (and the line, for YAML errors)."""
    import yaml

    for path in paths if paths is not None else clouds_yaml_paths():
        try:
            document = yaml.safe_load(path.read_text())
        except OSError:
            continue
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f", line {mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or "not valid YAML"
            raise ConfigurationError(f"{path}{where}: {problem}") from None
        clouds = _mapping(document, path, "the file") if document is not None else {}
        clouds = _mapping(clouds.get("clouds") or {}, path, "clouds")
        cloud = clouds.get(name)
        if cloud is None:
            continue
        cloud = _mapping(cloud, path, f"clouds.{name}")
        auth = _mapping(cloud.get("auth") or {}, path, f"clouds.{name}.auth")
        found = {key: auth[source] for key, source in _CLOUDS.items() if auth.get(source)}
        if not found.get("user_domain_name") and auth.get("domain_name"):
            found["user_domain_name"] = auth["domain_name"]
        if cloud.get("region_name"):
            found["region"] = cloud["region_name"]
        if cloud.get("verify") is False:
            found["verify"] = False
        return {key: value if key == "verify" else str(value) for key, value in found.items()}
    raise ConfigurationError(f"cloud {name!r} is not in any clouds.yaml ({_names(paths)})")


def _mapping(node: Any, path: Path, where: str) -> dict[str, Any]:
    if not isinstance(node, dict):
        raise ConfigurationError(
            # The value itself is not quoted: it may be a password typed at the wrong place.
            f"{path}: {where} must be a mapping of keys to values, not a {type(node).__name__}"
        )
    return node


def _names(paths: list[Path] | None) -> str:
    return ", ".join(str(p) for p in (paths if paths is not None else clouds_yaml_paths()))


def resolve(
    *,
    environ: Mapping[str, str] | None = None,
    cloud: str | None = None,
    clouds_paths: list[Path] | None = None,
    **explicit: Any,
) -> Settings:
    """Settings from ``explicit`` values (None means "not given"), the environment and
    clouds.yaml, in that order of precedence."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    cloud = cloud or environ.get("OS_CLOUD")
    if cloud:
        values.update(load_cloud(cloud, clouds_paths))
    for key, names in _ENV.items():
        for name in names:
            if environ.get(name):
                values[key] = environ[name]
                break
    unknown = set(explicit) - {field.name for field in fields(Settings)}
    if unknown:
        raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
    values.update({key: value for key, value in explicit.items() if value is not None})
    return Settings(**values)
