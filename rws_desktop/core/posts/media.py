"""A post's media: photos as vetting reports them and clips as clip vetting reports them.

The post's checks need the same few facts of both: who appears, shown or blurred, and whether they
may be named. A clip's track is judged like a photo's face: a shown track shows its person, and a
blurred track of someone the caption names defeats the blur as a blurred face does.
"""
from __future__ import annotations

from typing import Protocol, Union

from ..clips.results import ClipResult
from ..kernel.decisions import Action, Decision
from ..vetting.analysis import PhotoResult

PostMedia = Union[PhotoResult, ClipResult]
USABLE = (Decision.APPROVED, Decision.REDACTED)


class Appearance(Protocol):
    """A photo's face (FaceReport) or a clip's track (TrackVerdict): both carry these."""

    person_id: int | None
    action: Action
    may_be_named: bool


def appearances(media: PostMedia) -> list[Appearance]:
    """The faces of a photo, or the tracks of a clip, as decided."""
    return list(media.tracks) if isinstance(media, ClipResult) else list(media.faces)


def is_clip(media: PostMedia) -> bool:
    return isinstance(media, ClipResult)


def kind_word(media: PostMedia) -> str:
    return "clip" if is_clip(media) else "photo"


def shown_in(media: PostMedia) -> set[int]:
    return {a.person_id for a in appearances(media) if a.action is Action.SHOWN and a.person_id is not None}
