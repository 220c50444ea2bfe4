"""`rws post`: vet a post's photos, check its caption, and write the posting pack when nothing blocks.

Exit codes as for the rest of `rws`: 0 when everything was processed (a blocked post included: the
report says why), 1 when something went wrong, 2 for a mistake in what was typed, 3 when not allowed.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .core.kernel.wording import counted

if TYPE_CHECKING:  # what the command uses is imported when it runs, so other commands start without it
    from .app import App
    from .cli_parsing import CommandParsers
    from .core.posts.service import PostService

EXIT_USAGE = 2


def post_service(app: App) -> PostService:
    from .core.captions.contacts import load_school_contacts
    from .core.posts.service import PostService
    from .paths import resources_dir

    def clips():
        from .core.clips.service import clip_analyser

        return clip_analyser(app.encoder)

    return PostService(app.database, app.channels, app.signed_in(), load_school_contacts(resources_dir()), app.vetting,
                       clip_analyser=clips)


def add_post_command(commands: CommandParsers, table: dict) -> None:
    """Adds `rws post` to the parser and its handler to the command table."""
    table["post"] = cmd_post
    post = commands.add("post", "vet a post (caption, photos and clips) and write its posting pack")
    if post is None:
        return
    post.add_argument("media", nargs="+", type=Path, metavar="MEDIA", help="photos and clips, or folders of them")
    post.add_argument("--channel", required=True, metavar="KEY")
    caption = post.add_mutually_exclusive_group(required=True)
    caption.add_argument("--caption", metavar="TEXT")
    caption.add_argument("--caption-file", type=Path, metavar="FILE", help="the caption, UTF-8")
    post.add_argument("--out", required=True, type=Path, metavar="DIR", help="a new (or empty) folder for the posting pack")
    post.add_argument("--json", type=Path, metavar="FILE", help="also write the full report as JSON")
    post.add_argument("--confirm", action="append", default=[], metavar="NAME=REASON",
                      help="post an ambiguous name anyway, saying why (recorded in the audit log); repeatable")
    post.add_argument("--workers", type=int, default=None, help="processes analysing photos (default: one per core, up to three)")


def _usage(message: str) -> int:
    print(f"rws post: {message}", file=sys.stderr)
    return EXIT_USAGE


def cmd_post(app: App, args) -> int:
    from .core.captions.findings import Confirmation, Verdict
    from .core.kernel.channels import UnknownChannelError
    from .core.posts.pack import PackError, check_destination
    from .cli_clips import split_clips
    from .core.vetting.analysis import collect_photos
    from .core.vetting.events import PhotoAnalysed, PhotoFailed

    try:
        app.channels.get(args.channel)
    except UnknownChannelError as exc:
        return _usage(str(exc))
    missing = [str(p) for p in args.media if not p.exists()]
    if missing:
        return _usage(f"not found: {', '.join(missing)}")
    paths, clips = split_clips(args.media)
    photos = collect_photos(paths)
    if not photos and not clips:
        return _usage("no photos or clips found in the paths given")
    if args.caption_file is not None:
        try:
            caption = args.caption_file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            return _usage(f"could not read the caption file {args.caption_file}: {getattr(exc, 'strerror', None) or exc}")
    else:
        caption = args.caption
    confirmations = []
    for text in args.confirm:
        name, _, reason = text.partition("=")
        if not name.strip() or not reason.strip():
            return _usage(f"--confirm takes NAME=REASON, e.g. --confirm 'Jack=Jack Smith in Year 9, who may be named'; got '{text}'")
        confirmations.append(Confirmation(name.strip(), reason.strip()))
    try:
        check_destination(args.out)
    except PackError as exc:
        return _usage(str(exc))

    def progress(event) -> None:
        if isinstance(event, (PhotoAnalysed, PhotoFailed)):
            result = event.result
            print(f"[{event.index + 1}/{len(photos)}] {result.decision.value:<8} {result.source.name}: {result.reason}",
                  file=sys.stderr)

    def clip_progress(step) -> None:
        if step.frame == step.frame_count:
            print(f"  clip: {step.stage}, {step.frame_count} frames", file=sys.stderr)

    service = post_service(app)
    if not service.contacts.is_set:
        print(f"rws post: {service.contacts.not_set_note()}", file=sys.stderr)
    review, pack = service.vet_and_pack(photos + clips, args.channel, caption, args.out, confirmations, progress,
                                        clip_progress=clip_progress)
    if args.json:
        args.json.write_text(json.dumps(review.as_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
    for finding in review.caption.findings:
        if finding.verdict is not Verdict.ALLOWED:
            where = f"{finding.start}-{finding.end}"
            print(f"{finding.verdict.value:<14} {finding.kind.value:<13} {where:<9} '{' '.join(finding.text.split())}': {finding.reason}")
    if pack is None:
        print("BLOCKED: no posting pack was written.")
        for problem in review.problems:
            print(f"  - {problem}")
        return 0
    print(f"READY: posting pack written to {pack.folder} ({counted(len(pack.files), 'file')}, caption.txt, hashes.txt, receipt.pdf); "
          f"audit entry {pack.audit_seq}.")
    return 0

