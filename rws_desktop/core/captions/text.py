"""Words of a caption as matching sees them: case and accents folded, hashtags and handles split,
possessives trimmed, each word knowing where it sits in the text as typed."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Letters, with apostrophes and hyphens inside a word (O'Brien, Smith-Jones).
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# A hashtag or handle: # or @ not inside a word or an email address.
_TAG = re.compile(r"(?<![\w@.])[#@][^\W][\w.]*\w|(?<![\w@.])[#@]\w")
_SENTENCE_END = ".!?…:;"


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case and accents ignored: 'Siobhán' and 'SIOBHAN' both give 'siobhan'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().replace("’", "'")


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    key: str  # folded, possessive trimmed
    capitalised: bool
    sentence_start: bool
    in_tag: bool  # part of a #hashtag or @handle
    tag_index: int = -1  # which tag it came from, so words of one tag join without spaces


def words(text: str) -> list[Word]:
    """Every word of `text` in order; a tag's words are split at capitals, dots and underscores."""
    tags = [(m.start(), m.end()) for m in _TAG.finditer(text)]
    found: list[Word] = []
    for match in _WORD.finditer(text):
        tag = _tag_of(tags, match.start())
        if tag >= 0:
            for start, end in _camel_parts(text, match.start(), match.end()):
                found.append(_word(text, start, end, True, tag))
        else:
            found.append(_word(text, match.start(), match.end(), False, -1))
    return found


def tags(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _TAG.finditer(text)]


def _tag_of(tag_spans: list[tuple[int, int]], position: int) -> int:
    for index, (start, end) in enumerate(tag_spans):
        if start < position < end:
            return index
    return -1


def _camel_parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """'AmeliaKhan' -> 'Amelia', 'Khan'; 'ameliakhan' and 'AMELIA' stay whole."""
    parts, begin = [], start
    for i in range(start + 1, end):
        if text[i].isupper() and text[i - 1].islower():
            parts.append((begin, i))
            begin = i
    parts.append((begin, end))
    return parts


def _word(text: str, start: int, end: int, in_tag: bool, tag: int) -> Word:
    key = fold(text[start:end])
    if key.endswith("'s") and len(key) > 3:
        key = key[:-2]
    key = key.replace("'", "")  # O'Brien, OBrien and obrien alike
    return Word(start, end, key, text[start].isupper(), _starts_sentence(text, start), in_tag, tag)


def _starts_sentence(text: str, start: int) -> bool:
    """True at the start of the text or after sentence punctuation, and at a line's start unless the
    line before ran on (ended in a letter or a comma)."""
    i = start - 1
    while i >= 0 and text[i] in "#@":
        i -= 1
    newline = False
    while i >= 0 and text[i].isspace():
        newline = newline or text[i] == "\n"
        i -= 1
    if i < 0:
        return True
    before = text[i]
    if before in _SENTENCE_END:
        return True
    if newline:
        return not (before.isalnum() or before in ",-–&")
    return False


def joined_gap_ok(text: str, left: Word, right: Word) -> bool:
    """Whether two words are adjacent parts of one name: only spaces, line breaks or a dot between them
    (or, inside one tag, nothing, a dot or an underscore)."""
    gap = text[left.end:right.start]
    if left.in_tag and right.in_tag and left.tag_index == right.tag_index:
        return gap in ("", ".", "_")
    if left.in_tag != right.in_tag and gap.strip() not in ("", "#", "@"):
        return False
    stripped = gap.replace(".", "").replace("#", "").replace("@", "")
    return stripped.strip() == "" and gap.count(".") <= 1 and len(gap) <= 6
