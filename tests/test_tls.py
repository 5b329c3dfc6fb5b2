"""Clients of a plain http:// endpoint (the emulator, `serve`) skip loading the CA bundle, about
30 ms of CPU per client; the TLS context they get instead trusts nothing, so it fails closed."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from geminidb_backup._tls import trusting_nothing, verify_for
from geminidb_backup.auth import PasswordAuth, TokenAuth
from geminidb_backup.client import AsyncBackupClient, BackupClient
from geminidb_backup.throttle import AdaptiveRate


@pytest.fixture
def ca_bundle_loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each time httpx loads the CA bundle (for a client's TLS context), recorded."""
    loads: list[str] = []
    default = ssl.create_default_context

    def recorded(*args: object, **kwargs: object) -> ssl.SSLContext:
        loads.append("CA bundle")
        return default(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl, "create_default_context", recorded)
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    return loads


def test_clients_of_plain_http_endpoints_load_no_ca_bundle(ca_bundle_loads: list[str]) -> None:
    auth = TokenAuth("t")
    BackupClient("http://127.0.0.1:8080", "p", auth).close()
    BackupClient("HTTP://localhost:8080", "p", auth).close()
    AsyncBackupClient("http://127.0.0.1:8080", "p", auth)
    AsyncBackupClient("http://127.0.0.1:8080", "p", auth, throttle=AdaptiveRate(5))
    assert ca_bundle_loads == []
    BackupClient("https://gaussdb-nosql.eu-de.otc.t-systems.com", "p", auth).close()
    AsyncBackupClient("https://gaussdb-nosql.eu-de.otc.t-systems.com", "p", auth)
    assert ca_bundle_loads == ["CA bundle", "CA bundle"]


def test_a_password_checked_by_iam_over_https_keeps_the_ca_bundle(
    ca_bundle_loads: list[str],
) -> None:
    """The token request goes to IAM through the API's client: over https, it needs the CAs."""
    for iam in ("https://iam.eu-de.otc.t-systems.com/v3", "http://127.0.0.1:5000/v3"):
        password = PasswordAuth(iam, "user", "secret", user_domain_name="d", project_id="p")
        BackupClient("http://127.0.0.1:8080", "p", password).close()
    assert ca_bundle_loads == ["CA bundle"]  # for the https IAM only
    assert verify_for(True, "http://127.0.0.1:8080", "https://iam.example/v3") is True


def test_a_proxy_from_the_environment_keeps_the_ca_bundle(
    ca_bundle_loads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The proxy itself may be reached over TLS: its certificate is checked as usual.
    monkeypatch.setenv("HTTP_PROXY", "https://proxy.example:3128")
    assert verify_for(True, "http://127.0.0.1:8080") is True
    BackupClient("http://127.0.0.1:8080", "p", TokenAuth("t")).close()
    assert ca_bundle_loads


def test_verify_false_and_https_are_left_as_they_are(ca_bundle_loads: list[str]) -> None:
    assert verify_for(False, "http://127.0.0.1:8080") is False
    assert verify_for(True, "https://127.0.0.1:8443") is True
    assert verify_for(False, "https://127.0.0.1:8443") is False


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A TLS server on loopback with a self-signed certificate for localhost (made by openssl);
    yields its port and the certificate, which a client can trust explicitly."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            try:
                with context.wrap_socket(connection, server_side=True) as tls:
                    tls.recv(65536)  # the request's head
                    tls.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
            except (ssl.SSLError, OSError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1], cert
    listener.shutdown(socket.SHUT_RDWR)  # wakes the accept()
    listener.close()
    thread.join(timeout=5)


def test_the_context_that_trusts_nothing_refuses_every_certificate(
    tls_server: tuple[int, Path],
) -> None:
    port, cert = tls_server
    url = f"https://localhost:{port}/"
    trusted = ssl.create_default_context(cafile=str(cert))
    assert httpx.get(url, verify=trusted).status_code == 200  # the server works
    context = trusting_nothing()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(url, verify=context)
