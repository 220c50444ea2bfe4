"""The shape of an account's initials and name, checked before anything is stored."""
from __future__ import annotations

import re

INITIALS = re.compile(r"[A-Z]{2,5}")
MAX_ACCOUNT_NAME = 200


class AccountError(Exception):
    """An account change or sign-in that cannot be done, explained in plain words."""


def normalise_initials(text: str) -> str:
    """Initials as the policy writes them (MSN, LG): two to five letters, upper case."""
    initials = text.strip().upper()
    if not INITIALS.fullmatch(initials):
        raise AccountError(f"'{text.strip()}' are not staff initials: use two to five letters, as the policy does (MSN, LG).")
    return initials


def looks_like_initials(text: str) -> bool:
    return bool(INITIALS.fullmatch(text.strip().upper()))


def check_account_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise AccountError("An account needs the person's full name.")
    if len(name) > MAX_ACCOUNT_NAME:
        raise AccountError(f"A name can be at most {MAX_ACCOUNT_NAME} characters.")
    return name
