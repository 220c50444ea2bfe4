"""Words and small widgets the register workspace shares: channel names, consent states, dates, problems."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

from ...core.kernel.channels import ChannelCatalogue, UnknownChannelError
from ...core.kernel.consent import ALL_CHANNELS, FaceConsent, format_day
from ...core.register.mis_csv import MisImportError, parse_date
from ...core.kernel.ports import RegisterError
from ...core.kernel.ports import StoreUnavailable

ALL_CHANNELS_LABEL = "All channels"
SHOWN_COLOUR = QColor("#1e6e32")
BLURRED_COLOUR = QColor("#b3261e")
SOME_CHANNELS_COLOUR = QColor("#8a5a00")  # amber: shown on some channels only
DATE_HINT = "dd/mm/yyyy"

CONSENT_WORDS = {
    FaceConsent.GRANTED: "Granted",
    FaceConsent.REFUSED: "Refused",
    FaceConsent.WITHDRAWN: "Withdrawn",
    FaceConsent.EXPIRED: "Expired",
    FaceConsent.NOT_YET_VALID: "Not yet valid",
    FaceConsent.NO_CONSENT: "No consent",
    FaceConsent.LEFT: "Left",
}

# Problems the person can fix from what the message says; anything else is a storage problem.
PLAIN_PROBLEMS = (RegisterError, MisImportError, UnknownChannelError)


class DateError(ValueError):
    """A date field that does not hold a date; the message names the field."""


def n_people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def channel_label(channels: ChannelCatalogue, key: str) -> str:
    return ALL_CHANNELS_LABEL if key == ALL_CHANNELS else channels.get(key).name


def channel_phrase(channels: ChannelCatalogue, key: str) -> str:
    """A channel as part of a sentence: 'all channels', or its name."""
    return "all channels" if key == ALL_CHANNELS else channels.get(key).name


def day(value: date | None) -> str:
    """A date as shown in tables: 3 Oct 2026, or nothing."""
    return format_day(value) if value else ""


def field_text(value: date | None) -> str:
    """A date as typed into a field."""
    return f"{value:%d/%m/%Y}" if value else ""


def read_day(text: str, field: str) -> date | None:
    """A date field's value: None when empty; DateError, naming the field, when it is not a date."""
    if not text.strip():
        return None
    try:
        return parse_date(text)
    except ValueError as error:
        raise DateError(f"{field}: {error}.") from None


def problem_text(error: Exception) -> str:
    """What went wrong and what to do next, for an unexpected failure (the database, a file)."""
    if isinstance(error, PLAIN_PROBLEMS):
        return str(error)
    if isinstance(error, StoreUnavailable):  # already says what happened, in plain words
        return f"{error} Try again; if it keeps happening, ask IT support and quote this message."
    if isinstance(error, OSError):
        return f"{error.filename or 'The file'} could not be used ({error.strerror or error}). Check it and try again."
    return (f"The database could not be reached ({error}). Check the network or the database location, then try "
            "again; nothing you typed is lost.")


def error_label() -> QLabel:
    """A red line under a form for what stopped a change; empty until then."""
    label = QLabel("")
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {BLURRED_COLOUR.name()};")
    label.setAccessibleName("Problem")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def hint_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(mid);")
    return label
