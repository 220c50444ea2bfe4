"""Importing pupils from an MIS export: a preview of every row, then the valid rows in short transactions.

Rules, chosen so a re-import of the same file changes nothing and nothing is lost by accident:
- The identity is the MIS id column (UPN when the file has one, else the admission number).
- A blank cell leaves the register's value alone; the import never clears a field.
- The import never marks anyone as having left: pupils missing from the file are only listed
  (`ImportPreview.absent`) so staff can decide, and it never changes a leaving date.
- An optional photo consent column sets the all-channels consent, and only when the file's
  date is newer than the register's record; on the same date a refusal or withdrawal wins.
- Audit entries name people by register id only, never by name.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import Enum
from typing import Any

from ..kernel.consent import ALL_CHANNELS, ConsentStatus, Person, PersonKind, PhotoConsent, academic_year_end
from .mis_csv import (
    CsvTable, MisField, parse_consent, parse_date, parse_year_group, resolve_mapping, split_full_name,
)
from ..kernel.permissions import Action, requires
from ..kernel.ports import NewPerson, RegisterError, Store
from .service import change_entry, check_person_details, check_photo_consent, consent_details, delete_faces_if_not_allowed
from ..kernel.session import Session

IMPORTED_FIELDS = ("name", "year_group", "form", "date_of_birth", "legal_forename")
DEFAULT_GIVEN_BY = "MIS import"
# Each transaction writes this many rows (about a quarter of a second on SQLite), so other commands
# waiting on the database get their turn well inside its busy timeout.
ROWS_PER_TRANSACTION = 100


class RowStatus(str, Enum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    INVALID = "invalid"


@dataclass(frozen=True)
class PupilRecord:
    """One valid row: the details it gives (None where its cell is blank) and any photo consent."""

    mis_id: str
    name: str
    year_group: int | None
    form: str | None
    date_of_birth: date | None
    consent: PhotoConsent | None  # person_id 0 until the person is known
    legal_forename: str | None = None  # when the file's legal forename differs from the one the name uses


@dataclass(frozen=True)
class FieldChange:
    field: str  # a Person field, or "photo_consent"
    old: Any
    new: Any


@dataclass(frozen=True)
class PreviewRow:
    row: int  # as a spreadsheet numbers it: the header is row 1
    status: RowStatus
    mis_id: str
    name: str
    reason: str = ""  # why the row is invalid
    changes: tuple[FieldChange, ...] = ()
    person_id: int | None = None
    note: str = ""  # something staff should know that does not stop the row
    record: PupilRecord | None = None


@dataclass(frozen=True)
class ImportPreview:
    rows: list[PreviewRow]
    absent: list[Person]  # current pupils with an MIS id who are not in the file: possible leavers
    mapping: dict[MisField, str]
    file_sha256: str

    def count(self, status: RowStatus) -> int:
        return sum(row.status is status for row in self.rows)

    def summary(self) -> str:
        counts = ", ".join(f"{self.count(s)} {s.value}" for s in RowStatus)
        return f"{len(self.rows)} rows: {counts}; {len(self.absent)} current pupils not in the file"


@dataclass(frozen=True)
class ImportResult:
    preview: ImportPreview
    created: int
    updated: int


class MisImportService:
    def __init__(self, store: Store, session: Session):
        self.store = store
        self.session = session
        self.user = session.initials

    @requires(Action.READ_REGISTER)
    def preview(self, table: CsvTable, explicit: dict[MisField, str | None] | None, today: date) -> ImportPreview:
        """What importing would do to each row; changes nothing."""
        mapping = resolve_mapping(table.headers, explicit)
        with self.store.transaction() as tx:
            return build_preview(table, mapping, tx.register.list_people(), tx.register.all_photo_consents(), today)

    @requires(Action.CHANGE_REGISTER)
    def import_table(self, table: CsvTable, explicit: dict[MisField, str | None] | None, today: date) -> ImportResult:
        """Import the valid rows, a chunk per transaction, each worked out afresh against the register as it
        is at that moment.

        Short transactions let other staff keep working during a long import (one transaction held the
        database for minutes on a large file, and their commands failed as "database is locked"). A crash
        part-way leaves whole rows done and the rest not; importing the file again finishes the job, since
        a row already imported comes out unchanged."""
        mapping = resolve_mapping(table.headers, explicit)
        with self.store.transaction() as tx:
            preview = build_preview(table, mapping, tx.register.list_people(), tx.register.all_photo_consents(), today)
        # Rows invalid in the whole file (duplicates across chunks among them) stay out of every chunk.
        importable = {row.row for row in preview.rows if row.status in (RowStatus.NEW, RowStatus.CHANGED)}
        cells = [(number, row) for number, row in table.rows if number in importable]
        created = updated = 0
        for start in range(0, len(cells), ROWS_PER_TRANSACTION):
            chunk = replace(table, rows=cells[start:start + ROWS_PER_TRANSACTION])
            with self.store.transaction() as tx:
                current = build_preview(chunk, mapping, tx.register.list_people(), tx.register.all_photo_consents(), today)
                for row in current.rows:
                    if row.status is RowStatus.NEW:
                        person = tx.register.add_person(_new_person(row.record))
                        tx.audit.append(change_entry("person_added", self.user, person_id=person.id,
                                                     person_kind=person.kind.value, via="mis_import"))
                        self._put_consent(tx, person.id, row.record.consent)
                        created += 1
                    elif row.status is RowStatus.CHANGED:
                        self._apply_changes(tx, row, today)
                        updated += 1
        if created or updated:
            with self.store.transaction() as tx:
                tx.audit.append(change_entry(
                    "mis_import", self.user, file_sha256=table.sha256, rows=len(preview.rows), created=created,
                    changed=updated, unchanged=preview.count(RowStatus.UNCHANGED), invalid=preview.count(RowStatus.INVALID),
                ))
        return ImportResult(preview, created, updated)

    def _apply_changes(self, tx, row: PreviewRow, today: date) -> None:
        fields = {c.field: c.new for c in row.changes if c.field in IMPORTED_FIELDS}
        if fields:
            person = replace(tx.register.get_person(row.person_id), **fields)
            tx.register.update_person(person)
            deleted = delete_faces_if_not_allowed(tx, person, today)
            tx.audit.append(change_entry("person_updated", self.user, person_id=person.id, changed=list(fields),
                                         reference_faces_deleted=deleted, via="mis_import"))
        if any(c.field == "photo_consent" for c in row.changes):
            self._put_consent(tx, row.person_id, row.record.consent)

    def _put_consent(self, tx, person_id: int, consent: PhotoConsent | None) -> None:
        if consent is None:
            return
        consent = replace(consent, person_id=person_id)
        tx.register.put_photo_consent(consent)
        tx.audit.append(change_entry("photo_consent_set", self.user, **consent_details(consent), via="mis_import"))


def build_preview(table: CsvTable, mapping: dict[MisField, str], people: list[Person],
                  consents: dict[int, list[PhotoConsent]], today: date) -> ImportPreview:
    column = {field: table.headers.index(header) for field, header in mapping.items()}
    parsed = [(number, _parse_row(cells, column, today)) for number, cells in table.rows]
    by_mis_id = {p.mis_id: p for p in people if p.mis_id}
    duplicates = _duplicate_reasons(parsed)
    rows = []
    for number, (mis_id, name, outcome) in parsed:
        if number in duplicates:
            rows.append(PreviewRow(number, RowStatus.INVALID, mis_id, name, duplicates[number]))
        elif isinstance(outcome, str):
            rows.append(PreviewRow(number, RowStatus.INVALID, mis_id, name, outcome))
        else:
            rows.append(_compare(number, outcome, by_mis_id.get(outcome.mis_id), consents))
    in_file = {mis_id for _, (mis_id, _, _) in parsed if mis_id}
    absent = [p for p in people if p.kind is PersonKind.PUPIL and p.mis_id and p.leaving_date is None and p.mis_id not in in_file]
    return ImportPreview(rows, absent, mapping, table.sha256)


def _parse_row(cells: list[str], column: dict[MisField, int], today: date) -> tuple[str, str, PupilRecord | str]:
    """(MIS id, name, the record or why the row is invalid)."""

    def cell(field: MisField) -> str:
        index = column.get(field)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    mis_id, name = cell(MisField.MIS_ID), _name(cell)
    problems = []
    if not mis_id:
        problems.append("missing UPN or admission number")
    if not name:
        problems.append("missing name")
    values: dict[str, Any] = {}
    for field, parse, label in (
        (MisField.YEAR_GROUP, parse_year_group, None),
        (MisField.DATE_OF_BIRTH, parse_date, "bad date of birth"),
    ):
        if cell(field):
            try:
                values[field.value] = parse(cell(field))
            except ValueError as error:
                problems.append(f"{label}: {error}" if label else str(error))
    consent = None
    if cell(MisField.PHOTO_CONSENT):
        consent, problem = _consent(cell)
        if problem:
            problems.append(problem)
    if not problems:
        draft = NewPerson(name, mis_id=mis_id, form=cell(MisField.FORM) or None, legal_forename=_legal_forename(cell), **values)
        try:
            check_person_details(draft, today)
        except RegisterError as error:
            problems.append(str(error).rstrip("."))
    if problems:
        return mis_id, name, "; ".join(problems)
    record = PupilRecord(mis_id, name, values.get("year_group"), cell(MisField.FORM) or None, values.get("date_of_birth"), consent,
                         _legal_forename(cell))
    return mis_id, name, record


def _name(cell) -> str:
    forename = cell(MisField.PREFERRED_FORENAME) or cell(MisField.FORENAME)
    surname = cell(MisField.PREFERRED_SURNAME) or cell(MisField.SURNAME)
    if not (forename or surname) and cell(MisField.FULL_NAME):
        forename, surname = split_full_name(cell(MisField.FULL_NAME))
    if not forename or not surname:
        return ""
    return " ".join(f"{forename} {surname}".split())


def _legal_forename(cell) -> str | None:
    """The legal forename, kept only when the name uses a different (preferred) one: 'Elizabeth' for Libby."""
    legal, preferred = " ".join(cell(MisField.FORENAME).split()), " ".join(cell(MisField.PREFERRED_FORENAME).split())
    return legal if legal and preferred and legal.casefold() != preferred.casefold() else None


def _consent(cell) -> tuple[PhotoConsent | None, str]:
    try:
        status = parse_consent(cell(MisField.PHOTO_CONSENT))
    except ValueError as error:
        return None, str(error)
    if not cell(MisField.CONSENT_DATE):
        return None, "photo consent needs the date it was given or withdrawn"
    try:
        given_on = parse_date(cell(MisField.CONSENT_DATE))
    except ValueError as error:
        return None, f"bad consent date: {error}"
    expires = academic_year_end(given_on) if status is ConsentStatus.GRANTED else None
    consent = PhotoConsent(0, ALL_CHANNELS, status, given_on, expires, cell(MisField.CONSENT_GIVEN_BY) or DEFAULT_GIVEN_BY)
    try:
        check_photo_consent(consent)
    except RegisterError as error:
        return None, str(error)
    return consent, ""


def _duplicate_reasons(parsed) -> dict[int, str]:
    """An MIS id on several rows: identical copies after the first are dropped; if the copies
    differ nobody can tell which is right, so every one of them is invalid."""
    rows_by_id: dict[str, list[tuple[int, Any]]] = {}
    for number, (mis_id, _, outcome) in parsed:
        if mis_id:
            rows_by_id.setdefault(mis_id, []).append((number, outcome))
    reasons = {}
    for mis_id, rows in rows_by_id.items():
        if len(rows) < 2:
            continue
        numbers = [number for number, _ in rows]
        if all(outcome == rows[0][1] for _, outcome in rows):
            reasons.update({n: f"duplicate of row {numbers[0]}" for n in numbers[1:]})
        else:
            listed = ", ".join(map(str, numbers))
            reasons.update({n: f"MIS id {mis_id} is on rows {listed} with different details" for n in numbers})
    return reasons


def _compare(number: int, record: PupilRecord, existing: Person | None, consents: dict[int, list[PhotoConsent]]) -> PreviewRow:
    if existing is None:
        return PreviewRow(number, RowStatus.NEW, record.mis_id, record.name, record=record)
    if existing.kind is not PersonKind.PUPIL:
        return PreviewRow(number, RowStatus.INVALID, record.mis_id, record.name,
                          f"MIS id {record.mis_id} belongs to a member of staff in the register", person_id=existing.id)
    changes = [
        FieldChange(field, getattr(existing, field), getattr(record, field))
        for field in IMPORTED_FIELDS
        if getattr(record, field) is not None and getattr(record, field) != getattr(existing, field)
    ]
    current = next((c for c in consents.get(existing.id, []) if c.channel == ALL_CHANNELS), None)
    note = "marked as leaving in the register; the import does not change that" if existing.leaving_date else ""
    if record.consent is not None:
        if _file_consent_wins(record.consent, current):
            changes.append(FieldChange("photo_consent", _consent_text(current), _consent_text(record.consent)))
        elif current is not None and (current.status, current.given_on) != (record.consent.status, record.consent.given_on):
            note = "; ".join(filter(None, (note, f"the register's photo consent ({_consent_text(current)}) is kept")))
    status = RowStatus.CHANGED if changes else RowStatus.UNCHANGED
    return PreviewRow(number, status, record.mis_id, record.name, changes=tuple(changes),
                      person_id=existing.id, note=note, record=record)


def _file_consent_wins(from_file: PhotoConsent, current: PhotoConsent | None) -> bool:
    if current is None:
        return True
    if (current.status, current.given_on) == (from_file.status, from_file.given_on):
        return False
    if from_file.given_on != current.given_on:
        return from_file.given_on > current.given_on
    return from_file.status is not ConsentStatus.GRANTED  # same day, different answers: the "no" wins


def _consent_text(consent: PhotoConsent | None) -> str:
    return f"{consent.status.value} {consent.given_on.isoformat()}" if consent else "none"


def _new_person(record: PupilRecord) -> NewPerson:
    return NewPerson(record.name, PersonKind.PUPIL, record.mis_id, record.year_group, record.form, record.date_of_birth,
                     legal_forename=record.legal_forename)
