"""The one way a typed reference finds a person: a register id, an MIS id, or "id:N" / "mis:X" to say which.

Register and audit services both use it; they differ only in what they accept (the audit log also
names people since erased from the register) and in their wording.
"""
from __future__ import annotations

from dataclasses import dataclass

from .consent import Person


@dataclass(frozen=True)
class PersonMatches:
    text: str  # the reference, stripped, without any prefix
    by_id: Person | None
    by_mis_id: Person | None
    erased_id: int | None = None  # an "id:N" or bare number that names nobody in the register now

    @property
    def ambiguous(self) -> bool:
        return self.by_id is not None and self.by_mis_id is not None and self.by_id.id != self.by_mis_id.id


def match_person(register, reference: str) -> PersonMatches:
    """Look `reference` up both ways in `register` (a RegisterRepository), honouring an id: or mis: prefix."""
    text = reference.strip()
    prefix, _, rest = text.partition(":")
    rest = rest.strip()
    if prefix.lower() == "mis" and rest:
        return PersonMatches(rest, None, register.find_person_by_mis_id(rest))
    if prefix.lower() == "id" and rest.isdigit():
        found = register.get_person(int(rest))
        return PersonMatches(rest, found, None, None if found else int(rest))
    by_id = register.get_person(int(text)) if text.isdigit() else None
    erased = int(text) if text.isdigit() and by_id is None else None
    return PersonMatches(text, by_id, register.find_person_by_mis_id(text), erased)
