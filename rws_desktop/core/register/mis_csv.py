"""Reading a pupil export from the school's MIS (Arbor, SIMS, Bromcom) as CSV.

Files come as UTF-8 with or without a byte-order mark, or as Windows-1252 from older Excel,
with Windows or Unix line endings, separated by commas (or semicolons or tabs). The usual
headers of the three systems are recognised; anything else can be mapped by hand.
"""
from __future__ import annotations

import csv
import errno
import hashlib
import io
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path

from ..kernel.disk_errors import unreadable_reason
from ..kernel.consent import YEAR_GROUPS, ConsentStatus

log = logging.getLogger(__name__)


class MisImportError(Exception):
    """A file that cannot be imported at all, explained in plain words."""


class MisField(str, Enum):
    MIS_ID = "mis_id"
    FORENAME = "forename"
    SURNAME = "surname"
    PREFERRED_FORENAME = "preferred_forename"
    PREFERRED_SURNAME = "preferred_surname"
    FULL_NAME = "full_name"
    YEAR_GROUP = "year_group"
    FORM = "form"
    DATE_OF_BIRTH = "date_of_birth"
    PHOTO_CONSENT = "photo_consent"
    CONSENT_DATE = "consent_date"
    CONSENT_GIVEN_BY = "consent_given_by"


FIELD_LABELS = {
    MisField.MIS_ID: "UPN or admission number",
    MisField.FORENAME: "Legal forename",
    MisField.SURNAME: "Legal surname",
    MisField.PREFERRED_FORENAME: "Preferred forename",
    MisField.PREFERRED_SURNAME: "Preferred surname",
    MisField.FULL_NAME: "Full name (when there are no separate name columns)",
    MisField.YEAR_GROUP: "Year group",
    MisField.FORM: "Registration group",
    MisField.DATE_OF_BIRTH: "Date of birth",
    MisField.PHOTO_CONSENT: "Photo consent (yes, no or withdrawn; covers all channels)",
    MisField.CONSENT_DATE: "Date photo consent was given or withdrawn",
    MisField.CONSENT_GIVEN_BY: "Who gave photo consent",
}

# Headers as Arbor, SIMS and Bromcom export them, lower case without punctuation, best first.
# Fields are matched in this order and each header is used once, so in a SIMS export with both
# "Legal Forename" and "Forename", the plain "Forename" (the name the pupil goes by) becomes the preferred one.
HEADER_ALIASES: dict[MisField, tuple[str, ...]] = {
    MisField.MIS_ID: ("upn", "unique pupil number", "admission number", "admission no", "adno", "adm no", "mis id"),
    MisField.FORENAME: ("legal forename", "legal first name", "forename", "first name", "firstname", "given name"),
    MisField.SURNAME: ("legal surname", "legal last name", "surname", "last name", "lastname", "family name"),
    MisField.PREFERRED_FORENAME: ("preferred forename", "preferred first name", "preferred name", "known as",
                                  "chosen name", "forename", "first name"),
    MisField.PREFERRED_SURNAME: ("preferred surname", "preferred last name", "surname", "last name"),
    MisField.FULL_NAME: ("name", "full name", "pupil name", "student name", "pupil", "student"),
    MisField.YEAR_GROUP: ("year group", "year", "nc year", "national curriculum year", "curriculum year", "yr"),
    MisField.FORM: ("registration group", "reg group", "tutor group", "form", "form group", "registration form",
                    "reg form", "reg", "class"),
    MisField.DATE_OF_BIRTH: ("date of birth", "dob", "birth date", "birthdate"),
    MisField.PHOTO_CONSENT: ("photo consent", "photograph consent", "photographs consent", "photography consent",
                             "consent photographs", "consent photography", "media consent", "social media consent",
                             "photo permission"),
    MisField.CONSENT_DATE: ("photo consent date", "consent date", "date of consent", "consent given on"),
    MisField.CONSENT_GIVEN_BY: ("photo consent given by", "consent given by", "given by"),
}

CONSENT_WORDS = {
    ConsentStatus.GRANTED: ("yes", "y", "true", "1", "granted", "given", "consent given", "agreed", "accepted"),
    ConsentStatus.REFUSED: ("no", "n", "false", "0", "refused", "declined", "not given", "no consent"),
    ConsentStatus.WITHDRAWN: ("withdrawn", "consent withdrawn"),
}

_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y/%m/%d", "%d %b %Y", "%d %B %Y", "%d-%b-%Y")
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2})?$")
_YEAR = re.compile(r"(?:year|yr|y|nc year)?\s*0*(\d{1,2})")
_SIXTH_FORM = {"l6": 12, "lower sixth": 12, "u6": 13, "upper sixth": 13}
_DELIMITERS = (",", ";", "\t")
_FIRST_LINE = re.compile(r"[^\r\n]*")


@dataclass(frozen=True)
class CsvTable:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as a spreadsheet shows it, the header being row 1; cells)
    encoding: str
    sha256: str


# A school's pupil export is a few thousand rows of a few hundred bytes. Far beyond that, the file is
# not one school's register, and reading it would only hold the machine (and the database) for minutes.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 10_000
MAX_CELL_CHARACTERS = 2_000
# A row of an export is a few hundred characters in a few dozen columns. A line or a row far beyond these
# is refused before the CSV reader builds it (a 19 MB line of short cells once took 3.6 s and 700 MB).
MAX_LINE_CHARACTERS = 100_000
MAX_COLUMNS = 500


def read_csv(data: bytes) -> CsvTable:
    """Decode and split a CSV export; blank rows are skipped. Anything that is not a school's CSV export
    (a workbook, binary data, a file far too large, a cell pages long) is refused with the reason."""
    _refuse_what_is_not_a_csv(data)
    text, encoding = _decode(data)
    if not text.strip():
        raise MisImportError("The file is empty.")
    _refuse_long_lines(text)
    first_line = _FIRST_LINE.match(text.lstrip("\r\n")).group()  # not splitlines(): the file may be millions of lines
    delimiter = max(_DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = []
    try:
        for record in reader:
            records.append(record)
            if len(records) > MAX_ROWS + 1:
                raise MisImportError(
                    f"The file has more than {MAX_ROWS:,} rows. A school's pupil export has a few thousand: "
                    "export the pupils on roll at this school only.")
            if len(record) > MAX_COLUMNS:
                raise MisImportError(
                    f"Row {len(records)} has {len(record):,} cells; an MIS export has a few dozen columns. "
                    "Export the file again from the MIS as CSV.")
    except csv.Error as error:  # the reader's own wording ("field larger than field limit") goes to the log
        log.info("MIS export refused: the CSV reader said %s", error)
        raise MisImportError(
            f"Row {reader.line_num} could not be read as CSV: it has a cell far longer than any MIS field, or "
            "quotes that do not pair up. Export the file again from the MIS as CSV.") from None
    long_cell = next(((number, len(cell)) for number, record in enumerate(records, start=1)
                      for cell in record if len(cell) > MAX_CELL_CHARACTERS), None)
    if long_cell:
        raise MisImportError(
            f"Row {long_cell[0]} has a cell of {long_cell[1]:,} characters; no MIS field is that long. "
            "Export the file again from the MIS as CSV.")
    headers = [cell.strip() for cell in records[0]]
    rows = [(number, cells) for number, cells in enumerate(records[1:], start=2) if any(c.strip() for c in cells)]
    return CsvTable(headers, rows, encoding, hashlib.sha256(data).hexdigest())


def check_file_size(size: int) -> None:
    """Refuse a file far larger than any school's export; callers may ask before reading it."""
    if size > MAX_FILE_BYTES:
        raise MisImportError(
            f"The file is {size / 1024 / 1024:.0f} MB; a school's pupil export is well under "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB. Export the pupils on roll at this school only.")


def read_csv_file(path: Path) -> CsvTable:
    """`read_csv` of a file, refusing one far too large before reading it."""
    try:
        check_file_size(path.stat().st_size)
        return read_csv(path.read_bytes())
    except OSError as error:  # the system's wording goes to the log, without the file's name
        log.info("MIS export not read: %s (errno %s)", error.strerror or type(error).__name__, error.errno)
        reason = ("It is a folder, not a file. Choose the CSV file inside it." if error.errno == errno.EISDIR
                  else unreadable_reason(error))
        raise MisImportError(f"{path} could not be imported. {reason}") from error


def _refuse_what_is_not_a_csv(data: bytes) -> None:
    check_file_size(len(data))
    if data[:4] == b"PK\x03\x04":
        raise MisImportError("This is an Excel workbook, not a CSV file. Open it in Excel and save it as "
                             "CSV UTF-8 (comma delimited), then import that.")
    if data[:2] not in (b"\xff\xfe", b"\xfe\xff") and b"\0" in data:
        raise MisImportError("The file holds binary data (NUL bytes), so it is not a CSV text export. "
                             "Export the file again from the MIS as CSV.")


# Every byte but CR and LF as "x", CR and LF as LF: a line longer than the limit is then a run of x's.
_LINE_BREAKS = bytes(10 if value in (10, 13) else 120 for value in range(256))


def _refuse_long_lines(text: str) -> None:
    """A line far longer than any row of an export, refused before the CSV reader splits it into cells.
    (Found with two passes in C over the bytes: a file of 19 million line breaks costs no list of lines.)"""
    encoded = text.encode("utf-8", "surrogatepass")
    runs, needle, start = encoded.translate(_LINE_BREAKS), b"x" * (MAX_LINE_CHARACTERS + 1), 0
    while (start := runs.find(needle, start)) >= 0:
        end = runs.find(b"\n", start)
        end = len(runs) if end < 0 else end
        length = len(encoded[start:end].decode("utf-8", "surrogatepass"))
        if length > MAX_LINE_CHARACTERS:  # in characters: a line of many bytes a character may be short enough
            before = encoded[:start]
            number = before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1
            raise MisImportError(
                f"Line {number} of the file is {length:,} characters long; a row of an MIS export is a few "
                "hundred. Export the file again from the MIS as CSV.")
        start = end


def _decode(data: bytes) -> tuple[str, str]:
    """UTF-8 with or without a BOM, UTF-16 with a BOM (Excel's "Unicode text"), else Windows-1252."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise MisImportError("The file says it is UTF-16 text but is not. "
                                 "Export the file again from the MIS as CSV.") from None
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def normalise_header(header: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", header.casefold()).split())


def detect_mapping(headers: list[str]) -> dict[MisField, str]:
    """The columns recognised from their headers, by field."""
    by_normal = {}
    for header in headers:
        by_normal.setdefault(normalise_header(header), header)
    mapping: dict[MisField, str] = {}
    used: set[str] = set()
    for field, aliases in HEADER_ALIASES.items():
        for alias in aliases:
            header = by_normal.get(alias)
            if header is not None and header not in used:
                mapping[field] = header
                used.add(header)
                break
    return mapping


def parse_mapping(text: str) -> dict[MisField, str | None]:
    """`field=Header,field=Header` as typed after --mapping; `field=` ignores a recognised column."""
    mapping: dict[MisField, str | None] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, equals, header = part.partition("=")
        if not equals:
            raise MisImportError(f"'{part}' is not field=Header.")
        try:
            field = MisField(name.strip().lower())
        except ValueError:
            raise MisImportError(
                f"'{name.strip()}' is not a field; fields are {', '.join(f.value for f in MisField)}."
            ) from None
        mapping[field] = header.strip() or None
    return mapping


def resolve_mapping(headers: list[str], explicit: dict[MisField, str | None] | None = None) -> dict[MisField, str]:
    """The recognised columns with the explicit choices laid over them; refuses what cannot work."""
    mapping = detect_mapping(headers)
    for field, header in (explicit or {}).items():
        if header is None:
            mapping.pop(field, None)
            continue
        found = _find_header(headers, header)
        if found is None:
            raise MisImportError(f"There is no column '{header}' in the file. Columns: {', '.join(headers)}.")
        mapping = {f: h for f, h in mapping.items() if h != found}
        mapping[field] = found
    if MisField.MIS_ID not in mapping:
        raise MisImportError(
            "No column for the UPN or admission number was found. "
            f"Columns: {', '.join(headers)}. Map one with mis_id=HEADER."
        )
    has_names = MisField.FORENAME in mapping and MisField.SURNAME in mapping
    if not has_names and MisField.FULL_NAME not in mapping:
        raise MisImportError(
            "No columns for the forename and surname (or a full name) were found. "
            f"Columns: {', '.join(headers)}. Map them with forename=HEADER,surname=HEADER."
        )
    return mapping


def _find_header(headers: list[str], wanted: str) -> str | None:
    if wanted in headers:
        return wanted
    matches = [h for h in headers if normalise_header(h) == normalise_header(wanted)]
    return matches[0] if matches else None


def parse_date(text: str) -> date:
    """A date as UK exports write it (31/01/2013, 31-01-2013, 31 Jan 2013) or ISO (2013-01-31)."""
    cleaned = _TIME_SUFFIX.sub("", text.strip())
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"'{text.strip()}' is not a date (use dd/mm/yyyy)")


def parse_year_group(text: str) -> int:
    """Year 7, Y7, Yr 7, 7, 07, L6/U6... -> the year number; only Years 7 to 13 exist here."""
    cleaned = normalise_header(text)
    if cleaned in _SIXTH_FORM:
        return _SIXTH_FORM[cleaned]
    match = _YEAR.fullmatch(cleaned)
    if not match or int(match.group(1)) not in YEAR_GROUPS:
        raise ValueError(f"unknown year '{text.strip()}' (this school has Years {YEAR_GROUPS[0]} to {YEAR_GROUPS[-1]})")
    return int(match.group(1))


def parse_consent(text: str) -> ConsentStatus:
    cleaned = normalise_header(text)
    for status, words in CONSENT_WORDS.items():
        if cleaned in words:
            return status
    raise ValueError(f"photo consent '{text.strip()}' is not yes, no or withdrawn")


def split_full_name(text: str) -> tuple[str, str]:
    """'Surname, Forename' (as SIMS writes it) or 'Forename Surname' -> (forename, surname)."""
    if text.count(",") == 1:
        surname, forename = (part.strip() for part in text.split(","))
        return forename, surname
    parts = text.split()
    return (" ".join(parts[:-1]), parts[-1]) if len(parts) > 1 else (text.strip(), "")
