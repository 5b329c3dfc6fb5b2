"""AK/SK signing of the suite's requests.

schemathesis knows credentials as values it puts into a request (the spec's ``aksk`` scheme is an
``apiKey`` in ``Authorization``), and it takes them out again or swaps them for invalid ones to
probe whether the server enforces them (``ignored_auth``, negative cases). A signature covers the
exact bytes sent, which exist only once ``requests`` has prepared the request. So the run's auth
config gives schemathesis a *placeholder* as the ``aksk`` value, and :data:`SIGNER`, a ``requests``
auth that a ``before_call`` hook attaches to every call, replaces exactly that placeholder with the
request's signature. A request from which schemathesis removed the placeholder, or in which it put
another value, goes out as schemathesis made it: unsigned.

Keys are registered per access key (:func:`register`); the secret key stays in this process's
memory and is neither put into a request nor into any file or report.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
import schemathesis
from schemathesis import Response

from geminidb_backup import signing

TAMPERED_SUFFIX = " tampered"


@dataclass(frozen=True, repr=False)
class _Key:
    access_key: str
    secret_key: str = field(repr=False)
    project_id: str | None = None


_keys: dict[str, _Key] = {}  # placeholder -> key
_keys_lock = threading.Lock()


def placeholder(access_key: str) -> str:
    """The ``Authorization`` value that stands for "sign this request with ``access_key``"."""
    return f"{signing.ALGORITHM} Access={access_key}, signature to come"


def register(access_key: str, secret_key: str, project_id: str | None = None) -> str:
    """Sign requests that carry :func:`placeholder` of ``access_key``; return the placeholder.

    With ``project_id``, signed requests also carry ``X-Project-Id``, as the Huawei Cloud SDK sends it.
    """
    if not access_key or not secret_key:
        raise ValueError("AK/SK signing needs both an access key and a secret key")
    value = placeholder(access_key)
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


class PlaceholderSigner(requests.auth.AuthBase):
    """Replace a registered placeholder with the request's ``SDK-HMAC-SHA256`` signature.

    A placeholder followed by :data:`TAMPERED_SUFFIX` is signed and then spoilt (one hex digit of
    the signature changed): the check ``wrong_signature_is_refused`` sends such requests.
    """

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        value = _text(request.headers.get("Authorization", ""))
        tampered = value.endswith(TAMPERED_SUFFIX)
        key = _keys.get(value.removesuffix(TAMPERED_SUFFIX))
        if key is None:
            return request
        body = request.body if request.body is not None else b""
        if isinstance(body, str):
            body = request.body = body.encode()
            request.headers["Content-Length"] = str(len(body))
        if not isinstance(body, bytes):
            raise TypeError(f"cannot sign a streamed request body ({type(body).__name__})")
        # http.client would add Host after signing; set it here so that the signed value is sent.
        request.headers["Host"] = urlsplit(request.url).netloc
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
        if tampered:
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
    if _keys:
        kwargs.setdefault("auth", SIGNER)


def signed_by_us(response: Response) -> str | None:
    """The placeholder a request was signed for, if :data:`SIGNER` signed it."""
    authorization = str(response.request.headers.get("Authorization", ""))
    try:
        access_key = signing.parse_authorization(authorization).access_key
    except ValueError:
        return None
    value = placeholder(access_key)
    return value if value in _keys else None
