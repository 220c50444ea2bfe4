"""Cells for CSV files staff open in Excel: text that Excel would run as a formula is defused.

Shared by every CSV the app writes (the audit log, person reports, the withdrawal impact list), since a
name, file name or reason typed by anyone could start with "=" and run when the file is opened.
"""
from __future__ import annotations

# A cell starting with one of these is run as a formula by Excel (and LibreOffice); such cells get a
# leading apostrophe, which Excel shows as plain text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """The value as Excel should show it, never as a formula to run."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value
