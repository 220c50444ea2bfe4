"""An in-memory Store for domain tests: the ports of `core.kernel.ports` and `core.kernel.access_ports`
over plain dictionaries, so a service's rules can be tested without SQLite or migrations.

It keeps the rules storage enforces that the core relies on (a name is required, MIS ids are unique,
reference faces need biometric consent on the day, the log is a hash chain keyed like the real one,
a failed transaction changes nothing). `tests/storage/test_store_contract.py` runs the same checks
against it and the SQLite store, so the two cannot drift apart. It does not seal register rows: tests
of tampering use the real database."""
from __future__ import annotations

import copy
import json
import re
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timezone
from typing import Any, Iterator

import numpy as np

from rws_desktop.core.kernel.access_ports import Account, ChannelAdmins, DpiaRecord
from rws_desktop.core.kernel.audit_chain import GENESIS_HASH, AuditRecord, seal
from rws_desktop.core.kernel.audit_index import AuditQuery, AuditTerms, terms_of
from rws_desktop.core.kernel.audit_seal import LogKey
from rws_desktop.core.kernel.consent import BiometricConsent, Person, PhotoConsent, biometric_verdict
from rws_desktop.core.kernel.ports import (BiometricConsentRequired, FaceHolder, NewPerson, PersonNotFound,
                                           ReferenceFace, RegisterError)

ENCODING_LENGTH = 128
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


@dataclass
class _Face:
    id: int
    person_id: int
    encoding: np.ndarray
    source_sha256: str
    added_at: datetime
    thumbnail: bytes | None


@dataclass
class _State:
    """Everything the store holds; a transaction works on a copy and swaps it in on success."""
    people: dict[int, Person] = field(default_factory=dict)
    consents: dict[tuple[int, str], PhotoConsent] = field(default_factory=dict)
    biometric: dict[int, BiometricConsent] = field(default_factory=dict)
    faces: dict[int, _Face] = field(default_factory=dict)
    records: list[AuditRecord] = field(default_factory=list)
    terms: list[AuditTerms] = field(default_factory=list)
    head_mac: str | None = None
    accounts: dict[str, Account] = field(default_factory=dict)
    channel_admins: dict[str, ChannelAdmins] = field(default_factory=dict)
    dpia: list[DpiaRecord] = field(default_factory=list)
    next_id: int = 1

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1


class MemoryRegister:
    def __init__(self, state: _State, can_store_faces: bool):
        self._s = state
        self._can_store_faces = can_store_faces

    def add_person(self, person: NewPerson) -> Person:
        name = _checked_name(person.name)
        self._check_mis_id_free(person.mis_id, None)
        added = Person(id=self._s.new_id(), **{**_fields(person), "name": name})
        self._s.people[added.id] = added
        return added

    def get_person(self, person_id: int) -> Person | None:
        return self._s.people.get(person_id)

    def find_person_by_mis_id(self, mis_id: str) -> Person | None:
        return next((p for p in self._s.people.values() if p.mis_id == mis_id), None)

    def list_people(self) -> list[Person]:
        return sorted(self._s.people.values(), key=lambda p: (p.name, p.id))

    def update_person(self, person: Person) -> Person:
        self._person(person.id)
        self._check_mis_id_free(person.mis_id, person.id)
        updated = replace(person, name=_checked_name(person.name))
        self._s.people[person.id] = updated
        return updated

    def person_names(self) -> dict[int, str]:
        return {person_id: person.name for person_id, person in self._s.people.items()}

    def set_leaving_date(self, person_id: int, leaving_date: date | None) -> Person:
        updated = replace(self._person(person_id), leaving_date=leaving_date)
        self._s.people[person_id] = updated
        return updated

    def photo_consents(self, person_id: int) -> list[PhotoConsent]:
        return sorted((c for (pid, _), c in self._s.consents.items() if pid == person_id), key=lambda c: c.channel)

    def all_photo_consents(self) -> dict[int, list[PhotoConsent]]:
        by_person: dict[int, list[PhotoConsent]] = defaultdict(list)
        for (person_id, _channel), consent in sorted(self._s.consents.items()):
            by_person[person_id].append(consent)
        return dict(by_person)

    def put_photo_consent(self, consent: PhotoConsent) -> None:
        self._person(consent.person_id)
        if not consent.channel.strip():
            raise RegisterError("A photo consent must name a channel, or 'all'.")
        self._s.consents[(consent.person_id, consent.channel)] = consent

    def biometric_consent(self, person_id: int) -> BiometricConsent | None:
        return self._s.biometric.get(person_id)

    def put_biometric_consent(self, consent: BiometricConsent) -> None:
        self._person(consent.person_id)
        self._s.biometric[consent.person_id] = consent

    def all_biometric_consents(self) -> dict[int, BiometricConsent]:
        return dict(self._s.biometric)

    def add_reference_face(self, person_id: int, encoding: np.ndarray, source_sha256: str, today: date,
                           thumbnail_jpeg: bytes | None = None) -> int:
        person = self._person(person_id)
        verdict = biometric_verdict(person, self._s.biometric.get(person_id), today)
        if not verdict.allowed:
            raise BiometricConsentRequired(f"{person.name} cannot be recognised: {verdict.reason}.")
        if not self._can_store_faces:
            raise RegisterError("Reference faces cannot be stored: this computer does not hold the key.")
        vector = np.asarray(encoding, dtype=np.float64)
        if vector.shape != (ENCODING_LENGTH,) or not np.all(np.isfinite(vector)):
            raise ValueError("a face encoding has 128 finite values")
        digest = source_sha256.lower()
        if not _SHA256_HEX.fullmatch(digest):
            raise ValueError("source_sha256 must be 64 hexadecimal digits")
        face = _Face(self._s.new_id(), person_id, vector.copy(), digest, datetime.now(timezone.utc), thumbnail_jpeg)
        self._s.faces[face.id] = face
        return face.id

    def delete_reference_faces(self, person_id: int) -> int:
        gone = [face_id for face_id, face in self._s.faces.items() if face.person_id == person_id]
        for face_id in gone:
            del self._s.faces[face_id]
        return len(gone)

    def delete_reference_face(self, reference_id: int) -> int | None:
        face = self._s.faces.pop(reference_id, None)
        return face.person_id if face else None

    def count_reference_faces(self, person_id: int) -> int:
        return sum(face.person_id == person_id for face in self._s.faces.values())

    def reference_face_counts(self) -> dict[int, int]:
        counts: dict[int, int] = defaultdict(int)
        for face in self._s.faces.values():
            counts[face.person_id] += 1
        return dict(counts)

    def reference_face_holders(self) -> list[FaceHolder]:
        holders = sorted({face.person_id for face in self._s.faces.values()})
        return [FaceHolder(self._s.people[person_id], self._s.biometric.get(person_id)) for person_id in holders]

    def reference_faces(self, person_id: int) -> list[ReferenceFace]:
        return [ReferenceFace(f.id, person_id, f.source_sha256, f.added_at, f.thumbnail)
                for f in sorted(self._s.faces.values(), key=lambda f: f.id) if f.person_id == person_id]

    def reference_encodings(self) -> dict[int, list[np.ndarray]]:
        if not self._can_store_faces:
            return {}
        by_person: dict[int, list[np.ndarray]] = defaultdict(list)
        for face in sorted(self._s.faces.values(), key=lambda f: (f.person_id, f.id)):
            by_person[face.person_id].append(face.encoding.copy())
        return dict(by_person)

    def sealed_rows(self) -> Iterator:
        return iter(())  # rows are not sealed here

    def _person(self, person_id: int) -> Person:
        person = self._s.people.get(person_id)
        if person is None:
            raise PersonNotFound(person_id)
        return person

    def _check_mis_id_free(self, mis_id: str | None, person_id: int | None) -> None:
        existing = self.find_person_by_mis_id(mis_id) if mis_id is not None else None
        if existing is not None and existing.id != person_id:
            raise RegisterError(f"{existing.name} already has the MIS id {mis_id}.")


class MemoryAudit:
    def __init__(self, state: _State, key: LogKey | None):
        self._s = state
        self._key = key

    def append(self, content: dict[str, Any]) -> AuditRecord:
        last = self._s.records[-1] if self._s.records else None
        record = seal(last.seq + 1 if last else 1, last.entry_hash if last else GENESIS_HASH, content, self._key)
        self._s.records.append(record)
        self._s.head_mac = self._key.head_mac(record.seq, record.entry_hash) if self._key else None
        self._s.terms.append(terms_of(record.seq, json.loads(record.content_json)))
        return record

    def records(self) -> Iterator[AuditRecord]:
        return iter(list(self._s.records))

    def head(self) -> tuple[int, str] | None:
        last = self._s.records[-1] if self._s.records else None
        return (last.seq, last.entry_hash) if last else None

    def head_mac(self) -> str | None:
        return self._s.head_mac

    def first_sealed(self) -> AuditRecord | None:
        return next((r for r in self._s.records if r.mac is not None), None)

    def get(self, seq: int) -> AuditRecord | None:
        return self._s.records[seq - 1] if 0 < seq <= len(self._s.records) else None

    def newest(self, query: AuditQuery, before_seq: int | None = None, limit: int = 200) -> list[AuditRecord]:
        found = [r for r in reversed(list(self.matching(query))) if before_seq is None or r.seq < before_seq]
        return found[:limit]

    def matching(self, query: AuditQuery) -> Iterator[AuditRecord]:
        wanted = {t.seq for t in self._s.terms if _matches(t, query)}
        return iter([r for r in self._s.records if r.seq in wanted])

    def count(self, query: AuditQuery) -> int:
        return sum(_matches(t, query) for t in self._s.terms)

    def distinct_values(self, term: str) -> list[str]:
        values = {getattr(t, term) for t in self._s.terms}
        return sorted(value for value in values if value is not None)

    def indexed_terms(self) -> Iterator[AuditTerms]:
        return iter(list(self._s.terms))


class MemoryAccounts:
    def __init__(self, state: _State):
        self._s = state

    def count_accounts(self) -> int:
        return len(self._s.accounts)

    def get_account(self, initials: str, lock: bool = False) -> Account | None:
        return self._s.accounts.get(initials)

    def list_accounts(self) -> list[Account]:
        return sorted(self._s.accounts.values(), key=lambda a: a.initials)

    def add_account(self, account: Account) -> None:
        if account.initials in self._s.accounts:
            raise RegisterError(f"There is already an account {account.initials}.")
        self._s.accounts[account.initials] = account

    def update_account(self, account: Account) -> None:
        self._s.accounts[account.initials] = account

    def channel_admins(self, channel: str) -> ChannelAdmins | None:
        return self._s.channel_admins.get(channel)

    def all_channel_admins(self) -> dict[str, ChannelAdmins]:
        return dict(self._s.channel_admins)

    def put_channel_admins(self, admins: ChannelAdmins) -> None:
        self._s.channel_admins[admins.channel] = admins


class MemoryDpia:
    def __init__(self, state: _State):
        self._s = state

    def current(self) -> DpiaRecord | None:
        return self._s.dpia[-1] if self._s.dpia else None

    def add(self, record: DpiaRecord) -> None:
        self._s.dpia.append(record)


class MemoryTransaction:
    def __init__(self, state: _State, key: LogKey | None, can_store_faces: bool):
        self.register = MemoryRegister(state, can_store_faces)
        self.audit = MemoryAudit(state, key)
        self.accounts = MemoryAccounts(state)
        self.dpia = MemoryDpia(state)


class MemoryStore:
    """`can_store_faces` stands for holding the reference-face key; `log_key` keys the log as the real one."""

    def __init__(self, log_key: LogKey | None = None, can_store_faces: bool = True):
        self._state = _State()
        self._log_key = log_key
        self.can_store_faces = can_store_faces

    @property
    def log_key(self) -> LogKey | None:
        return self._log_key

    @contextmanager
    def transaction(self) -> Iterator[MemoryTransaction]:
        """Works on a copy: an error anywhere inside leaves the store as it was."""
        working = copy.deepcopy(self._state)
        yield MemoryTransaction(working, self._log_key, self.can_store_faces)
        self._state = working

    @contextmanager
    def snapshot(self) -> Iterator[MemoryTransaction]:
        """Reads a copy, so nothing done through it is kept."""
        yield MemoryTransaction(copy.deepcopy(self._state), self._log_key, self.can_store_faces)


def _fields(new: NewPerson) -> dict[str, Any]:
    return {f.name: getattr(new, f.name) for f in fields(new)}


def _checked_name(value: str) -> str:
    name = value.strip()
    if not name:
        raise RegisterError("A person needs a name.")
    return name


def _matches(terms: AuditTerms, query: AuditQuery) -> bool:
    for name in ("kind", "user", "channel", "decision", "source_sha256"):
        wanted = getattr(query, name)
        if wanted is not None and getattr(terms, name) != wanted:
            return False
    if query.person_id is not None and query.person_id not in terms.person_ids:
        return False
    if query.at_from is not None and (terms.at_utc is None or terms.at_utc < query.at_from):
        return False
    return query.at_before is None or (terms.at_utc is not None and terms.at_utc < query.at_before)
