"""AK/SK signing of the suite's requests.

schemathesis knows credentials as values it puts into a request (the spec's ``aksk`` scheme is an
``apiKey`` in ``Authorization``), and it takes them out again or swaps them for invalid ones to
probe whether the server enforces them (``ignored_auth``, negative cases). A signature covers the
exact bytes sent, which exist only once ``requests`` has prepared the request. So the run's auth
config gives schemathesis a *placeholder* as the ``aksk`` value, and a ``before_call`` hook gives
each call that carries a registered placeholder :data:`SIGNER`, a ``requests`` auth that replaces
exactly that placeholder with the request's signature. A request from which schemathesis removed
the placeholder, or in which it put another value, goes out as schemathesis made it: unsigned.
Calls of other schemas in the same process are left alone.

Limits: a signed call does not follow redirects (``requests`` would re-send the old signature to
the new URL; the API has none, so the 3xx itself is checked). The few requests schemathesis sends
without ``Case.call`` (the control request of its Content-Type probe) go out with the placeholder,
unsigned.

Each registration gets its own placeholder (:func:`register`); the secret key stays in this
process's memory and is neither put into a request nor into any file or report.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
import schemathesis
from urllib3.util import parse_url

from geminidb_backup import signing

TAMPERED_SUFFIX = " tampered"


@dataclass(frozen=True)
class _Key:
    access_key: str
    secret_key: str = field(repr=False)
    project_id: str | None = None


_keys: dict[str, _Key] = {}  # placeholder -> key
_keys_lock = threading.Lock()


def register(access_key: str, secret_key: str, project_id: str | None = None) -> str:
    """Sign requests that carry the returned placeholder as ``Authorization`` with this key.

    With ``project_id``, signed requests also carry ``X-Project-Id``, as the Huawei Cloud SDK sends it.
    """
    if not access_key or not secret_key:
        raise ValueError("AK/SK signing needs both an access key and a secret key")
    # Unique per registration, so that two runs with one access key never share an entry.
    value = f"{signing.ALGORITHM} Access={access_key}, signature to come #{secrets.token_hex(8)}"
    with _keys_lock:
        _keys[value] = _Key(access_key, secret_key, project_id)
    return value


def unregister(value: str) -> None:
    with _keys_lock:
        _keys.pop(value, None)


@contextmanager
def signing_with(access_key: str, secret_key: str, project_id: str | None = None) -> Iterator[str]:
    """Register the key for the duration of a run; yield the placeholder."""
    value = register(access_key, secret_key, project_id)
    try:
        yield value
    finally:
        unregister(value)


def _key_for(authorization: str) -> _Key | None:
    return _keys.get(authorization.removesuffix(TAMPERED_SUFFIX))


def placeholder_of(case: Any) -> str | None:
    """The registered placeholder ``case`` carries as ``Authorization`` (to be signed), if any."""
    value = str((case.headers or {}).get("Authorization", ""))
    return value if value in _keys else None


class PlaceholderSigner(requests.auth.AuthBase):
    """Replace a registered placeholder with the request's ``SDK-HMAC-SHA256`` signature.

    A placeholder followed by :data:`TAMPERED_SUFFIX` is signed and then spoilt (one hex digit of
    the signature changed): the check ``wrong_signature_is_refused`` sends such requests.
    """

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        value = _text(request.headers.get("Authorization", ""))
        key = _key_for(value)
        if key is None:
            return request
        body = request.body if request.body is not None else b""
        if isinstance(body, str):
            body = request.body = body.encode()
            request.headers["Content-Length"] = str(len(body))
        if not isinstance(body, bytes):
            raise TypeError(f"cannot sign a streamed request body ({type(body).__name__})")
        # requests writes a space of a query value as `+`, which a signed request must not hold
        # raw (the canonical query keeps a `+` as a `+`, so the server could not tell it from a
        # plus sign; the reference server refuses it): a space goes as `%20`, as the SDK sends it.
        # A plus sign of a value is already `%2B`.
        parts = urlsplit(request.url or "")
        if "+" in parts.query:
            request.url = urlunsplit(parts._replace(query=parts.query.replace("+", "%20")))
        # http.client would add Host after signing; set it here so that the signed value is sent.
        # urllib3's netloc is host[:port], without any user:password of the URL.
        request.headers["Host"] = parse_url(request.url or "").netloc or ""
        if key.project_id:
            request.headers["X-Project-Id"] = key.project_id
        path, _, query = (request.path_url or "/").partition("?")
        headers = signing.sign_headers(
            key.access_key,
            key.secret_key,
            request.method or "GET",
            path,
            query,
            {name: _text(header) for name, header in request.headers.items()},
            body,
        )
        if value.endswith(TAMPERED_SUFFIX):
            authorization = headers["Authorization"]
            last = "0" if authorization[-1] != "0" else "1"
            headers["Authorization"] = authorization[:-1] + last
        request.headers.update(headers)
        return request

    def __repr__(self) -> str:
        return "PlaceholderSigner()"


SIGNER = PlaceholderSigner()


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    value = str((case.headers or {}).get("Authorization", ""))
    if _key_for(value) is None:
        return  # not ours: another schema's call, or one schemathesis stripped of credentials
    kwargs["auth"] = SIGNER
    kwargs["allow_redirects"] = False
