"""The words the log records for a photo and for each face in it, and the one rule that turns the
faces' actions into the file's decision.

They live in the kernel because the vetting pipeline writes them and the audit reports read
them, and the audit package must not import the vetting one; photos (vetting) and clips (clips,
a clip's faces being its tracks) decide by the same rule.
"""
from __future__ import annotations

from enum import Enum
from typing import Protocol, Sequence


# Why no face in a photo or clip was looked up in the register (each face's reason, read by the window).
NOBODY_MAY_BE_SHOWN = "nobody enrolled has consent for this channel"
REFERENCES_UNREADABLE = "the register's reference faces cannot be read on this computer"


class Decision(str, Enum):
    """What happened to a photo as a whole."""

    APPROVED = "approved"
    REDACTED = "redacted"
    BLOCKED = "blocked"
    ERROR = "error"


class Action(str, Enum):
    """What happened to one face."""

    SHOWN = "shown"
    BLURRED = "blurred"


class HasAction(Protocol):
    @property
    def action(self) -> Action: ...


def overall_decision(faces: Sequence[HasAction], block_hidden: bool) -> tuple[Decision, str]:
    """A photo's or clip's decision and reason from what happens to each of its faces: approved when every
    face may be shown (or there is none), else redacted, or blocked when `block_hidden` asks for that."""
    blurred = sum(face.action is Action.BLURRED for face in faces)
    if not faces:
        return Decision.APPROVED, "no faces found"
    if not blurred:
        if len(faces) == 1:
            return Decision.APPROVED, "its one face has consent for this channel"
        return Decision.APPROVED, f"all {len(faces)} faces have consent for this channel"
    if block_hidden:
        return Decision.BLOCKED, f"{blurred} of {len(faces)} faces may not be shown, and blocking was asked for"
    return Decision.REDACTED, f"{blurred} of {len(faces)} faces blurred"
