"""The register workspace's state and words, without Qt: which read is current, who is shown, what to ask
before a change that deletes reference faces, and the sentence the office sees after each change.

Kept apart from the widgets so the decisions can be read (and tested) without a window."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Callable

from ...core.kernel.channels import ChannelCatalogue
from ...core.kernel.consent import BiometricConsent, ConsentStatus, biometric_verdict
from ...core.kernel.ports import NewPerson
from ...core.kernel.wording import counted
from ...core.register.expiry import ExpiringConsent
from ...core.register.people_query import PeopleSnapshot
from .wording import channel_phrase, day

RECORDED = "recorded in the audit log"


@dataclass(frozen=True)
class Question:
    """A yes/no question to put before a change that cannot be undone."""
    title: str
    text: str


class RegisterPresenter:
    """Holds what the workspace has read and decides what to ask and say; the workspace shows it."""

    def __init__(self, channels: ChannelCatalogue, today: Callable[[], date] = date.today):
        self.channels = channels
        self.today = today
        self.snapshot: PeopleSnapshot | None = None
        self.expiring: list[ExpiringConsent] = []
        self.details_for: int | None = None  # the person whose panel is shown (or being read)
        self._people_read = self._details_read = 0

    # Reads finish out of order; only the newest of each kind is shown.

    def start_people_read(self) -> int:
        self._people_read += 1
        return self._people_read

    def people_read_is_current(self, read: int) -> bool:
        return read == self._people_read

    def start_details_read(self, person_id: int) -> int:
        self.details_for = person_id
        self._details_read += 1
        return self._details_read

    def details_read_is_current(self, read: int) -> bool:
        return read == self._details_read

    def people_loaded(self, snapshot: PeopleSnapshot, expiring: list[ExpiringConsent]) -> str:
        """Keeps the read; returns the Expiring button's label."""
        self.snapshot, self.expiring = snapshot, expiring
        return f"Expiring soon ({len(expiring)})"

    # Questions before changes that delete reference faces

    @staticmethod
    def leaving_question(person, draft: NewPerson, faces: int) -> Question | None:
        """Setting a leaving date deletes the reference faces at once: ask first, unless there are none."""
        if not (leaving_now(person, draft) and faces):
            return None
        return Question("Mark as leaving?",
                        f"Setting a leaving date deletes {person.name}'s {counted(faces, 'reference face')} at once; from then "
                        "on they cannot be recognised and are always blurred. Go on?")

    def biometric_question(self, person, current: BiometricConsent | None, answers: dict[str, bool],
                           faces: int) -> Question | None:
        """Answers that stop recognition delete the reference faces: ask first, unless there are none."""
        after = biometric_verdict(person, replace(current or BiometricConsent(person.id), **answers), self.today())
        if not faces or after.allowed:
            return None
        return Question("Delete their reference faces?",
                        f"With these answers {person.name} cannot be recognised ({after.reason}), so their "
                        f"{counted(faces, 'reference face')} {'is' if faces == 1 else 'are'} deleted at once and they will always be blurred. Save anyway?")

    @staticmethod
    def remove_face_question(person) -> Question:
        return Question("Remove this reference face?",
                        f"Delete this reference face from {person.name}'s record for good? Do so if it shows someone "
                        "else. The removal is recorded in the audit log.")

    # What the office is told after each change

    @staticmethod
    def added(person) -> str:
        return (f"{person.name} added to the register (id {person.id}); {RECORDED}. "
                "Record their photo consent next.")

    @staticmethod
    def details_saved(person) -> str:
        return f"Details of {person.name} saved; {RECORDED}."

    @staticmethod
    def leaving_reason(person) -> str:
        return f"{person.name} is marked as leaving on {day(person.leaving_date)}."

    def consent_saved(self, person, channel: str, status: ConsentStatus) -> str:
        return f"Photo consent of {person.name} for {channel_phrase(self.channels, channel)}: {status.value}; {RECORDED}."

    def consent_lost(self, person, channel: str, status: ConsentStatus) -> str | None:
        """Why the withdrawal impact opens after a consent change, or None when consent is granted."""
        if status is ConsentStatus.GRANTED:
            return None
        return f"{person.name}'s photo consent for {channel_phrase(self.channels, channel)} was {status.value}."

    @staticmethod
    def biometric_saved(person, valid: bool, deleted: int) -> str:
        outcome = "can be recognised" if valid else "cannot be recognised: will always be blurred"
        gone = f"; {counted(deleted, 'reference face')} deleted" if deleted else ""
        return f"Biometric consent of {person.name} saved: {outcome}{gone}. Recorded in the audit log."

    @staticmethod
    def faces_added(person, added: int) -> str:
        return f"{counted(added, 'reference face')} added for {person.name}{'; ' + RECORDED if added else ''}."

    @staticmethod
    def faces_refused(refused) -> str:
        return ("\n".join(f"{r.photo.name}: {r.reason}." for r in refused)
                + "\n\nNothing was added from these. Use photos that show this person alone, "
                "with the face clear and facing the camera.")

    @staticmethod
    def face_removed(person) -> str:
        return f"A reference face of {person.name} removed; {RECORDED}."


def leaving_now(person, draft: NewPerson) -> bool:
    """True when this save gives a leaving date to someone who had none."""
    return draft.leaving_date is not None and person.leaving_date is None
