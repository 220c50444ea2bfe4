"""The words the log records for a photo and for each face in it.

They live in the kernel because the vetting pipeline writes them and the audit reports read
them, and the audit package must not import the vetting one.
"""
from __future__ import annotations

from enum import Enum


class Decision(str, Enum):
    """What happened to a photo as a whole."""

    APPROVED = "approved"
    REDACTED = "redacted"
    BLOCKED = "blocked"
    ERROR = "error"


class Action(str, Enum):
    """What happened to one face."""

    SHOWN = "shown"
    BLURRED = "blurred"
