"""Personal information in a caption is blocked with its span marked; the school's own published details pass."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("number", [
    "020 7946 0018",  # London landline
    "01632 960 001",  # area code landline
    "07700 900123",  # mobile
    "07700900123",  # mobile, unspaced
    "+44 7700 900123",  # international
    "+44 (0)20 7946 0018",
    "01632.960.001",  # dotted
    "07700.900.123",
    "(020) 7946-0018",
])
def test_uk_telephone_numbers_in_every_common_format_are_blocked(check, number):
    """Each format is found exactly, blocked, and can be removed with one click."""
    caption = f"Questions? Ring {number} after school."
    assert check(caption, "phone") == [(number, "blocked", set())]


def test_the_span_of_a_number_is_its_place_in_the_caption(checker):
    """start and end index the caption as typed, so the window can mark it."""
    caption = "Ring Jo on 07700 900123 today"
    [finding] = checker.check(caption).findings
    assert caption[finding.start:finding.end] == "07700 900123" and finding.fix == ""


def test_the_schools_switchboard_is_allowed_in_any_format(check):
    """The switchboard from the school's contacts file passes however it is written."""
    assert check("Call the office on 01632 960000 or +44 1632 960000", "phone") == [
        ("01632 960000", "allowed", set()), ("+44 1632 960000", "allowed", set())]


def test_scores_years_and_times_are_not_telephone_numbers(check):
    """Short runs of digits (a score, a year, a date) are not taken for numbers."""
    assert check("We won 12 34 56 in 2026, on 12.03.2026 at 10.30", "phone") == []


def test_email_addresses_are_blocked_and_the_office_address_allowed(check):
    """A personal address is blocked; the school's published office address is allowed (any case)."""
    assert check("Email jo.bloggs+trip@gmail.com or Office@RavensWood.example.", "email") == [
        ("jo.bloggs+trip@gmail.com", "blocked", set()), ("Office@RavensWood.example", "allowed", set())]


@pytest.mark.parametrize("postcode", ["SE18 6AB", "se18 6ab", "SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "EC1A1BB"])
def test_uk_postcodes_are_blocked(check, postcode):
    """Postcodes of every shape, with or without the space, are found."""
    assert check(f"Drop off at {postcode} please", "postcode") == [(postcode, "blocked", set())]


def test_the_schools_postcode_is_allowed_and_words_are_not_postcodes(check):
    """BR0 0AA is the school's own; 'at4pm' and 'me2you' in lower case with no space are not postcodes."""
    assert check("Ravens Wood School, BR0 0AA. See you at4pm", "postcode") == [("BR0 0AA", "allowed", set())]


@pytest.mark.parametrize("address", ["12 Acacia Avenue", "3a High Street", "221 Baker St", "7, Oakley Road", "Flat 2, 14 Mill Lane",
                                     "45 st johns close"])
def test_house_number_and_street_addresses_are_blocked(check, address):
    """A house number followed by a street name and a street word is an address, in either case."""
    assert check(f"The party is at {address} on Friday", "address") == [(address, "blocked", set())]


def test_the_schools_street_address_is_allowed_and_counts_are_not_addresses(check):
    """The school's own street passes; '3 goals in the park' and 'Year 7 pupils walk' are not addresses."""
    assert check("Come to 1 Example Road. We scored 3 goals in the park; 2 pupils walk to school", "address") == [
        ("1 Example Road", "allowed", set())]


@pytest.mark.parametrize("caption, date_text", [
    ("Amelia Khan (12/03/2014) won", "12/03/2014"),  # her recorded date of birth
    ("Happy birthday Amelia Khan, 12 March!", "12 March"),  # her birthday, no year
    ("Jack Smith, born 4th May 2013, won", "4th May 2013"),  # after "born"
    ("DOB: 2013-05-04", "2013-05-04"),  # after "DOB", with no name
    ("Will Turner 30/06/2012 in the relay", "30/06/2012"),  # next to a name, years back
    ("Jack Smith was born on March 3, 2013", "March 3, 2013"),
])
def test_dates_of_birth_next_to_a_name_are_blocked(check, caption, date_text):
    """A date after a birth word, equal to a named person's recorded birth date, or years back beside a name is blocked."""
    assert (date_text, "blocked", set()) in check(caption, "date_of_birth")


def test_event_dates_are_not_dates_of_birth(check):
    """A recent date beside a name, or any date with no name near it, is an event, not a birth date."""
    assert check("Amelia Khan won on 28/11/2026. Sports day is 14 July 2027.", "date_of_birth") == []
