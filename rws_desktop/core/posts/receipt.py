"""receipt.pdf: one page saying what the posting pack holds and who approved it, for the school's records."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..audit.pdf_document import Column, PdfDocument
from .review import PostReview


@dataclass(frozen=True)
class ReceiptFile:
    name: str
    sha256: str
    audit_seq: int | None
    decision: str


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


def render_receipt(path: Path, receipt: Receipt) -> None:
    channel = receipt.review.channel
    document = PdfDocument(f"Posting receipt: {channel.name}", f"{receipt.school} posting receipt, {channel.name}")
    document.heading(f"{receipt.school}: posting receipt")
    document.facts([
        ("Channel", f"{channel.name} ({channel.platform}, {channel.handle})"),
        ("Approved by", receipt.approved_by),
        ("Approved at", f"{receipt.approved_at_local} (UTC {receipt.approved_at_utc})"),
        ("Caption", f"caption.txt, SHA-256 {receipt.caption_sha256}"),
    ])
    document.heading("Files", size=11)
    document.table(
        [Column("File", 60), Column("Decision", 20), Column("Audit entry", 25), Column("SHA-256", 0)],
        [[f.name, f.decision, f"#{f.audit_seq}" if f.audit_seq else "", f.sha256] for f in receipt.files],
    )
    document.heading("Checks run", size=11)
    document.paragraph("\n".join(f"- {check}" for check in receipt.checks))
    confirmed = receipt.review.confirmed
    document.heading("Overrides", size=11)
    if confirmed:
        document.table(
            [Column("Name as written", 50), Column("Could mean (register ids)", 45), Column("Reason given", 0)],
            [[" ".join(f.text.split()), ", ".join(map(str, f.person_ids)), f.confirmed_reason or ""] for f in confirmed],
        )
    else:
        document.paragraph("None.")
    warnings = receipt.review.warnings
    if warnings:
        document.heading("Warnings shown when it was approved", size=11)
        document.paragraph("\n".join(f"- '{' '.join(f.text.split())}': {f.reason}" for f in warnings))
    document.save(path)
