"""The school's posting channels, as the social media policy lists them."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class ChannelStatus(str, Enum):
    LIVE = "live"
    RARELY_USED = "rarely_used"
    NOT_LIVE = "not_live"
    NOT_USED = "not_used"

    @property
    def accepts_photos(self) -> bool:
        return self in (ChannelStatus.LIVE, ChannelStatus.RARELY_USED)


@dataclass(frozen=True)
class Channel:
    key: str
    name: str
    platform: str
    handle: str
    admins: tuple[str, ...]
    status: ChannelStatus
    official: bool = False
    note: str = ""

    @property
    def accepts_photos(self) -> bool:
        return self.status.accepts_photos

    def refusal_reason(self) -> str | None:
        """Why this channel takes no photos, or None when it does."""
        if self.accepts_photos:
            return None
        if self.status is ChannelStatus.NOT_LIVE:
            return f"{self.name} is not live yet, so it accepts no photos."
        return f"{self.name} is not in use, so it accepts no photos."


class UnknownChannelError(KeyError):
    def __init__(self, key: str, known: list[str]):
        super().__init__(key)
        self.key = key
        self.known = known

    def __str__(self) -> str:
        return f"There is no channel '{self.key}'. Channels: {', '.join(self.known)}."


class ChannelCatalogue:
    """The channels by key, in the policy's order."""

    ALL_CHANNELS = "all"

    def __init__(self, channels: list[Channel]):
        keys = [channel.key for channel in channels]
        if len(set(keys)) != len(keys):
            raise ValueError("channel keys must be unique")
        if self.ALL_CHANNELS in keys:
            raise ValueError("'all' is reserved for consent that covers every channel")
        self._by_key = {channel.key: channel for channel in channels}

    def __iter__(self):
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def keys(self) -> list[str]:
        return list(self._by_key)

    def get(self, key: str) -> Channel:
        try:
            return self._by_key[key]
        except KeyError:
            raise UnknownChannelError(key, self.keys()) from None

    @classmethod
    def from_toml(cls, path: Path) -> "ChannelCatalogue":
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
        return cls([_channel_from_table(table) for table in document.get("channel", [])])


def _channel_from_table(table: dict) -> Channel:
    return Channel(
        key=table["key"],
        name=table["name"],
        platform=table["platform"],
        handle=table["handle"],
        admins=tuple(table.get("admins", ())),
        status=ChannelStatus(table["status"]),
        official=bool(table.get("official", False)),
        note=table.get("note", ""),
    )
