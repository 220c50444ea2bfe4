"""Password hashing with Argon2id, and the rules for a new password.

The parameters are argon2-cffi's defaults (RFC 9106's low-memory choice: 3 passes over
64 MiB, 4 lanes). When they change, a stored hash made with the old ones is replaced at the
next successful sign-in.
"""
from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # long enough for any passphrase, short enough to hash quickly


@dataclass(frozen=True)
class HashParameters:
    time_cost: int = 3
    memory_cost_kib: int = 65536
    parallelism: int = 4


DEFAULT_PARAMETERS = HashParameters()


class PasswordRuleError(ValueError):
    """A new password the app will not accept, with why."""


class PasswordHashing:
    def __init__(self, parameters: HashParameters | None = None):
        # Read at call time, so a change to DEFAULT_PARAMETERS reaches every new hasher.
        parameters = parameters or DEFAULT_PARAMETERS
        self._hasher = PasswordHasher(
            time_cost=parameters.time_cost, memory_cost=parameters.memory_cost_kib,
            parallelism=parameters.parallelism, type=Type.ID,
        )
        self._dummy_hash: str | None = None

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True

    def verify_nothing(self, password: str) -> None:
        """Spend as long as a real check, so a wrong initials answer takes as long as a wrong password."""
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash("not a password of anyone")
        self.verify(self._dummy_hash, password)


def check_new_password(password: str, initials: str) -> None:
    """Raise PasswordRuleError, in plain words, for a password the app will not take."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRuleError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters; a short sentence is easiest to remember.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordRuleError(f"A password can be at most {MAX_PASSWORD_LENGTH} characters.")
    if not password.strip():
        raise PasswordRuleError("A password cannot be only spaces.")
    if password.strip().upper() == initials.upper():
        raise PasswordRuleError("A password cannot be your initials.")
