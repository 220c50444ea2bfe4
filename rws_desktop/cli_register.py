"""`rws` commands for keeping the register true: MIS import, leavers, year end, expiring consent, withdrawal impact."""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .core.kernel.consent import ALL_CHANNELS, FaceConsent, PersonKind, academic_year_end, format_day
from .core.kernel.wording import counted

if TYPE_CHECKING:  # the commands import what they use themselves
    from .app import App
    from .cli_parsing import CommandParsers
    from .core.register.mis_import import ImportPreview

MAPPING_HELP = "columns the file names differently, e.g. 'mis_id=Pupil No,form=Tutor' (field= ignores a column)"


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-09-01") from None


def _ids(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("give register ids separated by commas, e.g. 12,15,40") from None


# The MIS exports a `person` action names, by action: argument parsing keeps their paths, and
# `read_mis_exports` replaces each with its table before the database is opened.
MIS_EXPORT_ARGUMENTS = {"import": "file", "leavers": "absent_from"}


def read_mis_exports(args) -> None:
    """Reads and checks the MIS export a command names, right after the command line is read and before the
    database is opened or anyone signs in: a file that is not a school's CSV export (far too large, a line
    megabytes long, a workbook) is refused in under a second, where opening the database and signing in take
    seconds on a busy machine. The command then gets the file's table. Raises MisImportError, which `main`
    reports in one line like any other refusal (never from inside argparse, which would exit the process)."""
    dest = MIS_EXPORT_ARGUMENTS.get(getattr(args, "action", None)) if args.command == "person" else None
    if dest is None or getattr(args, dest, None) is None:
        return
    from .core.register.mis_csv import read_csv_file

    setattr(args, dest, read_csv_file(getattr(args, dest)))


def add_person_actions(person) -> None:
    from .core.register.people_query import SortKey  # for `rws person` only (cli_parsing.py)

    listing = person.add_parser("list", help="people in the register, searched, filtered and sorted")
    listing.add_argument("--search", default="", help="words to find in the name, MIS id or form")
    listing.add_argument("--kind", choices=[k.value for k in PersonKind])
    listing.add_argument("--year", type=int)
    listing.add_argument("--form")
    listing.add_argument("--enrolled", choices=["yes", "no"])
    listing.add_argument("--channel", help="report consent for this channel key (or 'all')")
    listing.add_argument("--consent", help="only these consent states for --channel, e.g. granted,expired")
    listing.add_argument("--leavers", choices=["no", "only", "include"], default="include")
    listing.add_argument("--sort", choices=[k.value for k in SortKey], default=SortKey.NAME.value)
    listing.add_argument("--descending", action="store_true")
    listing.add_argument("--json", action="store_true")

    legal = person.add_parser("legal-forename", help="record (or, without NAME, clear) a person's legal forename, "
                              "when their register name uses a preferred one")
    legal.add_argument("person", help="register id or MIS id")
    legal.add_argument("legal_forename", nargs="?", default=None, metavar="NAME")

    mis = person.add_parser("import", help="add and update pupils from an MIS export (CSV)")
    mis.add_argument("file", type=Path, metavar="FILE.csv")
    mis.add_argument("--mapping", default="", help=MAPPING_HELP)
    mis.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")

    leavers = person.add_parser("leavers", help="mark leavers in bulk (a preview unless --apply)")
    leavers.add_argument("--year", type=int, help="everyone currently in this year group")
    leavers.add_argument("--absent-from", type=Path, metavar="FILE.csv",
                         help="pupils missing from this full MIS export")
    leavers.add_argument("--mapping", default="", help=MAPPING_HELP)
    leavers.add_argument("--date", type=iso_date, default=None, help="leaving date (default: today)")
    leavers.add_argument("--apply", action="store_true", help="mark them (their reference faces are deleted at once)")

    faces = person.add_parser("faces", help="a person's reference faces")
    faces.add_argument("person")
    remove = person.add_parser("remove-face", help="delete one reference face")
    remove.add_argument("reference", type=int)


def add_consent_actions(consent) -> None:
    from .core.register.expiry import EXPIRING_WITHIN_DAYS  # for `rws consent` only (cli_parsing.py)

    expiring = consent.add_parser("expiring", help="grants that lapse soon")
    expiring.add_argument("--days", type=int, default=EXPIRING_WITHIN_DAYS)
    year_end = consent.add_parser("year-end", help="expire this year's grants, renewing those listed (a preview unless --apply)")
    year_end.add_argument("--year-end", type=iso_date, default=None, help="the 31 August ending the year (default: this one)")
    year_end.add_argument("--renew", type=_ids, default=[], help="register ids whose grants run on for a year")
    year_end.add_argument("--apply", action="store_true")


def add_impact_command(commands: CommandParsers) -> None:
    impact = commands.add("impact", "exported photos that show a person, to take down")
    if impact is None:
        return
    impact.add_argument("person", help="register id or MIS id")
    impact.add_argument("--channel", help="only photos exported for this channel")
    impact.add_argument("--csv", type=Path, metavar="FILE", help="also write the list as CSV")


def cmd_person_list(app: App, args) -> int:
    from .core.register.people_query import PeopleFilter, SortKey

    states = frozenset(FaceConsent(s.strip()) for s in args.consent.split(",")) if args.consent else frozenset()
    if args.channel and args.channel != ALL_CHANNELS:
        app.channels.get(args.channel)
    wanted = PeopleFilter(
        text=args.search, kind=PersonKind(args.kind) if args.kind else None, year_group=args.year, form=args.form,
        enrolled=None if args.enrolled is None else args.enrolled == "yes", channel=args.channel, consent=states,
        leavers={"no": False, "only": True, "include": None}[args.leavers], sort=SortKey(args.sort), descending=args.descending,
    )
    rows = app.queries.people(date.today()).query(wanted)
    if args.json:
        print(json.dumps([_row_json(row) for row in rows], indent=2))
        return 0
    for row in rows:
        p = row.person
        left = f" (left {p.leaving_date})" if p.leaving_date else ""
        consent = f"  {row.consent.value}" if row.consent else ""
        print(f"{p.id:>5}  {p.kind.value:<6} {p.name}{left}{consent}")
    return 0


def _row_json(row) -> dict:
    p = row.person
    return {
        "id": p.id, "name": p.name, "kind": p.kind.value, "mis_id": p.mis_id, "year_group": p.year_group, "form": p.form,
        "date_of_birth": p.date_of_birth.isoformat() if p.date_of_birth else None,
        "leaving_date": p.leaving_date.isoformat() if p.leaving_date else None,
        "reference_faces": row.enrolled, "recognisable": row.recognisable,
        "consent": row.consent.value if row.consent else None,
        "consent_expires": row.expires_on.isoformat() if row.expires_on else None,
    }


def cmd_person_import(app: App, args) -> int:
    from .core.register.mis_csv import parse_mapping

    table = args.file  # read and checked before the database was opened (read_mis_exports)
    mapping = parse_mapping(args.mapping)
    if args.dry_run:
        _print_preview(app.mis_import.preview(table, mapping, date.today()))
        print("Dry run: nothing was changed.")
        return 0
    result = app.mis_import.import_table(table, mapping, date.today())
    _print_preview(result.preview)
    print(f"Imported: {result.created} added, {result.updated} updated.")
    return 0


def _print_preview(preview: ImportPreview) -> None:
    from .core.register.mis_import import RowStatus

    print("Columns: " + ", ".join(f"{field.value}={header}" for field, header in preview.mapping.items()))
    print(preview.summary())
    for row in preview.rows:
        if row.status is RowStatus.UNCHANGED and not row.note:
            continue
        detail = row.reason or "; ".join(f"{c.field}: {c.old} -> {c.new}" for c in row.changes)
        note = f" ({row.note})" if row.note else ""
        line = f"row {row.row:>5}  {row.status.value.upper():<9} {row.mis_id or '-':<14} {row.name or '-'}: {detail}{note}"
        print(line.rstrip(": "))
    for person in preview.absent:
        print(f"not in the file: {person.id:>5} {person.mis_id:<14} {person.name}")
    if preview.absent:
        print("Those not in the file may have left: rws person leavers --absent-from FILE lists them to mark.")


def cmd_person_leavers(app: App, args) -> int:
    if args.year is None and args.absent_from is None:
        print("rws: give --year N or --absent-from FILE.csv", file=sys.stderr)
        return 2
    from .core.register.mis_csv import parse_mapping

    absent = None
    if args.absent_from is not None:  # a table, read and checked with the command line (MisExportFile)
        absent = app.mis_import.preview(args.absent_from, parse_mapping(args.mapping), date.today())
    candidates = app.year_end.preview_leavers(args.year, absent)
    for c in candidates:
        print(f"{c.person.id:>5}  {c.person.mis_id or '-':<14} {c.person.name}: {c.reason}; {counted(c.reference_faces, 'reference face')}")
    if not args.apply:
        print(f"{len(candidates)} to mark as leavers. Nothing was changed; add --apply to mark them.")
        return 0
    deleted = app.year_end.mark_leavers([c.person.id for c in candidates], args.date or date.today())
    print(f"{len(deleted)} marked as leavers; {counted(sum(deleted.values()), 'reference face')} deleted.")
    return 0


def cmd_person_faces(app: App, args) -> int:
    person = app.register.find_person(args.person)
    faces = app.register.reference_faces(person.id)
    for face in faces:
        thumbnail = f"{len(face.thumbnail_jpeg)}-byte thumbnail" if face.thumbnail_jpeg else "no thumbnail"
        print(f"{face.id:>5}  added {face.added_at:%Y-%m-%d}  from {face.source_sha256[:12]}  {thumbnail}")
    print(f"{counted(len(faces), 'reference face')} for person {person.id}.")
    return 0


def cmd_person_remove_face(app: App, args) -> int:
    person_id = app.register.remove_reference_face(args.reference)
    print(f"Reference face {args.reference} of person {person_id} deleted.")
    return 0


def cmd_consent_expiring(app: App, args) -> int:
    found = app.queries.expiring(date.today(), args.days)
    for item in found:
        scope = "all channels" if item.consent.channel == ALL_CHANNELS else item.consent.channel
        when = f"{format_day(item.consent.expires_on):>11} ({item.days_left:>2} days)"
        print(f"{when}  {item.person.id:>5} {item.person.name}: {scope}")
    print(f"{counted(len(found), 'consent')} {'expires' if len(found) == 1 else 'expire'} in the next {args.days} days.")
    return 0


def cmd_consent_year_end(app: App, args) -> int:
    from .core.register.year_end import YearEndAction

    year_end = args.year_end or academic_year_end(date.today())
    run = app.year_end.apply_year_end if args.apply else app.year_end.preview_year_end
    plan = run(year_end, args.renew)
    for change in plan.changes:
        scope = "all channels" if change.consent.channel == ALL_CHANNELS else change.consent.channel
        verb = "renewed to" if change.action is YearEndAction.RENEW else "expires"
        note = f" ({change.note})" if change.note else ""
        print(f"{change.person.id:>5} {change.person.name}: {scope} {verb} {format_day(change.new_expiry)}{note}")
    renewed, expired = len(plan.people(YearEndAction.RENEW)), len(plan.people(YearEndAction.EXPIRE))
    done = "Done" if args.apply else "Nothing was changed; add --apply to do it"
    print(f"Year ending {format_day(plan.year_end)}: {renewed} people renewed to {format_day(plan.next_year_end)}, "
          f"{expired} expire. {done}.")
    return 0


def cmd_impact(app: App, args) -> int:
    person = app.register.find_person(args.person)
    if args.channel and args.channel != ALL_CHANNELS:
        app.channels.get(args.channel)
    photos = app.queries.impact(person.id, args.channel)
    for photo in photos:
        origin = f"from {photo.source_name}; audit entry {photo.audit_seq}; {photo.how}"
        print(f"{photo.at[:10]}  {photo.channel or '-':<20} {photo.output_name}  ({origin})")
    where = f" on {args.channel}" if args.channel else ""
    print(f"{counted(len(photos), 'exported photo')}{where} {'shows' if len(photos) == 1 else 'show'} person {person.id}.")
    if args.csv:
        from .core.register.impact import write_impact_csv

        with open(args.csv, "w", encoding="utf-8-sig", newline="") as handle:
            write_impact_csv(photos, handle)
        print(f"List written to {args.csv}")
    return 0


def cmd_person_legal_forename(app: App, args) -> int:
    from .core.kernel.ports import NewPerson
    from .core.register.service import PERSON_FIELDS

    person = app.register.find_person(args.person)
    details = NewPerson(**{field: getattr(person, field) for field in PERSON_FIELDS})
    updated = app.register.update_person(person.id, replace(details, legal_forename=args.legal_forename), date.today())
    if updated.legal_forename:
        print(f"Person {person.id} ({updated.name}): legal forename {updated.legal_forename}.")
    else:
        print(f"Person {person.id} ({updated.name}): no legal forename recorded.")
    return 0


PERSON_ACTIONS = {
    "list": cmd_person_list, "import": cmd_person_import, "leavers": cmd_person_leavers,
    "faces": cmd_person_faces, "remove-face": cmd_person_remove_face, "legal-forename": cmd_person_legal_forename,
}
CONSENT_ACTIONS = {"expiring": cmd_consent_expiring, "year-end": cmd_consent_year_end}
