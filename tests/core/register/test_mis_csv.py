"""Reading MIS exports: encodings, line endings, recognised headers, explicit mappings, dates and year groups."""
from __future__ import annotations

from datetime import date

import pytest

from rws_desktop.core.kernel.consent import ConsentStatus
from rws_desktop.core.register.mis_csv import (
    MAX_COLUMNS, MAX_FILE_BYTES, MAX_LINE_CHARACTERS, MAX_ROWS, MisField, MisImportError, detect_mapping, parse_consent, parse_date, parse_mapping,
    parse_year_group, read_csv, read_csv_file, resolve_mapping, split_full_name,
)

F = MisField


@pytest.mark.parametrize("data, encoding", [
    ("UPN,Surname\r\nA1,Zoë\r\n".encode("utf-8-sig"), "utf-8"),
    ("UPN,Surname\nA1,Zoë\n".encode("utf-8"), "utf-8"),
    ("UPN,Surname\r\nA1,Zoë\r\n".encode("cp1252"), "cp1252"),
    ("UPN;Surname\r\nA1;Zoë\r\n".encode("utf-8-sig"), "utf-8"),
], ids=["utf8-bom-crlf", "utf8-lf", "windows-1252", "semicolons"])
def test_exports_are_decoded_whatever_their_encoding_and_line_endings(data, encoding):
    """BOM, Windows line endings, Windows-1252 and semicolon separators all give the same table."""
    table = read_csv(data)
    assert table.headers == ["UPN", "Surname"]
    assert table.rows == [(2, ["A1", "Zoë"])]
    assert table.encoding == encoding


def test_an_excel_unicode_text_export_in_utf16_is_read():
    """Excel's "Unicode text" saves UTF-16 with a byte-order mark; it is read like any other export."""
    table = read_csv("UPN,Surname\r\nA1,Siobhán\r\n".encode("utf-16"))
    assert table.rows == [(2, ["A1", "Siobhán"])] and table.encoding == "utf-16"


@pytest.mark.parametrize("data, message", [
    (b"PK\x03\x04" + b"\0" * 100, "Excel workbook"),
    (b"UPN,Surname\r\nA1,Ash\0\r\n", "binary data"),
    (b"UPN,Surname\r\nA1," + b"x" * 200_000 + b"\r\n", "Line 2 of the file is 200,003 characters long"),
    (b'UPN,Surname\r\nA1,"' + b"x\n" * 100_000 + b'"\r\n', "far longer than any MIS field"),
    (b"UPN,Surname\r\nA1," + b"x" * 5_000 + b"\r\n", "5,000 characters"),
    (b"UPN,Surname\r\n" + b"A1,Ash\r\n" * (MAX_ROWS + 1), "more than 10,000 rows"),
], ids=["xlsx", "nul-byte", "50mb-style-line", "field-of-many-short-lines", "long-cell", "too-many-rows"])
def test_what_is_not_a_school_csv_export_is_refused_in_plain_words(data, message):
    """A workbook, binary data, a cell pages long or a file of more rows than any school has is refused with
    a sentence saying what to do, never a raw CSV module error."""
    with pytest.raises(MisImportError, match=message) as refused:
        read_csv(data)
    assert "_csv" not in str(refused.value) and "field limit" not in str(refused.value)


def test_a_line_far_longer_than_any_row_is_refused_before_it_is_split_into_cells(monkeypatch):
    """A line of 6 million short cells (18 MB, under the file limit) once took 3.6 s and 700 MB to split; it is
    refused from its length alone, in plain words, and the CSV reader never sees it. The line's number is told
    whatever the line endings (here old Mac CRs)."""
    monkeypatch.setattr("rws_desktop.core.register.mis_csv.csv.reader",
                        lambda *args, **kwargs: pytest.fail("the long line was handed to the CSV reader"))
    data = b"UPN,Surname\rA1,Ash\rA2," + b"a," * 6_000_000 + b"\r"
    with pytest.raises(MisImportError, match="Line 3 of the file is 12,000,003 characters long") as refused:
        read_csv(data)
    assert "Export the file again from the MIS as CSV" in str(refused.value)


def test_line_length_is_counted_in_characters_and_a_row_of_too_many_cells_is_refused():
    """A line at the limit in characters but twice that in bytes (accented letters) passes the line check, and is
    then refused for its number of cells, which no MIS export has."""
    cells = "é," * (MAX_LINE_CHARACTERS // 2 - 2)
    data = ("UPN,Surname\r\nA1," + cells + "\r\n").encode("utf-8")
    assert len(data.splitlines()[1]) > MAX_LINE_CHARACTERS
    with pytest.raises(MisImportError, match=f"Row 2 has {MAX_LINE_CHARACTERS // 2:,} cells"):  # A1, the é's, one empty
        read_csv(data)
    assert read_csv(("UPN,Surname" + ",x" * (MAX_COLUMNS - 2) + "\r\nA1,Ash\r\n").encode()).rows == [(2, ["A1", "Ash"])]


def test_a_file_far_too_large_is_refused_before_it_is_read(tmp_path, monkeypatch):
    """A file over the size limit is refused from its size alone, so it costs no memory."""
    huge = tmp_path / "huge.csv"
    with open(huge, "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used
    monkeypatch.setattr(type(huge), "read_bytes", lambda self: pytest.fail("the file was read"))
    with pytest.raises(MisImportError, match="well under 20 MB"):
        read_csv_file(huge)


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers():
    """Row numbers match what a spreadsheet shows (header is row 1), even around blank lines."""
    table = read_csv(b"UPN,Surname\r\nA1,Ash\r\n\r\n,\r\nA2,Birch\r\n")
    assert table.rows == [(2, ["A1", "Ash"]), (5, ["A2", "Birch"])]


def test_an_empty_file_is_refused():
    """A file with nothing in it cannot be imported, and says so."""
    with pytest.raises(MisImportError, match="The file is empty"):
        read_csv(b"\xef\xbb\xbf\r\n")


@pytest.mark.parametrize("headers, expected", [
    (["UPN", "Legal Surname", "Legal Forename", "Preferred Forename", "Year", "Registration Group", "Date of Birth"],
     {F.MIS_ID: "UPN", F.SURNAME: "Legal Surname", F.FORENAME: "Legal Forename", F.PREFERRED_FORENAME: "Preferred Forename",
      F.YEAR_GROUP: "Year", F.FORM: "Registration Group", F.DATE_OF_BIRTH: "Date of Birth"}),
    (["Adno", "UPN", "Legal Surname", "Legal Forename", "Surname", "Forename", "Year", "Reg", "DOB"],
     {F.MIS_ID: "UPN", F.SURNAME: "Legal Surname", F.FORENAME: "Legal Forename", F.PREFERRED_FORENAME: "Forename",
      F.PREFERRED_SURNAME: "Surname", F.YEAR_GROUP: "Year", F.FORM: "Reg", F.DATE_OF_BIRTH: "DOB"}),
    (["Admission No", "Legal First Name", "Legal Last Name", "Preferred First Name", "Year Group", "Tutor Group", "Date Of Birth"],
     {F.MIS_ID: "Admission No", F.FORENAME: "Legal First Name", F.SURNAME: "Legal Last Name",
      F.PREFERRED_FORENAME: "Preferred First Name", F.YEAR_GROUP: "Year Group", F.FORM: "Tutor Group", F.DATE_OF_BIRTH: "Date Of Birth"}),
    (["Admission Number", "Name", "NC Year", "Form", "Photo Consent", "Consent Date"],
     {F.MIS_ID: "Admission Number", F.FULL_NAME: "Name", F.YEAR_GROUP: "NC Year", F.FORM: "Form",
      F.PHOTO_CONSENT: "Photo Consent", F.CONSENT_DATE: "Consent Date"}),
], ids=["arbor", "sims", "bromcom", "full-name-and-consent"])
def test_usual_mis_headers_are_recognised_without_a_mapping(headers, expected):
    """Arbor, SIMS and Bromcom headers map to fields by themselves; the UPN is preferred to the admission number."""
    assert detect_mapping(headers) == expected


def test_an_explicit_mapping_overrides_and_can_ignore_columns():
    """`--mapping` names columns the file calls something else, and `field=` drops a recognised one."""
    headers = ["Pupil No", "First", "Last", "Form"]
    explicit = parse_mapping("mis_id=Pupil No, forename=first,surname=Last,form=")
    assert explicit == {F.MIS_ID: "Pupil No", F.FORENAME: "first", F.SURNAME: "Last", F.FORM: None}
    assert resolve_mapping(headers, explicit) == {F.MIS_ID: "Pupil No", F.FORENAME: "First", F.SURNAME: "Last"}


@pytest.mark.parametrize("headers, explicit, message", [
    (["UPN", "Forename", "Surname"], "form=Tutor", "There is no column 'Tutor' in the file"),
    (["Forename", "Surname"], "", "No column for the UPN or admission number"),
    (["UPN", "Year"], "", "No columns for the forename and surname"),
    (["UPN", "Name"], "colour=Name", "'colour' is not a field"),
    (["UPN", "Name"], "mis_id", "'mis_id' is not field=Header"),
], ids=["unknown-column", "no-id", "no-name", "unknown-field", "no-equals"])
def test_mappings_that_cannot_work_are_refused_in_plain_words(headers, explicit, message):
    """A mapping naming a missing column or an unknown field, or a file without an id or name, is refused."""
    with pytest.raises(MisImportError, match=message):
        resolve_mapping(headers, parse_mapping(explicit))


@pytest.mark.parametrize("text, expected", [
    ("31/01/2013", date(2013, 1, 31)), ("1/9/2013", date(2013, 9, 1)), ("31-01-2013", date(2013, 1, 31)),
    ("31.01.2013", date(2013, 1, 31)), ("2013-01-31", date(2013, 1, 31)), ("31 Jan 2013", date(2013, 1, 31)),
    ("31 January 2013", date(2013, 1, 31)), ("31/01/2013 00:00:00", date(2013, 1, 31)),
])
def test_uk_and_iso_dates_are_read(text, expected):
    """Day-first UK dates in their usual spellings, ISO dates, and Excel's trailing midnight are accepted."""
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2013", "01/31/2013", "13/01/31", "next week", "2013"])
def test_impossible_or_ambiguous_dates_are_refused(text):
    """Impossible days, month-first dates and two-digit years are refused rather than guessed."""
    with pytest.raises(ValueError, match="is not a date"):
        parse_date(text)


@pytest.mark.parametrize("text, expected", [
    ("Year 7", 7), ("Y7", 7), ("Yr 8", 8), ("7", 7), ("07", 7), ("Year 12", 12), ("13", 13), ("NC Year 9", 9),
    ("L6", 12), ("Upper Sixth", 13),
])
def test_secondary_year_groups_are_read(text, expected):
    """Years 7 to 13 in the spellings MIS exports use, and lower/upper sixth."""
    assert parse_year_group(text) == expected


@pytest.mark.parametrize("text", ["Reception", "R", "N1", "6", "Year 14", "Y", "staff"])
def test_year_groups_outside_the_school_are_refused(text):
    """Reception, primary years and anything past Year 13 are unknown to a secondary school."""
    with pytest.raises(ValueError, match=r"unknown year .* \(this school has Years 7 to 13\)"):
        parse_year_group(text)


@pytest.mark.parametrize("text, expected", [
    ("Yes", ConsentStatus.GRANTED), ("Y", ConsentStatus.GRANTED), ("Consent given", ConsentStatus.GRANTED),
    ("No", ConsentStatus.REFUSED), ("Declined", ConsentStatus.REFUSED), ("Withdrawn", ConsentStatus.WITHDRAWN),
])
def test_consent_answers_are_read(text, expected):
    """The usual yes/no/withdrawn answers in an export's consent column."""
    assert parse_consent(text) is expected


def test_full_names_are_split_either_way_round():
    """SIMS writes 'Surname, Forename'; other exports 'Forename Surname'."""
    assert split_full_name("Ashby, Zoë Mae") == ("Zoë Mae", "Ashby")
    assert split_full_name("Zoë Mae Ashby") == ("Zoë Mae", "Ashby")


def test_a_file_that_cannot_be_opened_is_refused_in_plain_words(tmp_path, caplog):
    """A missing file and a folder chosen instead of a file: MisImportError naming the path in plain words, never
    Python's "[Errno 2] No such file or directory" or "[Errno 21] Is a directory" (those go to the log)."""
    import logging

    with caplog.at_level(logging.INFO, logger="rws_desktop"):
        with pytest.raises(MisImportError) as missing:
            read_csv_file(tmp_path / "gone.csv")
        with pytest.raises(MisImportError) as folder:
            read_csv_file(tmp_path)
    assert "gone.csv" in str(missing.value) and "moved or deleted" in str(missing.value)
    assert "is a folder, not a file" in str(folder.value)
    for refusal in (missing.value, folder.value):
        assert "Errno" not in str(refusal) and "No such file" not in str(refusal) and "Is a directory" not in str(refusal)
    assert "No such file" in caplog.text


def test_a_quoted_cell_over_the_csv_readers_limit_is_refused_in_plain_words(caplog):
    """A quoted cell spanning many short lines, longer than the CSV reader's field limit (131,072 characters):
    the reader's "_csv.Error: field larger than field limit" goes to the log; staff read which row, in plain words."""
    import logging

    cell = "\r\n".join(["x" * 1_000] * 140)  # every line well under MAX_LINE_CHARACTERS
    data = f'UPN,Surname\r\nA1,"{cell}"\r\n'.encode()
    with caplog.at_level(logging.INFO, logger="rws_desktop"), pytest.raises(MisImportError) as refused:
        read_csv(data)
    assert str(refused.value).startswith("Row ") and "could not be read as CSV" in str(refused.value)
    assert "_csv" not in str(refused.value) and "field limit" not in str(refused.value)
    assert "field limit" in caplog.text


def test_a_file_claiming_utf16_that_is_not_is_refused_in_plain_words():
    """A UTF-16 byte-order mark on bytes that are not UTF-16: a plain refusal, not the UnicodeDecodeError's
    "'utf-16-le' codec can't decode bytes in position ...\""""
    with pytest.raises(MisImportError) as refused:
        read_csv(b"\xff\xfeU\x00P\x00N\x00\x00\xd8")  # a lone high surrogate at the end
    assert "says it is UTF-16" in str(refused.value) and "codec" not in str(refused.value)
