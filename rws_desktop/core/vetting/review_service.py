"""Corrections by hand and export, for a batch checked in the window.

Every correction and every undo is an audit entry the moment it is made, with who, when and
the reason typed. Export re-reads each photo, checks it is the file that was analysed, checks
again that everyone shown still has consent (it may have been withdrawn since), and writes the
safe copy and its entry together.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

from ..kernel.audit_chain import utc_timestamp
from ..kernel.channels import Channel, ChannelCatalogue
from ..kernel.consent import FaceConsent, Person, show_decision
from ..faces.geometry import Box
from ..faces.imaging import LoadedPhoto, PhotoLoadError, file_sha256, load_photo_bytes
from ..kernel.disk_errors import unreadable_reason, unwritable_reason
# Named apart from vetting.Action (a face shown or blurred).
from ..kernel.permissions import Action as Permission, requires
from ..kernel.ports import PersonNotFound, Store
from .publishing import output_path, publish, reconcile_pending, record, vetted_entry
from ..faces.redaction import Shape
from .review import Correction, CorrectionAction, PhotoReview, ReviewError, hand_drawn_area
from .safe_copy import SafeCopy, SafeCopyCache, make_safe_copy
from ..kernel.session import Session
from .analysis import Action, Decision, FaceReport, RegisterSnapshot


@dataclass(frozen=True)
class ExportOutcome:
    review: PhotoReview
    written: Path | None = None
    problem: str | None = None  # why this photo was not exported this time; it can be tried again


@dataclass(frozen=True)
class Candidate:
    """Someone staff might pick for a blurred face, and whether they may be shown on the channel."""

    person: Person
    may_be_shown: bool
    reason: str


ExportProgress = Callable[[int, int, ExportOutcome], None]
log = logging.getLogger(__name__)


class ReviewService:
    """Every method checks that the signed-in session may vet (or export) for the channel."""

    def __init__(self, store: Store, channels: ChannelCatalogue, session: Session):
        self.store = store
        self.channels = channels
        self.session = session
        self.user = session.initials  # who audit entries name
        self.safe_copies = SafeCopyCache()  # the window puts the engine's safe copies here as photos are checked
        self.finished: dict[Path, str] = {}  # safe copies the last export found cut short by a crash and put in place

    @requires(Permission.VET, channel_arg="channel_key")
    def register_snapshot(self, channel_key: str, today: date) -> RegisterSnapshot:
        """The register as checking a batch for this channel needs it."""
        return RegisterSnapshot.load(self.store, today)

    @requires(Permission.VET, channel_arg="channel_key")
    def candidates(self, channel_key: str, search: str = "", today: date | None = None) -> list[Candidate]:
        """People whose name, MIS id or form contains `search`, those who may be shown first."""
        channel, today, needle = self.channels.get(channel_key), today or date.today(), search.strip().casefold()
        with self.store.transaction() as tx:
            people = [p for p in tx.register.list_people()
                      if needle in " ".join(filter(None, (p.name, p.mis_id, p.form))).casefold()]
            consents = tx.register.all_photo_consents()
        found = []
        for person in people:
            decision = show_decision(person, consents.get(person.id, []), channel.key, today)
            found.append(Candidate(person, decision.visible, decision.reason))
        return sorted(found, key=lambda c: (not c.may_be_shown, c.person.name.casefold()))

    # Corrections

    @requires(Permission.VET, channel_arg="channel_key")
    def blur_face(self, review: PhotoReview, channel_key: str, face: int, reason: str) -> Correction:
        """Always allowed to whoever may vet: hiding more is never unsafe."""
        review.check_face(face, Action.SHOWN)
        return self._apply(review, channel_key, CorrectionAction.BLUR_FACE, reason, face=face)

    @requires(Permission.VET, channel_arg="channel_key")
    def blur_area(self, review: PhotoReview, channel_key: str, box: Box, shape: Shape,
                  image_size: tuple[int, int], reason: str) -> Correction:
        review.check_editable()
        area = hand_drawn_area(box, shape, image_size)
        return self._apply(review, channel_key, CorrectionAction.BLUR_AREA, reason, area=area)

    @requires(Permission.VET, channel_arg="channel_key")
    def show_face(self, review: PhotoReview, channel_key: str, face: int, person_id: int,
                  reason: str, today: date | None = None) -> Correction:
        """Shows a blurred face only as a person who has active consent for this channel today."""
        review.check_face(face, Action.BLURRED)
        channel = self.channels.get(channel_key)
        with self.store.transaction() as tx:
            person = tx.register.get_person(person_id)
            if person is None:
                raise PersonNotFound(person_id)
            decision = show_decision(person, tx.register.photo_consents(person_id), channel.key, today or date.today())
        if not decision.visible:
            raise ReviewError(f"{person.name} cannot be shown on {channel.name}: {decision.reason}.")
        if person_id in review.shown_person_ids() and review.faces()[face].strong_match_id != person_id:
            raise ReviewError(f"{person.name} is already shown on another face in this photo. A second face may be shown "
                              "as them only when the check itself recognised that face as them beyond doubt.")
        return self._apply(review, channel_key, CorrectionAction.SHOW_FACE, reason, face=face, person_id=person_id)

    @requires(Permission.VET, channel_arg="channel_key")
    def undo(self, review: PhotoReview, channel_key: str) -> Correction:
        review.check_editable()
        if not review.corrections:
            raise ReviewError("There is nothing to undo in this photo.")
        undone = review.corrections[-1]
        self._record_change(review, channel_key, "correction_undone", undoes_seq=undone.audit_seq,
                            correction=_change(undone))
        review.corrections.pop()
        return undone

    def _apply(self, review: PhotoReview, channel_key: str, action: CorrectionAction, reason: str, **target) -> Correction:
        reason = " ".join(reason.split())
        if not reason:
            raise ReviewError("Please type why you are making this correction; it is kept in the audit log.")
        correction = Correction(action, reason, self.user, utc_timestamp(), **target)
        seq = self._record_change(review, channel_key, "photo_corrected", correction=_change(correction))
        correction = replace(correction, audit_seq=seq)
        review.corrections.append(correction)
        return correction

    def _record_change(self, review: PhotoReview, channel_key: str, kind: str, **details) -> int:
        channel = self.channels.get(channel_key)
        return record(self.store, {
            "kind": kind, "at": utc_timestamp(), "user": self.user, "channel": channel.key,
            "source_name": review.source.name, "source_sha256": review.result.source_sha256, **details,
        })

    # Export

    @requires(Permission.EXPORT, channel_arg="channel_key")
    def export(self, reviews: Iterable[PhotoReview], channel_key: str, out_dir: Path,
               today: date | None = None, progress: ExportProgress | None = None,
               should_stop: Callable[[], bool] = lambda: False) -> list[ExportOutcome]:
        """Writes the approved and redacted photos not yet exported; records blocked ones without writing them."""
        channel = self.channels.get(channel_key)
        today = today or date.today()
        pending = [review for review in reviews if review.recorded_seq is None]
        self.finished = {}  # never the last export's notes, should this one stop before reconciling
        out_dir.mkdir(parents=True, exist_ok=True)
        # As `rws vet` does: a copy whose entry was committed before a crash is put in place, any other `.part` removed.
        self.finished = reconcile_pending(self.store, out_dir)
        taken: set[str] = set()
        outcomes = []
        for index, review in enumerate(pending, start=1):
            if should_stop():
                break
            outcome = self._export_one(review, channel, out_dir, taken, today)
            outcomes.append(outcome)
            if progress:
                progress(index, len(pending), outcome)
        return outcomes

    def _export_one(self, review: PhotoReview, channel: Channel, out_dir: Path, taken: set[str],
                    today: date) -> ExportOutcome:
        decision, reason = review.decision()
        corrections = [c.as_dict() for c in review.corrections]
        if decision not in (Decision.APPROVED, Decision.REDACTED):
            review.recorded_seq = record(self.store, vetted_entry(
                review.result, channel, self.user, decision, reason, review.faces(), corrections, "desktop"))
            return ExportOutcome(review)
        faces = self._recheck_shown(review.faces(), channel, today)
        try:
            data = _read_unchanged(review)  # the safe copy may come from the cache; the file must still be the one checked
            safe = self._safe_copy(review, faces, lambda: load_photo_bytes(data))
        except PhotoLoadError as exc:
            return ExportOutcome(review, problem=str(exc))
        if not safe.verified:
            decision, reason = Decision.BLOCKED, "a blurred face could not be verified as hidden"
        elif faces != review.faces():
            decision, reason = Decision.REDACTED, "consent changed since the check; faces no longer consenting were blurred"
        if decision is Decision.BLOCKED:
            review.recorded_seq = record(self.store, vetted_entry(
                review.result, channel, self.user, decision, reason, faces, corrections, "desktop"))
            return ExportOutcome(review, problem=f"Not exported: {reason}.")
        target = output_path(review.source, out_dir, taken)
        written = replace(review.result, output=target, output_sha256=safe.sha256)
        content = vetted_entry(written, channel, self.user, decision, reason, faces, corrections, "desktop")
        try:
            review.recorded_seq = publish(self.store, safe.jpeg, target, content)
        except OSError as exc:
            taken.discard(target.name.lower())
            return ExportOutcome(review, problem=_write_problem(exc, out_dir))
        review.exported_to = target
        return ExportOutcome(review, written=target)

    # Safe copies: made once per photo state, for the preview and the export alike

    @requires(Permission.VET, channel_arg="channel_key")
    def safe_copy(self, review: PhotoReview, channel_key: str) -> SafeCopy:
        """The photo's safe copy as corrected now (the engine's, kept from the check, until corrected)."""
        return self._safe_copy(review, review.faces(), lambda: load_photo_bytes(_read_unchanged(review)))

    def _safe_copy(self, review: PhotoReview, faces: list[FaceReport], load: Callable[[], LoadedPhoto]) -> SafeCopy:
        state = review.state(faces)
        copy = self.safe_copies.get(state)
        if copy is None:
            copy = make_safe_copy(load(), faces, review.areas())
            self.safe_copies.put(state, copy)
        return copy

    def _recheck_shown(self, faces: list[FaceReport], channel: Channel, today: date) -> list[FaceReport]:
        """Blurs anyone shown whose consent no longer holds (withdrawn, expired or left since the check)."""
        shown = {face.person_id for face in faces if face.action is Action.SHOWN and face.person_id is not None}
        if not shown:
            return faces
        with self.store.transaction() as tx:
            allowed = {
                person_id for person_id in shown
                if (person := tx.register.get_person(person_id)) is not None
                and show_decision(person, tx.register.photo_consents(person_id), channel.key, today).visible
            }
        return [
            face if face.action is not Action.SHOWN or face.person_id in allowed
            else replace(face, action=Action.BLURRED, consent=FaceConsent.NO_CONSENT,
                         reason="consent changed since the check")
            for face in faces
        ]


def _read_unchanged(review: PhotoReview) -> bytes:
    """The photo's bytes, provided they are still those that were checked."""
    try:
        data = review.source.read_bytes()
    except OSError as exc:
        raise PhotoLoadError(unreadable_reason(exc)) from exc
    if file_sha256(data) != review.result.source_sha256:
        raise PhotoLoadError("The file has changed since it was checked. Add it again to check the new version.")
    return data


def _change(correction: Correction) -> dict:
    return {key: value for key, value in correction.as_dict().items() if key not in ("user", "at", "seq")}


def _write_problem(exc: OSError, out_dir: Path) -> str:
    """A write that failed, in plain words whatever the error; the system's wording goes to the log, without the name."""
    log.info("safe copy not written: %s: %s (errno %s)", type(exc).__name__, exc.strerror, exc.errno)
    return f"The safe copy could not be written. {unwritable_reason(exc, out_dir)}"
