"""One decision for a post: the caption's findings, the media's decisions, and whether the names
in the caption agree with the faces (naming a blurred child defeats the blur)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..captions.check import CaptionReport
from ..captions.findings import Finding, FindingKind, Verdict
from ..captions.names import NamedPerson
from ..kernel.channels import Channel
from ..kernel.decisions import Action
from .media import USABLE, PostMedia, appearances, shown_in

READY = "ready"
BLOCKED = "blocked"
FACES_AND_NAMES = "Names in the caption against the faces shown and blurred in the media"


@dataclass(frozen=True)
class PostReview:
    channel: Channel
    caption: CaptionReport  # findings with the faces-and-names check applied
    media: tuple[PostMedia, ...]
    problems: tuple[str, ...] = field(default=())  # every reason the post is blocked, in plain words

    @property
    def decision(self) -> str:
        return BLOCKED if self.problems else READY

    @property
    def ready(self) -> bool:
        return not self.problems

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.caption.findings if f.verdict is Verdict.WARNING]

    @property
    def confirmed(self) -> list[Finding]:
        return [f for f in self.caption.findings if f.confirmed_reason is not None]

    @property
    def shown_person_ids(self) -> list[int]:
        return sorted({person_id for m in self.media for person_id in shown_in(m)})

    def as_dict(self) -> dict:
        """The shape `rws post --json` reports; `media` as `rws vet --json` reports photos and clips."""
        return {"decision": self.decision, "caption": self.caption.as_dict(), "media": [m.as_dict() for m in self.media]}


def review_post(caption: CaptionReport, media: list[PostMedia], channel: Channel,
                people: dict[int, NamedPerson]) -> PostReview:
    """`people`: the caption checker's register index (names and name permission for the channel today)."""
    findings = tuple(agree_with_faces(f, media, people) for f in caption.findings)
    checked = CaptionReport(caption.caption, findings)
    problems: list[str] = []
    refusal = channel.refusal_reason()
    if refusal:
        problems.append(refusal)
    if not media:
        problems.append("A post needs at least one photo or clip.")
    for result in media:
        if result.decision not in USABLE:
            problems.append(f"{result.source.name} is {result.decision.value}: {result.reason}")
    for finding in findings:
        if finding.blocks:
            problems.append(f"Caption, '{_one_line(finding.text)}': {finding.reason}")
    return PostReview(channel, checked, tuple(media), tuple(problems))


def agree_with_faces(finding: Finding, media: list[PostMedia], people: dict[int, NamedPerson]) -> Finding:
    """A name whose person is blurred in a photo or clip, or shown without permission to be named, blocks
    the post, even when the name alone was allowed or confirmed. A clip's tracks count as a photo's faces.
    Name permission is the register's for the channel today (a face shown by a correction carries none
    of its own)."""
    if finding.kind is not FindingKind.NAME or not finding.person_ids:
        return finding
    meant = set(finding.person_ids)
    for result in media:
        for face in appearances(result):
            if face.person_id not in meant:
                continue
            person = people.get(face.person_id)
            who = person.name if person else f"person {face.person_id}"
            if face.action is Action.BLURRED:
                reason = (f"{who} is named here and blurred in {result.source.name}: "
                          "naming a blurred child defeats the blur.")
            elif not (person.may_be_named if person else face.may_be_named):
                reason = (f"{who} is shown in {result.source.name} and named here, but has "
                          "no permission to be named on this channel.")
            else:
                continue
            return replace(finding, verdict=Verdict.BLOCKED, reason=reason, confirmed_reason=None)
    return finding


def _one_line(text: str) -> str:
    return " ".join(text.split())
