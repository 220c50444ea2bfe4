"""Importing pupils from an MIS export: the preview marks every row, the import takes the valid rows in short transactions."""
from __future__ import annotations

from datetime import date

import pytest

from register_helpers import audit_entries, give_reference_faces
from rws_desktop.core.kernel.consent import ALL_CHANNELS, ConsentStatus, PersonKind
from rws_desktop.core.register.mis_csv import parse_mapping, read_csv
from rws_desktop.core.register import mis_import
from rws_desktop.core.register.mis_import import FieldChange, MisImportService, RowStatus
from rws_desktop.core.kernel.ports import NewPerson

TODAY = date(2026, 11, 24)
HEADER = "UPN,Legal Surname,Legal Forename,Preferred Forename,Year,Reg Group,DOB"
ROWS = [
    "K1001,Ashby,Zoë,,Year 7,7RW,02/03/2014",       # 2 new (accented name)
    "K1002,Castle,Amirah,Amy,Y8,8AB,2013-01-31",     # 3 new, goes by her preferred name
    "K1003,Dorn,Lou,,9,9C,14/05/2012",               # 4 changed: the register has her in Year 8, 8C
    "K1004,Ewe,Kit,,10,10D,01/10/2011",              # 5 unchanged
    "K1002,Castle,Amirah,Amy,Y8,8AB,2013-01-31",     # 6 an exact duplicate of row 3
    "K1005,Fox,Rae,,9,9C,31/02/2012",                # 7 bad date
    "K1006,Gale,Ivo,,Reception,R,01/01/2020",        # 8 unknown year
    "K1007,,,,7,7RW,01/01/2014",                     # 9 missing name
    "K1008,Hale,Ned,,7,7RW,05/05/2014",              # 10 same id as row 11 but different details
    "K1008,Hale,Ted,,7,7RW,05/05/2014",              # 11
    ",Ince,Ola,,7,7RW,05/05/2014",                   # 12 no UPN
    "K1009,Jury,Pip,,8,8AB,2099-01-01",              # 13 born in the future
]


def export(tmp_path, rows=ROWS, header=HEADER, encoding="utf-8-sig"):
    """Write the export as Excel does: a byte-order mark and Windows line endings."""
    path = tmp_path / "arbor-export.csv"
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode(encoding))
    return read_csv(path.read_bytes())


@pytest.fixture
def existing(register):
    """Lou and Kit are already in the register; Mo has an MIS id but is missing from the export."""
    lou = register.add_person(NewPerson("Lou Dorn", mis_id="K1003", year_group=8, form="8C", date_of_birth=date(2012, 5, 14)), TODAY)
    kit = register.add_person(NewPerson("Kit Ewe", mis_id="K1004", year_group=10, form="10D", date_of_birth=date(2011, 10, 1)), TODAY)
    mo = register.add_person(NewPerson("Mo Kerr", mis_id="K0999", year_group=13, form="13A"), TODAY)
    register.add_person(NewPerson("Ms Lark", kind=PersonKind.STAFF), TODAY)
    return {"lou": lou, "kit": kit, "mo": mo}


def test_preview_marks_each_row_new_changed_unchanged_or_invalid_with_the_reason(store, office, existing, tmp_path):
    """Every row of an export with a BOM and Windows line endings gets its status, and invalid rows say why."""
    preview = MisImportService(store, office).preview(export(tmp_path), None, TODAY)
    got = {row.row: (row.status, row.reason) for row in preview.rows}
    assert got == {
        2: (RowStatus.NEW, ""),
        3: (RowStatus.NEW, ""),
        4: (RowStatus.CHANGED, ""),
        5: (RowStatus.UNCHANGED, ""),
        6: (RowStatus.INVALID, "duplicate of row 3"),
        7: (RowStatus.INVALID, "bad date of birth: '31/02/2012' is not a date (use dd/mm/yyyy)"),
        8: (RowStatus.INVALID, "unknown year 'Reception' (this school has Years 7 to 13)"),
        9: (RowStatus.INVALID, "missing name"),
        10: (RowStatus.INVALID, "MIS id K1008 is on rows 10, 11 with different details"),
        11: (RowStatus.INVALID, "MIS id K1008 is on rows 10, 11 with different details"),
        12: (RowStatus.INVALID, "missing UPN or admission number"),
        13: (RowStatus.INVALID, "The date of birth 1 Jan 2099 is in the future"),
    }
    rows = {row.row: row for row in preview.rows}
    assert rows[2].name == "Zoë Ashby" and rows[3].name == "Amy Castle"
    assert rows[4].changes == (FieldChange("year_group", 8, 9), FieldChange("form", "8C", "9C"))
    assert rows[4].person_id == existing["lou"].id
    assert [p.id for p in preview.absent] == [existing["mo"].id]
    assert preview.summary() == "12 rows: 2 new, 1 changed, 1 unchanged, 8 invalid; 1 current pupils not in the file"


def test_preview_changes_nothing(store, office, existing, tmp_path):
    """Previewing writes neither people nor audit entries."""
    entries = audit_entries(store)
    with store.transaction() as tx:
        people = tx.register.list_people()
    MisImportService(store, office).preview(export(tmp_path), None, TODAY)
    with store.transaction() as tx:
        assert tx.register.list_people() == people
    assert audit_entries(store) == entries


def test_import_takes_the_valid_rows_and_audits_each_person_by_id(store, office, register, existing, tmp_path):
    """New pupils are added and changed ones updated; each gets an audit entry with ids only, plus one summary."""
    entries_before = len(audit_entries(store))
    result = MisImportService(store, office).import_table(export(tmp_path), None, TODAY)
    assert (result.created, result.updated) == (2, 1)
    with store.transaction() as tx:
        zoe = tx.register.find_person_by_mis_id("K1001")
        amy = tx.register.find_person_by_mis_id("K1002")
        lou = tx.register.get_person(existing["lou"].id)
        assert all(tx.register.find_person_by_mis_id(m) is None for m in ("K1005", "K1006", "K1007", "K1008", "K1009"))
    assert (zoe.name, zoe.kind, zoe.year_group, zoe.form, zoe.date_of_birth) == ("Zoë Ashby", PersonKind.PUPIL, 7, "7RW", date(2014, 3, 2))
    assert amy.name == "Amy Castle"
    assert (lou.year_group, lou.form) == (9, "9C")
    assert register.person(existing["mo"].id).leaving_date is None  # missing from the file is never a leaver by itself
    new_entries = audit_entries(store)[entries_before:]
    assert [(e["kind"], e.get("person_id")) for e in new_entries] == [
        ("person_added", zoe.id), ("person_added", amy.id), ("person_updated", lou.id), ("mis_import", None),
    ]
    assert new_entries[2]["changed"] == ["year_group", "form"]
    assert new_entries[3] | {"at": None} == {
        "kind": "mis_import", "at": None, "user": "OFF", "file_sha256": export(tmp_path).sha256,
        "rows": 12, "created": 2, "changed": 1, "unchanged": 1, "invalid": 8,
    }
    text = str(new_entries)
    assert not any(name in text for name in ("Zo", "Castle", "Amy", "Dorn", "K1001"))


def test_reimporting_the_same_file_changes_nothing(store, office, existing, tmp_path):
    """A second import of the same export finds nothing new or changed and writes no audit entry."""
    service = MisImportService(store, office)
    service.import_table(export(tmp_path), None, TODAY)
    entries = audit_entries(store)
    again = service.import_table(export(tmp_path), None, TODAY)
    assert (again.created, again.updated) == (0, 0)
    assert again.preview.count(RowStatus.NEW) == again.preview.count(RowStatus.CHANGED) == 0
    assert again.preview.count(RowStatus.UNCHANGED) == 4
    assert audit_entries(store) == entries


def test_a_failed_write_undoes_its_whole_chunk(store, office, existing, tmp_path, monkeypatch):
    """If a write fails part-way through a chunk of rows (a small file is one chunk), none of that chunk's
    rows is imported and nothing is logged for it."""
    entries = audit_entries(store)

    def power_cut(self, person):
        raise RuntimeError("power cut")

    monkeypatch.setattr(register_class(store), "update_person", power_cut)
    with pytest.raises(RuntimeError, match="power cut"):
        MisImportService(store, office).import_table(export(tmp_path), None, TODAY)
    with store.transaction() as tx:
        assert tx.register.find_person_by_mis_id("K1001") is None  # row 2 was added before row 4 failed
    assert audit_entries(store) == entries


def test_a_long_import_commits_chunk_by_chunk_and_a_second_run_finishes_it(store, office, existing, tmp_path,
                                                                          monkeypatch):
    """Each chunk of rows is its own transaction, so other staff are not locked out for the whole import; a
    crash after the first chunk leaves those rows done, and importing the file again adds the rest and logs it."""
    monkeypatch.setattr(mis_import, "ROWS_PER_TRANSACTION", 1)
    repository = register_class(store)
    real_add = repository.add_person
    added = []

    def crash_on_the_second_new_pupil(self, new):
        if len(added) == 1:
            raise RuntimeError("killed")
        added.append(new.mis_id)
        return real_add(self, new)

    monkeypatch.setattr(repository, "add_person", crash_on_the_second_new_pupil)
    with pytest.raises(RuntimeError, match="killed"):
        MisImportService(store, office).import_table(export(tmp_path), None, TODAY)
    with store.transaction() as tx:
        assert tx.register.find_person_by_mis_id("K1001") is not None  # its own chunk committed
        assert tx.register.find_person_by_mis_id("K1002") is None
    monkeypatch.setattr(repository, "add_person", real_add)
    transactions = []
    real_transaction = store.transaction

    def counted():
        transactions.append(1)
        return real_transaction()

    monkeypatch.setattr(store, "transaction", counted)
    result = MisImportService(store, office).import_table(export(tmp_path), None, TODAY)
    assert (result.created, result.updated) == (1, 1)  # Amy added, Lou changed; Zoë was already in
    writing, transactions[:] = len(transactions), []
    MisImportService(store, office).import_table(export(tmp_path), None, TODAY)  # nothing left to write
    assert writing == len(transactions) + 2 + 1  # one transaction per row written, one for the summary entry
    assert [e["kind"] for e in audit_entries(store)][-1] == "mis_import"


def test_windows_1252_export_and_an_explicit_mapping(store, office, tmp_path):
    """An older Excel export in Windows-1252 with its own headers imports through an explicit mapping."""
    table = export(tmp_path, rows=["501,Zoë,Ashby,7,7RW"], header="Pupil No,First,Last,Yr,Tutor", encoding="cp1252")
    mapping = parse_mapping("mis_id=Pupil No,forename=First,surname=Last,form=Tutor")
    result = MisImportService(store, office).import_table(table, mapping, TODAY)
    assert result.created == 1
    with store.transaction() as tx:
        person = tx.register.find_person_by_mis_id("501")
    assert (person.name, person.year_group, person.form) == ("Zoë Ashby", 7, "7RW")


def test_a_blank_cell_never_clears_what_the_register_knows(store, office, existing, tmp_path):
    """An export with an empty form or date of birth leaves the register's values alone."""
    table = export(tmp_path, rows=["K1004,Ewe,Kit,,10,,"])
    preview = MisImportService(store, office).preview(table, None, TODAY)
    assert [row.status for row in preview.rows] == [RowStatus.UNCHANGED]


CONSENT_HEADER = "UPN,Surname,Forename,Photo Consent,Consent Date"


def test_consent_column_sets_all_channels_consent_only_when_newer(store, office, register, existing, tmp_path):
    """A newer answer in the export replaces the register's; an older one is kept back with a note; a same-day 'no' wins."""
    kit, lou = existing["kit"], existing["lou"]
    register.set_photo_consent(kit.id, ALL_CHANNELS, ConsentStatus.WITHDRAWN, date(2026, 10, 1))
    register.set_photo_consent(lou.id, ALL_CHANNELS, ConsentStatus.GRANTED, date(2026, 9, 5))
    table = export(tmp_path, header=CONSENT_HEADER, rows=[
        "K1004,Ewe,Kit,Yes,05/09/2026",       # older than the withdrawal in the register: kept back
        "K1003,Dorn,Lou,No,05/09/2026",       # same day as the register's grant: the refusal wins
        "K1001,Ashby,Zoë,Yes,07/09/2026",     # new pupil with consent
        "K1002,Castle,Amy,Maybe,07/09/2026",  # not an answer
        "K1010,Birch,Ava,Yes,",               # no date
    ])
    service = MisImportService(store, office)
    rows = {row.mis_id: row for row in service.preview(table, None, TODAY).rows}
    assert rows["K1004"].status is RowStatus.UNCHANGED
    assert rows["K1004"].note == "the register's photo consent (withdrawn 2026-10-01) is kept"
    assert rows["K1003"].changes[-1] == FieldChange("photo_consent", "granted 2026-09-05", "refused 2026-09-05")
    assert rows["K1002"].reason == "photo consent 'Maybe' is not yes, no or withdrawn"
    assert rows["K1010"].reason == "photo consent needs the date it was given or withdrawn"
    service.import_table(table, None, TODAY)
    with store.transaction() as tx:
        zoe = tx.register.find_person_by_mis_id("K1001")
        consents = {pid: tx.register.photo_consents(pid) for pid in (kit.id, lou.id, zoe.id)}
    assert [(c.status, c.given_on) for c in consents[kit.id]] == [(ConsentStatus.WITHDRAWN, date(2026, 10, 1))]
    assert [(c.status, c.given_on) for c in consents[lou.id]] == [(ConsentStatus.REFUSED, date(2026, 9, 5))]
    (granted,) = consents[zoe.id]
    assert (granted.status, granted.expires_on, granted.given_by) == (ConsentStatus.GRANTED, date(2027, 8, 31), "MIS import")
    assert service.import_table(table, None, TODAY).updated == 0


def test_an_update_that_ends_biometric_consent_deletes_reference_faces(store, office, register, existing, tmp_path):
    """An import correcting a date of birth to make a pupil 18, with only a parent's consent, deletes their reference faces."""
    kit = existing["kit"]
    give_reference_faces(store, kit.id, 1, TODAY)
    register.set_biometric_consent(kit.id, TODAY, adult_consent=False)
    assert len(register.reference_faces(kit.id)) == 1
    MisImportService(store, office).import_table(export(tmp_path, rows=["K1004,Ewe,Kit,,13,10D,01/10/2007"]), None, TODAY)
    assert register.reference_faces(kit.id) == []
    assert audit_entries(store)[-2]["reference_faces_deleted"] == 1


def test_an_mis_id_held_by_staff_is_refused(store, office, register, tmp_path):
    """A pupil row whose id belongs to a member of staff is invalid rather than turning them into a pupil."""
    register.add_person(NewPerson("Ms Lark", kind=PersonKind.STAFF, mis_id="K1001"), TODAY)
    preview = MisImportService(store, office).preview(export(tmp_path, rows=[ROWS[0]]), None, TODAY)
    assert preview.rows[0].reason == "MIS id K1001 belongs to a member of staff in the register"


def register_class(store) -> type:
    """The class of the store's register repository, to make one of its writes fail."""
    with store.snapshot() as tx:
        return type(tx.register)
