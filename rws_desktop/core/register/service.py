"""Changes to the consent register. Each change and its audit entry share one transaction.

Audit entries name people by id only: names are looked up from the register when the log
is shown, so erasing a person never requires changing the log.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..kernel.audit_entries import audit_entry
from ..kernel.channels import ChannelCatalogue
from ..kernel.consent import (
    ALL_CHANNELS, YEAR_GROUPS, BiometricConsent, ConsentStatus, Person, PersonKind, PhotoConsent,
    academic_year_end, biometric_verdict, format_day,
)
from ..accounts.dpia import RECOGNITION_OFF, recognition_allowed
from ..kernel.permissions import Action, requires
from ..kernel.person_lookup import match_person
from .person_details import PersonDetails, load_person_details
from ..kernel.ports import NewPerson, PersonNotFound, ReferenceFace, RegisterError, Store
from ..kernel.session import Session

if TYPE_CHECKING:  # enrolment's tools are imported when a face is enrolled, not by every App.open
    from ..faces.detection import FaceDetector
    from ..faces.recognition import FaceEncoder

# dlib's encoder is unreliable on small faces; a reference must be clear.
MIN_REFERENCE_FACE_PX = 60
# Enrolment counts only confident detections (real faces score above 1.3 on the test photos, false
# alarms such as a dog below 0.1), so a faint false alarm neither refuses a good photo nor gets enrolled.
MIN_REFERENCE_SCORE = 0.8
# Column widths in storage; checked here so staff get a sentence rather than a database error.
MAX_NAME = 200
MAX_MIS_ID = 64
MAX_FORM = 32
MAX_GIVEN_BY = 200
PERSON_FIELDS = ("name", "kind", "mis_id", "year_group", "form", "date_of_birth", "leaving_date", "legal_forename")
MAX_LEGAL_FORENAME = 100


@dataclass(frozen=True)
class EnrolmentResult:
    photo: Path
    added: bool
    reason: str
    reference_id: int | None = None


def change_entry(kind: str, user: str, **details: Any) -> dict[str, Any]:
    """The content of an audit entry for a register change. Details name people by id only."""
    return audit_entry(kind, user, **details)


def check_person_details(draft: NewPerson, today: date) -> None:
    """Raise RegisterError, in plain words, for details the register cannot hold."""
    if not draft.name.strip():
        raise RegisterError("A person needs a name.")
    if len(draft.name.strip()) > MAX_NAME:
        raise RegisterError(f"A name can be at most {MAX_NAME} characters.")
    if draft.mis_id is not None and not draft.mis_id.strip():
        raise RegisterError("An MIS id cannot be blank; leave it out instead.")
    if draft.mis_id is not None and len(draft.mis_id) > MAX_MIS_ID:
        raise RegisterError(f"An MIS id can be at most {MAX_MIS_ID} characters.")
    if draft.legal_forename is not None and not draft.legal_forename.strip():
        raise RegisterError("A legal forename cannot be blank; leave it out instead.")
    if draft.legal_forename is not None and len(draft.legal_forename.strip()) > MAX_LEGAL_FORENAME:
        raise RegisterError(f"A legal forename can be at most {MAX_LEGAL_FORENAME} characters.")
    if draft.form is not None and len(draft.form) > MAX_FORM:
        raise RegisterError(f"A form can be at most {MAX_FORM} characters.")
    if draft.year_group is not None and draft.year_group not in YEAR_GROUPS:
        raise RegisterError(
            f"Year {draft.year_group} is not a year group at this school (Years {YEAR_GROUPS[0]} to {YEAR_GROUPS[-1]})."
        )
    if draft.date_of_birth is not None and draft.date_of_birth > today:
        raise RegisterError(f"The date of birth {format_day(draft.date_of_birth)} is in the future.")


def check_photo_consent(consent: PhotoConsent) -> None:
    """The rules for editing a photo consent record; see RegisterService.set_photo_consent."""
    status = consent.status
    if consent.given_on is None:
        what = {ConsentStatus.GRANTED: "Consent needs the date it was given.",
                ConsentStatus.REFUSED: "A refusal needs the date it was made.",
                ConsentStatus.WITHDRAWN: "A withdrawal needs the date it was made."}
        raise RegisterError(what[status])
    if len(consent.given_by) > MAX_GIVEN_BY:
        raise RegisterError(f"'Given by' can be at most {MAX_GIVEN_BY} characters.")
    if status is not ConsentStatus.GRANTED:
        if consent.expires_on is not None:
            raise RegisterError(f"A {_noun(status)} does not expire: leave the expiry date empty.")
        if consent.may_be_named:
            raise RegisterError(f"Permission to name someone cannot go with a {_noun(status)}.")
        return
    if consent.expires_on is not None and consent.expires_on < consent.given_on:
        raise RegisterError(
            f"The expiry date ({format_day(consent.expires_on)}) is before the date consent was given "
            f"({format_day(consent.given_on)})."
        )


class RegisterService:
    """What office staff do to the register: people, photo and biometric consent, reference faces.
    Each method checks the signed-in session's role first (see core.permissions)."""

    def __init__(self, store: Store, channels: ChannelCatalogue, session: Session):
        self.store = store
        self.channels = channels
        self.session = session
        self.user = session.initials  # who audit entries name

    def _entry(self, kind: str, **details: Any) -> dict[str, Any]:
        return change_entry(kind, self.user, **details)

    # People

    @requires(Action.CHANGE_REGISTER)
    def add_person(self, draft: NewPerson, today: date | None = None) -> Person:
        check_person_details(draft, today or date.today())
        with self.store.transaction() as tx:
            if draft.mis_id and tx.register.find_person_by_mis_id(draft.mis_id):
                raise RegisterError(f"Someone with MIS id {draft.mis_id} is already in the register.")
            person = tx.register.add_person(replace(draft, name=draft.name.strip(), legal_forename=_stripped(draft.legal_forename)))
            tx.audit.append(self._entry("person_added", person_id=person.id, person_kind=person.kind.value))
            return person

    @requires(Action.READ_REGISTER)
    def people(self) -> list[Person]:
        with self.store.transaction() as tx:
            return tx.register.list_people()

    @requires(Action.READ_REGISTER)
    def person(self, person_id: int) -> Person:
        with self.store.transaction() as tx:
            return _require(tx, person_id)

    @requires(Action.READ_REGISTER)
    def find_person(self, reference: str) -> Person:
        """A person by register id or by MIS id, as typed at the command line. A number that is
        one person's id and another's MIS id (admission numbers are numbers too) is refused."""
        with self.store.transaction() as tx:
            found = match_person(tx.register, reference)
        reference, by_id, by_mis_id = found.text, found.by_id, found.by_mis_id
        if found.ambiguous:
            raise RegisterError(
                f"'{reference}' is person {by_id.id}'s register id and person {by_mis_id.id}'s MIS id; "
                "give the register id of the one you mean."
            )
        person = by_mis_id or by_id
        if person is None:
            raise PersonNotFound(reference)
        return person

    @requires(Action.CHANGE_REGISTER)
    def update_person(self, person_id: int, details: NewPerson, today: date) -> Person:
        """Replace a person's details. Reference faces go at once if they are no longer allowed
        (a leaving date set, or an age or kind change that makes biometric consent invalid)."""
        check_person_details(details, today)
        with self.store.transaction() as tx:
            current = _require(tx, person_id)
            updated = Person(person_id, **{f: getattr(details, f) for f in PERSON_FIELDS})
            updated = replace(updated, name=updated.name.strip(), kind=PersonKind(updated.kind),
                              legal_forename=_stripped(updated.legal_forename))
            changed = [f for f in PERSON_FIELDS if getattr(updated, f) != getattr(current, f)]
            if not changed:
                return current
            tx.register.update_person(updated)
            deleted = delete_faces_if_not_allowed(tx, updated, today, force=updated.leaving_date is not None)
            tx.audit.append(self._entry("person_updated", person_id=person_id, changed=changed, reference_faces_deleted=deleted))
            return updated

    @requires(Action.CHANGE_REGISTER)
    def mark_left(self, person_id: int, leaving_date: date) -> int:
        """Record a leaver and delete their reference faces at once. Returns faces deleted."""
        with self.store.transaction() as tx:
            _require(tx, person_id)
            return record_leaver(tx, self.user, person_id, leaving_date)

    @requires(Action.READ_REGISTER)
    def person_details(self, person_id: int, today: date) -> PersonDetails:
        """Everything the per-person panel shows, read in one transaction."""
        with self.store.transaction() as tx:
            return load_person_details(tx, self.channels, _require(tx, person_id), today)

    # Photo consent

    @requires(Action.CHANGE_REGISTER)
    def set_photo_consent(
        self, person_id: int, channel: str, status: ConsentStatus, given_on: date | None,
        expires_on: date | None = None, given_by: str = "", may_be_named: bool = False,
    ) -> PhotoConsent:
        """Record a person's photo consent for one channel, or for all channels.

        Refused when: the channel is unknown; there is no date (a refusal or withdrawal needs the
        date it was made); the expiry is before the date given; a refusal or withdrawal has an
        expiry date or name permission. A grant without an expiry lapses on the 31 August ending
        its academic year.
        """
        if channel != ALL_CHANNELS:
            self.channels.get(channel)  # raises UnknownChannelError with the list of keys
        status = ConsentStatus(status)
        if status is ConsentStatus.GRANTED and expires_on is None and given_on is not None:
            expires_on = academic_year_end(given_on)
        consent = PhotoConsent(person_id, channel, status, given_on, expires_on, given_by.strip(), may_be_named)
        check_photo_consent(consent)
        with self.store.transaction() as tx:
            _require(tx, person_id)
            tx.register.put_photo_consent(consent)
            tx.audit.append(self._entry("photo_consent_set", **consent_details(consent)))
        return consent

    # Biometric consent and reference faces

    @requires(Action.CHANGE_REGISTER)
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

    @requires(Action.READ_REGISTER)
    def reference_faces(self, person_id: int) -> list[ReferenceFace]:
        with self.store.transaction() as tx:
            _require(tx, person_id)
            return tx.register.reference_faces(person_id)

    @requires(Action.CHANGE_REGISTER)
    def remove_reference_face(self, reference_id: int) -> int:
        """Delete one reference face and its thumbnail (say, of the wrong child). Returns the person's id."""
        with self.store.transaction() as tx:
            person_id = tx.register.delete_reference_face(reference_id)
            if person_id is None:
                raise RegisterError(f"There is no reference face {reference_id}.")
            tx.audit.append(self._entry("reference_face_removed", person_id=person_id, reference_id=reference_id))
        return person_id

    def purge_lapsed_reference_faces(self, today: date) -> dict[int, int]:
        """Delete the reference faces of everyone whose biometric consent is no longer valid today
        (it lapsed by date: an 18th birthday, a leaving date reached). Returns faces deleted by person.
        Runs at every start, so it reads only the people holding faces, together with their consent."""
        deleted: dict[int, int] = {}
        with self.store.transaction() as tx:
            for holder in tx.register.reference_face_holders():
                if biometric_verdict(holder.person, holder.consent, today).allowed:
                    continue
                person_id = holder.person.id
                deleted[person_id] = tx.register.delete_reference_faces(person_id)
                tx.audit.append(self._entry(
                    "reference_faces_deleted", person_id=person_id, reason="biometric consent lapsed",
                    reference_faces_deleted=deleted[person_id],
                ))
        return deleted

    @requires(Action.ENROL_FACES)
    def enrol(self, person_id: int, photos: list[Path], detector: FaceDetector, encoder: FaceEncoder, today: date) -> list[EnrolmentResult]:
        """One reference face per photo; each photo succeeds or fails on its own."""
        with self.store.transaction() as tx:
            person = _require(tx, person_id)
            verdict = biometric_verdict(person, tx.register.biometric_consent(person_id), today)
            if not recognition_allowed(tx):
                raise RegisterError(RECOGNITION_OFF)
        if not verdict.allowed:
            raise RegisterError(f"{person.name} cannot be enrolled for recognition: {verdict.reason}.")
        return [self._enrol_photo(person_id, photo, detector, encoder, today) for photo in photos]

    def _enrol_photo(self, person_id, photo: Path, detector, encoder, today) -> EnrolmentResult:
        from ..faces.imaging import PhotoLoadError, load_photo
        from ..faces.thumbnails import face_thumbnail

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
        thumbnail = face_thumbnail(loaded.image, faces[0])
        with self.store.transaction() as tx:
            reference_id = tx.register.add_reference_face(person_id, encoding, loaded.sha256, today, thumbnail)
            tx.audit.append(self._entry("reference_face_added", person_id=person_id, reference_id=reference_id, source_sha256=loaded.sha256))
        return EnrolmentResult(photo, True, "reference face added", reference_id)


def record_leaver(tx, user: str, person_id: int, leaving_date: date) -> int:
    """Set the leaving date and delete the reference faces (with thumbnails) in the caller's transaction."""
    tx.register.set_leaving_date(person_id, leaving_date)
    deleted = tx.register.delete_reference_faces(person_id)
    tx.audit.append(change_entry(
        "person_left", user, person_id=person_id, leaving_date=leaving_date.isoformat(), reference_faces_deleted=deleted
    ))
    return deleted


def consent_details(consent: PhotoConsent) -> dict[str, Any]:
    """A photo consent as audit details (no names: 'given by' stays out of the log)."""
    return dict(
        person_id=consent.person_id, channel=consent.channel, status=consent.status.value,
        given_on=consent.given_on.isoformat(), expires_on=consent.expires_on.isoformat() if consent.expires_on else None,
        may_be_named=consent.may_be_named,
    )


def delete_faces_if_not_allowed(tx, person: Person, today: date, force: bool = False) -> int:
    """After a change to a person: delete their reference faces if they may no longer hold any."""
    if force or not biometric_verdict(person, tx.register.biometric_consent(person.id), today).allowed:
        return tx.register.delete_reference_faces(person.id)
    return 0


def _noun(status: ConsentStatus) -> str:
    return {ConsentStatus.REFUSED: "refusal", ConsentStatus.WITHDRAWN: "withdrawal"}.get(status, "grant")


def _require(tx, person_id: int) -> Person:
    person = tx.register.get_person(person_id)
    if person is None:
        raise PersonNotFound(person_id)
    return person


def _stripped(text: str | None) -> str | None:
    return " ".join(text.split()) if text is not None else None
