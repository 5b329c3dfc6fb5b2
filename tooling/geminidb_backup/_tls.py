"""What an httpx client is given to check TLS with.

httpx builds a client's TLS context when the client is made, and loads the whole CA bundle into
it: about 30 ms of CPU, often more than the command's own request to a local server. A client whose
every URL is plain ``http://`` (its base URL, and IAM's when its credentials are a password, whose
token request goes through the same client), with no proxy set in the environment, never opens a
TLS connection: our clients follow no redirects. Such a client gets a TLS context that trusts no
certificate at all: building it costs nothing, and it fails closed. If TLS were ever used through
it, certificate and host-name checks stay on and every handshake is refused.
"""

from __future__ import annotations

import ssl
from urllib.parse import urlsplit
from urllib.request import getproxies


def verify_for(verify: bool, *urls: str) -> bool | ssl.SSLContext:
    """httpx's ``verify`` for a client that sends to ``urls``: ``verify`` itself, unless every
    one is plain ``http://`` and the environment sets no proxy, so that TLS is never used."""
    if not verify or getproxies() or any(urlsplit(u).scheme.lower() != "http" for u in urls):
        return verify
    return trusting_nothing()


def trusting_nothing() -> ssl.SSLContext:
    """A TLS client context that checks certificates and host names, with no CA to trust."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
