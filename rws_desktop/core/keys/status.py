"""Whether this computer holds the keys, in words, and the error for a key that is refused."""
from __future__ import annotations

from dataclasses import dataclass

from ..kernel.ports import StoreUnavailable


@dataclass(frozen=True)
class KeyStatus:
    ready: bool
    key_id: str | None
    message: str  # where the key is, or what is wrong and what to do


class KeyRefused(StoreUnavailable):
    """A key that cannot be kept, exported or imported (the wrong database's, a damaged file, a wrong
    passphrase), said in plain words. A kind of StoreUnavailable: without it the store cannot be used."""


def missing_key_message(key_id: str) -> str:
    return (f"This computer does not hold the key that encrypts this database's reference faces (key {key_id}), so "
            "nobody can be recognised or enrolled here and every face is blurred. If several PCs share the database, "
            "an admin exports the key on a PC that has it (rws key export --out FILE) and imports it here "
            "(rws key import FILE).")


def missing_log_key_message(key_id: str) -> str:
    return (f"This computer does not hold the audit-log key ({key_id}), so it cannot seal new entries or trust the "
            "register, and every face is blurred. An admin exports the key on a PC that has it "
            "(rws key export --out FILE) and imports it here (rws key import FILE).")
