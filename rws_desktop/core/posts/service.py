"""Posts for the window and the command line: check a caption as it is typed, review a post, write its pack."""
from __future__ import annotations

import logging
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

from ..captions.check import CHECKS, CaptionChecker
from ..captions.contacts import SchoolContacts
from ..captions.findings import Confirmation
from ..captions.names import NameIndex
from ..clips.pipeline import ClipAnalyser, ClipProgress
from ..clips.service import is_clip
from ..kernel.channels import ChannelCatalogue
from ..kernel.permissions import Action, requires
from ..kernel.ports import Store
from ..kernel.session import Session
from ..vetting.service import EventCallback, VettingService
from .media import PostMedia
from .media_vetting import HeldBack, analyse_media, discard, record_blocked, record_kept, record_not_written
from .pack import PackError, PostingPack, check_destination, pack_not_written, write_pack
from .review import FACES_AND_NAMES, PostReview, review_post

log = logging.getLogger(__name__)

DEFAULT_SCHOOL = "Ravens Wood School"
NOT_WRITTEN = "the posting pack could not be written (the details are in the app's log file)"
MEDIA_CHECK = "Every face in every photo and clip against the consent register for the channel (blurred unless consenting)"


class PostService:
    def __init__(self, store: Store, channels: ChannelCatalogue, session: Session, contacts: SchoolContacts,
                 vetting: VettingService | None = None, school: str = DEFAULT_SCHOOL,
                 clip_analyser: ClipAnalyser | Callable[[], ClipAnalyser] | None = None):
        self.store = store
        self.channels = channels
        self.session = session
        self.contacts = contacts
        self.vetting = vetting
        self.school = school
        self.clip_analyser = clip_analyser  # or a function making it, so a post without clips never loads one

    @requires(Action.VET, channel_arg="channel_key")
    def checker(self, channel_key: str, today: date | None = None) -> CaptionChecker:
        """Reads the register once and indexes every name; the checker then works without the database."""
        channel, today = self.channels.get(channel_key), today or date.today()
        with self.store.snapshot() as tx:
            people = tx.register.list_people()
            consents = tx.register.all_photo_consents()
        return CaptionChecker(NameIndex.build(people, consents, channel, today), self.contacts, self.channels, today)

    @staticmethod
    def review(checker: CaptionChecker, caption: str, media: list[PostMedia],
               confirmations: Iterable[Confirmation] = ()) -> PostReview:
        return review_post(checker.check(caption, confirmations), media, checker.channel, checker.names.people)

    @requires(Action.EXPORT, channel_arg="channel_key")
    def make_pack(self, review: PostReview, channel_key: str, folder: Path) -> PostingPack:
        if review.channel.key != channel_key:
            raise ValueError("the review is for another channel")
        return write_pack(self.store, review, folder, self.session.initials, self.session.name, checks(), self.school)

    @requires(Action.VET, channel_arg="channel_key")
    @requires(Action.EXPORT, channel_arg="channel_key")
    def vet_and_pack(self, media: list[Path], channel_key: str, caption: str, folder: Path,
                     confirmations: Iterable[Confirmation] = (), progress: EventCallback | None = None,
                     today: date | None = None, clip_progress: Callable[[ClipProgress], None] | None = None,
                     ) -> tuple[PostReview, PostingPack | None]:
        """Vets the photos and clips, checks the caption, and writes the pack when nothing blocks. Every file
        is recorded as `rws vet` records it, but with its safe copy only when the post is ready (the copy is
        then in the pack); a blocked post's entries name no output, and it leaves no files behind."""
        if self.vetting is None:
            raise ValueError("vet_and_pack needs the vetting service")
        check_destination(folder)
        checker = self.checker(channel_key, today)
        channel, today = self.channels.get(channel_key), today or date.today()
        photos = [p for p in media if not is_clip(p)]
        clips = [p for p in media if is_clip(p)]
        analyser = self._clip_analyser() if clips else None
        staging = folder.with_name(folder.name + ".vetting")
        shutil.rmtree(staging, ignore_errors=True)
        try:
            staging.mkdir(parents=True)
        except OSError as exc:
            raise pack_not_written(exc, folder) from exc
        held: list[HeldBack] = []
        pack = None
        try:
            held = analyse_media(self.vetting, analyser, photos, clips, channel, staging, today, progress, clip_progress)
            review = self.review(checker, caption, [item.result for item in held], confirmations)
            unchecked = len(media) - len(held)
            if unchecked:  # the workers stopped: a post must not go out with files silently left out
                review = replace(review, problems=(*review.problems, f"{unchecked} of {len(media)} file(s) could not be "
                                                   "checked, so the post is incomplete; make the post again."))
            if not review.ready:
                record_blocked(self.store, held, channel, self.session.initials)
            else:
                try:
                    record_kept(self.store, held, channel, self.session.initials, folder.name)
                    pack = self.make_pack(review, channel_key, folder)
                except BaseException as exc:
                    record_not_written(self.store, [item.result for item in held], channel, self.session.initials, folder.name,
                                       not_written_reason(exc))
                    raise
        finally:
            discard(held)
            shutil.rmtree(staging, ignore_errors=True)
        for item in held:
            output = item.result.output
            item.result.output = (folder / output.name) if pack and output else None
        return review, pack

    def _clip_analyser(self) -> ClipAnalyser:
        if self.clip_analyser is None:
            raise ValueError("this post has clips, but no clip analyser was given")
        if not isinstance(self.clip_analyser, ClipAnalyser):
            self.clip_analyser = self.clip_analyser()
        return self.clip_analyser


def not_written_reason(exc: BaseException) -> str:
    """The reason recorded when a ready post's pack was not written: a PackError is already plain words;
    anything else (a disk error, a library's failure, an interrupt) goes to the log and is named plainly."""
    if isinstance(exc, PackError):
        return str(exc)
    log.warning("posting pack not written: %s", type(exc).__name__, exc_info=exc if isinstance(exc, Exception) else None)
    return NOT_WRITTEN


def checks() -> list[str]:
    return [MEDIA_CHECK, *CHECKS, FACES_AND_NAMES]
