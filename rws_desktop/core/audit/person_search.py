"""Finding a person by name, MIS id or id, for those who may read the log but not the register.

The auditor already sees people's names in the log; to ask for one person's report they need to
find the right person without the consent register. This gives them names, MIS ids, year and form
(enough to tell two Olivias apart) and nothing about consent or biometrics.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ..kernel.consent import Person, PersonKind
from ..kernel.permissions import Action, requires
from ..kernel.ports import Store
from ..kernel.session import Session

MAX_MATCHES = 50


@dataclass(frozen=True)
class PersonChoice:
    """One person as a picker lists them."""

    id: int
    name: str
    mis_id: str | None
    kind: PersonKind
    year_group: int | None
    form: str | None
    left: bool

    @classmethod
    def of(cls, person: Person) -> "PersonChoice":
        return cls(person.id, person.name, person.mis_id, person.kind, person.year_group, person.form,
                   person.leaving_date is not None)

    def describe(self) -> str:
        """One line telling this person apart from others of the same name."""
        parts = [f"#{self.id}"]
        if self.mis_id:
            parts.append(f"MIS {self.mis_id}")
        if self.kind is PersonKind.STAFF:
            parts.append("staff")
        elif self.year_group is not None:
            parts.append(f"Year {self.year_group}" + (f", {self.form}" if self.form else ""))
        if self.left:
            parts.append("leaver")
        return f"{self.name} ({'; '.join(parts)})"


def fold(text: str) -> str:
    """Text for matching: case and accents ignored, so "zoe" finds "Zoë"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def matching(people: list[PersonChoice], text: str, limit: int = MAX_MATCHES) -> list[PersonChoice]:
    """Those whose name, MIS id or id holds every word typed; an exact id or MIS id comes first.
    Sorted by name; at most `limit`."""
    terms = fold(text).split()
    if not terms:
        return sorted(people, key=lambda p: (fold(p.name), p.id))[:limit]
    stripped = text.strip().lstrip("#")

    def exact(choice: PersonChoice) -> bool:
        return stripped == str(choice.id) or (choice.mis_id is not None and fold(stripped) == fold(choice.mis_id))

    found = [p for p in people
             if all(term.lstrip("#") in fold(f"{p.name} {p.mis_id or ''} #{p.id} {p.id}") for term in terms)]
    return sorted(found, key=lambda p: (not exact(p), fold(p.name), p.id))[:limit]


class PersonSearch:
    """Everyone in the register as picker choices, for the auditor's person report."""

    def __init__(self, store: Store, session: Session):
        self.store = store
        self.session = session

    @requires(Action.READ_AUDIT)
    def everyone(self) -> list[PersonChoice]:
        return self._everyone()

    @requires(Action.READ_AUDIT)
    def find(self, text: str, limit: int = MAX_MATCHES) -> list[PersonChoice]:
        return matching(self._everyone(), text, limit)

    def _everyone(self) -> list[PersonChoice]:
        with self.store.snapshot() as tx:
            people = tx.register.list_people()
        return sorted((PersonChoice.of(p) for p in people), key=lambda p: (fold(p.name), p.id))
