"""Links and handles that are not the school's channels (the policy forbids linking staff members'
personal accounts), and messages addressed to one person (the policy: no "messages to specific people")."""
from __future__ import annotations

import re
from typing import Iterable

from ..kernel.channels import Channel
from .contacts import SchoolContacts, domain_of
from .findings import Finding, FindingKind, Verdict
from .text import fold

URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|uk|io|ly|me|tv|co|gl|be|gg|app|link)\b(?:/[^\s<>\"]*)?",
    re.IGNORECASE,
)
HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")
SOCIAL_SITES = ("instagram.com", "facebook.com", "fb.com", "x.com", "twitter.com", "youtube.com", "tiktok.com",
                "whatsapp.com", "linkedin.com", "threads.net")
GREETINGS = re.compile(
    r"\b(dear|hi|hello|hey|thanks|thank you|happy birthday|happy retirement|well done|congratulations|congrats|"
    r"good luck|get well soon|welcome back|we miss you|love you)\b[,!]?\s+(?:to\s+)?",
    re.IGNORECASE,
)
# Capitalised words after a greeting that address a group, not a person.
GROUP_WORDS = frozenset({"year", "years", "team", "all", "everyone", "everybody", "our", "the", "class", "form", "parents",
                         "carers", "staff", "students", "pupils", "ravens", "rws", "sixth", "families", "governors",
                         "you", "us", "both", "each", "every", "a", "an", "to", "from", "for", "and", "house"})
TRAILING = ".,;:!?)]}'\"’"


def school_handles(channels: Iterable[Channel]) -> frozenset[str]:
    """The channels' handles as they would be written after an @ or in a profile link, folded."""
    return frozenset(fold(c.handle.lstrip("@")) for c in channels if " " not in c.handle.strip())


def links(caption: str, channels: Iterable[Channel], contacts: SchoolContacts) -> list[Finding]:
    handles = school_handles(channels)
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for match in URL.finditer(caption):
        text = match.group().rstrip(TRAILING)
        start, end = match.start(), match.start() + len(text)
        if "@" in caption[max(0, start - 1):start] or _inside_email(caption, start, end):
            continue
        taken.append((start, end))
        if contacts.is_school_website(text) or _school_profile(text, handles):
            found.append(Finding(FindingKind.LINK, start, end, text, Verdict.ALLOWED, "the school's own website or channel"))
        else:
            found.append(Finding(FindingKind.LINK, start, end, text, Verdict.WARNING,
                                 "a link that is not the school's website or one of its channels; the policy forbids "
                                 "links to staff members' personal accounts", fix="", fix_label="Remove the link"))
    for match in HANDLE.finditer(caption):
        start, end, text = match.start(), match.end(), match.group()
        if any(s <= start < e for s, e in taken):
            continue
        if fold(text[1:]) in handles:
            found.append(Finding(FindingKind.LINK, start, end, text, Verdict.ALLOWED, "one of the school's channels"))
        else:
            found.append(Finding(FindingKind.LINK, start, end, text, Verdict.WARNING,
                                 "a handle that is not one of the school's channels; the policy forbids links to staff "
                                 "members' personal accounts", fix="", fix_label="Remove the handle"))
    return found


def _inside_email(caption: str, start: int, end: int) -> bool:
    left = start
    while left > 0 and not caption[left - 1].isspace():
        left -= 1
    return "@" in caption[left:start]


def _school_profile(url: str, handles: frozenset[str]) -> bool:
    domain = domain_of(url)
    if not any(domain == site or domain.endswith("." + site) for site in SOCIAL_SITES):
        return False
    path = fold(url).split(domain, 1)[-1].strip("/").split("/")
    return bool(path) and path[0].lstrip("@") in handles


def mentions(caption: str, names: list[Finding]) -> list[Finding]:
    """A greeting followed by a name, a title or a capitalised word that is not a group: a message to one person."""
    found = []
    for match in GREETINGS.finditer(caption):
        after = match.end()
        named = next((n for n in names if n.start == after), None)
        if named is not None:
            end = named.end
        else:
            word = re.match(r"@?([^\W\d_][\w'’\-]*)", caption[after:])
            if not word or not word.group(1)[0].isupper() or fold(word.group(1)) in GROUP_WORDS:
                continue
            end = after + word.end()
            if fold(word.group(1)) in ("mr", "mrs", "ms", "miss", "mx", "dr"):
                surname = re.match(r"\.?\s+[^\W\d_][\w'’\-]*", caption[end:])
                end += surname.end() if surname else 0
        text = caption[match.start():end]
        found.append(Finding(FindingKind.MENTION, match.start(), end, text, Verdict.WARNING,
                             "this reads as a message to one person; the policy says the school's channels do not post "
                             "messages to specific people"))
    return found
