"""A photo under review: the engine's verdicts, and the corrections staff made by hand since.

Corrections only ever stack on top of the engine's verdicts; the verdicts themselves never
change, so the audit log can show both what the engine decided and what people changed.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Hashable

from ..kernel.consent import FaceConsent
from ..kernel.decisions import overall_decision
from ..faces.geometry import Box
from ..faces.redaction import Region, Shape
from .analysis import Action, Decision, FaceReport, PhotoResult
from .safe_copy import photo_state

# A hand-drawn area smaller than this is a slip of the mouse, not a face.
MIN_AREA_SIDE_PX = 4


class ReviewError(Exception):
    """A correction that cannot be made, explained in plain words."""


class CorrectionAction(str, Enum):
    BLUR_FACE = "blur_face"
    SHOW_FACE = "show_face"
    BLUR_AREA = "blur_area"


@dataclass(frozen=True)
class Correction:
    action: CorrectionAction
    reason: str
    user: str
    at: str
    face: int | None = None
    person_id: int | None = None
    area: Region | None = None
    audit_seq: int | None = None

    def as_dict(self) -> dict:
        return {
            "action": self.action.value,
            "face": self.face,
            "person_id": self.person_id,
            "shape": self.area.shape.value if self.area else None,
            "box": self.area.box.as_list() if self.area else None,
            "reason": self.reason,
            "user": self.user,
            "at": self.at,
            "seq": self.audit_seq,
        }


@dataclass
class PhotoReview:
    """One photo of a batch: the engine's result plus corrections, until it is exported."""

    result: PhotoResult
    block_hidden: bool = False
    corrections: list[Correction] = field(default_factory=list)
    exported_to: Path | None = None
    recorded_seq: int | None = None  # the audit entry written when the batch was exported

    @property
    def source(self) -> Path:
        return self.result.source

    @property
    def exported(self) -> bool:
        return self.exported_to is not None

    @property
    def editable(self) -> bool:
        """Corrections need an analysed photo the engine did not block, and stop once it is recorded."""
        return self.recorded_seq is None and self.result.decision in (Decision.APPROVED, Decision.REDACTED)

    def faces(self) -> list[FaceReport]:
        """The engine's faces with every correction applied, in order."""
        faces = list(self.result.faces)
        for correction in self.corrections:
            if correction.action is CorrectionAction.BLUR_FACE:
                faces[correction.face] = replace(
                    faces[correction.face], action=Action.BLURRED, reason=f"blurred by hand: {correction.reason}")
            elif correction.action is CorrectionAction.SHOW_FACE:
                faces[correction.face] = replace(
                    faces[correction.face], person_id=correction.person_id, distance=None, consent=FaceConsent.GRANTED,
                    action=Action.SHOWN, reason=f"shown by hand: {correction.reason}", may_be_named=False)
        return faces

    def areas(self) -> list[Region]:
        return [c.area for c in self.corrections if c.action is CorrectionAction.BLUR_AREA and c.area]

    def decision(self) -> tuple[Decision, str]:
        if not self.editable and self.result.decision not in (Decision.APPROVED, Decision.REDACTED):
            return self.result.decision, self.result.reason
        decision, reason = overall_decision(self.faces(), self.block_hidden)
        areas = len(self.areas())
        if areas and decision is Decision.APPROVED:
            return Decision.REDACTED, f"{areas} area{'s' if areas > 1 else ''} blurred by hand"
        if areas:
            return decision, f"{reason}, {areas} area{'s' if areas > 1 else ''} blurred by hand"
        return decision, reason

    def current_result(self) -> PhotoResult:
        """The photo as reviewed: corrections applied, decided as it stands now (for a post)."""
        decision, reason = self.decision()
        return replace(self.result, faces=self.faces(), decision=decision, reason=reason, output=self.exported_to,
                       audit_seq=self.recorded_seq)

    def state(self, faces: list[FaceReport] | None = None) -> Hashable:
        """What its safe copy depends on (see safe_copy.photo_state), for `faces` or as corrected now."""
        return photo_state(self.result.source_sha256, self.faces() if faces is None else faces, self.areas())

    def shown_person_ids(self) -> set[int]:
        return {face.person_id for face in self.faces() if face.action is Action.SHOWN and face.person_id is not None}

    # Checks shared by the service (which also audits) and the window (which explains).

    def check_editable(self) -> None:
        if self.recorded_seq is not None:
            raise ReviewError("This photo has been exported; its corrections can no longer change.")
        if not self.editable:
            raise ReviewError(f"This photo was {self.result.decision.value} ({self.result.reason}), so it cannot be corrected.")

    def check_face(self, index: int, current: Action) -> None:
        self.check_editable()
        if not 0 <= index < len(self.result.faces):
            raise ReviewError("There is no such face in this photo.")
        if self.faces()[index].action is not current:
            raise ReviewError(f"That face is already {'blurred' if current is Action.SHOWN else 'shown'}.")


def hand_drawn_area(box: Box, shape: Shape, image_size: tuple[int, int]) -> Region:
    """A region drawn by hand, kept inside the photo; it is blurred exactly as drawn."""
    clipped = box.clipped(*image_size)
    if clipped.width < MIN_AREA_SIDE_PX or clipped.height < MIN_AREA_SIDE_PX:
        raise ReviewError("The area drawn is too small or outside the photo; drag across what should be blurred.")
    return Region(clipped, shape, add_margin=False)
