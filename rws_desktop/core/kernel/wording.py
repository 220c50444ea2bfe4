"""Counts in plain words: "1 reference face", "2 reference faces", never "face(s)"."""
from __future__ import annotations


def counted(count: int, word: str, words: str | None = None) -> str:
    """`count` and the noun in the number it needs; `words` where the plural is not `word` + "s"."""
    return f"{count} {word if count == 1 else words or word + 's'}"


def was_or_were(count: int) -> str:
    return "was" if count == 1 else "were"
