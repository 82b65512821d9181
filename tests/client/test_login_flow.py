"""LoginFlow against the real server in-process (practice world): the login, the pledge,
the unlock checks, and every failure mapped to its reason, with no personal data logged."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from tracer_tui.client.api import ApiClient
from tracer_tui.client.card import VirtualCardBackend
from tracer_tui.client.errors import ApiError, AuthError, Forbidden, ServerError, Unreachable
from tracer_tui.client.login import Failure, LoginError, LoginFlow, login_error
from tracer_tui.config import Settings
from tracer_tui.core.types import Language
from tracer_tui.eid import errors as eid
from tracer_tui.eid.personalise import Holder, personalise
from tracer_tui.eid.testca import CertificateAuthority, generate_test_ca
from tracer_tui.eid.virtual import VirtualEid
from tracer_tui.launch import PRACTICE_BASE_URL, PRACTICE_CA, PracticeWorld

ANOTHER_PERSON = "85073003328"


class World:
    def __init__(self, tmp_path: Path) -> None:
        settings = Settings()
        self.practice = PracticeWorld(settings, seed=5, cases=3)
        self.api = self.practice.start()
        assert self.practice.card is not None
        self.card = self.practice.card
        self.reader = VirtualCardBackend(self.card)
        self.flow = LoginFlow(self.api, self.reader)

    @property
    def ca(self) -> CertificateAuthority:
        return generate_test_ca(PRACTICE_CA, seed=self.practice.seed)

    def card_of(
        self,
        national_number: str | None = None,
        *,
        ca: CertificateAuthority | None = None,
        seed: int = 77,
        valid_from: date | None = None,
    ) -> VirtualEid:
        identity = self.card.card.identity
        holder = Holder(
            surname=identity.surname,
            first_names=identity.first_names,
            national_number=national_number or identity.national_number,
        )
        files = personalise(holder, ca=ca or self.ca, seed=seed, valid_from=valid_from)
        return VirtualEid(files)

    async def read(self) -> None:
        await self.flow.read_card(self.reader.state.insertion)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    built = World(tmp_path)
    yield built
    await built.api.aclose()
    built.practice.stop()


async def test_login_then_pledge_then_not_due_any_more(world: World) -> None:
    await world.read()
    assert world.flow.holder is not None
    login = await world.flow.log_in(world.practice.pin)
    assert login.pledge_due
    assert world.flow.signed_in is not None
    assert world.flow.signed_in.login is login
    assert not world.card.pin_verified  # LOGOFF after the login
    pledge = await world.flow.pledge()
    with pytest.raises(LoginError) as needs:
        await world.flow.accept_pledge(pledge, Language.FR, None)
    assert needs.value.reason is Failure.PIN_NEEDED
    accepted = await world.flow.accept_pledge(pledge, Language.FR, world.practice.pin)
    assert accepted.version == pledge.version
    assert len((await world.api.queue()).tasks) > 0

    again = LoginFlow(world.api, world.reader)
    await again.read_card(world.reader.state.insertion)
    assert not (await again.log_in(world.practice.pin)).pledge_due
    await again.log_out()
    assert again.signed_in is None
    assert not world.api.signed_in


async def test_wrong_pin_then_blocked(world: World) -> None:
    await world.read()
    for tries_left in (2, 1):
        with pytest.raises(LoginError) as wrong:
            await world.flow.log_in("0000")
        assert (wrong.value.reason, wrong.value.tries_left) == (Failure.WRONG_PIN, tries_left)
    with pytest.raises(LoginError) as blocked:
        await world.flow.log_in("0000")
    assert blocked.value.reason is Failure.PIN_BLOCKED
    assert world.flow.signed_in is None
    await world.flow.forget_card()
    await world.read()  # an applet 1.8 card says it is blocked before any PIN
    assert world.flow.holder is not None
    assert world.flow.holder.blocked


@pytest.mark.parametrize(
    ("which", "reason"),
    [
        ("unknown", Failure.UNKNOWN_AGENT),
        ("untrusted", Failure.UNTRUSTED_CERTIFICATE),
        ("expired", Failure.EXPIRED_CERTIFICATE),
    ],
)
async def test_cards_the_server_refuses(world: World, which: str, reason: Failure) -> None:
    card = {
        "unknown": lambda: world.card_of(ANOTHER_PERSON),
        "untrusted": lambda: world.card_of(ca=generate_test_ca(PRACTICE_CA, seed=999)),
        "expired": lambda: world.card_of(valid_from=date(2010, 1, 1)),
    }[which]()
    world.reader.insert(card)
    await world.read()
    with pytest.raises(LoginError) as refused:
        await world.flow.log_in("1234")
    assert refused.value.reason is reason
    assert not refused.value.retryable


async def test_server_down(world: World) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route to host", request=request)

    api = ApiClient(httpx.AsyncClient(transport=httpx.MockTransport(down), base_url="http://x"))
    flow = LoginFlow(api, world.reader)
    await flow.read_card(world.reader.state.insertion)
    with pytest.raises(LoginError) as failed:
        await flow.log_in(world.practice.pin)
    assert failed.value.reason is Failure.UNREACHABLE
    assert failed.value.retryable
    assert world.card.tries_left == 3  # the card was not asked anything
    await api.aclose()


async def test_the_card_taken_out_during_the_login(world: World) -> None:
    await world.read()
    world.reader.remove()
    with pytest.raises(LoginError) as gone:
        await world.flow.log_in(world.practice.pin)
    assert gone.value.reason is Failure.CARD_REMOVED
    assert gone.value.card_gone
    with pytest.raises(LoginError) as empty:
        await world.flow.read_card(world.reader.state.insertion + 1)
    assert empty.value.reason is Failure.NO_CARD


async def test_unlock_only_with_the_login_card_and_its_pin(world: World) -> None:
    await world.read()
    await world.flow.log_in(world.practice.pin)
    world.reader.remove()
    await world.flow.forget_card(1)
    assert world.flow.signed_in is not None  # the sign-in stays while locked

    world.reader.insert(world.card_of(ANOTHER_PERSON))
    await world.read()
    assert world.flow.holder is not None
    with pytest.raises(LoginError) as other_person:
        world.flow.check_same_card(world.flow.holder)
    assert other_person.value.reason is Failure.OTHER_PERSON
    with pytest.raises(LoginError):
        await world.flow.unlock("1234")

    world.reader.insert(world.card_of())  # same person, another card
    await world.read()
    with pytest.raises(LoginError) as other_card:
        await world.flow.unlock("1234")
    assert other_card.value.reason is Failure.OTHER_CARD

    world.reader.insert(world.card)
    await world.read()
    with pytest.raises(LoginError) as wrong:
        await world.flow.unlock("0000")
    assert wrong.value.reason is Failure.WRONG_PIN
    await world.flow.unlock(world.practice.pin)
    assert not world.card.pin_verified


async def test_a_card_copying_the_certificate_without_the_key_cannot_unlock(
    world: World,
) -> None:
    await world.read()
    await world.flow.log_in(world.practice.pin)
    forged = world.card_of(seed=78)  # its own key, but the login card's certificate file
    real = world.card.card.files
    forged.card.files.update({path: real[path] for path in real if path[-1] in (0x5038, 0x503A)})
    world.reader.insert(forged)
    await world.read()
    with pytest.raises(LoginError) as refused:
        await world.flow.unlock("1234")
    assert refused.value.reason is Failure.OTHER_CARD


async def test_nothing_personal_is_logged(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await world.read()
    with pytest.raises(LoginError):
        await world.flow.log_in("0000")
    await world.flow.log_in(world.practice.pin)
    identity = world.card.card.identity
    assert caplog.records
    for secret in (identity.national_number, identity.surname, world.practice.pin, "0000"):
        assert secret not in caplog.text


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (eid.WrongPin(2), Failure.WRONG_PIN),
        (eid.PinBlocked(), Failure.PIN_BLOCKED),
        (eid.PinEntryCancelled(), Failure.PIN_CANCELLED),
        (eid.PinEntryTimeout(), Failure.PIN_CANCELLED),
        (eid.PinFormatError(), Failure.PIN_FORMAT),
        (eid.SecurityStatusNotSatisfied(), Failure.PIN_NEEDED),
        (eid.ServiceUnavailable(), Failure.NO_SERVICE),
        (eid.NoReader(), Failure.NO_READER),
        (eid.NoCard(), Failure.NO_CARD),
        (eid.CardRemoved(), Failure.CARD_REMOVED),
        (eid.ReaderBusy(), Failure.READER_BUSY),
        (eid.NotBelgianEid(), Failure.NOT_EID),
        (eid.TransportError("x"), Failure.CARD_ERROR),
        (eid.CardError(0x6A80), Failure.CARD_ERROR),
        (eid.CardDataError("x"), Failure.CARD_ERROR),
        (Unreachable("x"), Failure.UNREACHABLE),
        (ServerError("x"), Failure.SERVER_ERROR),
        (AuthError("x", code="unknown_agent"), Failure.UNKNOWN_AGENT),
        (AuthError("x", code="untrusted_certificate"), Failure.UNTRUSTED_CERTIFICATE),
        (AuthError("x", code="expired_certificate"), Failure.EXPIRED_CERTIFICATE),
        (AuthError("x", code="bad_signature"), Failure.REFUSED),
        (AuthError("x", code="challenge_expired"), Failure.REFUSED),
        (AuthError("x", code="token_expired"), Failure.SESSION_ENDED),
        (Forbidden("x", code="pledge_due"), Failure.FORBIDDEN),
        (ApiError("x"), Failure.SERVER_ERROR),
    ],
)
def test_every_failure_has_its_reason(error: Exception, reason: Failure) -> None:
    mapped = login_error(error)
    assert mapped.reason is reason
    if reason is Failure.WRONG_PIN:
        assert mapped.tries_left == 2
    assert login_error(mapped) is mapped


def test_other_errors_are_bugs_not_login_failures() -> None:
    with pytest.raises(ZeroDivisionError):
        login_error(ZeroDivisionError())


async def test_without_a_card_there_is_nothing_to_do(tmp_path: Path) -> None:
    api = ApiClient(httpx.AsyncClient(base_url=PRACTICE_BASE_URL))
    flow = LoginFlow(api, VirtualCardBackend())
    with pytest.raises(LoginError) as none:
        await flow.log_in("1234")
    assert none.value.reason is Failure.NO_CARD
    with pytest.raises(LoginError) as still_none:
        await flow.read_card(1)
    assert still_none.value.reason is Failure.NO_CARD
    await api.aclose()
