"""The small interfaces through which the core talks to storage.

The storage package implements them with SQLAlchemy; tests may implement them in memory.
Everything read or written inside one `Store.transaction()` commits or rolls back together,
so a register change and its audit entry can never be separated. `Store.snapshot()` is for
long reads (showing, exporting, verifying the log) that must not block other PCs' writes.
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Iterator, Protocol

from .consent import BiometricConsent, Person, PersonKind, PhotoConsent

if TYPE_CHECKING:  # annotations only: whatever imports the ports (the `rws` script, so every worker it spawns)
    import numpy as np  # need not load numpy or the audit log's cryptography

    from .access_ports import AccountRepository, DpiaRepository
    from .audit_chain import AuditRecord
    from .audit_index import AuditQuery, AuditTerms
    from .audit_seal import LogKey, SealedRow


class StoreUnavailable(Exception):
    """The store could not be opened, prepared, read or written (or this computer lacks a key it needs);
    the message says why in plain words. Storage raises its own subclass; front ends catch this one."""


class RegisterError(Exception):
    """A register change that cannot be made, explained in plain words."""


class PersonNotFound(RegisterError):
    def __init__(self, person_ref: object):
        super().__init__(f"There is no person {person_ref} in the register.")


class BiometricConsentRequired(RegisterError):
    """Raised by storage when asked to keep a reference face for someone without valid biometric consent."""


@dataclass(frozen=True)
class NewPerson:
    name: str
    kind: PersonKind = PersonKind.PUPIL
    mis_id: str | None = None
    year_group: int | None = None
    form: str | None = None
    date_of_birth: date | None = None
    leaving_date: date | None = None
    legal_forename: str | None = None  # when it differs from the preferred forename in `name`


@dataclass(frozen=True)
class ReferenceFace:
    """One stored reference face, without its encoding: what staff see to confirm it is the right person."""

    id: int
    person_id: int
    source_sha256: str
    added_at: datetime
    thumbnail_jpeg: bytes | None  # a small upright face crop; None for faces enrolled before thumbnails


@dataclass(frozen=True)
class FaceHolder:
    """Someone holding at least one reference face, with their biometric consent as `all_biometric_consents`
    gives it: None when none is recorded, or when their consent row or their own row fails its seal."""

    person: Person
    consent: BiometricConsent | None


class RegisterRepository(Protocol):
    def add_person(self, person: NewPerson) -> Person: ...
    def get_person(self, person_id: int) -> Person | None: ...
    def find_person_by_mis_id(self, mis_id: str) -> Person | None: ...
    def list_people(self) -> list[Person]: ...
    def update_person(self, person: Person) -> Person:
        """Overwrite every field of the person with this id."""

    def person_names(self) -> dict[int, str]:
        """Everyone's name by id: all the audit log needs to name people, read cheaply."""
    def set_leaving_date(self, person_id: int, leaving_date: date | None) -> Person: ...

    def photo_consents(self, person_id: int) -> list[PhotoConsent]: ...
    def all_photo_consents(self) -> dict[int, list[PhotoConsent]]: ...
    def put_photo_consent(self, consent: PhotoConsent) -> None:
        """Replace the person's current record for that channel (or for all channels)."""

    def biometric_consent(self, person_id: int) -> BiometricConsent | None: ...
    def put_biometric_consent(self, consent: BiometricConsent) -> None: ...
    def all_biometric_consents(self) -> dict[int, BiometricConsent]: ...

    def add_reference_face(
        self, person_id: int, encoding: np.ndarray, source_sha256: str, today: date, thumbnail_jpeg: bytes | None = None
    ) -> int:
        """Store one reference encoding (and its thumbnail); raise BiometricConsentRequired unless consent is valid on `today`."""

    def delete_reference_faces(self, person_id: int) -> int:
        """Delete all of a person's reference faces, encodings and thumbnails together; returns how many."""

    def delete_reference_face(self, reference_id: int) -> int | None:
        """Delete one reference face; returns its person's id, or None when there was no such face."""

    def count_reference_faces(self, person_id: int) -> int: ...
    def reference_face_counts(self) -> dict[int, int]:
        """Reference faces by person id; people with none are left out."""

    def reference_face_holders(self) -> list[FaceHolder]:
        """Everyone holding a reference face, by id, with what `biometric_verdict` needs, read together (the
        start-up's housekeeping asks at every start, so the cost must not grow with the register's size)."""

    def reference_faces(self, person_id: int) -> list[ReferenceFace]: ...
    def reference_encodings(self) -> dict[int, list[np.ndarray]]: ...

    def sealed_rows(self) -> Iterator[SealedRow]:
        """Every register row whose seal decides whether it is believed (people, consents, reference faces)."""


class AuditRepository(Protocol):
    def append(self, content: dict[str, Any]) -> AuditRecord:
        """Seal the entry onto the chain and store it with its search terms (`audit_index.terms_of`)."""
    def records(self) -> Iterator[AuditRecord]:
        """Every entry in sequence order."""

    def head(self) -> tuple[int, str] | None:
        """The (seq, hash) of the last entry as recorded separately, or None for an empty log."""

    def head_mac(self) -> str | None:
        """The head's MAC under the audit-log key, as recorded beside it."""

    def first_sealed(self) -> AuditRecord | None:
        """The first entry carrying a MAC: where the keyed part of the log starts."""

    def get(self, seq: int) -> AuditRecord | None: ...

    def newest(self, query: AuditQuery, before_seq: int | None = None, limit: int = 200) -> list[AuditRecord]:
        """Up to `limit` matching entries, newest first, only those with seq below `before_seq` if given."""

    def matching(self, query: AuditQuery) -> Iterator[AuditRecord]:
        """Every matching entry, oldest first. Consume it inside the transaction."""

    def count(self, query: AuditQuery) -> int: ...

    def distinct_values(self, term: str) -> list[str]:
        """The different values of one term ("kind", "user", "channel" or "decision") in the log, sorted."""

    def indexed_terms(self) -> Iterator[AuditTerms]:
        """The search terms storage holds for each entry, in sequence order, to check against the entries."""


class Transaction(Protocol):
    register: RegisterRepository
    audit: AuditRepository
    accounts: AccountRepository
    dpia: DpiaRepository


class Store(Protocol):
    @property
    def log_key(self) -> LogKey | None:
        """The audit-log key this computer holds for this store, if any."""

    def transaction(self) -> AbstractContextManager[Transaction]: ...

    def snapshot(self) -> AbstractContextManager[Transaction]:
        """A read-only transaction that sees one consistent state and does not hold up writers."""
