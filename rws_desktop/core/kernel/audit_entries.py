"""Building audit entries: every entry has a kind, the UTC time and the user, then its own fields.

One helper instead of a dict written out at each call site, so the three common fields are always
there and spelled the same. Entries stay plain JSON objects (the chain seals their canonical JSON),
so an entry built by hand in the old shape is still accepted everywhere.
"""
from __future__ import annotations

from typing import Any

from .clock import utc_timestamp

SYSTEM_USER = "system"  # entries the app makes by itself (keys, housekeeping)


def audit_entry(kind: str, user: str, **fields: Any) -> dict[str, Any]:
    """An entry of `kind` by `user` at this moment, with `fields`; a field named "at" overrides the time."""
    return {"kind": kind, "at": utc_timestamp(), "user": user, **fields}
