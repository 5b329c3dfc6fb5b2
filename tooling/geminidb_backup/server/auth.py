"""Who may call: configured ``X-Auth-Token`` values, or AK/SK signatures (``SDK-HMAC-SHA256``).

The signature is recomputed with :mod:`geminidb_backup.signing`, the same code the client signs
with. Every failure is the gateway's 401 ``APIGW.0301``, whatever the reason, so that a caller
learns nothing about which part was wrong; nothing secret is logged or put in an error.

Credentials are checked before the body is read (:meth:`Authenticator.check_headers`): a request
without valid ones is refused whatever its body. Only a signature needs the body, and only its
hash (:meth:`PendingSignature.verify`), which the server computes as the body arrives.

A token or an access key may be bound to projects (team decision 2, written in the spec): the
checks return the projects it is valid for (None: every project), and the caller refuses 403
``DBS.280056`` a request whose path names another.

A signature covers the canonical form of a request, which forgets some of what the server reads:
the order of a repeated query parameter, which of two headers of the same name was signed. A
signed request holding either is refused 400 ``APIGW.0201`` (:func:`ambiguity`), so that a
signature vouches for exactly what is served; requests signed by the official SDK hold neither.
(A ``+`` in the query is canonical as a space, as it is read: see
:func:`geminidb_backup.signing.canonical_query`.)
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from geminidb_backup import signing
from geminidb_backup.server import errors
from geminidb_backup.server.errors import ApiError

TOKEN_HEADER = "x-auth-token"
# As an ASGI server sends it: lower case, in bytes.
RAW_TOKEN_HEADER = TOKEN_HEADER.encode("latin-1")


@dataclass(frozen=True, repr=False)
class PendingSignature:
    """A signature whose form, key and date are good; what remains is to check it over the body."""

    secret_key: str
    method: str
    raw_path: str
    raw_query: str
    headers: Mapping[str, str]
    authorization: signing.Authorization
    # The projects the key is valid for; None: every project.
    projects: frozenset[str] | None = None

    def verify(self, body_sha256: str) -> None:
        """Raise 401 unless the signature is right for a body of this hex SHA-256 (the hash of
        the body received, never the ``X-Sdk-Content-Sha256`` header's word for it)."""
        if not signing.content_hash_matches(self.headers, body_sha256):
            raise ApiError(errors.BAD_AUTHENTICATION)
        expected = signing.expected_signature(
            self.secret_key, self.method, self.raw_path, self.raw_query, self.headers,
            self.authorization.signed_headers, b"", body_sha256=body_sha256,
        )  # fmt: skip
        if not hmac.compare_digest(expected, self.authorization.signature):
            raise ApiError(errors.BAD_AUTHENTICATION)

    def __repr__(self) -> str:  # holds the secret key
        return f"PendingSignature(access_key={self.authorization.access_key!r})"


# Headers whose value a signature rests on besides the signed ones.
_SIGNATURE_HEADERS = frozenset(
    {"authorization", "x-sdk-date", signing.CONTENT_SHA256_HEADER.lower()}
)


def ambiguity(raw_query: str, repeated_headers: Iterable[str], signed: Iterable[str]) -> bool:
    """Whether a signed request reads differently from its canonical form: a query parameter
    given twice (signed sorted, parsed as its last value), or two headers of a name the signature
    rests on (signed as one)."""
    if raw_query:
        names = [item.partition("=")[0] for item in raw_query.split("&") if item]
        if len(set(names)) != len(names):
            return True
    return not _SIGNATURE_HEADERS.union(signed).isdisjoint(repeated_headers)


class Authenticator:
    def __init__(
        self,
        tokens: Iterable[str],
        access_keys: Mapping[str, str],
        *,
        max_skew_seconds: float,
        clock: Callable[[], float] = time.time,
        token_projects: Mapping[str, frozenset[str]] | None = None,
        access_key_projects: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        # Empty tokens are refused by ServerConfig; skipped here too, so that no caller of this
        # class can make an empty X-Auth-Token a valid one. Each with the projects it is bound
        # to (None: unbound).
        bound = token_projects or {}
        self._tokens = tuple((token.encode(), bound.get(token)) for token in tokens if token)
        self._access_keys = dict(access_keys)
        self._access_key_projects = dict(access_key_projects or {})
        self._max_skew = max_skew_seconds
        self._clock = clock

    def check_headers(
        self,
        method: str,
        raw_path: str,
        raw_query: str,
        headers: Mapping[str, str],
        repeated_headers: Iterable[str] = (),
    ) -> PendingSignature | frozenset[str] | None:
        """Raise 401 ``APIGW.0301`` unless the request carries a known token (its projects
        returned, None: every project) or a signature of a known key, in form and in date
        (returned, to be verified over the body). Raise 400 ``APIGW.0201`` for a signed request
        that the server would read differently from how it was signed (:func:`ambiguity`).

        ``headers`` maps lower-case names to values; ``repeated_headers`` names those that came
        more than once (the map holds the last).
        """
        token = headers.get(TOKEN_HEADER)
        if token is not None:
            return self.check_token(token.encode("utf-8", "surrogateescape"))
        authorization = headers.get("authorization")
        if authorization is None:
            raise ApiError(errors.BAD_AUTHENTICATION)
        try:
            parsed = signing.parse_authorization(authorization)
            sdk_date = signing.parse_sdk_date(headers.get("x-sdk-date", ""))
        except ValueError:
            raise ApiError(errors.BAD_AUTHENTICATION) from None
        secret_key = self._access_keys.get(parsed.access_key)
        if secret_key is None or "x-sdk-date" not in parsed.signed_headers:
            raise ApiError(errors.BAD_AUTHENTICATION)
        if abs(self._clock() - sdk_date.timestamp()) > self._max_skew:
            raise ApiError(errors.BAD_AUTHENTICATION)
        if ambiguity(raw_query, repeated_headers, parsed.signed_headers):
            raise ApiError(errors.BAD_REQUEST)
        return PendingSignature(
            secret_key, method, raw_path, raw_query, headers, parsed,
            self._access_key_projects.get(parsed.access_key),
        )  # fmt: skip

    def check(
        self,
        method: str,
        raw_path: str,
        raw_query: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> None:
        """Both steps at once, for a body already read whole."""
        pending = self.check_headers(method, raw_path, raw_query, headers)
        if isinstance(pending, PendingSignature):
            pending.verify(hashlib.sha256(body).hexdigest())

    def check_token(self, token: bytes) -> frozenset[str] | None:
        """Raise 401 ``APIGW.0301`` unless ``token`` (an ``X-Auth-Token`` value as received, in
        bytes) is a configured token; return the projects it is bound to (None: every one)."""
        # Compare with every token, in constant time each, so timing tells nothing.
        found = False
        projects = None
        for known, bound in self._tokens:
            if hmac.compare_digest(token, known):
                found = True
                projects = bound
        if not found:
            raise ApiError(errors.BAD_AUTHENTICATION)
        return projects
