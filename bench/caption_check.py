"""Caption checking as someone types, on a 2,000-person register: the time per keystroke.

    uv run python bench/caption_check.py [--people 2000] [--repeat 3]

Makes a register of made-up pupils and staff (names combined at random from short lists, so many share
a forename, as 14 Jacks would), with consent for Instagram granted, granted with name permission, refused
or missing. Indexes it once, as the Post panel does when it opens, then types a 400-character caption one
character at a time and checks the whole caption after every keystroke, as the editor does. Prints the
index build time and the per-keystroke time (median, 95th percentile, worst) for the full check (names,
telephone numbers, emails, postcodes, addresses, dates of birth, links, messages) and for names alone.
The issue's target: under 50 ms per keystroke.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from rws_desktop.core.captions.check import CaptionChecker  # noqa: E402
from rws_desktop.core.captions.contacts import load_school_contacts  # noqa: E402
from rws_desktop.core.captions.names import NameIndex  # noqa: E402
from rws_desktop.core.kernel.channels import ChannelCatalogue  # noqa: E402
from rws_desktop.core.kernel.consent import ALL_CHANNELS, ConsentStatus, Person, PersonKind, PhotoConsent  # noqa: E402
from rws_desktop.paths import channels_file, resources_dir  # noqa: E402

TODAY = date(2026, 12, 1)
FORENAMES = ("Amelia", "Jack", "Oliver", "Isla", "Noah", "Ava", "Leo", "Mia", "Harry", "Grace", "Will", "May", "Rose",
             "Hope", "Summer", "Siobhán", "Chloé", "Zoë", "Aarav", "Fatima", "Kofi", "Mei", "Olu", "Priya", "Sean",
             "Tomasz", "Yusuf", "Ellie", "Freddie", "Lily", "Max", "Ruby", "Sam", "Theo", "Evie", "Jacob", "Amir")
SURNAMES = ("Khan", "Smith", "Jones", "Brown", "O'Brien", "Dubois", "Patel", "Okafor", "Nowak", "Li", "Evans", "Hughes",
            "Taylor", "Wilson", "Davies", "Ahmed", "Begum", "Clarke", "van Dijk", "Murphy", "Shah", "Wood", "Walker",
            "Singh", "Mensah", "Kowalski", "Hall", "Green", "Baker", "Ward", "Turner", "Hill", "Moore", "Young")
CAPTION = (
    "What a day at the Year 7 sports festival! Well done to Amelia Khan, Jack and #SiobhanOBrien for the relay,\n"
    "and thanks to Mrs Smith and Mr. Okafor for organising. Will you join us next year? Grace Patel's team won\n"
    "the tug of war. Questions: ring the office on 01632 960000 or email office@ravenswood.example. More photos\n"
    "on https://ravenswood.example/news and @ravens.wood.school #RWSsport #proud"
)


def make_register(count: int, seed: int = 17):
    rng = random.Random(seed)
    people, consents = [], {}
    for number in range(1, count + 1):
        staff = number % 15 == 0
        # One in ten goes by a preferred forename, with the legal one in its own column (as the MIS import keeps it).
        legal = rng.choice(FORENAMES) if number % 10 == 0 else None
        person = Person(number, f"{rng.choice(FORENAMES)} {rng.choice(SURNAMES)}",
                        PersonKind.STAFF if staff else PersonKind.PUPIL, year_group=None if staff else 7 + number % 7,
                        legal_forename=legal)
        people.append(person)
        state = rng.choice(("named", "shown", "refused", "none"))
        if state != "none":
            status = ConsentStatus.REFUSED if state == "refused" else ConsentStatus.GRANTED
            consents[number] = [PhotoConsent(number, ALL_CHANNELS, status, date(2026, 9, 1), may_be_named=state == "named")]
    return people, consents


def per_keystroke(check, caption: str, repeat: int) -> list[float]:
    timings = []
    for _ in range(repeat):
        for end in range(1, len(caption) + 1):
            text = caption[:end]
            start = time.perf_counter()
            check(text)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def summary(timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"median {statistics.median(ordered):.2f} ms, 95th percentile {p95:.2f} ms, worst {ordered[-1]:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="times the caption is typed")
    args = parser.parse_args()
    channels = ChannelCatalogue.from_toml(channels_file())
    people, consents = make_register(args.people)
    start = time.perf_counter()
    index = NameIndex.build(people, consents, channels.get("instagram"), TODAY)
    built = (time.perf_counter() - start) * 1000
    checker = CaptionChecker(index, load_school_contacts(resources_dir()), channels, TODAY)
    jacks = sum(1 for p in people if p.name.startswith("Jack "))
    print(f"{args.people} people ({jacks} called Jack); index built once in {built:.0f} ms")
    report = checker.check(CAPTION)
    print(f"caption of {len(CAPTION)} characters, typed {args.repeat} times; final check: {len(report.findings)} findings, "
          f"{len(report.blocking)} blocking")
    print(f"full check per keystroke: {summary(per_keystroke(checker.check, CAPTION, args.repeat))}")
    print(f"names only per keystroke: {summary(per_keystroke(index.find, CAPTION, args.repeat))}")


if __name__ == "__main__":
    main()
