"""The agent's client checks the server's TLS certificate against ``[server] ca_bundle``: a
local HTTPS uvicorn with a certificate from a CA made here; the right bundle works, none or
another CA's is the client's Unreachable error, saying it is about TLS."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path

import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.server.postgres import free_port
from tracer_tui.client.api import ApiClient, Unreachable
from tracer_tui.config import CentralConfig, ServerConfig, Settings
from tracer_tui.core.rules import Rules
from tracer_tui.launch import agent_services
from tracer_tui.server.app import create_app

NOW = datetime.now(UTC)


@dataclass(frozen=True)
class Authority:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_ca(common_name: str) -> Authority:
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return Authority(key, certificate)


def server_certificate(ca: Authority, directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name("tracer.test"))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(IPv4Address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    cert_path, key_path = directory / "server.pem", directory / "server.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass(frozen=True)
class Https:
    url: str
    ca: Authority


@pytest.fixture(scope="module")
def https(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Https]:
    """A real server on 127.0.0.1 over HTTPS, in a thread."""
    directory = tmp_path_factory.mktemp("tls")
    ca = make_ca("Tracer TLS Test CA")
    cert, key = server_certificate(ca, directory)
    app = create_app(CentralConfig(db_url=f"sqlite:///{directory / 'c.sqlite3'}"), Rules())
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        ssl_certfile=str(cert),
        ssl_keyfile=str(key),
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the HTTPS server did not start"
    yield Https(f"https://127.0.0.1:{port}", ca)
    server.should_exit = True
    thread.join(timeout=10)


def client(https: Https, bundle: Path | None) -> ApiClient:
    """The agent app's own client, as ``tracer`` builds it from the configuration."""
    settings = Settings(server=ServerConfig(url=https.url, ca_bundle=bundle, timeout=10))
    return agent_services(settings).connect()


async def test_the_right_bundle_is_trusted(https: Https, tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_bytes(https.ca.pem())
    api = client(https, bundle)
    try:
        challenge = await api.challenge()
    finally:
        await api.aclose()
    assert len(challenge.nonce) == 32


@pytest.mark.parametrize("bundle_of", ["another CA", "no bundle"])
async def test_an_unknown_certificate_is_unreachable_for_tls(
    https: Https, tmp_path: Path, bundle_of: str
) -> None:
    bundle = None
    if bundle_of == "another CA":
        bundle = tmp_path / "other.pem"
        bundle.write_bytes(make_ca("Tracer TLS Test CA").pem())  # same name, other key
    api = client(https, bundle)
    try:
        with pytest.raises(Unreachable) as caught:
            await api.challenge()
    finally:
        await api.aclose()
    assert caught.value.code == "tls"
    assert "TLS certificate" in caught.value.detail
