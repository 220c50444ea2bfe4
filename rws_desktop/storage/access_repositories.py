"""SQL implementations of `core.access_ports`: accounts with their roles, channel admin lists, the DPIA."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from ..core.kernel.access_ports import Account, ChannelAdmins, DpiaRecord
from ..core.kernel.permissions import Role
from .models import AccountRoleRow, AccountRow, ChannelAdminListRow, DpiaRow


def utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything here is stored and returned as UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


class SqlAccountRepository:
    def __init__(self, session: Session):
        self._session = session

    def count_accounts(self) -> int:
        return self._session.scalar(select(func.count()).select_from(AccountRow))

    def get_account(self, initials: str, lock: bool = False) -> Account | None:
        statement = select(AccountRow).where(AccountRow.initials == initials).execution_options(populate_existing=True)
        if lock:
            statement = statement.with_for_update()
        row = self._session.scalars(statement).first()
        return self._account(row) if row else None

    def list_accounts(self) -> list[Account]:
        rows = self._session.scalars(select(AccountRow).order_by(AccountRow.initials).execution_options(populate_existing=True))
        return [self._account(row) for row in rows]

    def add_account(self, account: Account) -> None:
        self._session.add(AccountRow(initials=account.initials, created_at=datetime.now(timezone.utc), **self._fields(account)))
        self._session.flush()
        self._put_roles(account)

    def update_account(self, account: Account) -> None:
        row = self._session.get(AccountRow, account.initials)
        for name, value in self._fields(account).items():
            setattr(row, name, value)
        self._session.flush()
        self._put_roles(account)

    def channel_admins(self, channel: str) -> ChannelAdmins | None:
        row = self._session.get(ChannelAdminListRow, channel, populate_existing=True)
        return _channel_admins(row) if row else None

    def all_channel_admins(self) -> dict[str, ChannelAdmins]:
        rows = self._session.scalars(select(ChannelAdminListRow).execution_options(populate_existing=True))
        return {row.channel: _channel_admins(row) for row in rows}

    def put_channel_admins(self, admins: ChannelAdmins) -> None:
        row = self._session.get(ChannelAdminListRow, admins.channel)
        if row is None:
            row = ChannelAdminListRow(channel=admins.channel)
            self._session.add(row)
        row.admins = ",".join(admins.initials)
        row.changed_by = admins.changed_by
        row.changed_at = utc(admins.changed_at)
        self._session.flush()

    def _put_roles(self, account: Account) -> None:
        self._session.execute(delete(AccountRoleRow).where(AccountRoleRow.initials == account.initials))
        if account.roles:
            self._session.execute(insert(AccountRoleRow.__table__),
                                  [{"initials": account.initials, "role": Role(role).value} for role in account.roles])

    def _account(self, row: AccountRow) -> Account:
        roles = self._session.scalars(select(AccountRoleRow.role).where(AccountRoleRow.initials == row.initials))
        return Account(
            initials=row.initials, name=row.name, roles=frozenset(Role(role) for role in roles),
            password_hash=row.password_hash, must_change_password=row.must_change_password, locked=row.locked,
            locked_until=utc(row.locked_until), failed_sign_ins=row.failed_sign_ins,
        )

    @staticmethod
    def _fields(account: Account) -> dict:
        return dict(name=account.name, password_hash=account.password_hash,
                    must_change_password=account.must_change_password, locked=account.locked,
                    locked_until=utc(account.locked_until), failed_sign_ins=account.failed_sign_ins)


class SqlDpiaRepository:
    def __init__(self, session: Session):
        self._session = session

    def current(self) -> DpiaRecord | None:
        row = self._session.scalars(select(DpiaRow).order_by(DpiaRow.id.desc()).limit(1)).first()
        if row is None:
            return None
        return DpiaRecord(row.reference, row.assessed_on, row.dpo_name, row.recorded_by, utc(row.recorded_at))

    def add(self, record: DpiaRecord) -> None:
        self._session.add(DpiaRow(reference=record.reference, assessed_on=record.assessed_on, dpo_name=record.dpo_name,
                                  recorded_by=record.recorded_by, recorded_at=utc(record.recorded_at)))
        self._session.flush()


def _channel_admins(row: ChannelAdminListRow) -> ChannelAdmins:
    initials = tuple(part for part in row.admins.split(",") if part)
    return ChannelAdmins(row.channel, initials, row.changed_by, utc(row.changed_at))
