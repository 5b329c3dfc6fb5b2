"""Who may call: configured ``X-Auth-Token`` values, or AK/SK signatures (``SDK-HMAC-SHA256``).

The signature is recomputed with :mod:`geminidb_backup.signing`, the same code the client signs
with. Every failure is the gateway's 401 ``APIGW.0301``, whatever the reason, so that a caller
learns nothing about which part was wrong; nothing secret is logged or put in an error.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Iterable, Mapping

from geminidb_backup import signing
from geminidb_backup.server import errors
from geminidb_backup.server.errors import ApiError

TOKEN_HEADER = "x-auth-token"


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

    def check(
        self,
        method: str,
        raw_path: str,
        raw_query: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> None:
        """Raise 401 ``APIGW.0301`` unless the request carries a known token or a valid signature.

        ``headers`` maps lower-case names to values.
        """
        token = headers.get(TOKEN_HEADER)
        if token is not None:
            if self._known_token(token):
                return
            raise ApiError(errors.BAD_AUTHENTICATION)
        authorization = headers.get("authorization")
        if authorization is not None and self._valid_signature(
            authorization, method, raw_path, raw_query, headers, body
        ):
            return
        raise ApiError(errors.BAD_AUTHENTICATION)

    def _known_token(self, token: str) -> bool:
        candidate = token.encode("utf-8", "surrogateescape")
        # Compare with every token, in constant time each, so timing tells nothing.
        found = False
        for known in self._tokens:
            found |= hmac.compare_digest(candidate, known)
        return found

    def _valid_signature(
        self,
        authorization: str,
        method: str,
        raw_path: str,
        raw_query: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> bool:
        try:
            parsed = signing.parse_authorization(authorization)
            sdk_date = signing.parse_sdk_date(headers.get("x-sdk-date", ""))
        except ValueError:
            return False
        secret_key = self._access_keys.get(parsed.access_key)
        if secret_key is None or "x-sdk-date" not in parsed.signed_headers:
            return False
        if abs(self._clock() - sdk_date.timestamp()) > self._max_skew:
            return False
        # The hash of the body received, never the X-Sdk-Content-Sha256 header's word for it.
        body_sha256 = hashlib.sha256(body).hexdigest()
        if not signing.content_hash_matches(headers, body_sha256):
            return False
        expected = signing.expected_signature(
            secret_key, method, raw_path, raw_query, headers, parsed.signed_headers, body,
            body_sha256=body_sha256,
        )  # fmt: skip
        return hmac.compare_digest(expected, parsed.signature)
