"""The people table as a core query: search as you type, each filter, and sorting."""
from __future__ import annotations

from datetime import date

import pytest

from register_helpers import give_reference_faces
from rws_desktop.core.kernel.consent import ALL_CHANNELS, ConsentStatus, FaceConsent, PersonKind
from rws_desktop.core.register.people_query import PeopleFilter, PeopleSnapshot, SortKey
from rws_desktop.core.kernel.ports import NewPerson

TODAY = date(2026, 11, 24)


@pytest.fixture
def people(register, store) -> dict[str, int]:
    """Six made-up people: pupils in Years 7, 9 and 12, a leaver, and two staff."""
    drafts = {
        "zoe": NewPerson("Zoë Ashby", mis_id="K100", year_group=7, form="7RW"),
        "amir": NewPerson("Amir Castle", mis_id="K200", year_group=9, form="9AB"),
        "bea": NewPerson("Bea Castle", mis_id="K300", year_group=12, form="12X"),
        "leaver": NewPerson("Lou Dorn", mis_id="K400", year_group=12, form="12X"),
        "teacher": NewPerson("Ms Ferne", kind=PersonKind.STAFF, form="9AB"),
        "head": NewPerson("Dr Ames", kind=PersonKind.STAFF),
    }
    ids = {key: register.add_person(draft, TODAY).id for key, draft in drafts.items()}
    register.mark_left(ids["leaver"], date(2026, 7, 20))
    register.set_photo_consent(ids["zoe"], ALL_CHANNELS, ConsentStatus.GRANTED, date(2026, 9, 1))
    register.set_photo_consent(ids["amir"], "instagram", ConsentStatus.GRANTED, date(2026, 9, 1), date(2026, 12, 10))
    register.set_photo_consent(ids["bea"], ALL_CHANNELS, ConsentStatus.GRANTED, date(2026, 9, 1))
    register.set_photo_consent(ids["bea"], "instagram", ConsentStatus.WITHDRAWN, date(2026, 10, 1))
    register.set_photo_consent(ids["teacher"], "whatsapp", ConsentStatus.REFUSED, date(2026, 9, 1))
    give_reference_faces(store, ids["zoe"], 2, TODAY)
    give_reference_faces(store, ids["teacher"], 1, TODAY)
    return ids


def names(rows) -> list[str]:
    return [row.person.name for row in rows]


@pytest.mark.parametrize("text, expected", [
    ("", ["Amir Castle", "Bea Castle", "Dr Ames", "Ms Ferne", "Zoë Ashby"]),
    ("castle", ["Amir Castle", "Bea Castle"]),
    ("zoe", ["Zoë Ashby"]),
    ("ASH", ["Zoë Ashby"]),
    ("k200", ["Amir Castle"]),
    ("9ab", ["Amir Castle", "Ms Ferne"]),
    ("castle 12", ["Bea Castle"]),
    ("nobody", []),
], ids=["empty", "surname", "accent-free", "any-case", "mis-id", "form", "all-words", "no-match"])
def test_search_as_you_type_matches_name_mis_id_and_form(store, people, text, expected):
    """Every word typed must appear in the name, MIS id or form, ignoring case and accents; leavers stay hidden."""
    assert names(PeopleSnapshot.load(store, TODAY).query(PeopleFilter(text=text))) == expected


@pytest.mark.parametrize("wanted, expected", [
    (PeopleFilter(kind=PersonKind.STAFF), ["Dr Ames", "Ms Ferne"]),
    (PeopleFilter(kind=PersonKind.PUPIL), ["Amir Castle", "Bea Castle", "Zoë Ashby"]),
    (PeopleFilter(year_group=12), ["Bea Castle"]),
    (PeopleFilter(form="9ab"), ["Amir Castle", "Ms Ferne"]),
    (PeopleFilter(enrolled=True), ["Ms Ferne", "Zoë Ashby"]),
    (PeopleFilter(enrolled=False), ["Amir Castle", "Bea Castle", "Dr Ames"]),
    (PeopleFilter(leavers=True), ["Lou Dorn"]),
    (PeopleFilter(leavers=None, year_group=12), ["Bea Castle", "Lou Dorn"]),
    (PeopleFilter(channel="instagram", consent=frozenset({FaceConsent.GRANTED})), ["Amir Castle", "Zoë Ashby"]),
    (PeopleFilter(channel="instagram", consent=frozenset({FaceConsent.WITHDRAWN, FaceConsent.REFUSED})), ["Bea Castle"]),
    (PeopleFilter(channel="whatsapp", consent=frozenset({FaceConsent.GRANTED})), ["Bea Castle", "Zoë Ashby"]),
    (PeopleFilter(channel="whatsapp", consent=frozenset({FaceConsent.NO_CONSENT})), ["Amir Castle", "Dr Ames"]),
    (PeopleFilter(channel="whatsapp", consent=frozenset({FaceConsent.LEFT}), leavers=None), ["Lou Dorn"]),
    (PeopleFilter(channel=ALL_CHANNELS, consent=frozenset({FaceConsent.GRANTED})), ["Bea Castle", "Zoë Ashby"]),
], ids=["staff", "pupils", "year", "form", "enrolled", "not-enrolled", "leavers-only", "leavers-too",
        "instagram-granted", "instagram-withdrawn-or-refused", "whatsapp-granted", "whatsapp-none", "whatsapp-left",
        "all-channels-granted"])
def test_each_filter_narrows_the_table(store, people, wanted, expected):
    """Kind, year, form, enrolment, leavers and consent state for a chosen channel each select the right people."""
    assert names(PeopleSnapshot.load(store, TODAY).query(wanted)) == expected


def test_rows_report_enrolment_and_consent_for_the_chosen_channel(store, people):
    """A row carries the reference-face count and the chosen channel's state, reason and expiry."""
    rows = {row.person.id: row for row in PeopleSnapshot.load(store, TODAY).query(PeopleFilter(channel="instagram"))}
    zoe, amir, bea = rows[people["zoe"]], rows[people["amir"]], rows[people["bea"]]
    assert (zoe.enrolled, zoe.recognisable, zoe.consent, zoe.expires_on) == (2, True, FaceConsent.GRANTED, date(2027, 8, 31))
    assert (amir.enrolled, amir.consent, amir.expires_on) == (0, FaceConsent.GRANTED, date(2026, 12, 10))
    assert bea.consent is FaceConsent.WITHDRAWN and bea.expires_on is None
    assert bea.consent_reason == "consent withdrawn 1 Oct 2026 for this channel"
    plain = PeopleSnapshot.load(store, TODAY).query(PeopleFilter())
    assert all(row.consent is None for row in plain)


def test_the_all_channels_view_names_the_channels_someone_granted_for_one_channel_may_be_shown_on(store, people):
    """Amir consents to Instagram only: in the all-channels view he is not shown everywhere, but his row lists
    Instagram rather than reading as no consent at all; Zoë (all channels) and Ms Ferne (refused) list none."""
    rows = {row.person.id: row for row in PeopleSnapshot.load(store, TODAY).query(PeopleFilter(channel=ALL_CHANNELS))}
    assert rows[people["amir"]].consent is not FaceConsent.GRANTED
    assert rows[people["amir"]].granted_channels == ("instagram",)
    assert rows[people["zoe"]].consent is FaceConsent.GRANTED and rows[people["zoe"]].granted_channels == ()
    assert rows[people["teacher"]].granted_channels == ()


@pytest.mark.parametrize("sort, descending, expected", [
    (SortKey.NAME, False, ["Amir Castle", "Bea Castle", "Dr Ames", "Ms Ferne", "Zoë Ashby"]),
    (SortKey.SURNAME, False, ["Dr Ames", "Zoë Ashby", "Amir Castle", "Bea Castle", "Ms Ferne"]),
    (SortKey.YEAR, False, ["Zoë Ashby", "Amir Castle", "Bea Castle", "Dr Ames", "Ms Ferne"]),
    (SortKey.YEAR, True, ["Bea Castle", "Amir Castle", "Zoë Ashby", "Dr Ames", "Ms Ferne"]),
    (SortKey.ENROLLED, True, ["Zoë Ashby", "Ms Ferne", "Amir Castle", "Bea Castle", "Dr Ames"]),
    (SortKey.CONSENT, False, ["Amir Castle", "Zoë Ashby", "Dr Ames", "Ms Ferne", "Bea Castle"]),
    (SortKey.EXPIRES, False, ["Amir Castle", "Zoë Ashby", "Bea Castle", "Dr Ames", "Ms Ferne"]),
], ids=["name", "surname", "year", "year-descending", "enrolled-descending", "consent", "expires"])
def test_columns_sort_with_blanks_last_and_ties_by_name(store, people, sort, descending, expected):
    """Each sortable column orders the rows; people without a value come last either way, ties go by name."""
    rows = PeopleSnapshot.load(store, TODAY).query(PeopleFilter(channel="instagram", sort=sort, descending=descending))
    assert names(rows) == expected


def test_snapshot_lists_year_groups_and_forms_for_the_filter_menus(store, people):
    """The filter menus offer the year groups and forms that exist in the register."""
    snapshot = PeopleSnapshot.load(store, TODAY)
    assert snapshot.year_groups() == [7, 9, 12]
    assert snapshot.forms() == ["12X", "7RW", "9AB"]
