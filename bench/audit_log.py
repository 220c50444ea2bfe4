"""How the audit log view and exports cope with a big log: builds one and times what the window and `rws audit` do.

    uv run python bench/audit_log.py                      # 100,000 entries, 1,500 people
    uv run python bench/audit_log.py --entries 20000 --keep bench/out

The log covers one school year (September to August) with a realistic mix of kinds: mostly
photos vetted (1 to 25 faces, some with desktop corrections), corrections, register changes and
sign-ins. It is written through the app's own repository (500 entries per transaction, so the
build takes minutes rather than the hours 100,000 separate commits would), then read through
AuditLogService exactly as the log view and the exports do.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from rws_desktop.core.kernel.access_ports import Account
from rws_desktop.core.audit.log_service import AuditFilter, AuditLogService
from rws_desktop.core.kernel.channels import ChannelCatalogue
from rws_desktop.core.accounts.passwords import PasswordHashing
from rws_desktop.core.kernel.permissions import Role
from rws_desktop.core.kernel.session import Session
from rws_desktop.paths import channels_file
from rws_desktop.core.kernel.ports import NewPerson
from rws_desktop.storage import open_database

YEAR_START = datetime(2025, 9, 1, 7, 30, tzinfo=timezone.utc)
CHANNELS = ["instagram", "whatsapp", "sixthform-instagram", "sport-instagram", "sport-facebook", "sport-x"]
USERS = ["MSN", "MGL", "AWI", "SPL", "NEF", "JFO", "TBE", "DPO"]
KINDS = [  # (kind, share of entries)
    ("photo_vetted", 0.70), ("photo_corrected", 0.06), ("correction_undone", 0.01), ("photo_consent_set", 0.10),
    ("biometric_consent_set", 0.03), ("reference_face_added", 0.03), ("person_added", 0.02), ("person_left", 0.01),
    ("signed_in", 0.035), ("sign_in_failed", 0.005),
]
CONSENTS = ["granted", "refused", "withdrawn", "expired", "no_consent", "left"]
BATCH = 500


def auditor_session(database) -> Session:
    """An auditor account for the bench to read the log as."""
    account = Account("AUD", "Bench auditor", frozenset({Role.AUDITOR}), PasswordHashing().hash("bench only, never used"))
    with database.transaction() as tx:
        tx.accounts.add_account(account)
    return Session.for_account(account, database, ChannelCatalogue.from_toml(channels_file()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=1_500)
    parser.add_argument("--keep", type=Path, help="build the database and exports in this folder and keep them")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="rws-audit-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "audit-bench.sqlite3"
    db_path.unlink(missing_ok=True)
    database = open_database(f"sqlite:///{db_path}")
    database.migrate()
    rng = random.Random(2026)

    with database.transaction() as tx:
        for number in range(args.people):
            tx.register.add_person(NewPerson(f"Pupil {number:04d} Example", mis_id=f"MIS{number:05d}"))
    spacing = timedelta(days=365) / args.entries
    started = time.perf_counter()
    for first in range(0, args.entries, BATCH):
        with database.transaction() as tx:
            for number in range(first, min(first + BATCH, args.entries)):
                tx.audit.append(make_entry(rng, YEAR_START + spacing * number, args.people))
    build = time.perf_counter() - started
    single = [timed(lambda: append_one(database, rng, args.people)) for _ in range(50)]
    size_mb = sum(p.stat().st_size for p in folder.glob("audit-bench.sqlite3*")) / 1e6
    print(f"Log: {args.entries + 50:,} entries, {args.people:,} people, {size_mb:.0f} MB of SQLite in {folder}")
    report("build (500 appends per transaction)", build, f"{args.entries / build:,.0f} entries/s")
    report("one append in its own transaction", statistics.median(single), "median of 50")

    service = AuditLogService(database, auditor_session(database), tz=ZoneInfo("Europe/London"))
    person = busiest_person(service, args.people)
    month = AuditFilter(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    print("\nLog view (pages of 200, newest first; median of 5 runs):")
    for label, audit_filter in [
        ("first page, no filter", AuditFilter()),
        ("channel instagram", AuditFilter(channel="instagram")),
        (f"person #{person}", AuditFilter(person_id=person)),
        ("March 2026", month),
        ("March 2026, instagram, redacted", AuditFilter(date_from=month.date_from, date_to=month.date_to, channel="instagram", decision="redacted")),
        ("user DPO", AuditFilter(user="DPO")),
        ("kind sign_in_failed", AuditFilter(kind="sign_in_failed")),
    ]:
        page = service.page(audit_filter)
        report(label, best_of(lambda: service.page(audit_filter)), f"{len(page.rows)} rows")
    report("deep page: entries below #1,000", best_of(lambda: service.page(before_seq=1000)))
    deep = service.page(AuditFilter(channel="whatsapp"), before_seq=args.entries // 20)
    report(f"deep page: whatsapp below #{args.entries // 20:,}", best_of(lambda: service.page(AuditFilter(channel="whatsapp"), before_seq=args.entries // 20)), f"{len(deep.rows)} rows")
    report("count, no filter", best_of(lambda: service.count()))
    report("count, channel instagram", best_of(lambda: service.count(AuditFilter(channel="instagram"))), f"{service.count(AuditFilter(channel='instagram')):,} entries")
    walk = timed(lambda: page_through(service, AuditFilter(channel="instagram")))
    report("every page of channel instagram", walk)
    largest = max(service.page(AuditFilter(kind="photo_vetted"), limit=500).rows, key=lambda row: len(row.people))
    report(f"entry detail (#{largest.seq}, {len(service.entry(largest.seq).faces)} faces)", best_of(lambda: service.entry(largest.seq)))
    report("filter choices", best_of(service.filter_choices))

    print("\nChecks and exports:")
    status = service.chain_status()
    report("chain verification", timed(service.chain_status), status.describe())
    month_entries = service.count(month)
    report("CSV export of March 2026", timed(lambda: service.export_csv(month, folder / "march.csv")), f"{month_entries:,} entries")
    report("PDF export of March 2026", timed(lambda: service.export_pdf(month, folder / "march.pdf", "bench")), f"{(folder / 'march.pdf').stat().st_size / 1e6:.1f} MB")
    count = service.count(AuditFilter(person_id=person))
    report(f"person report PDF (#{person})", timed(lambda: service.person_report(person, folder / "person.pdf", "bench")), f"{count} entries")
    report("CSV export of the whole log", timed(lambda: service.export_csv(AuditFilter(), folder / "all.csv")))
    database.close()
    return 0


def make_entry(rng: random.Random, moment: datetime, people: int) -> dict:
    kind = rng.choices([k for k, _ in KINDS], [share for _, share in KINDS])[0]
    at = moment.isoformat(timespec="microseconds").replace("+00:00", "Z")
    entry = {"kind": kind, "at": at, "user": rng.choice(USERS)}
    person_id = rng.randint(1, people)
    if kind == "photo_vetted":
        faces = [face(rng, people) for _ in range(min(25, 1 + int(rng.expovariate(1 / 5))))]
        blurred = sum(f["action"] == "blurred" for f in faces)
        entry.update(
            channel=rng.choice(CHANNELS), source_name=f"IMG_{rng.randint(1000, 9999)}.jpg",
            source_sha256=f"{rng.getrandbits(256):064x}", output_name="IMG.jpg", output_sha256=f"{rng.getrandbits(256):064x}",
            decision="redacted" if blurred else "approved", reason=f"{blurred} face(s) blurred", faces=faces,
        )
        if rng.random() < 0.5:
            entry.update(source="desktop", corrections=[correction(rng, faces) for _ in range(rng.choice([0, 0, 0, 1, 2]))])
    elif kind in ("photo_corrected", "correction_undone"):
        entry.update(channel=rng.choice(CHANNELS), source_name="IMG.jpg", source_sha256=f"{rng.getrandbits(256):064x}",
                     correction=correction(rng, [face(rng, people)]))
    elif kind == "photo_consent_set":
        entry.update(person_id=person_id, channel=rng.choice(CHANNELS + ["all"]), status=rng.choice(["granted", "refused", "withdrawn"]),
                     given_on="2025-09-01", expires_on="2026-08-31", may_be_named=False)
    elif kind in ("biometric_consent_set", "person_left", "reference_face_added", "person_added"):
        entry.update(person_id=person_id)
    return entry


def face(rng: random.Random, people: int) -> dict:
    identified = rng.random() < 0.6
    consent = rng.choice(CONSENTS) if identified else rng.choice(["unknown", "uncertain"])
    return {
        "box": [rng.randint(0, 3000), rng.randint(0, 2000), rng.randint(40, 400), rng.randint(40, 400)],
        "person_id": rng.randint(1, people) if identified else None,
        "distance": round(rng.uniform(0.2, 0.45), 4) if identified else None,
        "consent": consent, "action": "shown" if consent == "granted" else "blurred", "may_be_named": False,
    }


def correction(rng: random.Random, faces: list[dict]) -> dict:
    index = rng.randrange(len(faces))
    action = rng.choice(["blur_face", "show_face", "blur_area"])
    return {"action": action, "face": None if action == "blur_area" else index,
            "person_id": None if action == "blur_area" else faces[index]["person_id"], "shape": "ellipse",
            "box": faces[index]["box"], "reason": "asked by a parent", "user": "MSN", "at": "2026-01-01T09:00:00.000000Z"}


def append_one(database, rng, people) -> None:
    with database.transaction() as tx:
        tx.audit.append(make_entry(rng, datetime.now(timezone.utc), people))


def busiest_person(service: AuditLogService, people: int) -> int:
    """A person with a typical-to-high number of entries, found from a sample."""
    sample = [1 + n * people // 20 for n in range(20)]
    return max(sample, key=lambda person_id: service.count(AuditFilter(person_id=person_id)))


def page_through(service: AuditLogService, audit_filter: AuditFilter) -> None:
    page = service.page(audit_filter)
    while page.next_before is not None:
        page = service.page(audit_filter, before_seq=page.next_before)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def best_of(action: Callable[[], object], runs: int = 5) -> float:
    return statistics.median(timed(action) for _ in range(runs))


def report(label: str, seconds: float, note: str = "") -> None:
    shown = f"{seconds * 1000:8.1f} ms" if seconds < 1 else f"{seconds:8.2f} s "
    print(f"  {label:<44} {shown}  {note}".rstrip(), flush=True)


if __name__ == "__main__":
    sys.exit(main())
