"""Posts for the window and the command line: check a caption as it is typed, review a post, write its pack."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Iterable

from ..captions.check import CHECKS, CaptionChecker
from ..captions.contacts import SchoolContacts
from ..captions.findings import Confirmation
from ..captions.names import NameIndex
from ..kernel.channels import ChannelCatalogue
from ..kernel.permissions import Action, requires
from ..kernel.ports import Store
from ..kernel.session import Session
from ..vetting.analysis import PhotoResult
from ..vetting.service import EventCallback, VettingService
from .pack import PostingPack, check_destination, write_pack
from .review import FACES_AND_NAMES, PostReview, review_post

DEFAULT_SCHOOL = "Ravens Wood School"
MEDIA_CHECK = "Every face in every photo against the consent register for the channel (blurred unless consenting)"


class PostService:
    def __init__(self, store: Store, channels: ChannelCatalogue, session: Session, contacts: SchoolContacts,
                 vetting: VettingService | None = None, school: str = DEFAULT_SCHOOL):
        self.store = store
        self.channels = channels
        self.session = session
        self.contacts = contacts
        self.vetting = vetting
        self.school = school

    @requires(Action.VET, channel_arg="channel_key")
    def checker(self, channel_key: str, today: date | None = None) -> CaptionChecker:
        """Reads the register once and indexes every name; the checker then works without the database."""
        channel, today = self.channels.get(channel_key), today or date.today()
        with self.store.snapshot() as tx:
            people = tx.register.list_people()
            consents = tx.register.all_photo_consents()
        return CaptionChecker(NameIndex.build(people, consents, channel, today), self.contacts, self.channels, today)

    @staticmethod
    def review(checker: CaptionChecker, caption: str, media: list[PhotoResult],
               confirmations: Iterable[Confirmation] = ()) -> PostReview:
        return review_post(checker.check(caption, confirmations), media, checker.channel, checker.names.people)

    @requires(Action.EXPORT, channel_arg="channel_key")
    def make_pack(self, review: PostReview, channel_key: str, folder: Path) -> PostingPack:
        if review.channel.key != channel_key:
            raise ValueError("the review is for another channel")
        return write_pack(self.store, review, folder, self.session.initials, self.session.name, checks(), self.school)

    @requires(Action.VET, channel_arg="channel_key")
    @requires(Action.EXPORT, channel_arg="channel_key")
    def vet_and_pack(self, photos: list[Path], channel_key: str, caption: str, folder: Path,
                     confirmations: Iterable[Confirmation] = (), progress: EventCallback | None = None,
                     today: date | None = None) -> tuple[PostReview, PostingPack | None]:
        """Vets the photos (each recorded as `rws vet` records it), checks the caption, and writes the pack
        when nothing blocks. A blocked post leaves no files behind."""
        if self.vetting is None:
            raise ValueError("vet_and_pack needs the vetting service")
        check_destination(folder)
        checker = self.checker(channel_key, today)
        staging = folder.with_name(folder.name + ".vetting")
        try:
            results = self.vetting.vet(photos, channel_key, staging, today=today, progress=progress)
            review = self.review(checker, caption, results, confirmations)
            pack = self.make_pack(review, channel_key, folder) if review.ready else None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        for result in results:
            result.output = (folder / result.output.name) if pack and result.output else None
        return review, pack


def checks() -> list[str]:
    return [MEDIA_CHECK, *CHECKS, FACES_AND_NAMES]
