"""Showing, checking and handing on the audit log, for auditors and the DPO. Nothing here changes it.

Every read runs in a store snapshot, so a long export or chain check never holds up vetting
on another PC, and what a report lists and the chain check it prints describe the same log.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path

from ..kernel.audit_chain import AuditRecord
from ..kernel.audit_entries import audit_entry
from .describe import AuditEntryDetail, AuditRow, EntryDescriber, kind_label
from ..kernel.audit_index import AuditQuery
from .names import NameResolver
from .reports import (
    CONSENT_HISTORY,
    LOG_CSV_HEADER,
    PERSON_CSV_HEADER,
    PHOTOS_AND_OTHER,
    POST_APPROVED,
    LogReport,
    PersonEntry,
    PersonReport,
    log_csv_cells,
    long_date,
    person_csv_cells,
    render_log_pdf,
    render_person_pdf,
    about_posts,
    post_involvement,
)
from .checkpoints import CheckpointCheck, compare_checkpoint, make_checkpoint
from .status import ChainStatus, ProgressCallback, check_chain
from ..kernel.checkpoint import Checkpoint
from ..kernel.consent import biometric_verdict
from ..kernel.permissions import Action, requires
from ..kernel.person_lookup import match_person
from ..kernel.ports import PersonNotFound, Store, Transaction
from ..kernel.session import Session
from .report_files import replacing, write_csv

DEFAULT_SCHOOL = "Ravens Wood School"
PAGE_SIZE = 200


class AuditReportError(Exception):
    """A report that cannot be made as asked, explained in plain words."""


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to show. Dates are inclusive days in the service's time zone; None or "" means any."""

    date_from: date | None = None
    date_to: date | None = None
    channel: str | None = None
    user: str | None = None
    decision: str | None = None
    kind: str | None = None
    person_id: int | None = None
    source_sha256: str | None = None  # one photo's entries

    def query(self, tz: tzinfo | None) -> AuditQuery:
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise AuditReportError(f"The period ends ({self.date_to}) before it starts ({self.date_from}).")
        return AuditQuery(
            at_from=None if self.date_from is None else utc_midnight(self.date_from, tz),
            at_before=None if self.date_to is None else utc_midnight(self.date_to + timedelta(days=1), tz),
            kind=self.kind or None,
            user=self.user or None,
            channel=self.channel or None,
            decision=self.decision or None,
            person_id=self.person_id,
            source_sha256=self.source_sha256 or None,
        )


@dataclass(frozen=True)
class AuditPage:
    rows: tuple[AuditRow, ...]
    next_before: int | None  # pass as before_seq for the next, older page; None after the oldest


@dataclass(frozen=True)
class FilterChoices:
    """The values each filter can usefully take: those in the log."""

    kinds: tuple[tuple[str, str], ...]  # (kind, label)
    users: tuple[str, ...]
    channels: tuple[str, ...]
    decisions: tuple[str, ...]


class AuditLogService:
    """Reading, verifying and exporting the log: for auditors (and anyone given that role)."""

    def __init__(self, store: Store, session: Session, tz: tzinfo | None = None):
        """`tz`: the time zone dates are read and shown in; None means the computer's own."""
        self.store = store
        self.session = session
        self.tz = tz

    # The log view

    @requires(Action.READ_AUDIT)
    def page(self, filter: AuditFilter = AuditFilter(), before_seq: int | None = None, limit: int = PAGE_SIZE) -> AuditPage:
        """Matching entries newest first, starting below `before_seq` (keyset paging on seq)."""
        query = filter.query(self.tz)
        with self.store.snapshot() as tx:
            records = tx.audit.newest(query, before_seq, limit + 1)
            describer = self._describer(tx)
            rows = tuple(describer.row(record) for record in records[:limit])
        return AuditPage(rows, rows[-1].seq if len(records) > limit else None)

    @requires(Action.READ_AUDIT)
    def count(self, filter: AuditFilter = AuditFilter()) -> int:
        query = filter.query(self.tz)
        with self.store.snapshot() as tx:
            return tx.audit.count(query)

    @requires(Action.READ_AUDIT)
    def entry(self, seq: int) -> AuditEntryDetail | None:
        """All of one entry, with names looked up now and other entries about the same photo."""
        with self.store.snapshot() as tx:
            record = tx.audit.get(seq)
            if record is None:
                return None
            source = record.content.get("source_sha256")
            related = tx.audit.newest(AuditQuery(source_sha256=source), limit=PAGE_SIZE) if isinstance(source, str) else []
            return self._describer(tx).detail(record, related)

    @requires(Action.READ_AUDIT)
    def filter_choices(self) -> FilterChoices:
        with self.store.snapshot() as tx:
            kinds = tx.audit.distinct_values("kind")
            return FilterChoices(
                kinds=tuple((kind, kind_label(kind)) for kind in kinds),
                users=tuple(tx.audit.distinct_values("user")),
                channels=tuple(tx.audit.distinct_values("channel")),
                decisions=tuple(tx.audit.distinct_values("decision")),
            )

    @requires(Action.READ_AUDIT)
    def chain_status(self, progress: ProgressCallback | None = None) -> ChainStatus:
        """Re-check every entry's hash chain, and that the search index still matches the entries."""
        with self.store.snapshot() as tx:
            return check_chain(tx, progress, self._key)

    @requires(Action.READ_AUDIT)
    def checkpoint(self) -> Checkpoint:
        """A signed checkpoint of the log as it is now, for the auditor to keep outside the database."""
        with self.store.snapshot() as tx:
            return make_checkpoint(check_chain(tx, key=self._key), self._key)

    @requires(Action.READ_AUDIT)
    def save_checkpoint(self, path: Path) -> Checkpoint:
        checkpoint = self.checkpoint()
        with replacing(path) as pending:
            pending.write_text(checkpoint.to_json(), encoding="utf-8")
        self._record_checkpoint(checkpoint)
        return checkpoint

    @requires(Action.READ_AUDIT)
    def check_against(self, checkpoint: Checkpoint, progress: ProgressCallback | None = None) -> tuple[ChainStatus, CheckpointCheck]:
        """The log's own check, and whether it still holds exactly what `checkpoint` covered."""
        with self.store.snapshot() as tx:
            status = check_chain(tx, progress, self._key)
            return status, compare_checkpoint(checkpoint, tx, status, self._key)

    # Exports

    @requires(Action.EXPORT_AUDIT)
    def export_csv(self, filter: AuditFilter, path: Path) -> int:
        """The matching entries, oldest first, one row each. Returns how many."""
        query = filter.query(self.tz)
        with self.store.snapshot() as tx:
            describer = self._describer(tx)
            return write_csv(path, LOG_CSV_HEADER, (log_csv_cells(r, describer.row(r)) for r in tx.audit.matching(query)))

    @requires(Action.EXPORT_AUDIT)
    def export_pdf(self, filter: AuditFilter, path: Path, generated_by: str, school: str = DEFAULT_SCHOOL) -> int:
        """A report for governors: period, totals, the entries and the chain check. Returns entries listed."""
        query = filter.query(self.tz)
        with self.store.snapshot() as tx:
            describer = self._describer(tx)
            rows = [describer.row(record) for record in tx.audit.matching(query)]
            status = check_chain(tx, key=self._key)
            filters = self._filter_words(filter, describer.names)
        report = LogReport(school, _period(filter), filters, generated_by, self._now(), self._chain_line(status), rows)
        with replacing(path) as pending:
            render_log_pdf(pending, report)
        return len(rows)

    @requires(Action.EXPORT_AUDIT)
    def person_report(self, person_id: int, path: Path, generated_by: str = "", school: str = DEFAULT_SCHOOL) -> int:
        """One person's consent history and every entry involving them; CSV or PDF by the file's extension."""
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".pdf"):
            raise AuditReportError(f"A person report is a .csv or .pdf file, not '{path.name}'.")
        with self.store.snapshot() as tx:
            describer = self._describer(tx)
            person = tx.register.get_person(person_id)
            records = list(tx.audit.matching(AuditQuery(person_id=person_id)))
            records = about_posts(records, tx.audit.matching(AuditQuery(kind=POST_APPROVED)), person_id)
            if person is None and not records:
                raise PersonNotFound(person_id)
            entries = [_person_entry(describer, record, person_id) for record in records]
            if suffix == ".csv":
                return write_csv(path, PERSON_CSV_HEADER, (person_csv_cells(entry) for entry in entries))
            biometric = tx.register.biometric_consent(person_id) if person else None
            report = PersonReport(
                school=school,
                person=describer.names.ref(person_id),
                details=person,
                photo_consents=tx.register.photo_consents(person_id) if person else [],
                biometric=biometric,
                biometric_valid=_biometric_words(person, biometric, self._now().date()),
                generated_by=generated_by,
                generated_at=self._now(),
                chain=self._chain_line(check_chain(tx, key=self._key)),
                entries=entries,
            )
        with replacing(path) as pending:
            render_person_pdf(pending, report)
        return len(entries)

    @requires(Action.READ_AUDIT)
    def resolve_person(self, reference: str) -> int:
        """A person id from what was typed: an id or an MIS id ("id:12" or "mis:12" when both could fit).

        An id no longer in the register is accepted, so an erased person's entries can still be reported."""
        prefix = reference.strip().partition(":")[0].lower()
        with self.store.snapshot() as tx:
            found = match_person(tx.register, reference)
        text, by_mis, by_id = found.text, found.by_mis_id, found.by_id
        if prefix == "mis" and ":" in reference:
            if by_mis is None:
                raise PersonNotFound(f"with MIS id {text}")
            return by_mis.id
        if prefix == "id" and text.isdigit():
            return int(text)
        if found.ambiguous:
            raise AuditReportError(
                f"'{text}' is both person {by_id.id} and the MIS id of person {by_mis.id}; "
                f"write id:{text} or mis:{text}."
            )
        if by_mis:
            return by_mis.id
        if text.isdigit():
            return int(text)
        raise PersonNotFound(text)

    # Helpers

    @property
    def _key(self):
        return getattr(self.store, "log_key", None)

    def _chain_line(self, status: ChainStatus):
        """The chain check as reports print it, with a checkpoint signed now when the log verifies."""
        line = status.line()
        if status.ok and status.verified_up_to and self._key is not None:
            checkpoint = make_checkpoint(status, self._key)
            line = line.with_checkpoint(f"{checkpoint.line()} Signature: {checkpoint.to_signature_text()}")
        elif self._key is None:
            line = line.with_checkpoint("No checkpoint: this computer does not hold the audit-log key.")
        return line

    def _record_checkpoint(self, checkpoint: Checkpoint) -> None:
        with self.store.transaction() as tx:
            tx.audit.append(audit_entry("audit_checkpoint_saved", self.session.initials, checkpoint_entry=checkpoint.entry,
                                        head_hash=checkpoint.head_hash, fingerprint=checkpoint.fingerprint))

    def _describer(self, tx: Transaction) -> EntryDescriber:
        return EntryDescriber(NameResolver(tx.register.person_names()), self.tz)

    def _now(self) -> datetime:
        return datetime.now(timezone.utc).astimezone(self.tz)

    @staticmethod
    def _filter_words(filter: AuditFilter, names: NameResolver) -> str:
        words = [
            f"{label} {value}"
            for label, value in (
                ("channel", filter.channel), ("user", filter.user), ("decision", filter.decision),
                ("kind", kind_label(filter.kind) if filter.kind else None), ("photo", filter.source_sha256),
            )
            if value
        ]
        if filter.person_id is not None:
            words.append(f"person {names.ref(filter.person_id).label()}")
        return ", ".join(words) or "none (every entry in the period)"


def utc_midnight(day: date, tz: tzinfo | None) -> datetime:
    """The start of `day` in `tz` (None: the computer's zone), as naive UTC."""
    local = datetime.combine(day, time())
    aware = local.replace(tzinfo=tz) if tz else local.astimezone()
    return aware.astimezone(timezone.utc).replace(tzinfo=None)


def _period(filter: AuditFilter) -> str:
    if filter.date_from and filter.date_to:
        return f"{long_date(filter.date_from)} to {long_date(filter.date_to)}"
    if filter.date_from:
        return f"from {long_date(filter.date_from)}"
    if filter.date_to:
        return f"up to {long_date(filter.date_to)}"
    return "all entries"


def _person_entry(describer: EntryDescriber, record: AuditRecord, person_id: int) -> PersonEntry:
    content = record.content
    about_them = content.get("person_id") == person_id
    return PersonEntry(
        row=describer.row(record, content),
        part=CONSENT_HISTORY if about_them else PHOTOS_AND_OTHER,
        about_person=describer.involvement(content, person_id) or post_involvement(content, person_id),
        source_name=str(content.get("source_name") or ""),
    )


def _biometric_words(person, consent, today: date) -> str:
    if person is None:
        return "not known (erased from the register)"
    verdict = biometric_verdict(person, consent, today)
    return f"{'valid' if verdict.allowed else 'not valid'} today ({verdict.reason})"
