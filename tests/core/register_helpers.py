"""Helpers shared by the register service tests."""
from __future__ import annotations

import json
from datetime import date

import numpy as np

from rws_desktop.core.kernel.consent import BiometricConsent

SOURCE_SHA = "ab" * 32


def audit_entries(store) -> list[dict]:
    with store.transaction() as tx:
        return [json.loads(record.content_json) for record in tx.audit.records()]


def give_reference_faces(store, person_id: int, count: int, today: date, thumbnail: bytes | None = b"\xff\xd8thumb") -> list[int]:
    """Record parental biometric consent and store `count` made-up reference faces, bypassing detection."""
    rng = np.random.default_rng(person_id)
    with store.transaction() as tx:
        if tx.register.biometric_consent(person_id) is None:
            tx.register.put_biometric_consent(BiometricConsent(person_id, parent_consent=True, adult_consent=True))
        return [tx.register.add_reference_face(person_id, rng.normal(size=128), SOURCE_SHA, today, thumbnail) for _ in range(count)]
