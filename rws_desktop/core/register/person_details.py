"""What the per-person panel shows: details, consent per channel, the biometric rule and reference faces."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..kernel.channels import ChannelCatalogue
from ..kernel.consent import (
    ALL_CHANNELS, NOT_RECOGNISABLE, BiometricConsent, Person, PhotoConsent, ShowDecision, Verdict,
    biometric_rule, biometric_verdict, show_decision,
)
from ..kernel.ports import ReferenceFace, Transaction


@dataclass(frozen=True)
class ChannelConsent:
    """One line of the panel: the record kept for a channel (or for all), and what it means today."""

    channel: str  # a channel key, or ALL_CHANNELS
    record: PhotoConsent | None
    decision: ShowDecision | None  # None for the all-channels line, which is not a channel one posts to


@dataclass(frozen=True)
class PersonDetails:
    person: Person
    channels: list[ChannelConsent]  # all channels first, then each channel in the policy's order
    biometric: BiometricConsent | None
    biometric_verdict: Verdict
    biometric_rule: str  # the 2012 Act's rule as it applies to this person
    recognition: str  # what follows from the verdict, in plain words
    reference_faces: list[ReferenceFace]


def recognition_words(verdict: Verdict) -> str:
    """What a biometric verdict means for the person, in plain words."""
    return f"can be recognised ({verdict.reason})" if verdict.allowed else f"{NOT_RECOGNISABLE} ({verdict.reason})"


def load_person_details(tx: Transaction, channels: ChannelCatalogue, person: Person, today: date) -> PersonDetails:
    consents = tx.register.photo_consents(person.id)
    by_channel = {c.channel: c for c in consents}
    lines = [ChannelConsent(ALL_CHANNELS, by_channel.get(ALL_CHANNELS), None)]
    lines += [
        ChannelConsent(channel.key, by_channel.get(channel.key), show_decision(person, consents, channel.key, today))
        for channel in channels
    ]
    biometric = tx.register.biometric_consent(person.id)
    verdict = biometric_verdict(person, biometric, today)
    recognition = recognition_words(verdict)
    return PersonDetails(
        person, lines, biometric, verdict, biometric_rule(person, today), recognition, tx.register.reference_faces(person.id)
    )
