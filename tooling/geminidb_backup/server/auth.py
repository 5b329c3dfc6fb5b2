"""Who may call: configured ``X-Auth-Token`` values, or AK/SK signatures (``SDK-HMAC-SHA256``).

The signature is recomputed with :mod:`geminidb_backup.signing`, the same code the client signs
with. Every failure is the gateway's 401 ``APIGW.0301``, whatever the reason, so that a caller
learns nothing about which part was wrong; nothing secret is logged or put in an error.

Credentials are checked before the body is read (:meth:`Authenticator.check_headers`): a request
without valid ones is refused whatever its body. Only a signature needs the body, and only its
hash (:meth:`PendingSignature.verify`), which the server computes as the body arrives.
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


class Authenticator:
    def __init__(
        self,
        tokens: Iterable[str],
        access_keys: Mapping[str, str],
        *,
        max_skew_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        # Empty tokens are refused by ServerConfig; skipped here too, so that no caller of this
        # class can make an empty X-Auth-Token a valid one.
        self._tokens = tuple(token.encode() for token in tokens if token)
        self._access_keys = dict(access_keys)
        self._max_skew = max_skew_seconds
        self._clock = clock

    def check_headers(
        self, method: str, raw_path: str, raw_query: str, headers: Mapping[str, str]
    ) -> PendingSignature | None:
        """Raise 401 ``APIGW.0301`` unless the request carries a known token (None) or a signature
        of a known key, in form and in date (returned, to be verified over the body).

        ``headers`` maps lower-case names to values.
        """
        token = headers.get(TOKEN_HEADER)
        if token is not None:
            self.check_token(token.encode("utf-8", "surrogateescape"))
            return None
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
        return PendingSignature(secret_key, method, raw_path, raw_query, headers, parsed)

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
        if pending is not None:
            pending.verify(hashlib.sha256(body).hexdigest())

    def check_token(self, token: bytes) -> None:
        """Raise 401 ``APIGW.0301`` unless ``token`` (an ``X-Auth-Token`` value as received, in
        bytes) is a configured token."""
        # Compare with every token, in constant time each, so timing tells nothing.
        found = False
        for known in self._tokens:
            found |= hmac.compare_digest(token, known)
        if not found:
            raise ApiError(errors.BAD_AUTHENTICATION)
