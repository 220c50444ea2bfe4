"""The vetting pipeline: from a photo and a channel to a safe copy and an audit entry.

The safety rule lives in `_face_verdict`: a face is shown only when it is identified
(a strict match) as a registered person whose consent for this exact channel is active.
Every other path through the code ends in a blur.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from PIL import Image

from ..kernel.channels import Channel
from ..kernel.clock import utc_timestamp
from ..kernel.decisions import NOBODY_MAY_BE_SHOWN, REFERENCES_UNREADABLE, Action, Decision, overall_decision
from ..kernel.consent import FaceConsent, Person, PhotoConsent, biometric_verdict, show_decision
from ..faces.detection import DetectedFace, FaceDetector
from ..accounts.dpia import recognition_allowed
from ..faces.geometry import Box
from ..faces.imaging import PhotoLoadError, load_photo
from ..faces.matching import Gallery, MatchOutcome, MatchPolicy, identify
from ..kernel.ports import Store
from ..faces.recognition import FaceEncoder
from ..faces.redaction import Region, redact
from .inputs import collect_photos  # noqa: F401  (kept importable from here for the CLI and window)
from .safe_copy import SafeCopy, hidden_regions, make_safe_copy

log = logging.getLogger(__name__)
# What staff read when the face finder or the blur fails on a photo; what failed goes to the log.
ANALYSIS_FAILED = ("The photo could not be checked for faces: the face finder stopped with an error on it, so no safe "
                   "copy was made. Save it again as a JPEG and vet that copy; the details are in the app's log file.")


@dataclass(frozen=True)
class FaceReport:
    box: Box
    person_id: int | None
    distance: float | None
    consent: FaceConsent
    action: Action
    reason: str
    may_be_named: bool = False
    regions: tuple[Region, ...] = ()  # what is blurred when hidden; empty means the box itself
    strong_match_id: int | None = None  # whom this face alone matches strongly (matching.Match.strong)

    def hidden_regions(self) -> tuple[Region, ...]:
        return self.regions or (Region(self.box),)

    def as_dict(self) -> dict:
        return {
            "box": self.box.as_list(),
            "person_id": self.person_id,
            "distance": None if self.distance is None else round(self.distance, 4),
            "consent": self.consent.value,
            "action": self.action.value,
            "may_be_named": self.may_be_named,
            "reason": self.reason,
        }


@dataclass
class PhotoResult:
    source: Path
    decision: Decision
    reason: str
    faces: list[FaceReport] = field(default_factory=list)
    output: Path | None = None
    source_sha256: str | None = None
    output_sha256: str | None = None
    audit_seq: int | None = None
    checked_at: str | None = None  # when the check finished (UTC, as the log writes times); None if never checked

    def as_dict(self) -> dict:
        return {
            "source": str(self.source),
            "output": str(self.output) if self.output else None,
            "decision": self.decision.value,
            "reason": self.reason,
            "faces": [face.as_dict() for face in self.faces],
        }


@dataclass(frozen=True)
class RegisterSnapshot:
    """What vetting needs from the register, read once per batch."""

    people: dict[int, Person]
    consents: dict[int, list[PhotoConsent]]
    gallery: Gallery
    # Reference faces stored for people who may be recognised that could not be read (no key on this computer, or
    # a failed integrity check): those people cannot be recognised, whatever their consent.
    unreadable_references: int = 0

    @classmethod
    def load(cls, store: Store, today: date) -> "RegisterSnapshot":
        with store.transaction() as tx:
            people = {person.id: person for person in tx.register.list_people()}
            consents = tx.register.all_photo_consents()
            # No recognition before the DPIA is recorded: the gallery stays empty and every face is blurred.
            references = tx.register.reference_encodings() if recognition_allowed(tx) else {}
            stored = tx.register.reference_face_counts() if recognition_allowed(tx) else {}
            recognisable, unreadable = {}, 0
            for person_id, count in stored.items():
                person = people.get(person_id)
                # Storage only holds faces with consent, but consent can lapse by date (an 18th birthday).
                if person and biometric_verdict(person, tx.register.biometric_consent(person_id), today).allowed:
                    encodings = references.get(person_id, [])
                    unreadable += max(0, count - len(encodings))
                    if encodings:
                        recognisable[person_id] = encodings
        return cls(people, consents, Gallery(recognisable), unreadable)

    def nobody_looked_up(self) -> str:
        """Why no face is looked up when nobody recognisable may be shown: the reference faces could not be read,
        or nobody enrolled has consent for the channel."""
        return REFERENCES_UNREADABLE if self.unreadable_references else NOBODY_MAY_BE_SHOWN

    def anyone_may_be_shown(self, channel_key: str, today: date) -> bool:
        """Whether any recognisable person has active consent for this channel; if not, no face needs identifying."""
        return any(
            show_decision(self.people[person_id], self.consents.get(person_id, []), channel_key, today).visible
            for person_id in self.gallery.person_ids()
        )


class PhotoAnalyser:
    """Detects, identifies and decides every face in one photo. Pure: no storage, no files."""

    def __init__(self, detector: FaceDetector, encoder: FaceEncoder, policy: MatchPolicy = MatchPolicy()):
        self.detector = detector
        self.encoder = encoder
        self.policy = policy

    def analyse(self, image: Image.Image, channel: Channel, register: RegisterSnapshot, today: date) -> list[FaceReport]:
        faces = self.detector.detect(image)
        if register.anyone_may_be_shown(channel.key, today):
            encodings = self.encoder.encode_all(image, faces)
            verdicts = _blur_repeated_identities(
                [self._face_verdict(face, encoding, channel, register, today) for face, encoding in zip(faces, encodings)]
            )
        else:
            # Encoding costs about 80 ms a face and could only end in a blur.
            verdicts = [
                FaceReport(face.box, None, None, FaceConsent.UNKNOWN_PERSON, Action.BLURRED, register.nobody_looked_up())
                for face in faces
            ]
        return [replace(verdict, regions=face_regions(face)) for verdict, face in zip(verdicts, faces)]

    def _face_verdict(self, face: DetectedFace, encoding, channel: Channel, register: RegisterSnapshot, today: date) -> FaceReport:
        if encoding is None:
            return FaceReport(face.box, None, None, FaceConsent.UNKNOWN_PERSON, Action.BLURRED, "face too unclear to identify")
        match = identify(encoding, register.gallery, self.policy)
        if match.outcome is MatchOutcome.UNKNOWN:
            return FaceReport(face.box, None, match.distance, FaceConsent.UNKNOWN_PERSON, Action.BLURRED, "not enrolled or not recognised")
        if match.outcome is MatchOutcome.UNCERTAIN:
            return FaceReport(face.box, None, match.distance, FaceConsent.UNCERTAIN_MATCH, Action.BLURRED, match.reason)
        person = register.people.get(match.person_id)
        if person is None:
            return FaceReport(face.box, None, match.distance, FaceConsent.UNKNOWN_PERSON, Action.BLURRED, "not in the register")
        decision = show_decision(person, register.consents.get(person.id, []), channel.key, today)
        action = Action.SHOWN if decision.visible else Action.BLURRED
        return FaceReport(face.box, person.id, match.distance, decision.consent, action, decision.reason, decision.may_be_named,
                          strong_match_id=person.id if match.strong else None)


def _blur_repeated_identities(reports: list[FaceReport]) -> list[FaceReport]:
    """When two faces in a photo match the same person, a collage may really show one child twice,
    or one match is wrong. Each face that on its own is a strong match to them (matching.Match.strong)
    keeps its verdict; any other face matching a person another face also matches is blurred."""
    matched = [r.person_id for r in reports if r.person_id is not None]
    repeated = {person_id for person_id in matched if matched.count(person_id) > 1}
    return [
        replace(r, person_id=None, consent=FaceConsent.UNCERTAIN_MATCH, action=Action.BLURRED,
                reason="uncertain match (another face in this photo matched the same person)")
        if r.person_id in repeated and r.strong_match_id != r.person_id else r
        for r in reports
    ]


def face_regions(face: DetectedFace) -> tuple[Region, ...]:
    """The face turned as the detector saw it, and for a tilted detection the same square upright
    too: the detector's tilt is only one of its four angles, and the two together cover both."""
    turned = Region.for_face(face.center, face.size, face.angle)
    return (turned, Region.for_face(face.center, face.size, 0.0)) if face.angle else (turned,)


def redact_faces(image: Image.Image, faces: list[FaceReport]) -> Image.Image:
    return redact(image, hidden_regions(faces))


@dataclass
class PhotoAnalysis:
    """What analysing one photo produced: the decision, and the safe copy when it may be written."""

    result: PhotoResult
    safe_copy: SafeCopy | None = None

    @property
    def safe_jpeg(self) -> bytes | None:
        return self.safe_copy.jpeg if self.safe_copy else None


def analyse_photo(source: Path, channel: Channel, register: RegisterSnapshot, today: date,
                  block_hidden: bool, analyser: PhotoAnalyser) -> PhotoAnalysis:
    """Everything short of writing: load, find and decide faces, and make the safe copy. Writes nothing. The
    result carries the time the check finished, which its photo_vetted entry records."""
    analysis = _analyse_photo(source, channel, register, today, block_hidden, analyser)
    analysis.result.checked_at = utc_timestamp()
    return analysis


def _analyse_photo(source: Path, channel: Channel, register: RegisterSnapshot, today: date,
                   block_hidden: bool, analyser: PhotoAnalyser) -> PhotoAnalysis:
    try:
        photo = load_photo(source)
    except PhotoLoadError as exc:
        return PhotoAnalysis(PhotoResult(source, Decision.ERROR, str(exc)))
    refusal = channel.refusal_reason()
    if refusal:
        return PhotoAnalysis(PhotoResult(source, Decision.BLOCKED, refusal, source_sha256=photo.sha256))
    try:
        faces = analyser.analyse(photo.image, channel, register, today)
        decision, reason = overall_decision(faces, block_hidden)
        result = PhotoResult(source, decision, " ".join((reason, *photo.notes)), faces, source_sha256=photo.sha256)
        if decision is Decision.BLOCKED:
            return PhotoAnalysis(result)
        safe = make_safe_copy(photo, faces)
        if not safe.verified:
            result.decision, result.reason = Decision.BLOCKED, "a blurred face could not be verified as hidden"
            return PhotoAnalysis(result)
    except Exception as exc:  # a library failure on one odd photo must not stop the batch
        log.error("A photo could not be analysed.", exc_info=exc)  # the detail, for IT support; never the file's name
        return PhotoAnalysis(PhotoResult(source, Decision.ERROR, ANALYSIS_FAILED, source_sha256=photo.sha256))
    result.output_sha256 = safe.sha256
    return PhotoAnalysis(result, safe)
