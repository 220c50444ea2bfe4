"""Changes to the consent register. Each change and its audit entry share one transaction.

Audit entries name people by id only: names are looked up from the register when the log
is shown, so erasing a person never requires changing the log.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from .audit import utc_timestamp
from .channels import ChannelCatalogue
from .consent import ALL_CHANNELS, BiometricConsent, ConsentStatus, Person, PhotoConsent, academic_year_end, biometric_verdict
from .detection import FaceDetector
from .imaging import PhotoLoadError, load_photo
from .ports import NewPerson, PersonNotFound, RegisterError, Store
from .recognition import FaceEncoder

# dlib's encoder is unreliable on small faces; a reference must be clear.
MIN_REFERENCE_FACE_PX = 60
# Enrolment counts only confident detections (real faces score above 1.3 on the test photos, false
# alarms such as a dog below 0.1), so a faint false alarm neither refuses a good photo nor gets enrolled.
MIN_REFERENCE_SCORE = 0.8


@dataclass(frozen=True)
class EnrolmentResult:
    photo: Path
    added: bool
    reason: str
    reference_id: int | None = None


class RegisterService:
    def __init__(self, store: Store, channels: ChannelCatalogue, user: str):
        self.store = store
        self.channels = channels
        self.user = user

    def _entry(self, kind: str, **details: Any) -> dict[str, Any]:
        return {"kind": kind, "at": utc_timestamp(), "user": self.user, **details}

    def add_person(self, draft: NewPerson) -> Person:
        if not draft.name.strip():
            raise RegisterError("A person needs a name.")
        with self.store.transaction() as tx:
            if draft.mis_id and tx.register.find_person_by_mis_id(draft.mis_id):
                raise RegisterError(f"Someone with MIS id {draft.mis_id} is already in the register.")
            person = tx.register.add_person(replace(draft, name=draft.name.strip()))
            tx.audit.append(self._entry("person_added", person_id=person.id, person_kind=person.kind.value))
            return person

    def people(self) -> list[Person]:
        with self.store.transaction() as tx:
            return tx.register.list_people()

    def person(self, person_id: int) -> Person:
        with self.store.transaction() as tx:
            return _require(tx, person_id)

    def set_photo_consent(
        self, person_id: int, channel: str, status: ConsentStatus, given_on: date,
        expires_on: date | None = None, given_by: str = "", may_be_named: bool = False,
    ) -> PhotoConsent:
        if channel != ALL_CHANNELS:
            self.channels.get(channel)  # raises UnknownChannelError with the list of keys
        if status is ConsentStatus.GRANTED and expires_on is None:
            expires_on = academic_year_end(given_on)
        if expires_on is not None and expires_on < given_on:
            raise RegisterError(f"The expiry date {expires_on} is before the date consent was given ({given_on}).")
        consent = PhotoConsent(person_id, channel, status, given_on, expires_on, given_by.strip(), may_be_named)
        with self.store.transaction() as tx:
            _require(tx, person_id)
            tx.register.put_photo_consent(consent)
            tx.audit.append(self._entry(
                "photo_consent_set", person_id=person_id, channel=channel, status=status.value,
                given_on=given_on.isoformat(), expires_on=expires_on.isoformat() if expires_on else None,
                may_be_named=may_be_named,
            ))
        return consent

    def set_biometric_consent(self, person_id: int, today: date, **answers: bool | None) -> tuple[BiometricConsent, bool, int]:
        """Update the answers given (others unchanged). Returns the consent, whether it is valid, and faces deleted."""
        with self.store.transaction() as tx:
            person = _require(tx, person_id)
            current = tx.register.biometric_consent(person_id) or BiometricConsent(person_id)
            updated = replace(current, **{k: v for k, v in answers.items() if v is not None})
            tx.register.put_biometric_consent(updated)
            verdict = biometric_verdict(person, updated, today)
            deleted = 0 if verdict.allowed else tx.register.delete_reference_faces(person_id)
            tx.audit.append(self._entry(
                "biometric_consent_set", person_id=person_id,
                answers={k: getattr(updated, k) for k in ("parent_consent", "parent_objection", "pupil_objection", "adult_consent")},
                valid=verdict.allowed, reference_faces_deleted=deleted,
            ))
        return updated, verdict.allowed, deleted

    def mark_left(self, person_id: int, leaving_date: date) -> int:
        """Record a leaver and delete their reference faces at once. Returns faces deleted."""
        with self.store.transaction() as tx:
            _require(tx, person_id)
            tx.register.set_leaving_date(person_id, leaving_date)
            deleted = tx.register.delete_reference_faces(person_id)
            tx.audit.append(self._entry("person_left", person_id=person_id, leaving_date=leaving_date.isoformat(), reference_faces_deleted=deleted))
        return deleted

    def enrol(self, person_id: int, photos: list[Path], detector: FaceDetector, encoder: FaceEncoder, today: date) -> list[EnrolmentResult]:
        """One reference face per photo; each photo succeeds or fails on its own."""
        with self.store.transaction() as tx:
            person = _require(tx, person_id)
            verdict = biometric_verdict(person, tx.register.biometric_consent(person_id), today)
        if not verdict.allowed:
            raise RegisterError(f"{person.name} cannot be enrolled for recognition: {verdict.reason}.")
        return [self._enrol_photo(person_id, photo, detector, encoder, today) for photo in photos]

    def _enrol_photo(self, person_id, photo: Path, detector, encoder, today) -> EnrolmentResult:
        try:
            loaded = load_photo(photo)
        except PhotoLoadError as exc:
            return EnrolmentResult(photo, False, str(exc))
        faces = [f for f in detector.detect(loaded.image) if f.score >= MIN_REFERENCE_SCORE]
        if not faces:
            return EnrolmentResult(photo, False, "no face found in this photo")
        if len(faces) > 1:
            return EnrolmentResult(photo, False, f"{len(faces)} faces found; a reference photo must show one person only")
        if faces[0].size < MIN_REFERENCE_FACE_PX:
            return EnrolmentResult(photo, False, f"the face is too small ({faces[0].size:.0f} pixels wide; at least {MIN_REFERENCE_FACE_PX} needed)")
        (encoding,) = encoder.encode_all(loaded.image, faces)
        if encoding is None:
            return EnrolmentResult(photo, False, "the face is too unclear to use as a reference")
        with self.store.transaction() as tx:
            reference_id = tx.register.add_reference_face(person_id, encoding, loaded.sha256, today)
            tx.audit.append(self._entry("reference_face_added", person_id=person_id, reference_id=reference_id, source_sha256=loaded.sha256))
        return EnrolmentResult(photo, True, "reference face added", reference_id)


def _require(tx, person_id: int) -> Person:
    person = tx.register.get_person(person_id)
    if person is None:
        raise PersonNotFound(person_id)
    return person
