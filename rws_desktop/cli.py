"""`rws`: the command line. It offers the same services as the window."""
from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

# Only what the parser needs is imported here: each command imports its own tools, so `rws channels`,
# `rws --help` and the like never load the face models, Qt, Alembic or the PDF writer.
from . import __version__
from .cli_accounts import (
    ACCOUNT_COMMANDS, add_account_commands, add_channel_actions, add_init_options, add_user_option, cmd_channel_admins,
    cmd_init_admin, sign_in,
)
from .cli_audit import AUDIT_COMMANDS, add_audit_commands
from .cli_parsing import CommandParsers, typed_command
from .cli_post import add_post_command
from .cli_setup import add_setup_command, cmd_setup
from .cli_register import (
    CONSENT_ACTIONS, PERSON_ACTIONS, add_consent_actions, add_impact_command, add_person_actions, cmd_impact, iso_date,
    read_mis_exports,
)
from .core.kernel.consent import ALL_CHANNELS, ConsentStatus, PersonKind
from .core.kernel.decisions import Decision
from .core.kernel.permissions import NotAllowed
from .core.kernel.wording import counted, was_or_were

if TYPE_CHECKING:
    from .app import App
    from .core.vetting.batch import WorkerPool


class UsageError(Exception):
    """A mistake in what was typed, explained."""


def _yes_no(text: str) -> bool:
    if text.lower() in ("yes", "y", "true"):
        return True
    if text.lower() in ("no", "n", "false"):
        return False
    raise argparse.ArgumentTypeError("answer yes or no")


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """`rws`'s parser: every command, or given the command line `argv`, only the command it names in full and the
    others by name and help alone (cli_parsing.py)."""
    typed = typed_command(argv) if argv is not None else None
    parser, built = _parser(typed)
    return parser if typed is None or typed in built.names else _parser(None)[0]  # no command named: build all


def _parser(typed: str | None) -> tuple[argparse.ArgumentParser, CommandParsers]:
    parser = argparse.ArgumentParser(prog="rws", description="RWS Photo Check: vet photos against the consent register before they are published.")
    parser.add_argument("--version", action="version", version=f"rws {__version__}")
    parser.add_argument("--db", metavar="URL", help="database URL (default: $RWS_DB, else the embedded SQLite file)")
    add_user_option(parser)
    commands = CommandParsers(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"), typed)

    if init := commands.add("init", "create or upgrade the database"):
        add_init_options(init)
    if channels := commands.add("channels", "list the school's channels"):
        add_channel_actions(channels)

    if person := commands.add_actions("person", "people in the register"):
        add = person.add_parser("add", help="add a person; prints the new id")
        add.add_argument("--name", required=True)
        add.add_argument("--kind", choices=[k.value for k in PersonKind], default="pupil")
        add.add_argument("--mis-id")
        add.add_argument("--year", type=int)
        add.add_argument("--form")
        add.add_argument("--dob", type=iso_date)
        add.add_argument("--legal-forename", help="the legal forename, when --name uses a preferred one")
        leave = person.add_parser("leave", help="mark a leaver (their reference faces are deleted at once)")
        leave.add_argument("person", type=int)
        leave.add_argument("--date", type=iso_date, default=None, help="leaving date (default: today)")
        add_person_actions(person)

    if consent := commands.add_actions("consent", "photo consent"):
        setc = consent.add_parser("set", help="record photo consent for one channel or all")
        setc.add_argument("person", type=int)
        setc.add_argument("--channel", required=True, help="a channel key, or 'all'")
        setc.add_argument("--status", required=True, choices=[s.value for s in ConsentStatus])
        setc.add_argument("--given-on", type=iso_date, default=None, help="date given (default: today)")
        setc.add_argument("--expires", type=iso_date, default=None, help="default: 31 August ending this academic year")
        setc.add_argument("--with-name", action="store_true", help="the person may also be named")
        setc.add_argument("--given-by", default="")
        add_consent_actions(consent)

    if bio := commands.add_actions("biometric", "biometric consent (Protection of Freedoms Act 2012)"):
        setb = bio.add_parser("set", help="record biometric consent answers")
        setb.add_argument("person", type=int)
        for name in ("parent-consent", "parent-objection", "pupil-objection", "adult-consent"):
            setb.add_argument(f"--{name}", type=_yes_no, metavar="yes|no")

    if enrol := commands.add("enroll", "add reference faces, one per photo"):
        enrol.add_argument("person", type=int)
        enrol.add_argument("photos", nargs="+", type=Path)

    if vet := commands.add("vet", "vet photos for a channel and write safe copies"):
        vet.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        vet.add_argument("--channel", required=True)
        vet.add_argument("--out", required=True, type=Path)
        vet.add_argument("--json", type=Path, metavar="FILE")
        vet.add_argument("--block-hidden", action="store_true", help="block photos with any face that may not be shown, instead of blurring")
        vet.add_argument("--workers", type=int, default=None, help="processes analysing photos (default: one per core, up to three)")

    add_impact_command(commands)
    add_post_command(commands, COMMANDS)  # `rws post` (cli_post.py)
    add_account_commands(commands)
    add_setup_command(commands)

    add_audit_commands(commands)  # `rws audit`, `rws backup`, `rws restore` (cli_audit.py)
    return parser, commands


# Exit codes: 1 something went wrong (said why), 2 a mistake in what was typed, 3 not allowed.
EXIT_REFUSED = 3


# Errors explained to the user in one line, by module: a module not yet imported cannot have raised its error,
# so these are looked up in sys.modules when one happens instead of being imported for every command.
REPORTED_ERRORS = (
    ("rws_desktop.core.kernel.ports", "RegisterError"), ("rws_desktop.core.kernel.channels", "UnknownChannelError"),
    ("rws_desktop.core.kernel.ports", "StoreUnavailable"),
    ("rws_desktop.core.register.mis_csv", "MisImportError"), ("rws_desktop.core.kernel.account_rules", "AccountError"),
    ("rws_desktop.core.audit.log_service", "AuditReportError"), ("rws_desktop.core.kernel.checkpoint", "CheckpointError"),
    ("rws_desktop.core.audit.checkpoints", "CheckpointUnavailable"), ("rws_desktop.cli_audit", "FileUnusable"),
)
OPEN_ERRORS = (("rws_desktop.core.kernel.ports", "StoreUnavailable"), ("rws_desktop.settings", "SettingsError"))


def _loaded(errors: tuple[tuple[str, str], ...]) -> tuple[type[BaseException], ...]:
    return tuple(getattr(sys.modules[module], name) for module, name in errors if module in sys.modules)


def main(argv: list[str] | None = None) -> int:
    """Runs `rws ARGV...` and returns its exit code. Without `argv` this is the `rws` program itself (its console
    script, or the bundle's program), and the garbage collector is spared its walks through the objects start-up
    makes (SQLAlchemy's thousands of classes, tables and caches; 60 000 objects), which took 0.15 s of
    `rws channels` while it started and 0.4 s more as the interpreter shut down:
    - during start-up (imports, opening the database, signing in), which makes almost nothing but objects that
      live as long as the process, the collector is paused; then those objects go to its permanent generation
      (`gc.freeze`), where its later passes, while the command runs, do not visit them again;
    - when the command ends, so does the process: what is still in memory is frozen too, so the interpreter's
      shut-down does not take it apart object by object. Nothing is lost by that: the database is closed and
      the worker processes stopped before this returns, logging's own exit hook still flushes the log, and the
      operating system takes the memory back.
    Called with `argv` (tests, in their own long-lived process), the collector is left as it is."""
    if argv is not None:
        return _run(argv, lambda: None)
    gc.disable()
    try:
        return _run(None, _started_up)
    finally:
        _started_up()
        gc.freeze()


def _started_up() -> None:
    """The command itself begins: start-up's objects are kept out of the collector's way, which resumes."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _run(argv: list[str] | None, started_up) -> int:
    if getattr(sys, "frozen", False):  # in a bundle, a worker process becomes the worker here (elsewhere a no-op)
        import multiprocessing

        multiprocessing.freeze_support()
    command_line = sys.argv[1:] if argv is None else argv
    args = build_parser(command_line).parse_args(command_line)
    try:
        read_mis_exports(args)  # a file that is not an MIS export is refused before the database is opened
    except Exception as exc:
        if not isinstance(exc, _loaded(REPORTED_ERRORS)):
            raise
        print(f"rws: {exc}", file=sys.stderr)
        return 1
    from .logs import configure_logging, log_opened

    configure_logging("rws")
    if args.command == "setup":  # before any database is opened: it may be the one being set up
        return cmd_setup(args)
    pool = _start_workers_early(args) if args.command == "vet" else None
    from .app import App

    try:
        app = App.open(args.db, getattr(args, "workers", None), worker_pool=pool)
    except Exception as exc:
        if pool is not None:
            pool.close()
        if not isinstance(exc, _loaded(OPEN_ERRORS)):
            raise
        logging.getLogger("rws_desktop.start").error("The database could not be opened: %s", exc)
        print(f"rws: {exc}", file=sys.stderr)
        return 1
    log_opened(app)
    try:
        if args.command != "init":
            sign_in(app, args)
        started_up()
        return COMMANDS[args.command](app, args)
    except NotAllowed as exc:
        print(f"rws: not allowed: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except Exception as exc:
        if not isinstance(exc, (UsageError, *_loaded(REPORTED_ERRORS))):
            raise
        print(f"rws: {exc}", file=sys.stderr)
        return 1
    finally:
        app.close()


def _start_workers_early(args) -> WorkerPool | None:
    """`rws vet` on more than one core: start the worker processes loading the face models now, before the
    database is opened and the person signs in, so the two happen at once (the models take longer). The workers
    hold nothing personal until a batch reaches them, and a batch is sent only after sign-in; a command that ends
    before (a wrong password) stops them. One photo gets one worker; only clips, none (clips are vetted in this
    process); a path not found, none (the command is refused)."""
    from .core.clips.media import is_clip
    from .core.vetting.worker_start import default_workers

    workers = args.workers or default_workers()
    if workers <= 1 or not all(path.exists() for path in args.paths) or all(is_clip(path) for path in args.paths):
        return None  # one core: the photos are analysed in this process; a path not found: cmd_vet refuses
    if len(args.paths) == 1 and args.paths[0].is_file():
        workers = 1
    from .core.vetting.batch import WorkerPool

    pool = WorkerPool(workers)
    pool.warm_up()
    return pool


def cmd_init(app: App, args) -> int:
    print(f"Database ready: {app.database.url}")
    print(app.key_status.message)
    if args.admin:
        return cmd_init_admin(app, args)
    if not app.sign_ins.has_accounts():
        print('No accounts yet: create the first admin with rws init --admin INITIALS --name "Full Name"')
    return 0


def cmd_channels(app: App, args) -> int:
    if args.action == "admins":
        return cmd_channel_admins(app, args)
    rows = [("KEY", "PLATFORM", "HANDLE", "ADMINS", "STATUS")]
    rows += [(item.channel.key, item.channel.platform, item.channel.handle,
              "/".join(item.admins) or "-", item.channel.status.value) for item in app.channel_admins.lists()]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 0


def cmd_person(app: App, args) -> int:
    if args.action in PERSON_ACTIONS:
        return PERSON_ACTIONS[args.action](app, args)
    if args.action == "add":
        from .core.kernel.ports import NewPerson

        person = app.register.add_person(NewPerson(
            name=args.name, kind=PersonKind(args.kind), mis_id=args.mis_id,
            year_group=args.year, form=args.form, date_of_birth=args.dob, legal_forename=args.legal_forename,
        ))
        print(person.id)
    elif args.action == "leave":
        deleted = app.register.mark_left(args.person, args.date or date.today())
        print(f"Marked as left; {counted(deleted, 'reference face')} deleted.")
        _print_impact_hint(app, args.person, None)
    return 0


def _print_impact_hint(app: App, person_id: int, channel: str | None) -> None:
    """After a withdrawal, refusal or leaving: say whether published photos need taking down."""
    photos = app.queries.impact(person_id, channel)
    if photos:
        option = f" --channel {channel}" if channel and channel != ALL_CHANNELS else ""
        print(f"{counted(len(photos), 'photo')} already exported {'shows' if len(photos) == 1 else 'show'} this person; "
              f"list them with: rws impact {person_id}{option}")


def cmd_consent(app: App, args) -> int:
    if args.action in CONSENT_ACTIONS:
        return CONSENT_ACTIONS[args.action](app, args)
    consent = app.register.set_photo_consent(
        args.person, args.channel, ConsentStatus(args.status), args.given_on or date.today(),
        args.expires, args.given_by, args.with_name,
    )
    scope = "all channels" if consent.channel == ALL_CHANNELS else consent.channel
    expiry = f", expires {consent.expires_on}" if consent.expires_on else ""
    print(f"Photo consent for person {consent.person_id} on {scope}: {consent.status.value}{expiry}.")
    if consent.status is not ConsentStatus.GRANTED:
        _print_impact_hint(app, consent.person_id, consent.channel)
    return 0


def cmd_biometric(app: App, args) -> int:
    answers = {k: getattr(args, k) for k in ("parent_consent", "parent_objection", "pupil_objection", "adult_consent")}
    _, valid, deleted = app.register.set_biometric_consent(args.person, date.today(), **answers)
    if valid:
        print("Biometric consent is valid: this person can be enrolled and recognised.")
    else:
        print("No valid biometric consent: this person cannot be recognised and will always be blurred. "
              f"{counted(deleted, 'reference face')} deleted.")
    return 0


def cmd_enroll(app: App, args) -> int:
    results = app.register.enrol(args.person, args.photos, app.detector, app.encoder, date.today())
    for result in results:
        print(f"{'added' if result.added else 'REFUSED'}: {result.photo}: {result.reason}")
    added = sum(r.added for r in results)
    print(f"{added} of {counted(len(results), 'reference face')} added.")
    return 0 if added else 1


def cmd_vet(app: App, args) -> int:
    from .cli_clips import split_clips, vet_clips
    from .core.vetting.analysis import collect_photos
    from .core.vetting.events import BatchFinished, BatchStarted, PhotoAnalysed, PhotoFailed

    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        raise UsageError(f"not found: {', '.join(missing)}")
    paths, clips = split_clips(args.paths)  # clips: issue 16
    photos = collect_photos(paths)
    if not photos and not clips:
        raise UsageError("no photos or clips found in the paths given")
    if len(photos) > 1 and app.workers > 1:  # as VettingService.vet_batch decides: this batch runs in workers
        app.warm_workers()  # they load the face models while the register is read

    finished: list[BatchFinished] = []

    def progress(event) -> None:
        if isinstance(event, BatchStarted) and event.loading_models:
            print(f"Loading the face models to check {event.total} photos…", file=sys.stderr)
        elif isinstance(event, (PhotoAnalysed, PhotoFailed)):
            result = event.result
            print(f"[{event.index + 1}/{len(photos)}] {result.decision.value:<8} {result.source.name}: {result.reason}",
                  file=sys.stderr)
        elif isinstance(event, BatchFinished):
            finished.append(event)

    for warning in _recognition_warnings(app):
        print(f"rws: {warning}", file=sys.stderr)
    results = app.vetting.vet(photos, args.channel, args.out, progress=progress) if photos else []
    photos_not_checked = len(photos) - len(results)
    results += vet_clips(app, clips, args.channel, args.out, args.block_hidden)
    if args.json:
        args.json.write_text(json.dumps({"photos": [r.as_dict() for r in results]}, indent=2), encoding="utf-8")
    counts = {d: sum(r.decision is d for r in results) for d in Decision}
    print(", ".join(f"{n} {d.value}" for d, n in counts.items()) + f"; safe copies in {args.out}")
    problem = finished[-1].problem if finished else None
    if problem:
        print(f"rws: {problem} {counted(photos_not_checked, 'photo')} {was_or_were(photos_not_checked)} not checked; "
              f"run rws vet again for {'it' if photos_not_checked == 1 else 'them'}.",
              file=sys.stderr)
        return 1
    return 0


def _recognition_warnings(app: App) -> list[str]:
    warnings = [] if app.key_status.ready else [app.key_status.message]
    if app.dpia.current() is None:
        warnings.append("No DPIA is recorded, so nobody is recognised and every face is blurred.")
    return warnings


COMMANDS = {
    "init": cmd_init, "channels": cmd_channels, "person": cmd_person, "consent": cmd_consent,
    "biometric": cmd_biometric, "enroll": cmd_enroll, "vet": cmd_vet, "impact": cmd_impact, **AUDIT_COMMANDS,
    **ACCOUNT_COMMANDS,
}

if __name__ == "__main__":
    sys.exit(main())
