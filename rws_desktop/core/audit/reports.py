"""The audit exports: what goes in each, as CSV rows and as PDF pages.

The service gathers the entries (in one snapshot, with the chain check); this module only lays them out.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

from ..kernel.audit_chain import AuditRecord
from ..kernel.audit_entries import PostApproved
from .describe import AuditRow, kind_label
from .names import PersonRef
from ..kernel.consent import BiometricConsent, Person, PhotoConsent
from .pdf_document import Column, PdfDocument
from ..kernel.decisions import Decision

LOG_CSV_HEADER = (
    "seq", "at", "kind", "user", "channel", "decision", "people", "summary", "local_time", "details",
    "previous_hash", "entry_hash",
)
PERSON_CSV_HEADER = (
    "seq", "at", "kind", "user", "channel", "decision", "part", "about_this_person", "summary", "local_time",
    "source_name", "entry_hash",
)
POST_APPROVED = PostApproved.KIND
CONSENT_HISTORY = "register and consent"
PHOTOS_AND_OTHER = "photos and other"
_ENTRY_COLUMNS = [
    Column("#", 13), Column("Time", 35), Column("Kind", 30), Column("User", 20), Column("Channel", 30),
    Column("Decision", 17), Column("Details", 0),
]


@dataclass(frozen=True)
class ChainLine:
    """The chain check as a report prints it."""

    ok: bool
    text: str
    last_seq: int
    last_hash: str | None
    checkpoint: str = ""  # a checkpoint signed when the report was made, with the key's fingerprint

    def with_checkpoint(self, text: str) -> "ChainLine":
        return replace(self, checkpoint=text)


@dataclass(frozen=True)
class LogReport:
    school: str
    period: str
    filters: str
    generated_by: str
    generated_at: datetime
    chain: ChainLine
    rows: list[AuditRow]


@dataclass(frozen=True)
class PersonEntry:
    row: AuditRow
    part: str  # CONSENT_HISTORY or PHOTOS_AND_OTHER
    about_person: str
    source_name: str


@dataclass(frozen=True)
class PersonReport:
    school: str
    person: PersonRef
    details: Person | None  # None once erased from the register
    photo_consents: list[PhotoConsent]
    biometric: BiometricConsent | None
    biometric_valid: str
    generated_by: str
    generated_at: datetime
    chain: ChainLine
    entries: list[PersonEntry]


def about_posts(records: list[AuditRecord], posts: Iterable[AuditRecord], person_id: int) -> list[AuditRecord]:
    """`records` with every post whose caption names the person or whose photos show them, in seq order.
    The log's search index knows faces, not the ids a post lists, so the person report adds posts here."""
    seen = {record.seq for record in records}
    extra = [p for p in posts if p.seq not in seen and post_involvement(p.content, person_id)]
    return sorted(records + extra, key=lambda record: record.seq)


def post_involvement(content: dict, person_id: int) -> str:
    """What a post_approved entry says about one person, or "" when nothing."""
    post = PostApproved.from_payload(content)
    if post is None:
        return ""
    parts = []
    if person_id in post.named_person_ids:
        parts.append("named in the post's caption")
    if person_id in post.shown_person_ids:
        parts.append("shown in the post's photos")
    return "; ".join(parts)


def local_time_text(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def log_csv_cells(record: AuditRecord, row: AuditRow) -> list[object]:
    people = "; ".join(person.label() for person in row.people)
    return [
        row.seq, row.at_utc, row.kind, row.user, row.channel, row.decision, people, row.summary,
        local_time_text(row.at), record.content_json, record.previous_hash, row.entry_hash,
    ]


def person_csv_cells(entry: PersonEntry) -> list[object]:
    row = entry.row
    return [
        row.seq, row.at_utc, row.kind, row.user, row.channel, row.decision, entry.part, entry.about_person,
        row.summary, local_time_text(row.at), entry.source_name, row.entry_hash,
    ]


def render_log_pdf(path: Path, report: LogReport) -> None:
    document = PdfDocument(f"Audit log report: {report.school}", f"{report.school} audit log report, {report.period}")
    document.heading(f"{report.school}: audit log report")
    _header(document, report.period, report.filters, report.generated_by, report.generated_at, report.chain, report.rows)
    document.heading("Photos vetted, by channel and decision", size=11)
    document.table(*_decision_totals(report.rows))
    document.heading("Entries by kind", size=11)
    kinds = Counter(row.kind_label for row in report.rows)
    document.table([Column("Kind", 70), Column("Entries", 25)], [[k, str(n)] for k, n in sorted(kinds.items())] + [["Total", str(len(report.rows))]])
    document.heading("Entries", size=11)
    if report.rows:
        document.table(_ENTRY_COLUMNS, [_entry_cells(row, row.summary) for row in report.rows])
    else:
        document.paragraph("No entries match.")
    document.save(path)


def render_person_pdf(path: Path, report: PersonReport) -> None:
    name = report.person.name
    document = PdfDocument(f"Person report: {name}", f"{report.school} person report: {name}")
    document.heading(f"{report.school}: person report for {name}")
    document.facts(_person_facts(report))
    document.heading("Current photo consent", size=11)
    if report.photo_consents:
        document.table(
            [Column("Channel", 40), Column("Status", 25), Column("Given on", 25), Column("Expires", 25),
             Column("Given by", 60), Column("May be named", 30)],
            [[c.channel, c.status.value, c.given_on.isoformat(), c.expires_on.isoformat() if c.expires_on else "",
              c.given_by, "yes" if c.may_be_named else "no"] for c in report.photo_consents],
        )
    else:
        document.paragraph("None recorded." if report.details else "Not known: this person has been erased from the register.")
    document.paragraph(f"Biometric consent (recognition): {report.biometric_valid}.")
    history = [e for e in report.entries if e.part == CONSENT_HISTORY]
    others = [e for e in report.entries if e.part != CONSENT_HISTORY]
    document.heading(f"Register and consent history ({_entries(len(history))})", size=11)
    _entries_table(document, history)
    document.heading(f"Photos and other entries involving {name} ({_entries(len(others))})", size=11)
    _entries_table(document, others)
    document.save(path)


def _entries(count: int) -> str:
    return f"{count} {'entry' if count == 1 else 'entries'}"


def _entries_table(document: PdfDocument, entries: list[PersonEntry]) -> None:
    if entries:
        document.table(_ENTRY_COLUMNS, [_entry_cells(e.row, e.about_person or e.row.summary) for e in entries])
    else:
        document.paragraph("None.")


def _person_facts(report: PersonReport) -> list[tuple[str, str]]:
    person = report.details
    facts = [("Person", report.person.label())]
    if person is None:
        facts.append(("In the register", "No: erased. The log names people by id only, so their entries remain, unchanged."))
    else:
        facts += [("Kind", person.kind.value), ("MIS id", person.mis_id or "")]
        if person.year_group is not None or person.form:
            facts.append(("Year and form", " ".join(filter(None, [str(person.year_group or ""), person.form or ""]))))
        if person.leaving_date:
            facts.append(("Left", person.leaving_date.isoformat()))
    facts += [
        ("Generated by", f"{report.generated_by} on {local_time_text(report.generated_at)}"),
        ("Chain verification", report.chain.text),
        ("Signed checkpoint", report.chain.checkpoint or "none"),
        ("Entries involving them", str(len(report.entries))),
    ]
    return facts


def _header(document, period, filters, generated_by, generated_at, chain: ChainLine, rows: list[AuditRow]) -> None:
    facts = [
        ("Period", period),
        ("Filters", filters),
        ("Generated by", f"{generated_by} on {local_time_text(generated_at)}"),
        ("Chain verification", chain.text),
        ("Signed checkpoint", chain.checkpoint or "none"),
        ("Entries in this report", str(len(rows))),
    ]
    if rows:
        facts.append(("Last entry in this report", f"#{rows[-1].seq}, hash {rows[-1].entry_hash}"))
    document.facts(facts)
    document.paragraph("Times are in this computer's time zone. The CSV export gives each entry's exact UTC time and content.")


def _decision_totals(rows: list[AuditRow]) -> tuple[list[Column], list[list[str]]]:
    photos = [row for row in rows if row.kind == "photo_vetted"]
    decisions = [d.value for d in Decision] + sorted({r.decision for r in photos} - {d.value for d in Decision})
    counts = Counter((row.channel, row.decision) for row in photos)
    channels = sorted({row.channel for row in photos})
    columns = [Column("Channel", 50)] + [Column(d, 25) for d in decisions] + [Column("Total", 25)]
    table = [[channel or "(none)"] + [str(counts[(channel, d)]) for d in decisions] + [str(sum(counts[(channel, d)] for d in decisions))] for channel in channels]
    table.append(["All channels"] + [str(sum(counts[(c, d)] for c in channels)) for d in decisions] + [str(len(photos))])
    return columns, table


def _entry_cells(row: AuditRow, details: str) -> list[str]:
    return [str(row.seq), local_time_text(row.at), row.kind_label or kind_label(row.kind), row.user, row.channel, row.decision, details]
