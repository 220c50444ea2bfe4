"""A clip under review: the engine's track verdicts, and the corrections staff made by hand since.

As for photos, corrections stack on top of the verdicts, which never change, so the log shows both
what the engine decided and what people changed. A track can be blurred; a blurred track can be
shown as a person from the register who has active consent for the channel (the same refusals as
for a photo's face, and one person cannot be two faces on screen at once); an area drawn by hand
can be blurred over a span of frames. Every correction needs a typed reason and is audited.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum
from pathlib import Path

from ..faces.geometry import Box
from ..kernel.disk_errors import unreadable_reason
from ..faces.redaction import Region, Shape
from ..kernel.audit_chain import utc_timestamp
from ..kernel.audit_entries import ClipCorrected, ClipCorrectionUndone
from ..kernel.channels import ChannelCatalogue
from ..kernel.consent import FaceConsent, show_decision
from ..kernel.decisions import Action, Decision, overall_decision
from ..kernel.disk_errors import unwritable_reason
from ..kernel.permissions import Action as Permission
from ..kernel.permissions import requires
from ..kernel.ports import Store
from ..kernel.session import Session
from .coverage import CoverageSettings
from .media import ClipLoadError
from .pipeline import ClipAnalyser, ClipCancelled, Scan, UnverifiedBlur, _Progress
from .results import ClipResult, file_sha256
from .service import ClipAnalysis, clip_output_path, publish_clip
from .verdicts import TrackVerdict

MIN_AREA_SIDE_PX = 4
CLIP_UNDO_KIND = ClipCorrectionUndone.KIND

log = logging.getLogger(__name__)
EXPORT_FAILED = ("the safe clip could not be made: the video encoder stopped with an error, so nothing was exported. "
                 "Try again; if it fails again, export the clip from the camera again and vet that copy. The details "
                 "are in the app's log file.")


class ClipReviewError(Exception):
    """A correction that cannot be made, explained in plain words."""


class ClipCorrectionAction(str, Enum):
    BLUR_TRACK = "blur_track"
    SHOW_TRACK = "show_track"
    BLUR_AREA = "blur_area"


@dataclass(frozen=True)
class ClipCorrection:
    action: ClipCorrectionAction
    reason: str
    user: str
    at: str
    track_id: int | None = None
    person_id: int | None = None
    area: Region | None = None
    first_frame: int | None = None
    last_frame: int | None = None
    audit_seq: int | None = None

    def as_dict(self) -> dict:
        return {
            "action": self.action.value, "track": self.track_id, "person_id": self.person_id,
            "box": self.area.box.as_list() if self.area else None, "first_frame": self.first_frame,
            "last_frame": self.last_frame, "reason": self.reason, "user": self.user, "at": self.at, "seq": self.audit_seq,
        }


@dataclass
class ClipReview:
    """One clip: the engine's result and first pass, plus corrections, until it is exported."""

    result: ClipResult
    scan: Scan
    block_hidden: bool = False
    corrections: list[ClipCorrection] = field(default_factory=list)
    recorded_seq: int | None = None
    exported_to: Path | None = None  # the safe clip, once exported

    @property
    def editable(self) -> bool:
        return self.recorded_seq is None and self.result.decision in (Decision.APPROVED, Decision.REDACTED)

    def tracks(self) -> list[TrackVerdict]:
        """The engine's track verdicts with every correction applied, in order."""
        tracks = {t.track_id: t for t in self.result.tracks}
        for c in self.corrections:
            if c.action is ClipCorrectionAction.BLUR_TRACK:
                tracks[c.track_id] = replace(tracks[c.track_id], action=Action.BLURRED, reason=f"blurred by hand: {c.reason}")
            elif c.action is ClipCorrectionAction.SHOW_TRACK:
                tracks[c.track_id] = replace(tracks[c.track_id], person_id=c.person_id, consent=FaceConsent.GRANTED,
                                             action=Action.SHOWN, reason=f"shown by hand: {c.reason}", may_be_named=False)
        return list(tracks.values())

    def areas(self) -> list[tuple[Region, int, int]]:
        """Hand-drawn areas and the frames (first, last) they are blurred on."""
        return [(c.area, c.first_frame, c.last_frame) for c in self.corrections
                if c.action is ClipCorrectionAction.BLUR_AREA and c.area is not None]

    def hidden_regions(self, frame: int, settings: CoverageSettings) -> list[Region]:
        """Everything blurred on frame `frame` of the safe copy: the blurred tracks' coverage and the
        areas drawn by hand (for previews; the export works through the frames in order)."""
        blurred = {t.track_id for t in self.tracks() if t.action is Action.BLURRED}
        regions = [region for coverage in self.scan.coverages(blurred, settings) for region in coverage.regions(frame)]
        return regions + [area for area, first, end in self.areas() if first <= frame <= end]

    def decision(self) -> tuple[Decision, str]:
        if not self.editable:
            return self.result.decision, self.result.reason
        decision, reason = overall_decision(self.tracks(), self.block_hidden)
        areas = len(self.areas())
        if areas and decision is Decision.APPROVED:
            return Decision.REDACTED, f"{areas} area{'s' if areas > 1 else ''} blurred by hand"
        return decision, reason + (f", {areas} area{'s' if areas > 1 else ''} blurred by hand" if areas else "")

    def current_result(self) -> ClipResult:
        """The clip as reviewed: corrections applied, decided as it stands now (for a post)."""
        decision, reason = self.decision()
        return replace(self.result, tracks=self.tracks(), decision=decision, reason=reason, output=self.exported_to,
                       audit_seq=self.recorded_seq if self.recorded_seq is not None else self.result.audit_seq)

    def track(self, track_id: int, current: Action) -> TrackVerdict:
        if self.recorded_seq is not None:
            raise ClipReviewError("This clip has been exported; its corrections can no longer change.")
        if not self.editable:
            raise ClipReviewError(f"This clip was {self.result.decision.value} ({self.result.reason}), so it cannot be corrected.")
        found = next((t for t in self.tracks() if t.track_id == track_id), None)
        if found is None:
            raise ClipReviewError("There is no such face in this clip.")
        if found.action is not current:
            raise ClipReviewError(f"That face is already {'blurred' if current is Action.SHOWN else 'shown'}.")
        return found


class ClipReviewService:
    """Corrections to clips and their export, each audited; the permissions are those for photos."""

    def __init__(self, store: Store, channels: ChannelCatalogue, session: Session):
        self.store, self.channels, self.session = store, channels, session
        self.user = session.initials

    @requires(Permission.VET, channel_arg="channel_key")
    def blur_track(self, review: ClipReview, channel_key: str, track_id: int, reason: str) -> ClipCorrection:
        """Always allowed to whoever may vet: hiding more is never unsafe."""
        review.track(track_id, Action.SHOWN)
        return self._apply(review, channel_key, ClipCorrectionAction.BLUR_TRACK, reason, track_id=track_id)

    @requires(Permission.VET, channel_arg="channel_key")
    def show_track(self, review: ClipReview, channel_key: str, track_id: int, person_id: int, reason: str,
                   today: date | None = None) -> ClipCorrection:
        """Shows a blurred track only as a person with active consent for this channel today, who is
        not already shown on another track on screen at the same time."""
        track = review.track(track_id, Action.BLURRED)
        channel = self.channels.get(channel_key)
        with self.store.transaction() as tx:
            person = tx.register.get_person(person_id)
            if person is None:
                raise ClipReviewError("That person is not in the register.")
            decision = show_decision(person, tx.register.photo_consents(person_id), channel.key, today or date.today())
        if not decision.visible:
            raise ClipReviewError(f"{person.name} cannot be shown on {channel.name}: {decision.reason}.")
        for other in review.tracks():
            if other.action is Action.SHOWN and other.person_id == person_id and _overlap(other, track):
                raise ClipReviewError(f"{person.name} is already shown on another face at the same time; one person cannot be two faces.")
        return self._apply(review, channel_key, ClipCorrectionAction.SHOW_TRACK, reason, track_id=track_id, person_id=person_id)

    @requires(Permission.VET, channel_arg="channel_key")
    def blur_area(self, review: ClipReview, channel_key: str, box: Box, first_frame: int, last_frame: int,
                  reason: str, shape: Shape = Shape.RECTANGLE) -> ClipCorrection:
        review_size = (review.result.info.width, review.result.info.height)
        if review.recorded_seq is not None or not review.editable:
            raise ClipReviewError("This clip can no longer be corrected.")
        clipped = box.clipped(*review_size)
        if clipped.width < MIN_AREA_SIDE_PX or clipped.height < MIN_AREA_SIDE_PX:
            raise ClipReviewError("The area drawn is too small or outside the clip; drag across what should be blurred.")
        last = review.scan.frames - 1
        if not 0 <= first_frame <= last_frame <= last:
            raise ClipReviewError(f"Choose a span of frames between 0 and {last}, the first before the last.")
        return self._apply(review, channel_key, ClipCorrectionAction.BLUR_AREA, reason, area=Region(clipped, shape, add_margin=False),
                           first_frame=first_frame, last_frame=last_frame)

    @requires(Permission.VET, channel_arg="channel_key")
    def undo(self, review: ClipReview, channel_key: str) -> ClipCorrection:
        """Takes back the last correction, as for photos: the log keeps it and records that it was undone."""
        if review.recorded_seq is not None or not review.editable:
            raise ClipReviewError("This clip can no longer be corrected.")
        if not review.corrections:
            raise ClipReviewError("There is nothing to undo in this clip.")
        undone = review.corrections[-1]
        channel = self.channels.get(channel_key)
        with self.store.transaction() as tx:
            tx.audit.append(ClipCorrectionUndone(
                user=self.user, channel=channel.key, source_name=review.result.source.name,
                source_sha256=review.result.source_sha256, undoes_seq=undone.audit_seq, correction=undone.as_dict(),
            ).to_payload())
        review.corrections.pop()
        return undone

    def _apply(self, review: ClipReview, channel_key: str, action: ClipCorrectionAction, reason: str, **target) -> ClipCorrection:
        reason = " ".join(reason.split())
        if not reason:
            raise ClipReviewError("Please type why you are making this correction; it is kept in the audit log.")
        channel = self.channels.get(channel_key)
        correction = ClipCorrection(action, reason, self.user, utc_timestamp(), **target)
        with self.store.transaction() as tx:
            seq = tx.audit.append(ClipCorrected(
                user=self.user, channel=channel.key, source_name=review.result.source.name,
                source_sha256=review.result.source_sha256, correction=correction.as_dict(),
            ).to_payload()).seq
        correction = replace(correction, audit_seq=seq)
        review.corrections.append(correction)
        return correction

    @requires(Permission.EXPORT, channel_arg="channel_key")
    def export(self, review: ClipReview, channel_key: str, out_dir: Path, analyser: ClipAnalyser,
               progress=None, should_stop=lambda: False, today: date | None = None) -> ClipResult:
        """Write the safe clip with the corrections applied (a `.part` file, renamed once its entry,
        holding the corrections, is recorded). Cancel removes the partial file. As for photos, anyone
        shown whose consent no longer holds today is blurred, and a clip changed since its check is refused."""
        channel = self.channels.get(channel_key)
        decision, reason = review.decision()
        tracks = review.tracks()
        if review.editable:
            rechecked = self._recheck_shown(tracks, channel.key, today or date.today())
            if rechecked != tracks:
                tracks = rechecked
                decision = Decision.BLOCKED if review.block_hidden else Decision.REDACTED
                reason = "consent changed since the check; faces no longer consenting were blurred"
        result = replace(review.result, tracks=tracks, decision=decision, reason=reason, output=None, output_sha256=None)
        if decision is Decision.BLOCKED or not review.editable:
            publish_clip(self.store, ClipAnalysis(result), channel, self.user, [c.as_dict() for c in review.corrections])
            review.recorded_seq = result.audit_seq
            return result
        try:
            unchanged = file_sha256(result.source) == review.result.source_sha256
        except OSError as exc:
            log.info("clip for export not read: %s", exc.strerror or type(exc).__name__)
            raise ClipReviewError(f"{result.source.name}: {unreadable_reason(exc)}") from exc
        if not unchanged:
            raise ClipReviewError(f"{result.source.name} has changed since it was checked; add it again to check it afresh.")
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _not_written(exc, out_dir) from exc
        target = clip_output_path(result.source, out_dir, set())
        pending = target.with_name(target.name + ".part")
        tracker = _Progress(review.scan.frames, progress, should_stop)
        tracker.writing(review.scan.frames)
        try:
            analyser.render(result.source, pending, result.info, review.scan, result.tracks, tracker, review.areas())
            result.output_sha256 = file_sha256(pending)
        except UnverifiedBlur as exc:
            pending.unlink(missing_ok=True)
            result.decision, result.reason = Decision.BLOCKED, str(exc)
            publish_clip(self.store, ClipAnalysis(result), channel, self.user, [c.as_dict() for c in review.corrections])
            review.recorded_seq = result.audit_seq
            return result
        except ClipCancelled:
            pending.unlink(missing_ok=True)
            raise
        except ClipLoadError as exc:  # already in plain words (the source stopped decoding)
            pending.unlink(missing_ok=True)
            raise ClipReviewError(f"{result.source.name}: {exc}") from exc
        except OSError as exc:  # PyAV's errors on writing are OSErrors too (a full disk, no permission)
            pending.unlink(missing_ok=True)
            raise _not_written(exc, out_dir) from exc
        except Exception as exc:  # an encoder's failure nobody foresaw: the detail is for IT support, in the log
            pending.unlink(missing_ok=True)
            log.error("A clip could not be exported.", exc_info=exc)
            raise ClipReviewError(f"{result.source.name}: {EXPORT_FAILED}") from exc
        except BaseException:
            pending.unlink(missing_ok=True)
            raise
        result.output = target
        try:
            publish_clip(self.store, ClipAnalysis(result, pending), channel, self.user, [c.as_dict() for c in review.corrections])
        except OSError as exc:  # the entry is recorded, the rename failed: the next export run reports the gap
            raise _not_written(exc, out_dir) from exc
        review.recorded_seq, review.exported_to = result.audit_seq, target
        return result


    def _recheck_shown(self, tracks: list[TrackVerdict], channel_key: str, today: date) -> list[TrackVerdict]:
        """Blurs any shown track whose person's consent no longer holds (withdrawn, expired or left)."""
        shown = {t.person_id for t in tracks if t.action is Action.SHOWN and t.person_id is not None}
        if not shown:
            return tracks
        with self.store.transaction() as tx:
            allowed = {person_id for person_id in shown
                       if (person := tx.register.get_person(person_id)) is not None
                       and show_decision(person, tx.register.photo_consents(person_id), channel_key, today).visible}
        return [t if t.action is not Action.SHOWN or t.person_id in allowed
                else replace(t, action=Action.BLURRED, consent=FaceConsent.NO_CONSENT, reason="consent changed since the check")
                for t in tracks]


def _overlap(a: TrackVerdict, b: TrackVerdict) -> bool:
    return a.first_frame <= b.last_frame and b.first_frame <= a.last_frame


def _not_written(exc: OSError, out_dir: Path) -> ClipReviewError:
    """A write that failed, in plain words; the system's (or FFmpeg's) wording goes to the log, without the name."""
    log.info("safe clip not written: %s: %s (errno %s)", type(exc).__name__, exc.strerror, exc.errno)
    return ClipReviewError(f"The safe clip could not be written. {unwritable_reason(exc, out_dir)}")
