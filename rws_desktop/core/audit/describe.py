"""Audit entries in words: a one-line row for lists and exports, and the full detail of one entry.

Entries are whatever was logged, so every reader here tolerates missing or odd fields.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from typing import Any

from ..kernel.audit_chain import AuditRecord, chain_hash
from ..kernel.audit_index import involved_people, parse_utc
from ..kernel.wording import counted
from .names import NameResolver, PersonRef
from .sentences import LABELS as MORE_LABELS, SENTENCES

KIND_LABELS = {
    "photo_vetted": "Photo vetted",
    "photo_corrected": "Photo corrected",
    "correction_undone": "Correction undone",
    "clip_vetted": "Clip vetted",
    "clip_corrected": "Clip corrected",
    "clip_correction_undone": "Clip correction undone",
    "person_added": "Person added",
    "photo_consent_set": "Photo consent set",
    "biometric_consent_set": "Biometric consent set",
    "person_left": "Person left",
    "reference_face_added": "Reference face added",
    "signed_in": "Signed in",
    "sign_in_failed": "Sign-in failed",
    **MORE_LABELS,
}
CORRECTION_LABELS = {"blur_face": "blurred face", "show_face": "showed face", "blur_area": "blurred an area",
                     "blur_track": "blurred face", "show_track": "showed face"}  # the last two: a clip's
# What a face correction leaves the face as.
_CORRECTION_RESULT = {"blur_face": "blurred", "show_face": "shown", "blur_track": "blurred", "show_track": "shown"}


def kind_label(kind: str | None) -> str:
    if not kind:
        return "Entry without a kind"
    return KIND_LABELS.get(kind) or kind.replace("_", " ").capitalize()


@dataclass(frozen=True)
class AuditRow:
    """One entry as a line of the log view or an export."""

    seq: int
    at: datetime | None  # in the service's time zone
    at_utc: str  # exactly as logged
    kind: str
    kind_label: str
    user: str
    channel: str
    decision: str
    summary: str
    people: tuple[PersonRef, ...]
    entry_hash: str


@dataclass(frozen=True)
class CorrectionDetail:
    action: str
    action_label: str
    face: int | None  # index into the photo's faces; None for an area
    person: PersonRef | None
    shape: str | None
    box: list | None
    reason: str
    user: str
    at: datetime | None
    track: int | None = None  # a clip's face (its track id); `face` stays None
    frames: str = ""  # a clip's area: the frames it is blurred on, as shown ("3–6")

    def describe(self) -> str:
        target = "" if self.face is None else f" {self.face + 1}"
        who = f" ({self.person.name})" if self.person else ""
        frames = f" on frames {self.frames}" if self.frames else ""
        reason = f": {self.reason}" if self.reason else ""
        return f"{self.action_label}{target}{who}{frames}{reason}"


@dataclass(frozen=True)
class FaceDetail:
    number: int  # 1-based, as shown
    box: list | None
    person: PersonRef | None  # None when nobody was identified
    distance: float | None
    consent: str
    action: str  # what the check decided
    may_be_named: bool | None
    corrections: tuple[CorrectionDetail, ...]
    frames: str = ""  # a clip's face: the frames it is on, as shown ("1–40")

    @property
    def final_action(self) -> str:
        """The action after any corrections, the last one winning."""
        action = self.action
        for correction in self.corrections:
            action = _CORRECTION_RESULT.get(correction.action, action)
        return action

    def describe(self) -> str:
        distance = "" if self.distance is None else f", distance {self.distance:.2f}"
        who = self.person.name if self.person else "not identified"
        frames = f", frames {self.frames}" if self.frames else ""
        text = f"face {self.number} ({who}): {self.action}, consent {self.consent}{distance}{frames}"
        for correction in self.corrections:
            text += f"; corrected: {correction.describe()}"
        return text


@dataclass(frozen=True)
class AuditEntryDetail:
    """Everything about one entry, for the detail pane."""

    row: AuditRow
    checked_at: datetime | None  # a photo_vetted entry's end of check (local time), else None
    reason: str
    source_name: str
    source_sha256: str
    output_name: str
    output_sha256: str
    faces: tuple[FaceDetail, ...]
    corrections: tuple[CorrectionDetail, ...]  # all of them, face and area alike
    fields: tuple[tuple[str, str], ...]  # every logged field, as text
    content: dict[str, Any]
    content_json: str
    previous_hash: str
    entry_hash: str
    seal_intact: bool  # this entry's hash matches its content and the hash before it
    related: tuple[AuditRow, ...]  # other entries about the same source photo


class EntryDescriber:
    """Turns records into rows and details, naming people from the register as it is now."""

    def __init__(self, names: NameResolver, tz: tzinfo | None):
        self.names = names
        self.tz = tz

    def local_time(self, at_utc: datetime | None) -> datetime | None:
        if at_utc is None:
            return None
        return at_utc.replace(tzinfo=timezone.utc).astimezone(self.tz)

    def row(self, record: AuditRecord, content: dict[str, Any] | None = None) -> AuditRow:
        content = record.content if content is None else content
        raw_at = content.get("at")
        return AuditRow(
            seq=record.seq,
            at=self.local_time(parse_utc(raw_at)),
            at_utc=_text(raw_at),
            kind=_text(content.get("kind")),
            kind_label=kind_label(_text(content.get("kind"))),
            user=_text(content.get("user")),
            channel=_text(content.get("channel")),
            decision=_text(content.get("decision")),
            summary=" ".join(self.summary(content).split()),
            people=tuple(self.names.ref(person_id) for person_id in involved_people(content)),
            entry_hash=record.entry_hash,
        )

    def detail(self, record: AuditRecord, related: list[AuditRecord]) -> AuditEntryDetail:
        content = record.content
        corrections = self.corrections(content)
        return AuditEntryDetail(
            row=self.row(record, content),
            checked_at=self.checked_at(content),
            reason=_text(content.get("reason")),
            source_name=_text(content.get("source_name")),
            source_sha256=_text(content.get("source_sha256")),
            output_name=_text(content.get("output_name")),
            output_sha256=_text(content.get("output_sha256")),
            faces=self.faces(content, corrections),
            corrections=corrections,
            fields=tuple((key, _field_text(value)) for key, value in sorted(content.items())),
            content=content,
            content_json=record.content_json,
            previous_hash=record.previous_hash,
            entry_hash=record.entry_hash,
            seal_intact=chain_hash(record.previous_hash, record.content_json) == record.entry_hash,
            related=tuple(self.row(other) for other in related if other.seq != record.seq),
        )

    def faces(self, content: dict[str, Any], corrections: tuple[CorrectionDetail, ...] = ()) -> tuple[FaceDetail, ...]:
        faces = []
        tracks = content.get("kind") == "clip_vetted"  # a clip's faces are its tracks, followed across frames
        for index, face in enumerate(_dicts(content.get("tracks" if tracks else "faces"))):
            person_id = _person_id(face.get("person_id"))
            track = _person_id(face.get("track"))  # an int or None, as for person ids
            distance = face.get("distance")
            faces.append(FaceDetail(
                number=index + 1,
                box=face.get("box") if isinstance(face.get("box"), list) else None,
                person=None if person_id is None else self.names.ref(person_id),
                distance=float(distance) if isinstance(distance, (int, float)) and not isinstance(distance, bool) else None,
                consent=_text(face.get("consent")),
                action=_text(face.get("action")),
                may_be_named=face.get("may_be_named") if isinstance(face.get("may_be_named"), bool) else None,
                corrections=tuple(c for c in corrections if ((c.track is not None and c.track == track) if tracks
                                                             else c.face == index)),
                frames=_frames(face) if tracks else "",
            ))
        return tuple(faces)

    def corrections(self, content: dict[str, Any]) -> tuple[CorrectionDetail, ...]:
        found = _dicts(content.get("corrections")) + _dicts([content.get("correction")])
        return tuple(self._correction(item) for item in found)

    def _correction(self, item: dict[str, Any]) -> CorrectionDetail:
        action = _text(item.get("action"))
        person_id = _person_id(item.get("person_id"))
        face = item.get("face")
        return CorrectionDetail(
            action=action,
            action_label=CORRECTION_LABELS.get(action, action.replace("_", " ") or "correction"),
            face=face if isinstance(face, int) and not isinstance(face, bool) else None,
            person=None if person_id is None else self.names.ref(person_id),
            shape=item.get("shape") if isinstance(item.get("shape"), str) else None,
            box=item.get("box") if isinstance(item.get("box"), list) else None,
            reason=_text(item.get("reason")),
            user=_text(item.get("user")),
            at=self.local_time(parse_utc(item.get("at"))),
            track=_person_id(item.get("track")),
            frames=_frames(item) if item.get("track") is None else "",
        )

    def summary(self, content: dict[str, Any]) -> str:
        kind = content.get("kind")
        describe = _SUMMARIES.get(kind) if isinstance(kind, str) else None
        if describe:
            return describe(self, content)
        sentence = SENTENCES.get(kind) if isinstance(kind, str) else None
        return sentence(content, self.names.name) if sentence else self._other(content)

    def involvement(self, content: dict[str, Any], person_id: int) -> str:
        """What an entry says about one person, for the person report."""
        if content.get("person_id") == person_id:
            return self.summary(content)
        corrections = self.corrections(content)
        parts = [face.describe() for face in self.faces(content, corrections) if face.person and face.person.id == person_id]
        parts += [c.describe() for c in corrections if c.person and c.person.id == person_id and c.face is None]
        if not parts:  # named by a correction of a face not in this entry
            parts = [c.describe() for c in corrections if c.person and c.person.id == person_id]
        return "; ".join(parts)

    # One-line summaries by kind

    def _named(self, content: dict[str, Any]) -> str:
        person_id = _person_id(content.get("person_id"))
        return "someone" if person_id is None else self.names.name(person_id)

    def _photo_vetted(self, content):
        name = _text(content.get("source_name")) or "a photo"
        checked = self.checked_at(content)
        when = ""
        if checked is not None:  # entries before checked_at existed say nothing of it
            logged = self.local_time(parse_utc(content.get("at")))
            same_day = logged is not None and logged.date() == checked.date()
            when = f"; checked at {checked:%H:%M:%S}" if same_day else f"; checked {checked:%d %b %Y %H:%M:%S}"
        return self._vetted(content, name, ("face", "faces"), "blurred") + when

    def checked_at(self, content: dict[str, Any]) -> datetime | None:
        """When a photo_vetted entry's check finished, in local time; None when the entry does not say."""
        return self.local_time(parse_utc(content.get("checked_at"))) if content.get("kind") == "photo_vetted" else None

    def _clip_vetted(self, content):
        seconds, frames = content.get("duration_s"), content.get("frame_count")
        length = ", ".join(filter(None, (
            f"{int(seconds) // 60}:{int(seconds) % 60:02d}" if isinstance(seconds, (int, float)) else "",
            f"{frames} frames" if isinstance(frames, int) else "")))
        name = f"{_text(content.get('source_name')) or 'a clip'} (clip{', ' + length if length else ''})"
        return self._vetted(content, name, ("face followed", "faces followed"), "blurred for the whole clip")

    def _vetted(self, content, name: str, faces_words: tuple[str, str], blurred_word: str) -> str:
        """A photo's or clip's line: its decision, faces shown and blurred after corrections, and why when it
        was blocked or failed."""
        corrections = self.corrections(content)
        faces = self.faces(content, corrections)
        shown = sum(face.final_action == "shown" for face in faces)
        text = f"{name}: {_text(content.get('decision')) or 'no decision'}; "
        text += f"{counted(len(faces), *faces_words)}, {shown} shown, {len(faces) - shown} {blurred_word}"
        if corrections:
            text += f"; {counted(len(corrections), 'correction', 'corrections')}"
        if content.get("decision") in ("blocked", "error") and content.get("reason"):
            text += f" ({_text(content.get('reason'))})"
        return text

    def _photo_corrected(self, content):
        described = "; ".join(c.describe() for c in self.corrections(content)) or "a correction"
        undid = "undid " if content.get("kind") in ("correction_undone", "clip_correction_undone") else ""
        return f"{_text(content.get('source_name')) or 'a photo'}: {undid}{described}"

    def _person_added(self, content):
        kind = _text(content.get("person_kind"))
        return f"Added {self._named(content)}" + (f" ({kind})" if kind else "")

    def _photo_consent_set(self, content):
        channel = _text(content.get("channel"))
        scope = "all channels" if channel in ("all", "") else channel
        text = f"{self._named(content)}: photo consent {_text(content.get('status')) or 'changed'} for {scope}"
        if content.get("may_be_named"):
            text += ", may be named"
        if content.get("expires_on"):
            text += f", until {_text(content.get('expires_on'))}"
        return text

    def _biometric_consent_set(self, content):
        valid = "valid" if content.get("valid") else "not valid"
        return f"{self._named(content)}: biometric consent {valid}" + _deleted_faces(content)

    def _person_left(self, content):
        return f"{self._named(content)} left on {_text(content.get('leaving_date')) or 'an unrecorded date'}" + _deleted_faces(content)

    def _reference_face_added(self, content):
        return f"{self._named(content)}: reference face added"

    def _signed_in(self, content):
        return f"{_text(content.get('user')) or 'someone'} signed in"

    def _sign_in_failed(self, content):
        return f"failed sign-in as {_text(content.get('user')) or 'an unknown user'}"

    def _other(self, content):
        parts = []
        for key, value in sorted(content.items()):
            if key in ("kind", "at", "user"):
                continue
            person_id = _person_id(value) if key == "person_id" else None
            parts.append(f"{key}: {self.names.name(person_id) if person_id is not None else _field_text(value)}")
        return ", ".join(parts)


_SUMMARIES = {
    "photo_vetted": EntryDescriber._photo_vetted,
    "photo_corrected": EntryDescriber._photo_corrected,
    "correction_undone": EntryDescriber._photo_corrected,
    "clip_vetted": EntryDescriber._clip_vetted,
    "clip_corrected": EntryDescriber._photo_corrected,
    "clip_correction_undone": EntryDescriber._photo_corrected,
    "person_added": EntryDescriber._person_added,
    "photo_consent_set": EntryDescriber._photo_consent_set,
    "biometric_consent_set": EntryDescriber._biometric_consent_set,
    "person_left": EntryDescriber._person_left,
    "reference_face_added": EntryDescriber._reference_face_added,
    "signed_in": EntryDescriber._signed_in,
    "sign_in_failed": EntryDescriber._sign_in_failed,
}


def _frames(item: dict[str, Any]) -> str:
    """A clip track's or area's frames as staff count them (from 1): "3–6"; "" when not logged."""
    first, last = item.get("first_frame"), item.get("last_frame")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (first, last)):
        return ""
    return f"{first + 1}–{last + 1}"


def _deleted_faces(content: dict[str, Any]) -> str:
    deleted = content.get("reference_faces_deleted")
    return f"; {counted(deleted, 'reference face', 'reference faces')} deleted" if isinstance(deleted, int) and deleted else ""


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _field_text(value: object) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    return _text(value)


def _person_id(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _dicts(value: object) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
