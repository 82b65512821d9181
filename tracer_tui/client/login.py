"""The eID login flow: the card and the central server, driven off the UI thread.

:class:`LoginFlow` is the one object the screens use. Card operations block, so they run in
a thread (``asyncio.to_thread``); server calls are httpx coroutines. Every method raises
only :class:`LoginError`, whose :class:`Failure` says what went wrong: the UI turns it into
one translated sentence. Nothing here logs personal data or the PIN, and the PIN is never
kept: it is passed through to VERIFY and forgotten; the card is logged off after every
signature.

A login::

    flow = LoginFlow(api, backend)
    holder = await flow.read_card(insertion)   # identity + certificates, no PIN
    login = await flow.log_in(pin)            # challenge, VERIFY, sign, LOGOFF, POST /auth/login
    if login.pledge_due:
        pledge = await flow.pledge()
        await flow.accept_pledge(pledge, language, pin)

After a lock: ``await flow.read_card(insertion)``, ``flow.check_same_card(holder)``, then
``await flow.unlock(pin)``, which has the card sign a local random challenge and checks it
with the key of the certificate the agent logged in with.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, TypeVar

from tracer_tui import wire
from tracer_tui.client.card import CardBackend, CardHolder, CardSession
from tracer_tui.client.errors import ApiError, AuthError, Forbidden, ServerError, Unreachable
from tracer_tui.core.types import Language
from tracer_tui.eid.errors import (
    CardRemoved,
    EidError,
    NoCard,
    NoReader,
    NotBelgianEid,
    PinBlocked,
    PinEntryCancelled,
    PinEntryTimeout,
    PinFormatError,
    ReaderBusy,
    SecurityStatusNotSatisfied,
    ServiceUnavailable,
    TransportError,
    WrongPin,
)
from tracer_tui.eid.signature import CardSignature, SignatureScheme, der_to_raw_ecdsa

if TYPE_CHECKING:
    from tracer_tui.client.api import ApiClient

log = logging.getLogger(__name__)
T = TypeVar("T")

UNLOCK_CONTEXT = b"tracer-unlock-v1\n"
"""Prefix of what the card signs to unlock the app: never a login or pledge message."""


class Failure(Enum):
    # the reader and the card
    NO_SERVICE = "no_service"
    NO_READER = "no_reader"
    NO_CARD = "no_card"
    CARD_REMOVED = "card_removed"
    READER_BUSY = "reader_busy"
    NOT_EID = "not_eid"
    CARD_ERROR = "card_error"
    # the PIN
    PIN_FORMAT = "pin_format"
    PIN_NEEDED = "pin_needed"
    WRONG_PIN = "wrong_pin"
    PIN_BLOCKED = "pin_blocked"
    PIN_CANCELLED = "pin_cancelled"
    # the central server
    UNREACHABLE = "unreachable"
    SERVER_ERROR = "server_error"
    UNKNOWN_AGENT = "unknown_agent"
    UNTRUSTED_CERTIFICATE = "untrusted_certificate"
    EXPIRED_CERTIFICATE = "expired_certificate"
    REFUSED = "refused"
    """Bad signature, or a challenge replayed or expired: trying again may work."""
    SESSION_ENDED = "session_ended"
    FORBIDDEN = "forbidden"
    # unlocking
    OTHER_PERSON = "other_person"
    OTHER_CARD = "other_card"


RETRYABLE = frozenset(
    {
        Failure.UNREACHABLE,
        Failure.SERVER_ERROR,
        Failure.REFUSED,
        Failure.PIN_CANCELLED,
        Failure.CARD_ERROR,
        Failure.READER_BUSY,
    }
)

_SERVER_CODES = {
    "unknown_agent": Failure.UNKNOWN_AGENT,
    "untrusted_certificate": Failure.UNTRUSTED_CERTIFICATE,
    "expired_certificate": Failure.EXPIRED_CERTIFICATE,
}


class LoginError(Exception):
    """A login step failed; ``reason`` says why, ``tries_left`` after a wrong PIN."""

    def __init__(self, reason: Failure, detail: str = "", *, tries_left: int | None = None):
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail
        self.tries_left = tries_left

    @property
    def retryable(self) -> bool:
        return self.reason in RETRYABLE

    @property
    def card_gone(self) -> bool:
        return self.reason in (Failure.CARD_REMOVED, Failure.NO_CARD, Failure.NO_READER)


def _card_failure(error: EidError) -> LoginError:
    detail = str(error)
    match error:
        case WrongPin():
            return LoginError(Failure.WRONG_PIN, detail, tries_left=error.tries_left)
        case PinBlocked():
            return LoginError(Failure.PIN_BLOCKED, detail, tries_left=0)
        case PinEntryCancelled() | PinEntryTimeout():
            return LoginError(Failure.PIN_CANCELLED, detail)
        case PinFormatError():
            return LoginError(Failure.PIN_FORMAT, detail)
        case SecurityStatusNotSatisfied():
            return LoginError(Failure.PIN_NEEDED, detail)
        case ServiceUnavailable():
            return LoginError(Failure.NO_SERVICE, detail)
        case NoReader():
            return LoginError(Failure.NO_READER, detail)
        case NoCard():
            return LoginError(Failure.NO_CARD, detail)
        case CardRemoved():
            return LoginError(Failure.CARD_REMOVED, detail)
        case ReaderBusy():
            return LoginError(Failure.READER_BUSY, detail)
        case NotBelgianEid():
            return LoginError(Failure.NOT_EID, detail)
        case TransportError():
            return LoginError(Failure.CARD_ERROR, detail)
    return LoginError(Failure.CARD_ERROR, detail)


def _server_failure(error: ApiError) -> LoginError:
    detail = f"{error.code}: {error.detail}"
    if isinstance(error, Unreachable):
        return LoginError(Failure.UNREACHABLE, detail)
    if error.code in _SERVER_CODES:
        return LoginError(_SERVER_CODES[error.code], detail)
    if isinstance(error, AuthError):
        if error.code in ("bad_signature",) or error.code.startswith("challenge_"):
            return LoginError(Failure.REFUSED, detail)
        return LoginError(Failure.SESSION_ENDED, detail)
    if isinstance(error, Forbidden):
        return LoginError(Failure.FORBIDDEN, detail)
    if isinstance(error, ServerError):
        return LoginError(Failure.SERVER_ERROR, detail)
    return LoginError(Failure.SERVER_ERROR, detail)


def login_error(error: Exception) -> LoginError:
    """The LoginError for a card or server failure (others are bugs: re-raised)."""
    if isinstance(error, LoginError):
        return error
    if isinstance(error, EidError):
        return _card_failure(error)
    if isinstance(error, ApiError):
        return _server_failure(error)
    raise error


def wire_signature(signed: CardSignature) -> tuple[bytes, wire.SignatureAlgorithm]:
    """A card signature in the form the server expects (ECDSA as raw ``r‖s``)."""
    if signed.scheme is SignatureScheme.ECDSA_SHA384:
        return der_to_raw_ecdsa(signed.signature), "ecdsa-p384-sha384"
    return signed.signature, "rsa-pkcs1-sha256"


@dataclass(frozen=True)
class SignedIn:
    """The session's agent and the card they logged in with (for the lock)."""

    login: wire.LoginResponse
    holder: CardHolder

    def __repr__(self) -> str:
        return f"SignedIn(agent_id={self.login.agent.id})"


class LoginFlow:
    """The login, the pledge and the unlock of one app session."""

    def __init__(self, api: ApiClient, cards: CardBackend) -> None:
        self.api = api
        self.cards = cards
        self.session: CardSession | None = None
        self.holder: CardHolder | None = None
        """The card read last (the one in the reader, if any)."""
        self.signed_in: SignedIn | None = None

    # -- the card -----------------------------------------------------------------------
    async def _on_card(self, operation: Callable[[CardSession], T]) -> T:
        """Run a blocking card operation in a thread; card errors become LoginError."""
        session = self.session
        if session is None:
            raise LoginError(Failure.NO_CARD)
        try:
            return await asyncio.to_thread(operation, session)
        except EidError as exc:
            log.info("card operation failed: %s", type(exc).__name__)
            raise _card_failure(exc) from exc

    async def read_card(self, insertion: int) -> CardHolder:
        """Open the card of insertion ``insertion`` (if not yet) and read who holds it."""
        if self.session is not None and self.session.insertion != insertion:
            await self.forget_card()
        if self.session is None:
            try:
                self.session = await asyncio.to_thread(self.cards.open)
            except EidError as exc:
                log.info("opening the card failed: %s", type(exc).__name__)
                raise _card_failure(exc) from exc
        self.holder = await self._on_card(lambda session: session.read_holder())
        return self.holder

    async def forget_card(self, insertion: int | None = None) -> None:
        """The card (of ``insertion``, or any) was taken out: close its session. The
        sign-in stays."""
        session = self.session
        if session is None or (insertion is not None and session.insertion != insertion):
            return
        self.session, self.holder = None, None
        await asyncio.to_thread(session.close)

    async def _sign(self, message: bytes, pin: str | None) -> CardSignature:
        return await self._on_card(lambda session: session.sign(message, pin))

    # -- the server ---------------------------------------------------------------------
    async def log_in(self, pin: str) -> wire.LoginResponse:
        """Challenge, VERIFY + sign + LOGOFF on the card, then ``POST /auth/login``."""
        holder = self.holder
        if holder is None:
            raise LoginError(Failure.NO_CARD)
        try:
            challenge = await self.api.challenge()
            signature, algorithm = wire_signature(
                await self._sign(wire.login_message(challenge.nonce), pin)
            )
            login = await self.api.login(
                challenge_id=challenge.challenge_id,
                certificate=holder.certificate,
                ca_certificate=holder.ca_certificate,
                signature=signature,
                signature_algorithm=algorithm,
            )
        except ApiError as exc:
            log.info("login refused or failed: %s", exc.code)
            raise _server_failure(exc) from exc
        self.signed_in = SignedIn(login, holder)
        log.info("signed in (agent %s)", login.agent.id)
        return login

    async def pledge(self) -> wire.PledgeText:
        try:
            return await self.api.pledge()
        except ApiError as exc:
            raise _server_failure(exc) from exc

    async def accept_pledge(
        self, pledge: wire.PledgeText, language: Language, pin: str | None
    ) -> wire.PledgeAccepted:
        """Sign ``pledge.signed_message()`` with the login card and send it. Without ``pin``
        the card must still have its PIN verified (Failure.PIN_NEEDED if not)."""
        self._check_login_card()
        signature, algorithm = wire_signature(await self._sign(pledge.signed_message(), pin))
        try:
            return await self.api.sign_pledge(
                pledge, language=language, signature=signature, signature_algorithm=algorithm
            )
        except ApiError as exc:
            log.info("pledge refused or failed: %s", exc.code)
            raise _server_failure(exc) from exc

    def forget_sign_in(self) -> None:
        """Back to the login screen (the session ended, or was never completed): no lock
        from now on, and the token is dropped here."""
        self.signed_in = None
        self.api.sign_out()

    async def log_out(self) -> None:
        """End the session on the server (best effort) and forget the sign-in."""
        self.signed_in = None
        try:
            await self.api.logout()
        except ApiError as exc:
            log.info("logout failed: %s", exc.code)

    # -- the lock -----------------------------------------------------------------------
    def _check_login_card(self) -> None:
        if self.signed_in is None or self.holder is None:
            raise LoginError(Failure.NO_CARD)
        self.check_same_card(self.holder)

    def check_same_card(self, holder: CardHolder) -> None:
        """Raise OTHER_PERSON or OTHER_CARD unless ``holder`` is the card of the sign-in."""
        if self.signed_in is None:
            raise LoginError(Failure.SESSION_ENDED)
        mine = self.signed_in.holder
        if holder.national_number != mine.national_number:
            raise LoginError(Failure.OTHER_PERSON)
        if holder.certificate != mine.certificate:
            raise LoginError(Failure.OTHER_CARD)

    async def unlock(self, pin: str) -> None:
        """Prove that the card in the reader is the login card: it signs a fresh local
        challenge, checked with the login certificate's key."""
        from cryptography import x509

        from tracer_tui.eid.signature import verify_card_signature

        self._check_login_card()
        assert self.signed_in is not None
        message = UNLOCK_CONTEXT + secrets.token_bytes(32)
        signed = await self._sign(message, pin)
        certificate = x509.load_der_x509_certificate(self.signed_in.holder.certificate)
        if not verify_card_signature(certificate, message, signed):
            log.warning("unlock: the card's signature does not match the login certificate")
            raise LoginError(Failure.OTHER_CARD)
