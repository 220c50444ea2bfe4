"""Finding registered people's names in a caption, and whether each may be named on the channel.

The index is built once from a register snapshot (every form of every name, and each person's
verdict for the channel on the day); a check then looks each word up in dictionaries, so a
2,000-person register costs a few milliseconds per keystroke (bench/caption_check.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

from ..kernel.channels import Channel
from ..kernel.consent import Person, PersonKind, PhotoConsent, show_decision
from .findings import Finding, FindingKind, Verdict
from .text import Word, fold, joined_gap_ok, words

TITLES = ("mr", "mrs", "ms", "miss", "mx", "dr")
# Forenames that are also everyday words: they count only capitalised mid-sentence or beside a surname.
COMMON_WORD_NAMES = frozenset({
    "will", "may", "grace", "hope", "rose", "summer", "faith", "joy", "june", "april", "august", "autumn",
    "dawn", "eve", "holly", "ivy", "iris", "violet", "amber", "ruby", "pearl", "jade", "sky", "river", "robin",
    "mark", "bill", "pat", "sue", "frank", "rich", "drew", "chase", "reed", "sunny", "honey", "daisy", "poppy",
    "lily", "art", "guy", "sandy", "star", "storm", "brook", "heather", "olive", "hazel",
})
# Words that join a surname rather than being forenames: van der Berg, De Souza, bin Hassan.
SURNAME_PARTICLES = frozenset({"van", "von", "der", "den", "de", "da", "di", "du", "le", "la", "del", "al", "el", "bin", "ibn", "ap", "st"})
MAX_PHRASE = 5


@dataclass(frozen=True)
class NamedPerson:
    """What a finding needs to know about one person: who, and whether they may be named here today."""

    id: int
    name: str
    kind: PersonKind
    year_group: int | None
    date_of_birth: date | None
    may_be_named: bool
    why_not: str  # empty when they may be named

    def description(self) -> str:
        """What a name is replaced with: 'a Year 7 pupil', 'a member of staff'."""
        if self.kind is PersonKind.STAFF:
            return "a member of staff"
        return f"a Year {self.year_group} pupil" if self.year_group else "a pupil"


@dataclass
class NameIndex:
    channel: Channel
    people: dict[int, NamedPerson] = field(default_factory=dict)
    phrases: dict[tuple[str, ...], frozenset[int]] = field(default_factory=dict)  # two or more words
    initial_phrases: dict[tuple[str, ...], frozenset[int]] = field(default_factory=dict)  # "A. Khan"
    forenames: dict[str, frozenset[int]] = field(default_factory=dict)  # one word alone
    joined: dict[str, frozenset[int]] = field(default_factory=dict)  # "#ameliakhan"
    lengths: dict[str, tuple[int, ...]] = field(default_factory=dict)  # first word -> phrase lengths, longest first

    @classmethod
    def build(cls, people: Iterable[Person], consents: dict[int, list[PhotoConsent]], channel: Channel,
              today: date) -> "NameIndex":
        index = cls(channel)
        phrases: dict[tuple[str, ...], set[int]] = {}
        initials: dict[tuple[str, ...], set[int]] = {}
        forenames: dict[str, set[int]] = {}
        joined: dict[str, set[int]] = {}
        by_surname: dict[tuple[str, ...], set[int]] = {}
        staff_by_surname: dict[tuple[str, ...], set[int]] = {}
        for person in people:
            decision = show_decision(person, consents.get(person.id, []), channel.key, today)
            may = decision.visible and decision.may_be_named
            why = "" if may else (decision.reason if not decision.visible else "consent to be shown, but not to be named")
            index.people[person.id] = NamedPerson(person.id, person.name, person.kind, person.year_group,
                                                  person.date_of_birth, may, why)
            parts = name_parts(person.name)
            if parts is None:
                continue
            given, surname = parts
            full = tuple(given) + surname
            phrases.setdefault(full, set()).add(person.id)
            joined.setdefault(_joined(full), set()).add(person.id)
            for forename in given:
                phrases.setdefault((forename,) + surname, set()).add(person.id)
                joined.setdefault(_joined((forename,) + surname), set()).add(person.id)
                initials.setdefault((forename[0],) + surname, set()).add(person.id)
            legal = legal_forenames(person)
            if legal:  # "Elizabeth Ward" for Libby Ward, whose register name uses her preferred forename
                phrases.setdefault(tuple(legal) + surname, set()).add(person.id)
                joined.setdefault(_joined(tuple(legal) + surname), set()).add(person.id)
                for forename in legal:
                    phrases.setdefault((forename,) + surname, set()).add(person.id)
                    joined.setdefault(_joined((forename,) + surname), set()).add(person.id)
                    initials.setdefault((forename[0],) + surname, set()).add(person.id)
            for forename in given[:1] + [g for g in given if g in _alternatives(person.name)] + legal[:1]:
                forenames.setdefault(forename, set()).add(person.id)
            by_surname.setdefault(surname, set()).add(person.id)
            if person.kind is PersonKind.STAFF:
                staff_by_surname.setdefault(surname, set()).add(person.id)
        # "Mr Khan" is taken to mean staff called Khan when there are any, else anyone called Khan.
        for surname, ids in by_surname.items():
            for title in TITLES:
                phrases.setdefault((title,) + surname, set()).update(staff_by_surname.get(surname) or ids)
        index.phrases = {k: frozenset(v) for k, v in phrases.items() if len(k) > 1}
        index.initial_phrases = {k: frozenset(v) for k, v in initials.items()}
        index.forenames = {k: frozenset(v) for k, v in forenames.items()}
        index.joined = {k: frozenset(v) for k, v in joined.items()}
        lengths: dict[str, set[int]] = {}
        for key in list(index.phrases) + list(index.initial_phrases):
            lengths.setdefault(key[0], set()).add(len(key))
        index.lengths = {k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()}
        return index

    def find(self, caption: str) -> list[Finding]:
        """Every mention of a registered person, in order, each judged for this channel."""
        found: list[Finding] = []
        tokens = words(caption)
        i = 0
        while i < len(tokens):
            match = self._phrase_at(caption, tokens, i)
            if match is not None:
                length, ids = match
                found.append(self.finding(caption, tokens[i].start, tokens[i + length - 1].end, ids))
                i += length
                continue
            ids = self._single(caption, tokens, i)
            if ids:
                found.append(self.finding(caption, tokens[i].start, tokens[i].end, ids))
            i += 1
        return found

    def _phrase_at(self, caption: str, tokens: list[Word], i: int) -> tuple[int, frozenset[int]] | None:
        for length in self.lengths.get(tokens[i].key, ()):
            if i + length > len(tokens):
                continue
            run = tokens[i:i + length]
            if not all(joined_gap_ok(caption, a, b) for a, b in zip(run, run[1:])):
                continue
            key = tuple(w.key for w in run)
            ids = self.phrases.get(key)
            if ids:
                return length, ids
            ids = self.initial_phrases.get(key)
            if ids and len(caption[run[0].start:run[0].end]) == 1 and run[0].capitalised:
                return length, ids
        return None

    def _single(self, caption: str, tokens: list[Word], i: int) -> frozenset[int]:
        word = tokens[i]
        if word.in_tag:
            whole = self.joined.get(_joined((word.key,)))
            if whole:
                return whole
        ids = self.forenames.get(word.key)
        if not ids:
            return frozenset()
        if word.key in COMMON_WORD_NAMES:
            # An everyday word counts only capitalised mid-sentence (a tag has no sentence to be in).
            if not word.capitalised or word.sentence_start or word.in_tag:
                return frozenset()
        return ids

    def finding(self, caption: str, start: int, end: int, ids: frozenset[int]) -> Finding:
        text = caption[start:end]
        people = [self.people[i] for i in sorted(ids)]
        named = [p for p in people if p.may_be_named]
        where = self.channel.name
        possessive = fold(text).endswith("'s")
        fix = _description(people)
        if possessive:
            fix += "'s"
        if len(named) == len(people):
            who = people[0].name if len(people) == 1 else f"all {len(people)} people it can mean"
            verdict, reason = Verdict.ALLOWED, f"{who} may be named on {where}."
        elif not named:
            if len(people) == 1:
                reason = f"{people[0].name} may not be named on {where}: {people[0].why_not}."
            else:
                reason = f"None of the {len(people)} people it can mean may be named on {where}."
            verdict = Verdict.BLOCKED
        else:
            verdict = Verdict.NEEDS_DECISION
            reason = (f"'{text}' could be any of {len(people)} people; {len(people) - len(named)} of them may not be "
                      f"named on {where}. Write the full name, or confirm who it is with a reason.")
        return Finding(FindingKind.NAME, start, end, text, verdict, reason, tuple(p.id for p in people),
                       fix=None if verdict is Verdict.ALLOWED else fix, fix_label=f"Replace with \"{fix}\"")


def _joined(parts: Iterable[str]) -> str:
    """A name as a lower-case hashtag writes it: 'siobhanobrien'."""
    return "".join(c for part in parts for c in part if c.isalnum())


def _description(people: list[NamedPerson]) -> str:
    descriptions = {p.description() for p in people}
    return descriptions.pop() if len(descriptions) == 1 else "a pupil"


def name_parts(name: str) -> tuple[list[str], tuple[str, ...]] | None:
    """(forenames, surname words) of a register name, folded: 'Amelia Rose van Dijk' ->
    (['amelia', 'rose'], ('van', 'dijk')). A known-as name in brackets counts as a forename:
    'Elizabeth (Libby) Smith'. None for a single word, which could be anything."""
    tokens = [w.key for w in words(name.replace("(", " ").replace(")", " "))]
    if len(tokens) < 2:
        return None
    cut = len(tokens) - 1
    while cut > 1 and tokens[cut - 1] in SURNAME_PARTICLES:
        cut -= 1
    return tokens[:cut], tuple(tokens[cut:])


def legal_forenames(person: Person) -> list[str]:
    """The register's legal forename(s), folded, when recorded: a caption may use them instead of the preferred one."""
    return [w.key for w in words(person.legal_forename)] if person.legal_forename else []


def _alternatives(name: str) -> set[str]:
    """Forenames written in brackets, which the person goes by."""
    inside = name[name.find("(") + 1:name.find(")")] if "(" in name and ")" in name else ""
    return {w.key for w in words(inside)}
