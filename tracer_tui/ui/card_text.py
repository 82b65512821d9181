"""The card's state and the login failures, told to the agent in their language.

Kept free of the client modules at import time (they load pydantic): states and failures
are matched by their ``value``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tracer_tui.core.i18n import _, ngettext

if TYPE_CHECKING:
    from tracer_tui.client.card import CardState
    from tracer_tui.client.login import LoginError


def no_service() -> str:
    return _("The smart card service (pcscd) is not running: ask your IT support to start it.")


def describe_card_state(state: CardState | None) -> str:
    """The live status line while no card has been read."""
    status = state.status.value if state is not None else "starting"
    if status == "no_service":
        return no_service()
    if status == "no_reader":
        return _("Connect your card reader.")
    if status == "no_card":
        return _("Insert your eID card in the reader.")
    if status == "present":
        return _("Reading the card…")
    return _("Looking for a card reader…")


def blocked() -> str:
    return _(
        "The PIN of this card is blocked. Have it unblocked with your PUK code at your "
        "municipality."
    )


def wrong_pin(tries_left: int) -> str:
    return ngettext(
        "Wrong PIN: {count} try left.", "Wrong PIN: {count} tries left.", tries_left
    ).format(count=tries_left)


def describe_failure(error: LoginError, *, owner: str = "") -> str:
    """One sentence for a failed login, pledge or unlock step; ``owner`` is the name of
    the signed-in agent (shown when another person's card is offered to unlock)."""
    reason = error.reason.value
    if reason == "wrong_pin":
        return wrong_pin(error.tries_left or 0)
    texts: dict[str, Callable[[], str]] = {
        "no_service": no_service,
        "no_reader": lambda: _("The card reader was disconnected: connect it again."),
        "no_card": lambda: _("Insert your eID card in the reader."),
        "card_removed": lambda: _("The card was taken out: insert it again."),
        "reader_busy": lambda: _("Another program is using the card: close it and try again."),
        "not_eid": lambda: _("This card is not a Belgian eID card."),
        "card_error": lambda: _("The card could not be read: take it out and insert it again."),
        "pin_format": lambda: _("A PIN has 4 to 12 digits."),
        "pin_needed": lambda: _("Enter your PIN to sign with your card."),
        "pin_blocked": blocked,
        "pin_cancelled": lambda: _("The PIN entry on the reader was cancelled: try again."),
        "unreachable": lambda: _(
            "The central server cannot be reached. Check the network and press Enter to try again."
        ),
        "server_error": lambda: _(
            "The central server had a problem. Press Enter to try again in a moment."
        ),
        "unknown_agent": lambda: _(
            "This card is not registered for tracer: ask your supervisor to register you."
        ),
        "untrusted_certificate": lambda: _(
            "The central server does not trust the certificate of this card: sign in with "
            "your own Belgian eID card."
        ),
        "expired_certificate": lambda: _(
            "This card or its certificate has expired: sign in with a valid eID card."
        ),
        "refused": lambda: _("The central server refused the sign-in. Press Enter to try again."),
        "session_ended": lambda: _("Your session has ended. Sign in again."),
        "forbidden": lambda: _("You are not allowed to do this."),
        "other_person": lambda: (
            _("This is another person's card. Only {name} can unlock tracer.").format(name=owner)
            if owner
            else _("This is another person's card: it cannot unlock tracer.")
        ),
        "other_card": lambda: _(
            "This is not the card you signed in with: insert that card, or quit and sign in again."
        ),
    }
    text = texts.get(reason)
    return text() if text is not None else _("The sign-in failed. Try again.")
