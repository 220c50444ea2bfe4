"""The data protection impact assessment, which must come before any face recognition.

Article 35 UK GDPR: processing children's biometric data needs a DPIA first. Until an admin
records its reference, its date and the data protection officer's sign-off, recognition is off:
no reference face is enrolled, vetting recognises nobody (every face is blurred), and comms
staff may still show a face by picking a consenting person by hand.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from ..kernel.access_ports import DpiaRecord
from ..kernel.account_rules import AccountError
from ..kernel.audit_entries import audit_entry
from ..kernel.consent import format_day
from ..kernel.permissions import Action, requires
from ..kernel.ports import Store
from ..kernel.session import Session

RECOGNITION_OFF = (
    "Face recognition is off until an admin records the data protection impact assessment (DPIA) and the "
    "data protection officer's sign-off: rws dpia record --reference REF --date YYYY-MM-DD --dpo NAME. "
    "Until then every face is blurred unless comms staff show it by picking the person by hand."
)
MAX_REFERENCE = 100
MAX_DPO_NAME = 200


def recognition_allowed(tx) -> bool:
    """Whether a DPIA is recorded, read in the caller's transaction."""
    return tx.dpia.current() is not None


class DpiaService:
    def __init__(self, store: Store, session: Session):
        self.store = store
        self.session = session

    @requires(Action.VIEW_SETUP)
    def current(self) -> DpiaRecord | None:
        with self.store.transaction() as tx:
            return tx.dpia.current()

    @requires(Action.RECORD_DPIA)
    def record(self, reference: str, assessed_on: date, dpo_name: str, today: date | None = None) -> DpiaRecord:
        reference, dpo_name = " ".join(reference.split()), " ".join(dpo_name.split())
        if not reference or len(reference) > MAX_REFERENCE:
            raise AccountError(f"Give the DPIA's reference (at most {MAX_REFERENCE} characters).")
        if not dpo_name or len(dpo_name) > MAX_DPO_NAME:
            raise AccountError(f"Give the name of the data protection officer who signed the DPIA off (at most {MAX_DPO_NAME} characters).")
        if assessed_on > (today or date.today()):
            raise AccountError(f"The DPIA date {format_day(assessed_on)} is in the future; give the date it was signed off.")
        record = DpiaRecord(reference, assessed_on, dpo_name, self.session.initials, datetime.now(timezone.utc))
        with self.store.transaction() as tx:
            tx.dpia.add(record)
            tx.audit.append(audit_entry("dpia_recorded", self.session.initials, reference=reference,
                                        assessed_on=assessed_on.isoformat(), dpo=dpo_name))
        return record
