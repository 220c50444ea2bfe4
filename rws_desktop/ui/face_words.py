"""What the check decided about a face, in the words comms staff use: who it is, whether they may be shown on
this channel, and if not why. The engine's figures (match distances) appear only in `face_figures`, for a tooltip.

Works for a photo's face (core.vetting.analysis.FaceReport) and a clip's track (core.clips.verdicts.TrackVerdict)
alike: both carry person_id, distance, consent, action and reason."""
from __future__ import annotations

from ..core.faces.matching import LIBRARY_TOLERANCE, STRONG_MATCH_DISTANCE, MatchPolicy
from ..core.kernel.consent import FaceConsent
from ..core.kernel.decisions import NOBODY_MAY_BE_SHOWN, REFERENCES_UNREADABLE, Action

# The core's prefixes for a verdict changed by hand (core.vetting.review, core.clips.review).
BLURRED_BY_HAND = "blurred by hand: "
SHOWN_BY_HAND = "shown by hand: "

# Why someone recognised is still blurred, in a few words for the label on the photo.
NOT_SHOWN_BECAUSE = {
    FaceConsent.REFUSED: "consent refused",
    FaceConsent.WITHDRAWN: "consent withdrawn",
    FaceConsent.EXPIRED: "consent expired",
    FaceConsent.NOT_YET_VALID: "consent not started yet",
    FaceConsent.NO_CONSENT: "no consent",
    FaceConsent.LEFT: "has left the school",
}


def person_name(person_id: int | None, names: dict[int, str]) -> str:
    return names.get(person_id, f"person #{person_id}") if person_id is not None else "Unknown"


def face_sentence(face, names: dict[int, str], channel_name: str) -> str:
    """One plain sentence: "Recognised as Ada Lovelace (consent for RWS Instagram): shown", "Not recognised: blurred"."""
    reason = face.reason or ""
    if face.action is Action.SHOWN:
        name = person_name(face.person_id, names)
        if reason.startswith(SHOWN_BY_HAND):
            return f"Shown as {name}, picked by hand (“{reason[len(SHOWN_BY_HAND):]}”)"
        named = ", may be named" if getattr(face, "may_be_named", False) else ""
        return f"Recognised as {name} (consent for {channel_name}{named}): shown"
    if reason.startswith(BLURRED_BY_HAND):
        return f"Blurred by hand (“{reason[len(BLURRED_BY_HAND):]}”)"
    if face.person_id is not None:
        why = f"no consent for {channel_name}" if face.consent is FaceConsent.NO_CONSENT else reason
        return f"Recognised as {person_name(face.person_id, names)}, but {why}: blurred"
    if face.consent is FaceConsent.UNCERTAIN_MATCH:
        if "same person" in reason:
            return "Not recognised for certain (another face here looks like the same person): blurred"
        return "Not recognised for certain (it may be someone in the register, but the check is not sure): blurred"
    if reason == REFERENCES_UNREADABLE:
        return ("Not recognised: the register's reference faces cannot be read on this computer (its reference-face "
                "key is missing here, or they failed their check), so nobody can be recognised and every face is "
                "blurred")
    if reason == NOBODY_MAY_BE_SHOWN:
        return f"Not looked up: nobody in the register may be shown on {channel_name}, so every face is blurred"
    if "unclear" in reason:
        return "Not recognised (the face is too unclear to tell who it is): blurred"
    return "Not recognised: blurred"


def face_label(face, names: dict[int, str]) -> str:
    """A few words for the label on the photo: the name when shown, why not when blurred."""
    reason = face.reason or ""
    if face.action is Action.SHOWN:
        return person_name(face.person_id, names)
    if reason.startswith(BLURRED_BY_HAND):
        return "Blurred by hand"
    if face.person_id is not None:
        return f"Blurred: {person_name(face.person_id, names)}, {NOT_SHOWN_BECAUSE.get(face.consent, 'not shown')}"
    if face.consent is FaceConsent.UNCERTAIN_MATCH:
        return "Blurred: not recognised for certain"
    if reason == NOBODY_MAY_BE_SHOWN:  # as the list beside the photo says: nobody was compared with the register
        return "Blurred: not looked up"
    return "Blurred: not recognised"


def face_figures(face) -> str:
    """The engine's figures and its own note, for whoever wants them (a tooltip)."""
    lines = []
    distance = face.distance
    if distance is not None:
        lines.append(f"Match distance {distance:.2f} to the closest face in the register (0 is the same photo; "
                     f"{MatchPolicy().max_distance:.2f} or less, with the person's other photos agreeing and nobody "
                     f"else as close, counts as recognised; above {LIBRARY_TOLERANCE:.2f} is nobody enrolled).")
    if getattr(face, "strong_match_id", None) is not None:
        lines.append(f"Recognised beyond doubt on its own (distance {STRONG_MATCH_DISTANCE:.2f} or less and well "
                     "clear of anyone else).")
    if face.reason:
        lines.append(f"The check's own words: {face.reason}.")
    return "\n".join(lines)
