"""How requests are authenticated, as ``httpx.Auth`` classes: a token, an IAM password, or AK/SK.

Each class keeps its secret out of its ``repr`` so that a client or a traceback printed in a log
shows no credential.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Generator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from ._tls import verify_for
from .errors import APIError
from .signing import sign_headers

TOKEN_HEADER = "X-Auth-Token"
SUBJECT_TOKEN_HEADER = "X-Subject-Token"


class AuthenticationError(APIError):
    """IAM refused the credentials, or answered without a token."""


def urls_of(auth: httpx.Auth | None) -> tuple[str, ...]:
    """The URLs ``auth`` itself sends requests to, through the client it is given to, beside the
    API's: IAM's for a password."""
    return (auth.auth_url,) if isinstance(auth, PasswordAuth) else ()


class TokenAuth(httpx.Auth):
    """An IAM token obtained elsewhere, sent as ``X-Auth-Token``."""

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[TOKEN_HEADER] = self._token
        yield request

    def __repr__(self) -> str:
        return "TokenAuth(token=***)"


class PasswordAuth(httpx.Auth):
    """An IAM user's password, exchanged for a project-scoped token through Keystone v3.

    The token (``X-Subject-Token`` of ``POST {auth_url}/auth/tokens``) is cached and fetched anew
    ``renew_before`` its ``expires_at`` (tokens live 24 h), and once more when the API answers 401
    to a token that was thought valid. The token request goes through the same httpx client as
    the API calls, so it shares its TLS settings and transport.
    """

    requires_response_body = True

    def __init__(
        self,
        auth_url: str,
        username: str,
        password: str,
        *,
        user_domain_name: str,
        project_id: str | None = None,
        project_name: str | None = None,
        renew_before: timedelta = timedelta(minutes=30),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if not (project_id or project_name):
            raise ValueError("PasswordAuth needs project_id or project_name to scope the token")
        self.auth_url = auth_url.rstrip("/")
        self.username, self._password = username, password
        self.user_domain_name = user_domain_name
        self.project_id, self.project_name = project_id, project_name
        self.renew_before, self._clock = renew_before, clock
        self._token: str | None = None
        self._expires_at: datetime | None = None
        self._lock = threading.Lock()
        self.token_requests = 0  # how many tokens were fetched: tests and --verbose read it
        # The project the token is scoped to, from the token's body: the API's URLs need the ID
        # where clouds.yaml often gives only the project's name.
        self.scoped_project_id: str | None = project_id

    def __repr__(self) -> str:
        return (
            f"PasswordAuth(auth_url={self.auth_url!r}, username={self.username!r}, "
            f"user_domain_name={self.user_domain_name!r}, password=***)"
        )

    def _token_request(self) -> httpx.Request:
        project: dict[str, Any] = (
            {"id": self.project_id} if self.project_id else {"name": self.project_name}
        )
        if not self.project_id:
            project["domain"] = {"name": self.user_domain_name}
        body = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": self.username,
                            "password": self._password,
                            "domain": {"name": self.user_domain_name},
                        }
                    },
                },
                "scope": {"project": project},
            }
        }
        return httpx.Request(
            "POST",
            f"{self.auth_url}/auth/tokens",
            content=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )

    def _store(self, response: httpx.Response) -> None:
        token = response.headers.get(SUBJECT_TOKEN_HEADER)
        if response.status_code not in (200, 201) or not token:
            raise AuthenticationError(
                response.status_code,
                "",
                f"IAM at {self.auth_url} refused the password of user {self.username!r}"
                if response.status_code in (401, 403)
                else f"IAM at {self.auth_url} answered HTTP {response.status_code} without a token",
                response.headers.get("X-Request-Id"),
            )
        expires_at = self._clock() + timedelta(hours=24)
        try:
            body = response.json()["token"]
            expires_at = datetime.fromisoformat(body["expires_at"])
            self.scoped_project_id = str(body["project"]["id"])
        except (ValueError, KeyError, TypeError):
            pass  # keep the documented 24 h lifetime when the body does not say
        with self._lock:
            self._token, self._expires_at = token, expires_at
        self.token_requests += 1

    def token(self, *, verify: bool = True, timeout: float = 30.0) -> str:
        """A valid token, the cached one or one fetched now, for callers that send it themselves
        (the contract suite hands it to schemathesis)."""
        token = self._valid_token()
        if token is None:
            self._fetch_token(verify=verify, timeout=timeout)
            token = self._token
        assert token is not None
        return token

    def project_id_from_token(self, *, verify: bool = True, timeout: float = 30.0) -> str:
        """Fetch a token now (it is cached for the API calls) and return the ID of its project."""
        self._fetch_token(verify=verify, timeout=timeout)
        if not self.scoped_project_id:
            raise AuthenticationError(0, "", "IAM's token names no project", None)
        return self.scoped_project_id

    def _fetch_token(self, *, verify: bool, timeout: float) -> None:
        """Get a token from IAM outside any API call (with a client of its own), and cache it."""
        with httpx.Client(verify=verify_for(verify, self.auth_url), timeout=timeout) as client:
            try:
                response = client.send(self._token_request())
            except httpx.TransportError as exc:
                from ._calls import transport_error

                raise transport_error(exc) from exc
            self._store(response)

    def _valid_token(self) -> str | None:
        with self._lock:
            expires_at = self._expires_at
            if self._token and expires_at and self._clock() < expires_at - self.renew_before:
                return self._token
        return None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._valid_token()
        fresh = token is None
        if token is None:
            self._store((yield self._token_request()))
            token = self._token
        assert token is not None
        request.headers[TOKEN_HEADER] = token
        response = yield request
        if response.status_code == 401 and not fresh:
            # The cached token was revoked or expired early: fetch one more and try once again.
            self._store((yield self._token_request()))
            assert self._token is not None
            request.headers[TOKEN_HEADER] = self._token
            yield request


class AKSKAuth(httpx.Auth):
    """Access key / secret key signing (``SDK-HMAC-SHA256``) with :mod:`geminidb_backup.signing`."""

    requires_request_body = True

    def __init__(self, access_key: str, secret_key: str, *, project_id: str | None = None) -> None:
        self.access_key, self._secret_key, self.project_id = access_key, secret_key, project_id

    def __repr__(self) -> str:
        return f"AKSKAuth(access_key={self.access_key!r}, secret_key=***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.project_id:
            request.headers["X-Project-Id"] = self.project_id
        raw_path, _, _ = request.url.raw_path.partition(b"?")
        request.headers.update(
            sign_headers(
                self.access_key,
                self._secret_key,
                request.method,
                raw_path.decode("ascii"),
                request.url.query.decode("ascii"),
                request.headers,
                request.content,
            )
        )
        yield request
