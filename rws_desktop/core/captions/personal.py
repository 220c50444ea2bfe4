"""Personal information in a caption (policy 2.3): telephone numbers, email addresses, postcodes,
house-number-plus-street addresses, and dates of birth. The school's own published details pass."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

from .contacts import REGION, SchoolContacts, postcode_key, street_key
from .findings import Finding, FindingKind, Verdict
from .names import NamedPerson
from .text import fold

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# Outward code (letters then a digit, no space between) and inward code; GIR 0AA is Girobank's.
POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR) ?[0-9][ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE)
STREET_TYPES = (
    "road", "rd", "street", "st", "avenue", "ave", "lane", "ln", "close", "cl", "drive", "dr", "way", "crescent",
    "cres", "court", "ct", "place", "pl", "gardens", "gdns", "grove", "gr", "terrace", "terr", "hill", "park",
    "rise", "mews", "square", "sq", "walk", "row", "view", "green", "parade", "vale", "gate", "wharf", "yard",
)
# Words a street name is not made of, so "3 goals in the park" is no address.
_NOT_STREET = frozenset({"in", "the", "a", "an", "at", "on", "of", "to", "and", "for", "with", "by", "from", "our", "their",
                         "his", "her", "my", "your", "this", "that", "goals", "points", "pupils", "students", "years"})
ADDRESS = re.compile(
    r"\b(?:flat\s+\d+[a-z]?,?\s+)?\d{1,4}[a-z]?,?\s+((?:[A-Za-z][\w'’\-]*\s+){1,3})(" + "|".join(STREET_TYPES) + r")\b\.?",
    re.IGNORECASE,
)
MONTHS = {m: i for i, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
    ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
    ("dec", "december")), start=1) for m in names}
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_ORD = r"(?:st|nd|rd|th)?"
DATES = (
    (re.compile(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\b"), "dmy"),
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), "ymd"),
    (re.compile(r"\b(\d{1,2})" + _ORD + r"\s+(?:of\s+)?" + _MONTH + r"(?:,?\s+(\d{4}))?\b", re.IGNORECASE), "d month y"),
    (re.compile(r"\b" + _MONTH + r"\s+(\d{1,2})" + _ORD + r"(?:,?\s+(\d{4}))?\b", re.IGNORECASE), "month d y"),
)
BIRTH_WORDS = re.compile(r"\b(born|dob|d\.o\.b|date of birth|birthday|birth date|birthdate|b\.)\W*$", re.IGNORECASE)
NEAR_NAME = 40  # characters between a date and a name for the date to be "next to" it
RECENT_YEARS = 4  # a date this many years back or more, next to a name, reads as a birth date, not an event


@dataclass(frozen=True)
class FoundDate:
    start: int
    end: int
    day: int
    month: int
    year: int | None


def phones(caption: str, contacts: SchoolContacts) -> list[Finding]:
    found = []
    for match in PhoneNumberMatcher(caption, REGION, leniency=Leniency.POSSIBLE):
        number = match.number
        # POSSIBLE also takes short runs of digits ("12 34 56"); real UK numbers have 9 or 10 digits after the 0.
        if len(phonenumbers.national_significant_number(number)) < 9 and number.country_code == 44:
            continue
        if _looks_like_date(match.raw_string):
            continue
        if contacts.is_school_phone(match.raw_string):
            found.append(Finding(FindingKind.PHONE, match.start, match.end, match.raw_string, Verdict.ALLOWED,
                                 "the school's own published telephone number"))
        else:
            found.append(Finding(FindingKind.PHONE, match.start, match.end, match.raw_string, Verdict.BLOCKED,
                                 "a telephone number: the policy keeps personal information off the school's channels",
                                 fix="", fix_label="Remove the number"))
    return found


def _looks_like_date(text: str) -> bool:
    return any(pattern.fullmatch(text.strip()) for pattern, _ in DATES)


def emails(caption: str, contacts: SchoolContacts) -> list[Finding]:
    found = []
    for match in EMAIL.finditer(caption):
        text = match.group().rstrip(".")
        end = match.start() + len(text)
        if fold(text) in contacts.emails:
            found.append(Finding(FindingKind.EMAIL, match.start(), end, text, Verdict.ALLOWED, "the school's own published email address"))
        else:
            found.append(Finding(FindingKind.EMAIL, match.start(), end, text, Verdict.BLOCKED,
                                 "an email address: the policy keeps personal information off the school's channels",
                                 fix="", fix_label="Remove the address"))
    return found


def postcodes(caption: str, contacts: SchoolContacts) -> list[Finding]:
    found = []
    for match in POSTCODE.finditer(caption):
        text = match.group()
        if not any(c.isupper() for c in text) and " " not in text:
            continue  # "ab12cd" in lower case with no space is more likely a code or a word than a postcode
        if postcode_key(text) in contacts.postcodes:
            found.append(Finding(FindingKind.POSTCODE, match.start(), match.end(), text, Verdict.ALLOWED, "the school's own postcode"))
        else:
            found.append(Finding(FindingKind.POSTCODE, match.start(), match.end(), text, Verdict.BLOCKED,
                                 "a postcode: address details are personal information", fix="", fix_label="Remove the postcode"))
    return found


def addresses(caption: str, contacts: SchoolContacts) -> list[Finding]:
    found = []
    for match in ADDRESS.finditer(caption):
        street_words = [fold(w) for w in match.group(1).split()]
        if any(w in _NOT_STREET for w in street_words):
            continue
        text = match.group()
        if text.endswith(".") and fold(match.group(2)) not in ("st", "rd", "ave", "dr", "cl", "ct", "pl", "gr", "sq"):
            text = text[:-1]  # a full stop ending the sentence, not an abbreviation's
        end = match.start() + len(text)
        if street_key(text) in contacts.streets:
            found.append(Finding(FindingKind.ADDRESS, match.start(), end, text, Verdict.ALLOWED, "the school's own address"))
        else:
            found.append(Finding(FindingKind.ADDRESS, match.start(), end, text, Verdict.BLOCKED,
                                 "a house number and street: address details are personal information",
                                 fix="", fix_label="Remove the address"))
    return found


def dates(caption: str) -> list[FoundDate]:
    found: list[FoundDate] = []
    for pattern, order in DATES:
        for match in pattern.finditer(caption):
            parsed = _parse(match, order)
            if parsed and not any(d.start < match.end() and match.start() < d.end for d in found):
                found.append(FoundDate(match.start(), match.end(), *parsed))
    return sorted(found, key=lambda d: d.start)


def _parse(match: re.Match, order: str) -> tuple[int, int, int | None] | None:
    groups = match.groups()
    try:
        if order == "dmy":
            day, month, year = int(groups[0]), int(groups[1]), int(groups[2])
            year = year + 2000 if year < 100 and year <= date.today().year % 100 else (year + 1900 if year < 100 else year)
        elif order == "ymd":
            year, month, day = int(groups[0]), int(groups[1]), int(groups[2])
        elif order == "d month y":
            day, month, year = int(groups[0]), MONTHS[fold(groups[1]).rstrip(".")], int(groups[2]) if groups[2] else None
        else:
            month, day, year = MONTHS[fold(groups[0]).rstrip(".")], int(groups[1]), int(groups[2]) if groups[2] else None
        date(year or 2000, month, day)
    except (ValueError, KeyError):
        return None
    return day, month, year


def dates_of_birth(caption: str, names: list[Finding], people: dict[int, NamedPerson], today: date) -> list[Finding]:
    """Dates that read as someone's birth date: after a word like "born" or "DOB"; next to a name and
    years back; or next to a name and equal to that person's recorded date of birth."""
    found = []
    for when in dates(caption):
        near = [n for n in names if _distance(n, when) <= NEAR_NAME]
        reason = None
        if BIRTH_WORDS.search(caption[max(0, when.start - 25):when.start]):
            reason = "a date of birth"
        elif near and any(_is_birthday_of(when, people[i]) for n in near for i in n.person_ids):
            reason = "the date of birth of someone named beside it"
        elif near and when.year is not None and when.year <= today.year - RECENT_YEARS:
            reason = "a date years back, next to a name: it reads as a date of birth"
        if reason:
            found.append(Finding(FindingKind.DATE_OF_BIRTH, when.start, when.end, caption[when.start:when.end], Verdict.BLOCKED,
                                 f"{reason}; dates of birth are personal information", fix="", fix_label="Remove the date"))
    return found


def _distance(name: Finding, when: FoundDate) -> int:
    if name.end <= when.start:
        return when.start - name.end
    if when.end <= name.start:
        return name.start - when.end
    return 0


def _is_birthday_of(when: FoundDate, person: NamedPerson) -> bool:
    born = person.date_of_birth
    return born is not None and (born.day, born.month) == (when.day, when.month) and when.year in (None, born.year)
