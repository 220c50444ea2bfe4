"""The school's own published contact details, which a caption may give (resources/school_contacts.toml).

Until the office fills the file in, it is marked `placeholder = true` and nothing in it is taken as the
school's: every telephone number, email address, postcode and street address in a caption is blocked,
and the post checklist and `rws post` say plainly that the details are not set.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import phonenumbers

from .text import fold

REGION = "GB"
CONTACTS_FILE = "school_contacts.toml"
NOT_SET_NOTE = ("The school's own contact details are not set (resources/school_contacts.toml holds placeholders), "
                "so every telephone number, email address, postcode and street address in a caption is blocked, "
                "the school's own included. Ask whoever looks after the app to fill them in.")


@dataclass(frozen=True)
class SchoolContacts:
    phones: frozenset[str] = frozenset()  # E.164, "+441632960000"
    emails: frozenset[str] = frozenset()  # folded
    websites: frozenset[str] = frozenset()  # domains, folded, without "www."
    postcodes: frozenset[str] = frozenset()  # folded, without spaces
    streets: frozenset[str] = frozenset()  # "12 example road", folded, single-spaced
    is_set: bool = True  # False: the file is missing or still holds placeholders, so none is the school's

    @classmethod
    def from_toml(cls, path: Path) -> "SchoolContacts":
        with open(path, "rb") as handle:
            table = tomllib.load(handle).get("school", {})
        if table.get("placeholder", False) is not False:
            return cls(is_set=False)  # placeholders are never taken as the school's (they may be someone's number)
        return cls.of(table.get("phones", ()), table.get("emails", ()), table.get("websites", ()),
                      table.get("postcodes", ()), table.get("streets", ()))

    @classmethod
    def of(cls, phones=(), emails=(), websites=(), postcodes=(), streets=()) -> "SchoolContacts":
        return cls(
            frozenset(e164(p) for p in phones if e164(p)),
            frozenset(fold(e) for e in emails),
            frozenset(domain_of(w) for w in websites),
            frozenset(postcode_key(p) for p in postcodes),
            frozenset(street_key(s) for s in streets),
        )

    def not_set_note(self) -> str:
        """What the post checklist and `rws post` say when the details are not set; empty when they are."""
        return "" if self.is_set else NOT_SET_NOTE

    def is_school_phone(self, number: str) -> bool:
        return e164(number) in self.phones

    def is_school_website(self, url: str) -> bool:
        domain = domain_of(url)
        return any(domain == site or domain.endswith("." + site) for site in self.websites)


def load_school_contacts(resources: Path) -> SchoolContacts:
    """The contacts file in the app's resources folder; none (so every number is blocked) when it is missing
    or still holds placeholders."""
    path = resources / CONTACTS_FILE
    return SchoolContacts.from_toml(path) if path.is_file() else SchoolContacts(is_set=False)


def e164(number: str) -> str | None:
    try:
        return phonenumbers.format_number(phonenumbers.parse(number, REGION), phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        return None


def domain_of(url: str) -> str:
    text = fold(url.strip())
    for prefix in ("https://", "http://"):
        if text.startswith(prefix):
            text = text[len(prefix):]
    text = text.split("/")[0].split("?")[0].split(":")[0]
    return text[4:] if text.startswith("www.") else text


def postcode_key(text: str) -> str:
    return "".join(fold(text).split())


def street_key(text: str) -> str:
    return " ".join(fold(text).replace(",", " ").split())
