"""The school's own contact details: placeholders are never taken as the school's, and the app says the
details are not set; filled in, they are allowed in a caption."""
from __future__ import annotations

from dataclasses import replace

from rws_desktop.core.captions.check import CaptionChecker
from rws_desktop.core.captions.contacts import CONTACTS_FILE, NOT_SET_NOTE, SchoolContacts, load_school_contacts
from rws_desktop.paths import resources_dir

CAPTION = "Call 01632 960000, email office@ravenswood.example, or write to 1 Example Road, BR0 0AA"


def verdicts(checker: CaptionChecker, caption: str) -> dict[str, str]:
    return {f.kind.value: f.verdict.value for f in checker.check(caption).findings}


def test_the_shipped_contacts_file_is_marked_as_placeholders_and_so_is_not_set():
    """resources/school_contacts.toml holds placeholders (the real contacts were not available): loaded, nothing
    in it counts as the school's, and the note says so plainly."""
    contacts = load_school_contacts(resources_dir())
    assert not contacts.is_set and contacts.not_set_note() == NOT_SET_NOTE
    assert not contacts.is_school_phone("01632 960000") and not contacts.emails and not contacts.postcodes
    assert "not set" in NOT_SET_NOTE and "blocked" in NOT_SET_NOTE


def test_placeholder_numbers_are_blocked_not_allowed(checker):
    """With the contacts not set, the placeholder phone, email, street and postcode in a caption are all blocked."""
    unset = CaptionChecker(checker.names, SchoolContacts(is_set=False), checker.channels, checker.today)
    assert verdicts(unset, CAPTION) == {"phone": "blocked", "email": "blocked", "address": "blocked", "postcode": "blocked"}


def test_filled_in_contacts_are_allowed_and_a_missing_file_is_not_set(tmp_path, checker):
    """The office fills the file in and deletes the placeholder line: the school's details are allowed. A missing
    file is treated as not set."""
    (tmp_path / CONTACTS_FILE).write_text(
        '[school]\nphones = ["01632 960000"]\nemails = ["office@ravenswood.example"]\nwebsites = ["ravenswood.example"]\n'
        'streets = ["1 Example Road"]\npostcodes = ["BR0 0AA"]\n', encoding="utf-8")
    contacts = load_school_contacts(tmp_path)
    assert contacts.is_set and contacts.not_set_note() == ""
    filled = CaptionChecker(checker.names, contacts, checker.channels, checker.today)
    assert verdicts(filled, CAPTION) == {"phone": "allowed", "email": "allowed", "address": "allowed", "postcode": "allowed"}
    assert not load_school_contacts(tmp_path / "elsewhere").is_set
    assert replace(contacts, is_set=False).not_set_note() == NOT_SET_NOTE
