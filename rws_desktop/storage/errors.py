"""Errors the storage layer raises, worded for the school office."""
from __future__ import annotations

from ..core.kernel.ports import StoreUnavailable


class StorageError(StoreUnavailable):
    """The database could not be opened, prepared or written; the message says why in plain words."""
