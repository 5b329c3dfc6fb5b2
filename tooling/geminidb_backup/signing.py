"""AK/SK request signing, ``SDK-HMAC-SHA256``, as Huawei Cloud's API gateway verifies it.

One implementation serves both sides: the client signs with :func:`sign_headers`, the reference
server recomputes the signature with :func:`expected_signature` and compares. No package on PyPI
offers this algorithm apart from the official SDK core (``huaweicloudsdkcore``), whose signer works
on its own request type and drags in the SDK; the tests check this module against it.

The canonical request is six lines joined by ``\\n``: the method; the path with each segment
percent-encoded and a trailing ``/``; the sorted, encoded query; ``name:value`` lines of the signed
headers (lower-case, sorted), ending with a newline; the ``;``-joined signed header names; and the
hex SHA-256 of the body. The string to sign is ``SDK-HMAC-SHA256\\n<X-Sdk-Date>\\n<hex sha256 of
the canonical request>``; the signature is hex HMAC-SHA256(secret key, string to sign).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, unquote, unquote_plus

ALGORITHM = "SDK-HMAC-SHA256"
DATE_HEADER = "X-Sdk-Date"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
# The SDK sends the body's hash in this header, or "UNSIGNED-PAYLOAD" for a body it does not
# hash. The canonical request here always holds the hash of the body itself: a verifier that took
# the header's word would accept any body with a captured signature. A verifier checks that the
# header, when present, equals that hash (:func:`content_hash_matches`).
CONTENT_SHA256_HEADER = "X-Sdk-Content-Sha256"
# Headers a client signs by default: enough to bind the signature to the host, time and body type,
# and none that a proxy may rewrite (Connection, Accept-Encoding, User-Agent).
DEFAULT_SIGNED_HEADERS = ("host", "content-type", "x-sdk-date", "x-project-id")

_AUTHORIZATION = re.compile(
    rf"^{ALGORITHM} +Access=(?P<access>[^,\s]+), *SignedHeaders=(?P<headers>[^,\s]+), *"
    r"Signature=(?P<signature>[0-9a-fA-F]+)$"
)


@dataclass(frozen=True)
class Authorization:
    """The parts of an ``Authorization: SDK-HMAC-SHA256 ...`` header."""

    access_key: str
    signed_headers: tuple[str, ...]
    signature: str

    def __repr__(self) -> str:  # the signature is not a secret, but it has no place in logs
        return (
            f"Authorization(access_key={self.access_key!r}, signed_headers={self.signed_headers!r})"
        )


def _encode(text: str) -> str:
    return quote(text, safe="~")


def canonical_uri(raw_path: str) -> str:
    """Each path segment percent-encoded, with a trailing ``/`` (``raw_path`` as sent, encoded)."""
    path = "/".join(_encode(segment) for segment in unquote(raw_path).split("/"))
    return path if path.endswith("/") else path + "/"


def canonical_query(raw_query: str) -> str:
    """The query's ``key=value`` pairs decoded, sorted, and encoded again, joined by ``&``.

    A ``+`` is decoded as a space, as every query parser reads it (and as httpx and requests
    encode a space): signed as a plus, it would be served as a space. The official SDK sends
    ``%20`` and ``%2B``, never a raw ``+``, so its signatures are the same either way."""
    pairs = []
    for item in raw_query.split("&"):
        if not item:
            continue
        key, _, value = item.partition("=")
        pairs.append((unquote_plus(key), unquote_plus(value)))
    return "&".join(f"{_encode(key)}={_encode(value)}" for key, value in sorted(pairs))


def canonical_request(
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Mapping[str, str],
    signed_headers: Sequence[str],
    body: bytes,
    *,
    body_sha256: str | None = None,
) -> str:
    """The canonical request. ``headers`` must map lower-case names to values; ``body_sha256``,
    when given, is the hex SHA-256 of ``body`` (a verifier that hashed the body as it arrived)."""
    header_lines = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed_headers)
    body_hash = body_sha256 if body_sha256 is not None else hashlib.sha256(body).hexdigest()
    return "\n".join(
        [
            method.upper(),
            canonical_uri(raw_path),
            canonical_query(raw_query),
            header_lines,
            ";".join(signed_headers),
            body_hash,
        ]
    )


def string_to_sign(canonical: str, sdk_date: str) -> str:
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return f"{ALGORITHM}\n{sdk_date}\n{digest}"


def signature(secret_key: str, to_sign: str) -> str:
    return hmac.new(secret_key.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


def format_sdk_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(DATE_FORMAT)


def parse_sdk_date(value: str) -> datetime:
    """Parse an ``X-Sdk-Date`` value; raises ``ValueError`` when it is not ``YYYYMMDDTHHMMSSZ``."""
    return datetime.strptime(value, DATE_FORMAT).replace(tzinfo=UTC)


def parse_authorization(value: str) -> Authorization:
    """Parse an ``Authorization`` header; raises ``ValueError`` when it is not ``SDK-HMAC-SHA256``."""
    match = _AUTHORIZATION.match(value.strip())
    if match is None:
        raise ValueError(f"not an {ALGORITHM} Authorization header")
    return Authorization(
        access_key=match["access"],
        signed_headers=tuple(match["headers"].split(";")),
        signature=match["signature"].lower(),
    )


def expected_signature(
    secret_key: str,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Mapping[str, str],
    signed_headers: Sequence[str],
    body: bytes,
    *,
    body_sha256: str | None = None,
) -> str:
    """The signature a request must carry; ``headers`` maps lower-case names to values and holds
    ``x-sdk-date``. The verifier compares it with :func:`hmac.compare_digest`, and checks
    :func:`content_hash_matches`."""
    canonical = canonical_request(
        method, raw_path, raw_query, headers, signed_headers, body, body_sha256=body_sha256
    )
    return signature(secret_key, string_to_sign(canonical, headers.get("x-sdk-date", "")))


def content_hash_matches(headers: Mapping[str, str], body_sha256: str) -> bool:
    """False when the request has an ``X-Sdk-Content-Sha256`` header that is not the hex SHA-256
    of the body received (``UNSIGNED-PAYLOAD`` included): the signature then vouches for another
    body, or for none. ``headers`` maps lower-case names to values."""
    claimed = headers.get(CONTENT_SHA256_HEADER.lower())
    return claimed is None or hmac.compare_digest(claimed.encode(), body_sha256.encode())


def sign_headers(
    access_key: str,
    secret_key: str,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime | None = None,
    header_names: Iterable[str] = DEFAULT_SIGNED_HEADERS,
) -> dict[str, str]:
    """The ``X-Sdk-Date`` and ``Authorization`` headers that sign a request.

    ``headers`` are the request's headers (any case), ``Host`` included; of ``header_names``, those
    present are signed, and ``x-sdk-date`` always is.
    """
    sdk_date = format_sdk_date(now or datetime.now(UTC))
    lowered = {name.lower(): value for name, value in headers.items()}
    lowered["x-sdk-date"] = sdk_date
    signed = sorted(
        {name.lower() for name in header_names if name.lower() in lowered} | {"x-sdk-date"}
    )
    value = expected_signature(secret_key, method, raw_path, raw_query, lowered, signed, body)
    authorization = (
        f"{ALGORITHM} Access={access_key}, SignedHeaders={';'.join(signed)}, Signature={value}"
    )
    return {DATE_HEADER: sdk_date, "Authorization": authorization}
