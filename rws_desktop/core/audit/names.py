"""Names for the person ids in audit entries, looked up from the register as it is now.

Entries hold ids only, so erasing someone from the register never changes the log:
their entries simply show "erased person #id" from then on.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PersonRef:
    id: int
    name: str
    erased: bool = False

    def label(self) -> str:
        """The name with the id, for tables where two people may share a name."""
        return self.name if self.erased else f"{self.name} (#{self.id})"


def erased_name(person_id: int) -> str:
    return f"erased person #{person_id}"


class NameResolver:
    def __init__(self, names: dict[int, str]):
        """`names`: everyone in the register now, by id."""
        self._names = names

    def ref(self, person_id: int) -> PersonRef:
        name = self._names.get(person_id)
        if name is None:
            return PersonRef(person_id, erased_name(person_id), erased=True)
        return PersonRef(person_id, name)

    def name(self, person_id: int) -> str:
        return self.ref(person_id).name
