"""Year end (grants expire unless renewed), bulk leavers, and the list of consents expiring soon."""
from __future__ import annotations

from datetime import date

import pytest

from register_helpers import audit_entries, give_reference_faces
from rws_desktop.core.kernel.consent import ALL_CHANNELS, ConsentStatus
from rws_desktop.core.register.expiry import expiring_consents
from rws_desktop.core.register.mis_csv import read_csv
from rws_desktop.core.register.mis_import import MisImportService
from rws_desktop.core.kernel.ports import NewPerson, PersonNotFound, RegisterError
from rws_desktop.core.register.year_end import YearEndAction, YearEndService

TODAY = date(2027, 7, 10)
YEAR_END = date(2027, 8, 31)
GRANTED = ConsentStatus.GRANTED


@pytest.fixture
def school(register):
    """Four made-up pupils with this year's grants, a refusal, next year's form entered early, and a Year 13 leaver."""
    ids = {}
    for key, draft in {
        "ada": NewPerson("Ada Birch", mis_id="Y1", year_group=9),
        "ben": NewPerson("Ben Cole", mis_id="Y2", year_group=9),
        "cal": NewPerson("Cal Dunn", mis_id="Y3", year_group=13),
        "dot": NewPerson("Dot Eyre", mis_id="Y4", year_group=13),
    }.items():
        ids[key] = register.add_person(draft, TODAY).id
    register.set_photo_consent(ids["ada"], ALL_CHANNELS, GRANTED, date(2026, 9, 4))
    register.set_photo_consent(ids["ada"], "instagram", GRANTED, date(2026, 9, 4), date(2029, 8, 31))
    register.set_photo_consent(ids["ben"], ALL_CHANNELS, GRANTED, date(2026, 9, 4))
    register.set_photo_consent(ids["ben"], "whatsapp", ConsentStatus.REFUSED, date(2026, 9, 4))
    register.set_photo_consent(ids["cal"], ALL_CHANNELS, GRANTED, date(2026, 9, 4))
    register.set_photo_consent(ids["dot"], ALL_CHANNELS, GRANTED, date(2027, 9, 2))
    return ids


def plan_rows(plan):
    return [(c.person.name, c.consent.channel, c.action, c.new_expiry, c.note) for c in plan.changes]


def test_year_end_expires_every_running_grant_unless_renewed(store, office, school):
    """Ben is renewed for a year; Ada's grants (even one recorded to run to 2029) stop at the year end;
    refusals and next year's forms are untouched."""
    service = YearEndService(store, office)
    plan = service.preview_year_end(YEAR_END, renew=[school["ben"]])
    assert plan.next_year_end == date(2028, 8, 31)
    assert plan_rows(plan) == [
        ("Ada Birch", ALL_CHANNELS, YearEndAction.EXPIRE, YEAR_END, ""),
        ("Ada Birch", "instagram", YearEndAction.EXPIRE, YEAR_END, ""),
        ("Cal Dunn", ALL_CHANNELS, YearEndAction.EXPIRE, YEAR_END, ""),
        ("Ben Cole", ALL_CHANNELS, YearEndAction.RENEW, date(2028, 8, 31), ""),
    ]
    assert [p.name for p in plan.people(YearEndAction.EXPIRE)] == ["Ada Birch", "Cal Dunn"]
    assert [c.writes for c in plan.changes] == [False, True, False, True]


def test_applying_the_year_end_writes_the_plan_in_one_audited_change(store, office, register, school):
    """Applying stores the new expiry dates, logs each changed record and a summary, and a second run changes nothing."""
    service = YearEndService(store, office)
    entries_before = len(audit_entries(store))
    service.apply_year_end(YEAR_END, renew=[school["ben"]])
    with store.transaction() as tx:
        ada = {c.channel: c for c in tx.register.photo_consents(school["ada"])}
        ben = {c.channel: c for c in tx.register.photo_consents(school["ben"])}
    assert ada["instagram"].expires_on == YEAR_END and ada[ALL_CHANNELS].expires_on == YEAR_END
    assert ben[ALL_CHANNELS].expires_on == date(2028, 8, 31) and ben["whatsapp"].status is ConsentStatus.REFUSED
    new = audit_entries(store)[entries_before:]
    assert [(e["kind"], e.get("person_id"), e.get("via")) for e in new] == [
        ("photo_consent_set", school["ada"], "year_end_expire"),
        ("photo_consent_set", school["ben"], "year_end_renew"),
        ("year_end_applied", None, None),
    ]
    assert new[-1]["renewed"] == [school["ben"]] and new[-1]["expired"] == [school["ada"], school["cal"]]
    entries = audit_entries(store)
    service.apply_year_end(YEAR_END, renew=[school["ben"]])
    assert audit_entries(store) == entries


def test_a_leaver_is_never_renewed(store, office, register, school):
    """Putting a leaver on the renew list still lets their grant expire, and the plan says why."""
    register.mark_left(school["cal"], date(2027, 7, 16))
    plan = YearEndService(store, office).preview_year_end(YEAR_END, renew=[school["cal"]])
    (cal,) = [c for c in plan.changes if c.person.id == school["cal"]]
    assert (cal.action, cal.note) == (YearEndAction.EXPIRE, "has left: not renewed")


def test_the_year_end_must_be_31_august(store, office, school):
    """Consent years end on 31 August; another date is refused rather than guessed at."""
    with pytest.raises(RegisterError, match="ends on 31 August, not 20 Jul 2027"):
        YearEndService(store, office).preview_year_end(date(2027, 7, 20))


def test_year_13_leavers_are_previewed_then_marked_with_their_faces_deleted(store, office, register, school):
    """The Year 13 list is only a preview; marking them sets the leaving date and deletes reference faces in one change."""
    give_reference_faces(store, school["cal"], 2, TODAY)
    service = YearEndService(store, office)
    candidates = service.preview_leavers(year_group=13)
    assert [(c.person.name, c.reason, c.reference_faces) for c in candidates] == [
        ("Cal Dunn", "in Year 13", 2), ("Dot Eyre", "in Year 13", 0)
    ]
    assert register.person(school["cal"]).leaving_date is None
    assert service.mark_leavers([c.person.id for c in candidates], date(2027, 7, 16)) == {school["cal"]: 2, school["dot"]: 0}
    assert register.person(school["dot"]).leaving_date == date(2027, 7, 16)
    assert register.reference_faces(school["cal"]) == []
    assert [e["kind"] for e in audit_entries(store)[-2:]] == ["person_left", "person_left"]
    assert service.preview_leavers(year_group=13) == []


def test_marking_leavers_is_all_or_nothing(store, office, register, school):
    """An unknown id in the list stops the whole change: nobody is marked."""
    with pytest.raises(PersonNotFound):
        YearEndService(store, office).mark_leavers([school["cal"], 999], TODAY)
    assert register.person(school["cal"]).leaving_date is None


def test_pupils_missing_from_a_full_mis_export_are_offered_as_leavers(store, office, school):
    """Pupils absent from the export are listed as possible leavers, not marked."""
    table = read_csv(b"UPN,Surname,Forename\r\nY1,Birch,Ada\r\nY3,Dunn,Cal\r\n")
    preview = MisImportService(store, office).preview(table, None, TODAY)
    candidates = YearEndService(store, office).preview_leavers(absent_from=preview)
    assert [(c.person.name, c.reason) for c in candidates] == [
        ("Ben Cole", "not in the MIS export"), ("Dot Eyre", "not in the MIS export")
    ]


def test_expiring_soon_lists_grants_lapsing_within_30_days(store, register, school):
    """Grants in force that lapse within the window are listed soonest first; refusals, withdrawn people and leavers are not."""
    register.set_photo_consent(school["ben"], "instagram", GRANTED, date(2026, 9, 4), date(2027, 7, 12))
    register.set_photo_consent(school["cal"], ALL_CHANNELS, ConsentStatus.WITHDRAWN, date(2027, 6, 1))
    found = expiring_consents(store, date(2027, 8, 5))
    assert [(e.person.name, e.consent.channel, e.days_left) for e in found] == [
        ("Ada Birch", ALL_CHANNELS, 26), ("Ben Cole", ALL_CHANNELS, 26)
    ]
    soon = expiring_consents(store, TODAY, within_days=2)
    assert [(e.person.name, e.consent.channel, e.consent.expires_on) for e in soon] == [
        ("Ben Cole", "instagram", date(2027, 7, 12))
    ]
    register.mark_left(school["ada"], date(2027, 8, 1))
    assert [e.person.name for e in expiring_consents(store, date(2027, 8, 5))] == ["Ben Cole"]
