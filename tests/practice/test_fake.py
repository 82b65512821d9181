"""Fake people, cases and agents: determinism, valid identifiers, believable places."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.be import nn

from tracer_tui.core.identifiers import normalise_phone
from tracer_tui.core.people import PersonData
from tracer_tui.core.types import Language, TaskKind
from tracer_tui.practice import FakeAgent, FakeWorld
from tracer_tui.practice.places import PLACES, Place, Region

REPO_ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2020, 10, 15, 10, 30, 12, 345678, tzinfo=UTC)

ALLOWED_REGIONS = {
    Language.FR: {Region.WALLONIA, Region.BRUSSELS},
    Language.NL: {Region.FLANDERS, Region.BRUSSELS},
    Language.DE: {Region.EAST_BELGIUM},
    Language.EN: {Region.BRUSSELS},
}


def _place_index() -> dict[tuple[str, str], tuple[Region, Place]]:
    index: dict[tuple[str, str], tuple[Region, Place]] = {}
    for region, places in PLACES.items():
        for place in places:
            index[(place.postcode, place.name)] = (region, place)
            if place.name_nl:
                index[(place.postcode, place.name_nl)] = (region, place)
    return index


PLACE_INDEX = _place_index()


@pytest.fixture(scope="module")
def people() -> list[PersonData]:
    world = FakeWorld(2020, NOW)
    return [world.person() for _ in range(1000)]


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _is_mobile(phone: str) -> bool:
    parsed = phonenumbers.parse(phone, None)
    return phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE


def _check_person(person: PersonData, today: date) -> None:
    """Every promise the generator makes about one person."""
    number, birth = person.national_number, person.birth_date
    assert number is not None
    assert birth is not None
    assert nn.is_valid(number)
    assert nn.get_birth_date(number) == birth
    assert nn.get_gender(number) == person.sex
    assert int(number[6:9]) % 2 == (1 if person.sex == "M" else 0)
    assert 0 <= _age(birth, today) <= 95
    assert birth < today

    assert person.phones
    for phone in person.phones:
        parsed = phonenumbers.parse(phone, None)
        assert phonenumbers.is_valid_number(parsed), phone
        assert phonenumbers.region_code_for_number(parsed) == "BE"
        assert normalise_phone(phone) == phone

    address = person.address
    assert address is not None
    assert address.country == "BE"
    assert 1000 <= int(address.postcode) <= 9999
    region, place = PLACE_INDEX[(address.postcode, address.municipality)]
    assert region in ALLOWED_REGIONS[person.language]
    if person.language is Language.DE:
        assert address.postcode.startswith("47")
    street_number = address.street.split(" bte ")[0].split(" bus ")[0].rsplit(" ", 1)
    assert len(street_number) == 2
    assert street_number[1].rstrip("ABC").isdigit()

    for phone in person.phones:
        national = str(phonenumbers.parse(phone, None).national_number)
        if _is_mobile(phone):
            assert len(national) == 9
            assert national[:2] in {"46", "47", "48", "49"}
        else:  # a landline: the zone of the address
            assert len(national) == 8
            assert national.startswith(place.area_code), (phone, place)

    if person.email is not None:
        local, _, domain = person.email.partition("@")
        assert local
        assert local.isascii()
        assert "." in domain


# ---- determinism ----------------------------------------------------------------------


def _snapshot(seed: int) -> str:
    world = FakeWorld(seed, NOW)
    data = {
        "cases": [case.model_dump(mode="json") for case in world.cases(60)],
        "people": [world.person(lang).model_dump(mode="json") for lang in Language],
        "agents": [repr(world.agent()) for _ in range(5)],
    }
    return json.dumps(data, sort_keys=True)


def test_same_seed_gives_identical_output() -> None:
    assert _snapshot(5) == _snapshot(5)
    first, second = FakeWorld(9, NOW), FakeWorld(9, NOW)
    assert [first.person() for _ in range(50)] == [second.person() for _ in range(50)]
    assert [first.agent() for _ in range(10)] == [second.agent() for _ in range(10)]


def test_different_seed_gives_different_output() -> None:
    assert _snapshot(5) != _snapshot(6)
    numbers = {
        seed: [case.person.national_number for case in FakeWorld(seed, NOW).cases(20)]
        for seed in (1, 2)
    }
    assert numbers[1] != numbers[2]


@pytest.mark.parametrize("hash_seed", ["0", "1", "4242"])
def test_same_output_in_another_process(hash_seed: str) -> None:
    code = (
        "import sys\n"
        "from tests.practice.test_fake import _snapshot\n"
        "sys.stdout.write(_snapshot(5))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        check=True,
    )
    assert result.stdout == _snapshot(5)


def test_world_does_not_touch_global_random_or_faker_seed() -> None:
    import random

    from faker.generator import random as faker_shared_random

    state, faker_state = random.getstate(), faker_shared_random.getstate()
    FakeWorld(3, NOW).cases(10)
    assert random.getstate() == state
    assert faker_shared_random.getstate() == faker_state


def test_faker_is_imported_lazily() -> None:
    code = (
        "import sys\n"
        "import tracer_tui.practice\n"
        "assert 'faker' not in sys.modules, 'faker imported at module import'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=True)


# ---- people ---------------------------------------------------------------------------


def test_every_person_is_valid(people: list[PersonData]) -> None:
    for person in people:
        _check_person(person, NOW.date())


def test_identifiers_are_unique_within_a_world(people: list[PersonData]) -> None:
    numbers = [p.national_number for p in people]
    assert len(set(numbers)) == len(numbers)
    phones = [phone for p in people for phone in p.phones]
    assert len(set(phones)) == len(phones)


def test_language_mix(people: list[PersonData]) -> None:
    share = Counter(p.language for p in people)
    assert abs(share[Language.FR] / 1000 - 0.45) < 0.05
    assert abs(share[Language.NL] / 1000 - 0.40) < 0.05
    assert abs(share[Language.DE] / 1000 - 0.10) < 0.03
    assert abs(share[Language.EN] / 1000 - 0.05) < 0.025


def test_mostly_adults_and_mobiles(people: list[PersonData]) -> None:
    ages = [_age(p.birth_date, NOW.date()) for p in people if p.birth_date]
    adults = sum(age >= 18 for age in ages) / len(ages)
    assert 0.7 < adults < 0.95
    assert min(ages) >= 0
    assert max(ages) <= 95
    with_mobile = sum(any(_is_mobile(phone) for phone in p.phones) for p in people)
    assert with_mobile / len(people) > 0.8
    with_landline = sum(not all(_is_mobile(phone) for phone in p.phones) for p in people)
    assert 0.1 < with_landline / len(people) < 0.5
    emails = [p.email for p in people if p.email]
    assert 0.3 < len(emails) / len(people) < 0.8


def test_sexes_are_mixed(people: list[PersonData]) -> None:
    share = Counter(p.sex for p in people)
    assert set(share) == {"M", "F"}
    assert 0.4 < share["F"] / len(people) < 0.6


@pytest.mark.parametrize("language", list(Language))
def test_requested_language_is_respected(language: Language) -> None:
    world = FakeWorld(11, NOW)
    for _ in range(100):
        person = world.person(language)
        assert person.language is language
        _check_person(person, NOW.date())


def test_brussels_addresses_follow_the_language() -> None:
    world = FakeWorld(12, NOW)
    dutch = [world.person(Language.NL) for _ in range(400)]
    in_brussels = [p for p in dutch if p.address and p.address.postcode < "1300"]
    assert in_brussels, "some Dutch speakers live in Brussels"
    municipalities = {p.address.municipality for p in in_brussels if p.address}
    assert not municipalities & {"Bruxelles", "Ixelles", "Uccle", "Forest", "Schaerbeek"}


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(min_value=-(2**40), max_value=2**40),
    now=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2024, 12, 31)),
)
def test_any_seed_and_date_give_valid_people(seed: int, now: datetime) -> None:
    world = FakeWorld(seed, now)
    for language in Language:
        _check_person(world.person(language), now.date())
    _check_person(world.person(), now.date())


# ---- cases ----------------------------------------------------------------------------


def test_cases_kinds_and_windows() -> None:
    cases = FakeWorld(1, NOW).cases(300)
    assert len(cases) == 300
    kinds = Counter(case.kind for case in cases)
    assert kinds[TaskKind.INDEX_CALL] == 100
    assert kinds[TaskKind.CONTACT_CALL] == 200
    assert [c.reported_at for c in cases] == sorted(c.reported_at for c in cases)
    for case in cases:
        assert NOW - timedelta(hours=24) <= case.reported_at <= NOW
        if case.kind is TaskKind.INDEX_CALL:
            assert case.test_date is not None
            assert case.last_exposure is None
            assert 0 <= (case.reported_at.date() - case.test_date).days <= 3
        else:
            assert case.test_date is None
            assert case.last_exposure is not None
            assert 1 <= (NOW.date() - case.last_exposure).days <= 6
            assert case.last_exposure <= case.reported_at.date()


def test_single_case_helpers() -> None:
    world = FakeWorld(4, NOW)
    index = world.index_case()
    contact = world.contact_case()
    assert index.kind is TaskKind.INDEX_CALL
    assert contact.kind is TaskKind.CONTACT_CALL
    assert world.cases(0) == []


# ---- agents ---------------------------------------------------------------------------


def test_agents() -> None:
    world = FakeWorld(8, NOW)
    agents = [world.agent() for _ in range(200)]
    for agent in agents:
        assert isinstance(agent, FakeAgent)
        assert nn.is_valid(agent.national_number)
        assert nn.get_birth_date(agent.national_number) == agent.birth_date
        assert nn.get_gender(agent.national_number) == agent.sex
        assert date(1960, 1, 1) <= agent.birth_date <= date(2000, 12, 31)
        assert agent.display_name == f"{agent.first_name} {agent.last_name}"
        assert agent.language in {Language.FR, Language.NL, Language.DE}
    assert len({a.national_number for a in agents}) == len(agents)
    assert world.agent(Language.EN).language is Language.EN
    with pytest.raises(AttributeError):
        agents[0].display_name = "x"  # type: ignore[misc]
