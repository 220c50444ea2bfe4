"""receipt.pdf: one page saying what the posting pack holds and who approved it, for the school's records.

It stays one page however many files the post has: the first LISTED_FILES files are listed with their
SHA-256, and the rest are counted, every file's SHA-256 being in hashes.txt, whose own SHA-256 the
receipt gives (so the receipt still vouches for every file). Long lists of warnings are cut short the
same way; the full list is in the audit entry.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..audit.pdf_document import Column, PdfDocument
from .review import PostReview

LISTED_FILES = 12
LISTED_NOTES = 6  # overrides, and warnings, each


@dataclass(frozen=True)
class ReceiptFile:
    name: str
    sha256: str
    audit_seq: int | None
    decision: str
    kind: str = "photo"


@dataclass(frozen=True)
class Receipt:
    school: str
    review: PostReview
    approved_by: str  # "MSN (Mary Smith)"
    approved_at_local: str
    approved_at_utc: str
    caption_sha256: str
    files: list[ReceiptFile]
    checks: list[str]
    hashes_sha256: str = ""


def render_receipt(path: Path, receipt: Receipt) -> None:
    channel = receipt.review.channel
    document = PdfDocument(f"Posting receipt: {channel.name}", f"{receipt.school} posting receipt, {channel.name}")
    document.heading(f"{receipt.school}: posting receipt")
    photos = sum(f.kind == "photo" for f in receipt.files)
    clips = len(receipt.files) - photos
    facts = [
        ("Channel", f"{channel.name} ({channel.platform}, {channel.handle})"),
        ("Approved by", receipt.approved_by),
        ("Approved at", f"{receipt.approved_at_local} (UTC {receipt.approved_at_utc})"),
        ("Media", f"{_count(photos, 'photo')}, {_count(clips, 'clip')}"),
        ("Caption", f"caption.txt, SHA-256 {receipt.caption_sha256}"),
    ]
    if receipt.hashes_sha256:
        facts.append(("Every file's SHA-256", f"hashes.txt, SHA-256 {receipt.hashes_sha256}"))
    document.facts(facts)
    document.heading("Files", size=11)
    listed = receipt.files[:LISTED_FILES]
    document.table(
        [Column("File", 60), Column("Decision", 20), Column("Audit entry", 25), Column("SHA-256", 0)],
        [[f.name, f.decision, f"#{f.audit_seq}" if f.audit_seq else "", f.sha256] for f in listed],
    )
    more = len(receipt.files) - len(listed)
    if more:
        document.paragraph(f"and {_count(more, 'more file')}: every file's name and SHA-256 is in hashes.txt "
                           "(its SHA-256 is above) and in the audit entry.")
    document.heading("Checks run", size=11)
    document.paragraph("\n".join(f"- {check}" for check in receipt.checks))
    confirmed = receipt.review.confirmed
    document.heading("Overrides", size=11)
    if confirmed:
        document.table(
            [Column("Name as written", 50), Column("Could mean (register ids)", 45), Column("Reason given", 0)],
            [[" ".join(f.text.split()), ", ".join(map(str, f.person_ids)), f.confirmed_reason or ""]
             for f in confirmed[:LISTED_NOTES]],
        )
        if len(confirmed) > LISTED_NOTES:
            document.paragraph(f"and {len(confirmed) - LISTED_NOTES} more, listed in the audit entry.")
    else:
        document.paragraph("None.")
    warnings = receipt.review.warnings
    if warnings:
        document.heading("Warnings shown when it was approved", size=11)
        lines = [f"- '{_short(f.text)}': {f.reason}" for f in warnings[:LISTED_NOTES]]
        if len(warnings) > LISTED_NOTES:
            lines.append(f"and {len(warnings) - LISTED_NOTES} more, listed in the audit entry.")
        document.paragraph("\n".join(lines))
    document.save(path)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
