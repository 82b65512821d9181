"""Trust anchors at startup and the chain checks of the card login, one rule at a time."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import Engine

from tests.server.cards import (
    card_login,
    card_server,
    challenge,
    login_body,
    login_ca,
    make_card,
    post_login,
)
from tests.server.helpers import Clock
from tracer_tui.config import CentralConfig, ConfigError
from tracer_tui.core.questionnaire import Questionnaire
from tracer_tui.core.rules import Rules
from tracer_tui.eid.testca import Issued
from tracer_tui.server.app import create_app
from tracer_tui.server.certs import (
    LoginRefused,
    TrustStore,
    TrustStoreError,
    check_validity,
    verify_chain,
)
from tracer_tui.server.pledge import PledgeError

NOW = datetime(2020, 5, 18, tzinfo=UTC)


def _certificate(
    name: str,
    issuer: Issued | None,
    *,
    ca: bool,
    path_length: int | None = None,
    critical: x509.ExtensionType | None = None,
) -> Issued:
    key = ec.generate_private_key(ec.SECP384R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=30))
        .not_valid_after(NOW + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if critical is not None:
        builder = builder.add_extension(critical, critical=True)
    signer = issuer.key if issuer else key
    return Issued(key, builder.sign(signer, hashes.SHA384()))


@pytest.fixture
def pki() -> dict[str, Issued]:
    root = _certificate("Root", None, ca=True)
    citizen = _certificate("Citizen CA", root, ca=True, path_length=0)
    return {"root": root, "citizen": citizen, "leaf": _certificate("Leaf", citizen, ca=False)}


def test_a_good_chain(pki: dict[str, Issued]) -> None:
    store = TrustStore((pki["root"].certificate,))
    path = verify_chain(pki["leaf"].certificate, [pki["citizen"].certificate], store)
    assert path == [pki[name].certificate for name in ("leaf", "citizen", "root")]
    check_validity(path, NOW)


def test_a_pinned_citizen_ca_needs_no_intermediate(pki: dict[str, Issued]) -> None:
    store = TrustStore((pki["citizen"].certificate,))
    assert verify_chain(pki["leaf"].certificate, [], store)[-1] == pki["citizen"].certificate
    assert verify_chain(pki["leaf"].certificate, [pki["citizen"].certificate], store)


def test_path_length_is_enforced(pki: dict[str, Issued]) -> None:
    sub = _certificate("Sub CA", pki["citizen"], ca=True)
    leaf = _certificate("Leaf", sub, ca=False)
    store = TrustStore((pki["root"].certificate,))
    chain = [sub.certificate, pki["citizen"].certificate]
    with pytest.raises(LoginRefused) as refused:
        verify_chain(leaf.certificate, chain, store)
    assert refused.value.code == "untrusted_certificate"


def test_a_leaf_cannot_issue(pki: dict[str, Issued]) -> None:
    child = _certificate("Child", pki["leaf"], ca=False)
    store = TrustStore((pki["root"].certificate,))
    chain = [pki["leaf"].certificate, pki["citizen"].certificate]
    with pytest.raises(LoginRefused, match="non-CA"):
        verify_chain(child.certificate, chain, store)


def test_an_unknown_critical_extension_is_refused(pki: dict[str, Issued]) -> None:
    odd = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.99999.1"), b"\x05\x00")
    leaf = _certificate("Leaf", pki["citizen"], ca=False, critical=odd)
    store = TrustStore((pki["root"].certificate,))
    with pytest.raises(LoginRefused, match="critical"):
        verify_chain(leaf.certificate, [pki["citizen"].certificate], store)


def test_dates_of_every_certificate(pki: dict[str, Issued]) -> None:
    path = [pki[name].certificate for name in ("leaf", "citizen", "root")]
    for when in (NOW - timedelta(days=31), NOW + timedelta(days=31)):
        with pytest.raises(LoginRefused) as refused:
            check_validity(path, when)
        assert refused.value.code == "expired_certificate"


# -- the trust store at startup -------------------------------------------------------


def test_trust_store_reads_every_certificate_of_every_file(tmp_path: Path) -> None:
    one, two = tmp_path / "one.pem", tmp_path / "two.pem"
    one.write_bytes(login_ca().root.pem + login_ca().citizen_ca.pem)
    two.write_bytes(login_ca().root.pem)
    assert len(TrustStore.load([one, two]).anchors) == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read it"),
        (b"not a certificate", "no PEM certificate"),
        ("leaf", "a certificate in it is not a CA"),
    ],
)
def test_a_bad_trusted_root_is_a_startup_error(
    tmp_path: Path, content: bytes | str | None, message: str
) -> None:
    path = tmp_path / "root.pem"
    if content == "leaf":
        card = make_card("85031506233")
        path.write_bytes(card.card.certificates.authentication.pem)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    with pytest.raises(TrustStoreError) as error:
        create_app(CentralConfig(db_url="sqlite://", trusted_roots=[path]), Rules())
    assert str(error.value).startswith(f"[central] trusted_roots: {path}: {message}")
    assert isinstance(error.value, ConfigError)


def test_an_unknown_pledge_version_is_a_startup_error() -> None:
    with pytest.raises(PledgeError, match="pledge_version = 7"):
        create_app(CentralConfig(db_url="sqlite://", pledge_version=7), Rules())


def test_server_run_says_so_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "belgium-root.pem"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACER_")}
    env.update(
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        TRACER_CENTRAL__TRUSTED_ROOTS=f'["{missing}"]',
    )
    tracer = str(Path(sys.executable).parent / "tracer")
    db = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    done = subprocess.run(
        [tracer, "server", "run", "--db", db, "--port", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"tracer: error: [central] trusted_roots: {missing}: cannot read it "
        "(No such file or directory)"
    ]


# -- through the API ------------------------------------------------------------------


async def test_login_with_a_pinned_citizen_ca(
    engine: Engine,
    clock: Clock,
    questionnaires: dict[tuple[str, int], Questionnaire],
    tmp_path: Path,
) -> None:
    roots = tmp_path / "citizen-ca.pem"
    roots.write_bytes(login_ca().citizen_ca.pem)
    async with card_server(engine, clock, questionnaires, roots) as server:
        card = make_card(server.add_agent("Agent Un"))
        assert (await card_login(server, card)).status_code == 200
        body = login_body(card, await challenge(server), ca_certificate=None)
        assert (await post_login(server, body)).status_code == 200


async def test_no_trusted_roots_no_card_login(
    engine: Engine, clock: Clock, questionnaires: dict[tuple[str, int], Questionnaire]
) -> None:
    async with card_server(engine, clock, questionnaires, None) as server:
        answer = await card_login(server, make_card(server.add_agent("Agent Un")))
        assert answer.json()["code"] == "untrusted_certificate"
