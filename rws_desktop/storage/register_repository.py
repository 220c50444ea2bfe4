"""The SQL register: people, their photo and biometric consent, and their reference faces (encrypted).

Works inside a Session owned by `Database.transaction()`; nothing here commits. Rows are turned into
the frozen dataclasses of `core.kernel.consent` on the way out, and every row that decides who is
shown is sealed (row_seals.py) as it is written.
"""
from __future__ import annotations

import importlib
import logging
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, delete, func, select
from sqlalchemy.orm import Session

from ..core.kernel.audit_seal import SealedRow
from ..core.kernel.consent import (
    BiometricConsent,
    ConsentStatus,
    Person,
    PersonKind,
    PhotoConsent,
    biometric_verdict,
)
from ..core.kernel.ports import (
    BiometricConsentRequired, FaceHolder, NewPerson, PersonNotFound, ReferenceFace, RegisterError,
)
from .errors import StorageError
from .models import BiometricConsentRow, PersonRow, PhotoConsentRow, ReferenceFaceRow
from .row_seals import RowSealer
from ..core.keys.template_cipher import TemplateCipher

if TYPE_CHECKING:  # numpy is imported where encodings are read or written, not for every command
    import numpy as np

ENCODING_LENGTH = 128
NO_KEY = ("Reference faces cannot be stored: this computer does not hold the key that encrypts them. "
          "An admin can import it with: rws key import FILE (see rws key status).")
log = logging.getLogger(__name__)
# Stored little-endian whatever the PC, so a database file can move between machines.
_ENCODING_DTYPE = "<f8"
_ENCODING_ITEMSIZE = 8
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")

# Both supported databases can insert-or-update in one statement, so two PCs recording
# the same consent at once cannot collide on the unique key. The dialect's module is imported when first
# used: PostgreSQL's (with its drivers' dialects) costs a fifth of a second at every start.
_UPSERT_DIALECTS = {"sqlite": "sqlalchemy.dialects.sqlite", "postgresql": "sqlalchemy.dialects.postgresql"}


class SqlRegisterRepository:
    """People, their photo and biometric consent, and their reference faces (encrypted with `cipher`)."""

    def __init__(self, session: Session, cipher: TemplateCipher | None = None, sealer: RowSealer | None = None):
        self._session = session
        self._cipher = cipher
        self._sealer = sealer or RowSealer(session, None)

    # People

    def add_person(self, person: NewPerson) -> Person:
        name = _checked_name(person.name)
        self._check_mis_id_free(person.mis_id, None)
        row = PersonRow(
            kind=PersonKind(person.kind).value,
            name=name,
            mis_id=person.mis_id,
            year_group=person.year_group,
            form=person.form,
            date_of_birth=person.date_of_birth,
            leaving_date=person.leaving_date,
            legal_forename=person.legal_forename,
        )
        self._session.add(row)
        self._session.flush()
        self._sealer.wrote("person", (row.id,))
        return _person(row)

    def get_person(self, person_id: int) -> Person | None:
        row = self._session.get(PersonRow, person_id)
        return _person(row) if row else None

    def find_person_by_mis_id(self, mis_id: str) -> Person | None:
        row = self._session.scalar(select(PersonRow).where(PersonRow.mis_id == mis_id))
        return _person(row) if row else None

    def list_people(self) -> list[Person]:
        """Everyone, by name."""
        rows = self._session.scalars(select(PersonRow).order_by(PersonRow.name, PersonRow.id))
        return [_person(row) for row in rows]

    def update_person(self, person: Person) -> Person:
        """Overwrite every field of the person with this id."""
        row = self._person_row(person.id)
        name = _checked_name(person.name)
        self._check_mis_id_free(person.mis_id, person.id)
        row.kind = PersonKind(person.kind).value
        row.name = name
        row.mis_id = person.mis_id
        row.year_group = person.year_group
        row.form = person.form
        row.date_of_birth = person.date_of_birth
        row.leaving_date = person.leaving_date
        row.legal_forename = person.legal_forename
        self._session.flush()
        self._sealer.wrote("person", (row.id,))
        return _person(row)

    def person_names(self) -> dict[int, str]:
        """Everyone's name by id, without building Person objects (the log view asks on every page)."""
        return {person_id: name for person_id, name in self._session.execute(select(PersonRow.id, PersonRow.name))}

    def set_leaving_date(self, person_id: int, leaving_date: date | None) -> Person:
        row = self._person_row(person_id)
        row.leaving_date = leaving_date
        self._session.flush()
        self._sealer.wrote("person", (row.id,))
        return _person(row)

    # Photo consent

    def photo_consents(self, person_id: int) -> list[PhotoConsent]:
        statement = (
            select(PhotoConsentRow)
            .where(PhotoConsentRow.person_id == person_id)
            .order_by(PhotoConsentRow.channel)
        )
        if not self._sealer.person_trusted(person_id):
            return []
        return [_photo_consent(row) for row in self._fresh(statement) if self._sealer.trusted("photo_consent", row)]

    def all_photo_consents(self) -> dict[int, list[PhotoConsent]]:
        """Consents by person id; people with none are left out."""
        statement = select(PhotoConsentRow).order_by(PhotoConsentRow.person_id, PhotoConsentRow.channel)
        by_person: dict[int, list[PhotoConsent]] = defaultdict(list)
        untrusted = self._sealer.untrusted_people()
        for row in self._fresh(statement):
            if row.person_id not in untrusted and self._sealer.trusted("photo_consent", row):
                by_person[row.person_id].append(_photo_consent(row))
        return dict(by_person)

    def put_photo_consent(self, consent: PhotoConsent) -> None:
        """Replace the person's current record for that channel (or for all channels)."""
        self._person_row(consent.person_id)
        if not consent.channel.strip():
            raise RegisterError("A photo consent must name a channel, or 'all'.")
        self._upsert(
            PhotoConsentRow.__table__,
            key=("person_id", "channel"),
            values=dict(
                person_id=consent.person_id,
                channel=consent.channel,
                status=ConsentStatus(consent.status).value,
                given_on=consent.given_on,
                expires_on=consent.expires_on,
                given_by=consent.given_by,
                may_be_named=consent.may_be_named,
            ),
        )
        self._sealer.wrote("photo_consent", (consent.person_id, consent.channel))

    # Biometric consent and reference faces

    def biometric_consent(self, person_id: int) -> BiometricConsent | None:
        row = self._biometric_row(person_id)
        return _biometric_consent(row) if row else None

    def put_biometric_consent(self, consent: BiometricConsent) -> None:
        """Record the answers, dated today. Removing reference faces that are no longer
        allowed is the caller's job, so that the removal is audited."""
        self._person_row(consent.person_id)
        self._upsert(
            BiometricConsentRow.__table__,
            key=("person_id",),
            values=dict(
                person_id=consent.person_id,
                parent_consent=consent.parent_consent,
                parent_objection=consent.parent_objection,
                pupil_objection=consent.pupil_objection,
                adult_consent=consent.adult_consent,
                recorded_on=date.today(),
            ),
        )
        self._sealer.wrote("biometric_consent", (consent.person_id,))

    def all_biometric_consents(self) -> dict[int, BiometricConsent]:
        """Biometric answers by person id; people with none recorded are left out."""
        untrusted = self._sealer.untrusted_people()
        return {row.person_id: _biometric_consent(row) for row in self._fresh(select(BiometricConsentRow))
                if row.person_id not in untrusted and self._sealer.trusted("biometric_consent", row)}

    def add_reference_face(
        self, person_id: int, encoding: np.ndarray, source_sha256: str, today: date, thumbnail_jpeg: bytes | None = None
    ) -> int:
        """Store one reference encoding (and its thumbnail); raise BiometricConsentRequired unless consent is valid on `today`."""
        person_row = self._person_row(person_id)
        person = _person(person_row)
        if not self._sealer.trusted("person", person_row):
            raise BiometricConsentRequired(f"{person.name} cannot be recognised: their register entry was changed outside the app.")
        # Locked on PostgreSQL so a withdrawal saved from another PC cannot slip in before the insert.
        consent_row = self._biometric_row(person_id, lock=True)
        consent = _biometric_consent(consent_row) if consent_row else None
        verdict = biometric_verdict(person, consent, today)
        if not verdict.allowed:
            raise BiometricConsentRequired(f"{person.name} cannot be recognised: {verdict.reason}.")
        if self._cipher is None:
            raise StorageError(NO_KEY)
        row = ReferenceFaceRow(
            person_id=person_id,
            encoding=self._cipher.seal(person_id, _encoding_to_bytes(encoding)),
            source_sha256=_checked_sha256(source_sha256),
            thumbnail=self._cipher.seal_thumbnail(person_id, thumbnail_jpeg) if thumbnail_jpeg else None,
        )
        self._session.add(row)
        self._session.flush()
        self._sealer.wrote("reference_face", (row.id,))
        return row.id

    def delete_reference_faces(self, person_id: int) -> int:
        """Remove all of a person's reference faces; returns how many there were."""
        result = self._session.execute(delete(ReferenceFaceRow).where(ReferenceFaceRow.person_id == person_id))
        return result.rowcount

    def delete_reference_face(self, reference_id: int) -> int | None:
        """Delete one reference face; returns its person's id, or None when there was no such face."""
        person_id = self._session.scalar(select(ReferenceFaceRow.person_id).where(ReferenceFaceRow.id == reference_id))
        if person_id is not None:
            self._session.execute(delete(ReferenceFaceRow).where(ReferenceFaceRow.id == reference_id))
        return person_id

    def count_reference_faces(self, person_id: int) -> int:
        return self._session.scalar(
            select(func.count()).select_from(ReferenceFaceRow).where(ReferenceFaceRow.person_id == person_id)
        )

    def reference_face_counts(self) -> dict[int, int]:
        """Reference faces by person id; people with none are left out."""
        statement = select(ReferenceFaceRow.person_id, func.count()).group_by(ReferenceFaceRow.person_id)
        return {person_id: count for person_id, count in self._session.execute(statement)}

    def reference_face_holders(self) -> list[FaceHolder]:
        """Everyone holding a reference face, by id, with their biometric consent, in one statement. Seals are checked
        as `all_biometric_consents` checks them, for these people only: someone whose own row or consent row fails
        its seal has no consent. The person comes back as read, as from `get_person`."""
        holders = select(ReferenceFaceRow.person_id)
        statement = (
            select(PersonRow, BiometricConsentRow)
            .outerjoin(BiometricConsentRow, BiometricConsentRow.person_id == PersonRow.id)
            .where(PersonRow.id.in_(holders))
            .order_by(PersonRow.id)
            .execution_options(populate_existing=True)  # upserts bypass the session, as in `_fresh`
        )
        found = []
        for person_row, consent_row in self._session.execute(statement):
            person_trusted = self._sealer.trusted("person", person_row)
            consent = None
            if consent_row is not None and person_trusted and self._sealer.trusted("biometric_consent", consent_row):
                consent = _biometric_consent(consent_row)
            found.append(FaceHolder(_person(person_row), consent))
        return found

    def reference_faces(self, person_id: int) -> list[ReferenceFace]:
        """A person's reference faces, oldest first, without their encodings; each thumbnail decrypted, or None
        where it cannot be (no key on this computer, altered, or still plain from before migration 0008)."""
        statement = (
            select(ReferenceFaceRow.id, ReferenceFaceRow.source_sha256, ReferenceFaceRow.added_at, ReferenceFaceRow.thumbnail)
            .where(ReferenceFaceRow.person_id == person_id)
            .order_by(ReferenceFaceRow.id)
        )
        return [
            ReferenceFace(reference_id, person_id, sha, added_at, self._thumbnail(reference_id, person_id, thumbnail))
            for reference_id, sha, added_at, thumbnail in self._session.execute(statement)
        ]

    def _thumbnail(self, reference_id: int, person_id: int, stored: bytes | None) -> bytes | None:
        if stored is None or self._cipher is None:
            return None
        jpeg = self._cipher.open_thumbnail(person_id, stored)
        if jpeg is None:
            log.warning("The thumbnail of reference face %s of person %s cannot be opened and is not shown.",
                        reference_id, person_id)
        return jpeg

    def reference_encodings(self) -> dict[int, list[np.ndarray]]:
        """Decrypted encodings by person. One that fails to decrypt (altered, moved to another person,
        or made with another key) is left out, so it cannot make anyone recognisable."""
        if self._cipher is None:
            log.warning("Nobody can be recognised: this computer does not hold the reference-face key.")
            return {}
        statement = select(ReferenceFaceRow).order_by(ReferenceFaceRow.person_id, ReferenceFaceRow.id)
        by_person: dict[int, list[np.ndarray]] = defaultdict(list)
        untrusted = self._sealer.untrusted_people()
        for row in self._session.scalars(statement):
            reference_id, person_id, blob = row.id, row.person_id, row.encoding
            if person_id in untrusted or not self._sealer.trusted("reference_face", row):
                continue
            opened = self._cipher.open(person_id, blob)
            if opened is None or len(opened) != ENCODING_LENGTH * _ENCODING_ITEMSIZE:
                log.warning("Reference face %s of person %s failed its integrity check and is ignored.", reference_id, person_id)
                continue
            by_person[person_id].append(_encoding_from_bytes(opened))
        return dict(by_person)

    def sealed_rows(self) -> Iterator[SealedRow]:
        """Every register row whose seal decides whether it is believed, for the log check."""
        return self._sealer.sealed_rows()

    # Helpers

    def _person_row(self, person_id: int) -> PersonRow:
        row = self._session.get(PersonRow, person_id)
        if row is None:
            raise PersonNotFound(person_id)
        return row

    def _check_mis_id_free(self, mis_id: str | None, person_id: int | None) -> None:
        if mis_id is None:
            return
        existing = self.find_person_by_mis_id(mis_id)
        if existing is not None and existing.id != person_id:
            raise RegisterError(f"{existing.name} already has the MIS id {mis_id}.")

    def _biometric_row(self, person_id: int, lock: bool = False) -> BiometricConsentRow | None:
        statement = select(BiometricConsentRow).where(BiometricConsentRow.person_id == person_id)
        if lock:
            statement = statement.with_for_update()
        row = self._fresh(statement).first()
        if row is None or not self._sealer.person_trusted(person_id) or not self._sealer.trusted("biometric_consent", row):
            return None  # changed outside the app: no biometric consent
        return row

    def _fresh(self, statement):
        """Load rows, overwriting any copies the session holds: upserts bypass the session."""
        return self._session.scalars(statement.execution_options(populate_existing=True))

    def _upsert(self, table: Table, key: tuple[str, ...], values: dict[str, Any]) -> None:
        dialect_insert = importlib.import_module(_UPSERT_DIALECTS[self._session.get_bind().dialect.name]).insert
        statement = dialect_insert(table).values(**values)
        changes = {column: statement.excluded[column] for column in values if column not in key}
        self._session.execute(statement.on_conflict_do_update(index_elements=list(key), set_=changes))


def _person(row: PersonRow) -> Person:
    return Person(
        id=row.id,
        name=row.name,
        kind=PersonKind(row.kind),
        mis_id=row.mis_id,
        year_group=row.year_group,
        form=row.form,
        date_of_birth=row.date_of_birth,
        leaving_date=row.leaving_date,
        legal_forename=row.legal_forename,
    )


def _photo_consent(row: PhotoConsentRow) -> PhotoConsent:
    return PhotoConsent(
        person_id=row.person_id,
        channel=row.channel,
        status=ConsentStatus(row.status),
        given_on=row.given_on,
        expires_on=row.expires_on,
        given_by=row.given_by,
        may_be_named=row.may_be_named,
    )


def _biometric_consent(row: BiometricConsentRow) -> BiometricConsent:
    return BiometricConsent(
        person_id=row.person_id,
        parent_consent=row.parent_consent,
        parent_objection=row.parent_objection,
        pupil_objection=row.pupil_objection,
        adult_consent=row.adult_consent,
    )


def _encoding_to_bytes(encoding: np.ndarray) -> bytes:
    import numpy as np

    vector = np.asarray(encoding, dtype=np.float64)
    if vector.shape != (ENCODING_LENGTH,):
        raise ValueError(f"a face encoding has {ENCODING_LENGTH} values, not shape {vector.shape}")
    if not np.all(np.isfinite(vector)):
        raise ValueError("a face encoding must not contain NaN or infinity")
    return vector.astype(_ENCODING_DTYPE).tobytes()


def _encoding_from_bytes(blob: bytes) -> np.ndarray:
    import numpy as np

    return np.frombuffer(bytes(blob), dtype=_ENCODING_DTYPE).astype(np.float64)


def _checked_name(value: str) -> str:
    name = value.strip()
    if not name:
        raise RegisterError("A person needs a name.")
    return name


def _checked_sha256(value: str) -> str:
    digest = value.lower()
    if not _SHA256_HEX.fullmatch(digest):
        raise ValueError("source_sha256 must be 64 hexadecimal digits")
    return digest
