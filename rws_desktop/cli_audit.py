"""`rws audit` (verify, checkpoint, export, person report), `rws backup` and `rws restore`: the commands
that check the log and copy or put back the database."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .cli_register import iso_date
from .core.kernel.decisions import Decision
from .core.kernel.wording import counted

if TYPE_CHECKING:
    from .app import App
    from .cli_parsing import CommandParsers


class FileUnusable(Exception):
    """A file named on the command line that could not be read or written, and why."""


def add_audit_commands(commands: CommandParsers) -> None:
    if audit := commands.add_actions("audit", "the audit log"):
        verify = audit.add_parser("verify", help="check the chain, its seals, the search index and the register's seals; names what is wrong")
        verify.add_argument("--checkpoint", type=Path, metavar="FILE", help="also prove the log still holds exactly the entries this saved checkpoint covered")
        checkpoint = audit.add_parser("checkpoint", help="save a signed checkpoint of the log, to keep outside the database")
        checkpoint.add_argument("--out", required=True, type=Path, metavar="FILE")
        export = audit.add_parser("export", help="entries as CSV, or a PDF report for governors")
        export.add_argument("--format", choices=["csv", "pdf"], default=None, help="default: from the --out file's extension, else csv")
        export.add_argument("--from", dest="date_from", type=iso_date, metavar="DATE", help="first day (inclusive)")
        export.add_argument("--to", dest="date_to", type=iso_date, metavar="DATE", help="last day (inclusive)")
        export.add_argument("--channel", metavar="KEY")
        export.add_argument("--person", metavar="PERSON", help="entries involving this person (id or MIS id)")
        export.add_argument("--by", metavar="USER", help="entries made by this user")
        export.add_argument("--kind", help="one kind of entry, such as photo_vetted or photo_consent_set")
        export.add_argument("--decision", choices=[d.value for d in Decision])
        export.add_argument("--school", default=None, help="the school named on the PDF")
        export.add_argument("--out", required=True, type=Path, metavar="FILE")
        person_report = audit.add_parser("person", help="one person's consent history and every entry involving them")
        person_report.add_argument("person", metavar="PERSON", help="person id or MIS id (id:N or mis:X if both could fit)")
        person_report.add_argument("--out", required=True, type=Path, metavar="FILE", help="a .csv or .pdf file")
        person_report.add_argument("--school", default=None, help="the school named on the PDF")
    if backup := commands.add("backup", "copy the SQLite database while the app may be running, then check the copy"):
        backup.add_argument("--out", required=True, type=Path, metavar="FILE")
    if restore := commands.add("restore", "put a checked backup in place of the database (the window must be closed)"):
        restore.add_argument("file", type=Path, metavar="FILE")


def cmd_audit(app: App, args) -> int:
    try:
        return _audit(app, args)
    except OSError as exc:  # such as the file being open in Excel on Windows
        raise FileUnusable(f"could not write {getattr(args, 'out', 'the file')}: {exc.strerror or exc}") from exc


def _audit(app: App, args) -> int:
    from .core.audit.log_service import DEFAULT_SCHOOL, AuditFilter

    if getattr(args, "school", None) is None:
        args.school = DEFAULT_SCHOOL  # set here, not as the parser's default, so the parser needs no PDF writer
    if args.action == "verify":
        return _verify(app, args.checkpoint)
    if args.action == "checkpoint":
        checkpoint = app.audit.save_checkpoint(args.out)
        print(f"Checkpoint of entry {checkpoint.entry} saved to {args.out}; signed by key {checkpoint.fingerprint}. "
              "Keep it outside this computer (with the governors' papers, say).")
        return 0
    if args.action == "person":
        person_id = app.audit.resolve_person(args.person)
        count = app.audit.person_report(person_id, args.out, app.user, args.school)
        print(f"Person report with {counted(count, 'audit entry', 'audit entries')} written to {args.out}")
        return 0
    audit_filter = AuditFilter(
        date_from=args.date_from, date_to=args.date_to, channel=args.channel, user=args.by, decision=args.decision,
        kind=args.kind, person_id=app.audit.resolve_person(args.person) if args.person else None,
    )
    if (args.format or _format_of(args.out)) == "pdf":
        count = app.audit.export_pdf(audit_filter, args.out, app.user, args.school)
    else:
        count = app.audit.export_csv(audit_filter, args.out)
    print(f"{counted(count, 'audit entry', 'audit entries')} written to {args.out}")
    return 0


def _verify(app: App, checkpoint_file: Path | None) -> int:
    from .core.kernel.checkpoint import Checkpoint

    checkpoint = None
    if checkpoint_file is not None:
        try:
            checkpoint = Checkpoint.from_json(checkpoint_file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise FileUnusable(f"could not read {checkpoint_file}: {exc.strerror or exc}") from exc
        status, against = app.audit.check_against(checkpoint)
    else:
        status, against = app.audit.chain_status(), None
    if status.ok and status.verified_up_to == 0:
        print("OK: the audit log is empty.")
    elif status.ok:
        sealed = f" Sealed with key {status.fingerprint}." if status.fingerprint else " (The log is not sealed with a key.)"
        print(f"OK: verified up to entry {status.verified_up_to}; hash of entry {status.verified_up_to}: {status.last_hash}.{sealed}")
    elif status.bad_seq is not None:
        print(f"BROKEN at entry {status.bad_seq}: {status.problem} Entries up to {status.verified_up_to} are intact.")
    else:
        print(f"{'BROKEN' if status.altered_rows else 'NOT VERIFIED'}: {status.problem}")
    if against is not None:
        print(f"{'OK' if against.ok else 'BROKEN'} against the checkpoint: {against.message}")
    return 0 if status.ok and (against is None or against.ok) else 1


def _format_of(path: Path) -> str:
    return "pdf" if path.suffix.lower() == ".pdf" else "csv"


def cmd_backup(app: App, args) -> int:
    from .backups import make_backup

    result = make_backup(app.database, app.signed_in(), args.out)
    print(f"Backup written to {args.out}: integrity {result.integrity}; {result.chain}")
    return 0


def cmd_restore(app: App, args) -> int:
    from .backups import restore_backup

    kept, result = restore_backup(app.database, app.signed_in(), args.file)
    print(f"Restored {args.file} ({result.entries} audit entries; {result.chain}). The previous database is kept as {kept}.")
    return 0


AUDIT_COMMANDS = {"audit": cmd_audit, "backup": cmd_backup, "restore": cmd_restore}
