"""Fake people, cases and agents for practice mode and for seeding the central server.

Everything comes from one :class:`FakeWorld`: the same ``seed`` and ``now`` give the same
people in any process. Randomness is a private ``random.Random(seed)`` plus one Faker
instance per locale, each seeded from the world's seed (never Faker's shared global seed);
no wall clock, no ``hash()``. Faker is imported on first use, not at import time.

Every national register number is checked against ``tracer_tui.core.identifiers`` and every
phone number goes through ``normalise_phone`` before it leaves this module; numbers are
unique within a world, so seeding a database with them never trips a uniqueness check.
"""

from __future__ import annotations

import hashlib
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from tracer_tui.core.identifiers import IdentifierError, is_national_number, normalise_phone
from tracer_tui.core.people import Address, CaseData, PersonData
from tracer_tui.core.types import Language, TaskKind
from tracer_tui.practice.places import (
    LANDLINE_FIRST_DIGIT,
    LANDLINE_FIRST_DIGIT_DEFAULT,
    MOBILE_PREFIXES,
    PLACES,
    STREETS_BRUSSELS,
    STREETS_DE,
    STREETS_FR,
    STREETS_NL,
    SURNAMES_EAST_BELGIUM,
    Place,
    Region,
)

if TYPE_CHECKING:
    from faker import Faker

__all__ = ["FakeAgent", "FakeWorld"]

_T = TypeVar("_T")

_LANGUAGES = (Language.FR, Language.NL, Language.DE, Language.EN)
_PERSON_WEIGHTS = (45, 40, 10, 5)
_AGENT_WEIGHTS = (50, 40, 10, 0)  # the centres recruit in the three national languages

_REGIONS: dict[Language, tuple[tuple[Region, ...], tuple[int, ...]]] = {
    Language.FR: ((Region.WALLONIA, Region.BRUSSELS), (78, 22)),
    Language.NL: ((Region.FLANDERS, Region.BRUSSELS), (92, 8)),
    Language.DE: ((Region.EAST_BELGIUM,), (1,)),
    Language.EN: ((Region.BRUSSELS,), (1,)),  # expats
}

# No de_BE locale exists: East-Belgian first names come from the German and Austrian
# locales, surnames partly from a local list.
_NAME_LOCALES: dict[Language, tuple[str, ...]] = {
    Language.FR: ("fr_BE",),
    Language.NL: ("nl_BE",),
    Language.DE: ("de_DE", "de_AT"),
    Language.EN: ("en_GB", "en_IE"),
}
_LOCAL_SURNAME_SHARE = 0.35

# (youngest, oldest, weight): callers are mostly working-age adults.
_AGE_BANDS = (
    (0, 11, 9),
    (12, 17, 7),
    (18, 29, 19),
    (30, 49, 30),
    (50, 64, 20),
    (65, 79, 11),
    (80, 95, 4),
)

_EMAIL_DOMAINS: dict[Language, tuple[tuple[str, ...], tuple[int, ...]]] = {
    Language.FR: (
        ("skynet.be", "proximus.be", "gmail.com", "outlook.com", "hotmail.com"),
        (18, 14, 38, 15, 15),
    ),
    Language.NL: (
        ("telenet.be", "skynet.be", "proximus.be", "gmail.com", "outlook.com"),
        (32, 8, 8, 37, 15),
    ),
    Language.DE: (
        ("skynet.be", "proximus.be", "gmail.com", "outlook.com", "web.de"),
        (20, 20, 35, 15, 10),
    ),
    Language.EN: (("gmail.com", "outlook.com", "proximus.be", "telenet.be"), (55, 30, 8, 7)),
}

_BOX_WORD = {Region.WALLONIA: "bte", Region.FLANDERS: "bus", Region.EAST_BELGIUM: ""}

_AGENT_BIRTH_FIRST = date(1960, 1, 1)
_AGENT_BIRTH_LAST = date(2000, 12, 31)
_MAX_TRIES = 1000


@dataclass(frozen=True, slots=True)
class FakeAgent:
    """A call-centre agent: what a virtual eID card and the server's agent table need."""

    national_number: str
    display_name: str
    language: Language
    first_name: str
    last_name: str
    birth_date: date
    sex: str


def _derive_seed(seed: int, label: str) -> int:
    """A stable sub-seed: the same in every process (unlike ``hash()``)."""
    digest = hashlib.sha256(f"tracer-fake/{seed}/{label}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _ascii_slug(text: str) -> str:
    """'Vandewalle-Gérôme' -> 'vandewalle-gerome'; 'O'Brien' -> 'obrien'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(ch for ch in decomposed if ch.isascii() and (ch.isalnum() or ch == "-"))
    return kept.strip("-")


class FakeWorld:
    """A deterministic source of believable Belgian people, cases and agents.

    ``now`` should not lie in a later calendar year than the real clock: python-stdnum
    refuses national numbers of people born in a year that has not begun yet.
    """

    def __init__(self, seed: int, now: datetime) -> None:
        self.seed = seed
        self.now = now
        self._today = now.date()
        self._rng = random.Random(seed)
        self._fakers: dict[str, Faker] = {}
        self._used_numbers: set[str] = set()
        self._used_phones: set[str] = set()

    # ---- public API -------------------------------------------------------------------

    def person(self, language: Language | None = None) -> PersonData:
        rng = self._rng
        if language is None:
            language = self._weighted(_LANGUAGES, _PERSON_WEIGHTS)
        regions, weights = _REGIONS[language]
        region = self._weighted(regions, weights)
        sex = "F" if rng.random() < 0.51 else "M"
        first_name, last_name = self._name(language, sex)
        age, birth_date = self._birth_date()
        place = self._weighted(PLACES[region], [p.weight for p in PLACES[region]])
        return PersonData(
            first_name=first_name,
            last_name=last_name,
            national_number=self._national_number(birth_date, sex),
            birth_date=birth_date,
            sex=sex,
            language=language,
            phones=self._phones(place, age),
            email=self._email(first_name, last_name, birth_date, language, age),
            address=self._address(language, region, place),
        )

    def index_case(self) -> CaseData:
        reported_at = self._reported_at()
        test_date = reported_at.date() - timedelta(days=self._rng.randint(0, 3))
        return CaseData(
            kind=TaskKind.INDEX_CALL,
            person=self.person(),
            reported_at=reported_at,
            test_date=test_date,
        )

    def contact_case(self) -> CaseData:
        reported_at = self._reported_at()
        last_exposure = self._today - timedelta(days=self._rng.randint(1, 6))
        return CaseData(
            kind=TaskKind.CONTACT_CALL,
            person=self.person(),
            reported_at=reported_at,
            last_exposure=last_exposure,
        )

    def cases(self, n: int) -> list[CaseData]:
        """``n`` call orders, about one index case for two contacts, oldest report first."""
        n_index = round(n / 3)
        kinds = [TaskKind.INDEX_CALL] * n_index + [TaskKind.CONTACT_CALL] * (n - n_index)
        self._rng.shuffle(kinds)
        made = [
            self.index_case() if kind is TaskKind.INDEX_CALL else self.contact_case()
            for kind in kinds
        ]
        return sorted(made, key=lambda case: case.reported_at)

    def agent(self, language: Language | None = None) -> FakeAgent:
        rng = self._rng
        if language is None:
            language = self._weighted(_LANGUAGES, _AGENT_WEIGHTS)
        sex = "F" if rng.random() < 0.55 else "M"
        first_name, last_name = self._name(language, sex)
        span = (_AGENT_BIRTH_LAST - _AGENT_BIRTH_FIRST).days
        birth_date = _AGENT_BIRTH_FIRST + timedelta(days=rng.randint(0, span))
        return FakeAgent(
            national_number=self._national_number(birth_date, sex),
            display_name=f"{first_name} {last_name}",
            language=language,
            first_name=first_name,
            last_name=last_name,
            birth_date=birth_date,
            sex=sex,
        )

    # ---- building blocks --------------------------------------------------------------

    def _weighted(self, items: Sequence[_T], weights: Sequence[int]) -> _T:
        return self._rng.choices(items, weights)[0]

    def _faker(self, locale: str) -> Faker:
        faker = self._fakers.get(locale)
        if faker is None:
            import faker as faker_module  # lazily: start-up time matters

            faker = faker_module.Faker(locale, providers=["faker.providers.person"])
            faker.seed_instance(_derive_seed(self.seed, locale))
            self._fakers[locale] = faker
        return faker

    def _name(self, language: Language, sex: str) -> tuple[str, str]:
        faker = self._faker(self._rng.choice(_NAME_LOCALES[language]))
        first = faker.first_name_female() if sex == "F" else faker.first_name_male()
        if language is Language.DE and self._rng.random() < _LOCAL_SURNAME_SHARE:
            return str(first), self._rng.choice(SURNAMES_EAST_BELGIUM)
        return str(first), str(faker.last_name())

    def _birth_date(self) -> tuple[int, date]:
        """An age in whole years (0-95) and a birth date giving that age today."""
        youngest, oldest, _ = self._weighted(_AGE_BANDS, [band[2] for band in _AGE_BANDS])
        age = self._rng.randint(youngest, oldest)
        latest = self._shift_years(self._today, -age)
        earliest = self._shift_years(self._today, -age - 1) + timedelta(days=1)
        span = (latest - earliest).days
        birth = earliest + timedelta(days=self._rng.randint(0, span))
        return age, min(birth, self._today - timedelta(days=1))

    @staticmethod
    def _shift_years(day: date, years: int) -> date:
        try:
            return day.replace(year=day.year + years)
        except ValueError:  # 29 February in a non-leap year
            return day.replace(year=day.year + years, day=28)

    def _national_number(self, birth: date, sex: str) -> str:
        """YYMMDD + serial (odd for men, even for women) + mod-97 check, 2000+ rule."""
        for _ in range(_MAX_TRIES):
            if sex == "M":
                serial = self._rng.randrange(1, 998, 2)
            else:
                serial = self._rng.randrange(2, 997, 2)
            body = f"{birth:%y%m%d}{serial:03d}"
            base = int("2" + body) if birth.year >= 2000 else int(body)
            number = f"{body}{97 - base % 97:02d}"
            if number in self._used_numbers:
                continue
            if not is_national_number(number):
                raise RuntimeError(f"generated an invalid national number: {number}")
            self._used_numbers.add(number)
            return number
        raise RuntimeError(f"no free national number left for {birth} {sex}")

    def _phones(self, place: Place, age: int) -> tuple[str, ...]:
        rng = self._rng
        has_mobile = rng.random() < (0.6 if age >= 80 else 0.93)
        has_landline = rng.random() < (0.55 if age >= 70 else 0.2)
        phones: list[str] = []
        if has_mobile or not has_landline:
            phones.append(self._mobile())
        if has_landline:
            phones.append(self._landline(place.area_code))
        return tuple(phones)

    def _mobile(self) -> str:
        for _ in range(_MAX_TRIES):
            prefix = self._rng.choice(MOBILE_PREFIXES)
            number = self._claim_phone(f"+32{prefix}{self._rng.randrange(10**6):06d}")
            if number is not None:
                return number
        raise RuntimeError("could not make a valid mobile number")

    def _landline(self, area_code: str) -> str:
        """A fixed line in the zone: eight national digits, zone included."""
        rest = 7 - len(area_code)
        first_digits = LANDLINE_FIRST_DIGIT.get(area_code, LANDLINE_FIRST_DIGIT_DEFAULT)
        for _ in range(_MAX_TRIES):
            subscriber = f"{self._rng.choice(first_digits)}{self._rng.randrange(10**rest):0{rest}d}"
            number = self._claim_phone(f"+32{area_code}{subscriber}")
            if number is not None:
                return number
        raise RuntimeError(f"could not make a valid landline in zone 0{area_code}")

    def _claim_phone(self, candidate: str) -> str | None:
        try:
            number = normalise_phone(candidate)
        except IdentifierError:
            return None
        if number != candidate or number in self._used_phones:
            return None
        self._used_phones.add(number)
        return number

    def _email(
        self, first: str, last: str, birth: date, language: Language, age: int
    ) -> str | None:
        rng = self._rng
        chance = 0.0 if age < 14 else 0.35 if age >= 75 else 0.7
        if rng.random() >= chance:
            return None
        given, family = _ascii_slug(first), _ascii_slug(last).replace("-", "")
        if not given or not family:
            return None
        local = rng.choice(
            (
                f"{given}.{family}",
                f"{given}.{family}",
                f"{given}{family}{birth.year % 100:02d}",
                f"{given[0]}.{family}",
                f"{given}_{family}",
                f"{family}.{given}",
            )
        )
        domains, weights = _EMAIL_DOMAINS[language]
        return f"{local}@{self._weighted(domains, weights)}"

    def _address(self, language: Language, region: Region, place: Place) -> Address:
        rng = self._rng
        municipality = place.name
        if region is Region.BRUSSELS:
            street_fr, street_nl = rng.choice(STREETS_BRUSSELS)
            dutch = language is Language.NL
            street = street_nl if dutch else street_fr
            if dutch and place.name_nl:
                municipality = place.name_nl
            box_word, box_chance = ("bus" if dutch else "bte"), 0.35
        else:
            street = self._street(region)
            box_word = _BOX_WORD[region]
            box_chance = 0.12 if box_word else 0.0
        number = self._house_number()
        if rng.random() < box_chance:
            number += f" {box_word} {rng.randint(1, 24)}"
        return Address(
            street=f"{street} {number}",
            postcode=place.postcode,
            municipality=municipality,
            country="BE",
        )

    def _street(self, region: Region) -> str:
        rng = self._rng
        if region is Region.WALLONIA:
            if rng.random() < 0.2:
                faker = self._faker("fr_BE")
                return f"Rue {faker.first_name_male()} {faker.last_name()}"
            return rng.choice(STREETS_FR)
        if region is Region.FLANDERS:
            if rng.random() < 0.2:
                faker = self._faker("nl_BE")
                return (
                    f"{faker.first_name_male()} {faker.last_name()}{rng.choice(('straat', 'laan'))}"
                )
            return rng.choice(STREETS_NL)
        return rng.choice(STREETS_DE)

    def _house_number(self) -> str:
        rng = self._rng
        draw = rng.random()
        if draw < 0.7:
            number = str(rng.randint(1, 60))
        elif draw < 0.95:
            number = str(rng.randint(61, 200))
        else:
            number = str(rng.randint(201, 400))
        if rng.random() < 0.04:
            number += rng.choice("ABC")
        return number

    def _reported_at(self) -> datetime:
        """When the call order reached the centre: within the last 24 hours."""
        return self.now.replace(microsecond=0) - timedelta(seconds=self._rng.randint(1, 86_399))
