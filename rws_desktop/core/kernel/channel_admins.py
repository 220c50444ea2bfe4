"""Who administers each channel: the policy's list (channels.toml) unless an admin has replaced it.

Only a channel's admins, or someone with the admin role, may vet and export for it. Every
change to a list is an audit entry with the list before and after.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from .access_ports import ChannelAdmins
from .account_rules import normalise_initials
from .audit_entries import audit_entry
from .channels import Channel, ChannelCatalogue
from .permissions import Action, requires
from .ports import Store


def effective_admins(tx, channel: Channel) -> tuple[str, ...]:
    """The channel's admins now, read in the caller's transaction."""
    changed = tx.accounts.channel_admins(channel.key)
    return changed.initials if changed is not None else channel.admins


@dataclass(frozen=True)
class ChannelAdminList:
    channel: Channel
    admins: tuple[str, ...]
    changed: ChannelAdmins | None  # None while the policy's list stands

    @property
    def from_policy(self) -> bool:
        return self.changed is None


class ChannelAdminService:
    def __init__(self, store: Store, channels: ChannelCatalogue, session):
        self.store = store
        self.channels = channels
        self.session = session

    @requires(Action.VIEW_SETUP)
    def lists(self) -> list[ChannelAdminList]:
        """Every channel, in the policy's order, with its admins now."""
        with self.store.transaction() as tx:
            changed = tx.accounts.all_channel_admins()
        return [ChannelAdminList(c, changed[c.key].initials if c.key in changed else c.admins, changed.get(c.key))
                for c in self.channels]

    @requires(Action.SET_CHANNEL_ADMINS)
    def set_admins(self, channel_key: str, initials: list[str]) -> ChannelAdminList:
        """Replace the channel's admin list (an empty list leaves it to those with the admin role)."""
        channel = self.channels.get(channel_key)
        wanted = tuple(dict.fromkeys(normalise_initials(i) for i in initials if i.strip()))
        with self.store.transaction() as tx:
            before = effective_admins(tx, channel)
            current = tx.accounts.channel_admins(channel.key)
            if wanted == before:
                return ChannelAdminList(channel, before, current)  # nothing changes, so nothing to record
            record = ChannelAdmins(channel.key, wanted, self.session.initials, datetime.now(timezone.utc))
            tx.accounts.put_channel_admins(record)
            tx.audit.append(audit_entry("channel_admins_changed", self.session.initials, channel=channel.key,
                                        before=list(before), after=list(wanted)))
        return ChannelAdminList(channel, wanted, record)
