#!/usr/bin/env python3
"""Computing one interview screen: the index-case script holding 30 contacts.

Two measures of building the contact screen (visible items of every contact, their
validation, their computed risk class): after changing one answer of one contact (a new
interview state, as after each field the agent commits), and from scratch (a new interview
from the saved answers, as on resume, or after a top-level answer changed).
Target: <= 5 ms.

    .venv/bin/python bench/interview.py [--runs 300] [--contacts 30]

``--cold`` also empties the parsing caches (phone numbers, dates) before every run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date, timedelta

from tracer_tui.core import values
from tracer_tui.core.engine import Interview
from tracer_tui.core.rules import Rules
from tracer_tui.questionnaire_files import default_directory, load_file

TODAY = date(2020, 10, 20)


def contact(number: int) -> dict[str, object]:
    return {
        "first_name": f"Prénom{number}",
        "last_name": f"Nom{number}",
        "phone": f"0470 {number:02d} {number:02d} {number:02d}",
        "email": f"contact{number}@example.be",
        "street": f"Rue de la Loi {number}",
        "postcode": "1000",
        "municipality": "Bruxelles",
        "birth_date": f"{1 + number % 28:02d}/05/1980",
        "language": "fr",
        "relation": "colleague",
        "last_contact": (TODAY - timedelta(days=number % 5)).isoformat(),
        "household": number % 7 == 0,
        "physical_contact": False,
        "body_fluids": False,
        "care_without_protection": False,
        "face_to_face_minutes": number,
        "both_masked": number % 2 == 0,
        "same_room_minutes": 30,
        "kept_distance": True,
        "travel_minutes": 0,
    }


def index_answers(contacts: int) -> dict[str, object]:
    return {
        "identity_confirmed": True,
        "consent": True,
        "has_symptoms": True,
        "symptom_onset": "2020-10-15",
        "symptoms": ["fever", "cough"],
        "test_date": "2020-10-17",
        "hospitalised": False,
        "profession": "teacher",
        "care_worker": False,
        "risk_people": False,
        "isolation_possible": True,
        "contacts": [contact(n) for n in range(contacts)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--contacts", type=int, default=30)
    parser.add_argument("--cold", action="store_true", help="empty the parse caches each run")
    args = parser.parse_args()

    script = load_file(default_directory() / "index-first-call.v1.yaml")
    interview = Interview(
        script,
        language="fr",
        rules=Rules(),
        today=TODAY,
        answers=index_answers(args.contacts),
        screen_id="contact_list",
    )
    view = interview.screen()
    assert view.id == "contact_list"
    assert view.is_valid, dict(view.errors)
    assert len(view.items[1].entries) == args.contacts
    items = sum(len(entry.items) for entry in view.items[1].entries)

    answers = index_answers(args.contacts)

    def edit(run: int) -> object:
        key = f"contacts[{run % args.contacts}].face_to_face_minutes"
        return interview.with_answer(key, str(run % 40)).screen()

    def fresh(run: int) -> object:
        rebuilt = Interview(
            script,
            language="fr",
            rules=Rules(),
            today=TODAY,
            answers=answers,
            screen_id="contact_list",
        )
        return rebuilt.screen()

    caches = (values._phone, values._national_number, values._parse_date_text)
    for label, step in (("edit one contact", edit), ("whole state from scratch", fresh)):
        timings: list[float] = []
        for run in range(args.runs):
            if args.cold:
                for cached in caches:
                    cached.cache_clear()
            start = time.perf_counter()
            step(run)
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        median = statistics.median(timings)
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        print(
            f"index-first-call, {args.contacts} contacts ({items} visible contact items), "
            f"{label}{', cold caches' if args.cold else ''}: "
            f"median {median:.2f} ms, p95 {p95:.2f} ms (target <= 5 ms)"
        )


if __name__ == "__main__":
    main()
