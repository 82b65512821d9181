"""``tracer card …``: check the eID reader, run a virtual eID card in a vpcd reader.

Errors end with one line ``tracer card: error: …`` and exit code 2, never a traceback.
The card layer (and cryptography) is imported only when a command runs: ``tracer`` itself
starts faster.
"""

from __future__ import annotations

from datetime import date
from typing import NoReturn

import click

PROG = "tracer card"


def _fail(message: str) -> NoReturn:
    click.echo(f"{PROG}: error: {message}", err=True)
    raise SystemExit(2)


def format_card_number(number: str) -> str:
    """``592123456789`` → ``592-1234567-89`` (as printed on the card)."""
    if len(number) == 12 and number.isdigit():
        return f"{number[:3]}-{number[3:10]}-{number[10:]}"
    return number


@click.group(name="card")
def card() -> None:
    """Belgian eID card: check the reader, run a virtual card."""


@card.command("info")
@click.option(
    "--reader", "reader_filter", metavar="FILTER", help="Use a reader whose name contains FILTER."
)
@click.option(
    "--timeout",
    type=click.FloatRange(0, 120),
    default=3.0,
    show_default=True,
    help="Seconds to wait for a reader and a card.",
)
def info(reader_filter: str | None, timeout: float) -> None:
    """Read the inserted eID: reader, applet, holder, card number, validity."""
    from tracer_tui.eid.card import BelgianEid
    from tracer_tui.eid.errors import EidError
    from tracer_tui.eid.pcsc import PcscTransport

    try:
        with PcscTransport.connect(reader_filter, timeout=timeout) as transport:
            eid = BelgianEid(transport)
            data = eid.card_data()
            identity = eid.read_identity()
            tries = eid.pin_tries_left()
            reader = transport.reader
    except EidError as exc:
        _fail(str(exc))
    today = date.today()
    if identity.validity_end < today:
        status = "EXPIRED"
    elif identity.validity_begin > today:
        status = "not yet valid"
    else:
        status = "valid"
    algorithm = "ECDSA P-384" if data.applet_version >= 0x18 else "RSA"
    rows = [
        ("Reader", reader),
        ("Applet", f"{data.applet} ({algorithm})"),
        ("Holder", identity.full_name),
        ("Card number", format_card_number(identity.card_number)),
        (
            "Valid",
            f"{identity.validity_begin:%d.%m.%Y} to {identity.validity_end:%d.%m.%Y} ({status})",
        ),
    ]
    if tries is not None:
        rows.append(("PIN tries left", str(tries)))
    for label, value in rows:
        click.echo(f"{label + ':':<16}{value}")


def _split_name(name: str) -> tuple[str, str]:
    """``"Surname, First names"`` or ``"First names Surname"`` → (first names, surname)."""
    if "," in name:
        surname, _, first = name.partition(",")
    else:
        first, _, surname = name.strip().rpartition(" ")
    first, surname = first.strip(), surname.strip()
    if not first or not surname:
        _fail(f"--name needs first names and a surname: {name!r}")
    return first, surname


@card.command("virtual")
@click.option(
    "--vpcd",
    "endpoint",
    default="127.0.0.1:35963",
    show_default=True,
    metavar="HOST:PORT",
    help="Where vpcd listens.",
)
@click.option(
    "--applet",
    type=click.Choice(["1.7", "1.8"]),
    default="1.8",
    show_default=True,
    help="1.7: RSA-2048; 1.8: ECDSA P-384.",
)
@click.option("--pin", default="1234", show_default=True, help="The card's PIN (4 to 12 digits).")
@click.option(
    "--name", default=None, help='Holder, "First names Surname" or "Surname, First names".'
)
@click.option("--national-number", default=None, help="Holder's national number (NISS/INSZ).")
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed of the test CA and card."
)
@click.option(
    "--write-root",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the test root CA certificate (PEM) to this file.",
)
@click.option("-v", "--verbose", is_flag=True, help="Print every APDU.")
def virtual(
    endpoint: str,
    applet: str,
    pin: str,
    name: str | None,
    national_number: str | None,
    seed: int,
    write_root: str | None,
    verbose: bool,
) -> None:
    """Run a virtual eID card in a vpcd reader until Ctrl-C."""
    from tracer_tui.core.identifiers import IdentifierError, normalise_national_number
    from tracer_tui.eid.apdu import hexlify
    from tracer_tui.eid.personalise import Holder, personalise
    from tracer_tui.eid.virtual import VirtualEid
    from tracer_tui.eid.vpcd import VpcdCard, parse_endpoint, run_until_interrupted

    try:
        host, port = parse_endpoint(endpoint)
    except ValueError as exc:
        _fail(f"--vpcd: {exc}")
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 12):
        _fail("--pin: a PIN is 4 to 12 digits")
    holder = Holder()
    if name:
        first, surname = _split_name(name)
        holder = Holder(surname=surname, first_names=first)
    if national_number:
        try:
            number = normalise_national_number(national_number)
        except IdentifierError as exc:
            _fail(f"--national-number: {exc}")
        holder = Holder(
            surname=holder.surname, first_names=holder.first_names, national_number=number
        )
    personalised = personalise(holder, applet="1.8" if applet == "1.8" else "1.7", seed=seed)
    if write_root:
        try:
            with open(write_root, "wb") as handle:
                handle.write(personalised.ca.trust_anchors_pem)
        except OSError as exc:
            _fail(f"--write-root: {exc}")

    def log_apdu(command: bytes, answer: bytes) -> None:
        click.echo(f"> {hexlify(command)}\n< {hexlify(answer)}")

    virtual_card = VirtualEid(personalised, pin=pin, on_apdu=log_apdu if verbose else None)
    identity = personalised.identity
    click.echo(
        f"Virtual eID, applet {applet}: {identity.full_name}, national number "
        f"{identity.national_number}, card {format_card_number(identity.card_number)}, PIN {pin}"
    )
    click.echo(f"Serving vpcd at {host}:{port}; Ctrl-C removes the card.")
    runner = VpcdCard(virtual_card, host, port, reconnect=True, on_event=click.echo)
    run_until_interrupted(runner)


main = card
