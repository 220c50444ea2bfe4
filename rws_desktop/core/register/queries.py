"""Read-only questions about the register, behind the office's permission."""
from __future__ import annotations

from datetime import date

from .expiry import EXPIRING_WITHIN_DAYS, ExpiringConsent, expiring_consents
from .impact import ExportedPhoto, withdrawal_impact
from .people_query import PeopleSnapshot
from ..kernel.permissions import Action, requires
from ..kernel.ports import Store
from ..kernel.session import Session


class RegisterQueries:
    def __init__(self, store: Store, session: Session):
        self.store = store
        self.session = session

    @requires(Action.READ_REGISTER)
    def people(self, today: date) -> PeopleSnapshot:
        return PeopleSnapshot.load(self.store, today)

    @requires(Action.READ_REGISTER)
    def expiring(self, today: date, within_days: int = EXPIRING_WITHIN_DAYS) -> list[ExpiringConsent]:
        return expiring_consents(self.store, today, within_days)

    @requires(Action.READ_REGISTER)
    def impact(self, person_id: int, channel: str | None = None) -> list[ExportedPhoto]:
        return withdrawal_impact(self.store, person_id, channel)
