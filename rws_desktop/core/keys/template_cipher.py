"""Reference face encodings, and the face thumbnails kept with them, encrypted at rest with AES-256-GCM.

Stored form: one version byte, a random 12-byte nonce, then the ciphertext with its 16-byte
tag (1,053 bytes for the 1,024-byte encoding). The associated data names the key and the
person, so a template copied onto another person's row fails to open. A template that fails
to open is treated as no template: that face is blurred.

A thumbnail (a small JPEG of the face, biometric data too: re-encoded, most match their person) is
sealed with the same key, its associated data naming the person and saying it is a thumbnail, so a
thumbnail and an encoding cannot stand in for each other. One that fails to open is not shown.
"""
from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_VERSION = b"\x01"
NONCE_BYTES = 12
KEY_BYTES = 32
_CHECK_PLAINTEXT = b"RWS Photo Check reference-face key"


class TemplateCipher:
    def __init__(self, key: bytes, key_id: str):
        if len(key) != KEY_BYTES:
            raise ValueError("the reference-face key must be 32 bytes")
        self._aead = AESGCM(key)
        self.key_id = key_id

    @staticmethod
    def new_key() -> bytes:
        return AESGCM.generate_key(bit_length=KEY_BYTES * 8)

    def seal(self, person_id: int, encoding_bytes: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return FORMAT_VERSION + nonce + self._aead.encrypt(nonce, encoding_bytes, self._context(f"person {person_id}"))

    def open(self, person_id: int, stored: bytes) -> bytes | None:
        """The encoding's bytes, or None when the stored form was altered, moved or made with another key."""
        return self._open(stored, self._context(f"person {person_id}"))

    def seal_thumbnail(self, person_id: int, jpeg: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return FORMAT_VERSION + nonce + self._aead.encrypt(nonce, jpeg, self._context(f"person {person_id}; thumbnail"))

    def open_thumbnail(self, person_id: int, stored: bytes) -> bytes | None:
        """The thumbnail's JPEG, or None when the stored form was altered, moved or made with another key."""
        return self._open(stored, self._context(f"person {person_id}; thumbnail"))

    def check_value(self) -> bytes:
        """Stored beside the key's identity, so a wrong key is told apart from altered templates."""
        nonce = os.urandom(NONCE_BYTES)
        return FORMAT_VERSION + nonce + self._aead.encrypt(nonce, _CHECK_PLAINTEXT, self._context("check"))

    def matches(self, check_value: bytes) -> bool:
        return self._open(check_value, self._context("check")) == _CHECK_PLAINTEXT

    def _context(self, what: str) -> bytes:
        return f"RWS reference face v1; key {self.key_id}; {what}".encode()

    def _open(self, stored: bytes, associated: bytes) -> bytes | None:
        stored = bytes(stored)
        if len(stored) <= 1 + NONCE_BYTES or stored[:1] != FORMAT_VERSION:
            return None
        nonce, sealed = stored[1:1 + NONCE_BYTES], stored[1 + NONCE_BYTES:]
        try:
            return self._aead.decrypt(nonce, sealed, associated)
        except InvalidTag:
            return None
