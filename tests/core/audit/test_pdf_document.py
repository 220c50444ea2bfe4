"""The PDF layout helper and report files: text that fits, any name printable, no half-written reports."""
from __future__ import annotations

import pytest
from pypdf import PdfReader

from rws_desktop.core.audit import pdf_document
from rws_desktop.core.audit.pdf_document import Column, PdfDocument, latin1
from rws_desktop.core.audit.report_files import replacing, safe_cell


def text_of(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_long_tables_break_pages_and_repeat_their_header(tmp_path):
    """300 rows fill several pages; each page starts with the column titles, and every row is there."""
    document = PdfDocument("t", "footer words")
    document.table([Column("Number", 30), Column("Words", 0)], [[str(n), f"row {n} text"] for n in range(300)])
    document.save(tmp_path / "t.pdf")
    pages = PdfReader(tmp_path / "t.pdf").pages
    assert len(pages) > 3
    assert all(page.extract_text().lstrip().startswith("Number Words") for page in pages)
    text = text_of(tmp_path / "t.pdf")
    assert all(f"row {n} text" in text for n in range(300)) and f"Page {len(pages)} of {len(pages)}" in text


def test_a_word_wider_than_its_column_is_cut_not_lost(tmp_path):
    """A 64-character hash in a narrow column wraps onto several lines, every character kept."""
    digest = "0123456789abcdef" * 4
    document = PdfDocument("t", "")
    document.table([Column("Hash", 30)], [[digest]])
    document.save(tmp_path / "t.pdf")
    assert text_of(tmp_path / "t.pdf").replace("\n", "").replace(" ", "").endswith(digest + "Page1of1")


def test_without_a_unicode_font_names_still_print(tmp_path, monkeypatch):
    """On a computer with none of the TrueType fonts, the built-in font is used and accents fall back to plain letters."""
    monkeypatch.setattr(pdf_document, "FONT_CANDIDATES", [])
    document = PdfDocument("t", "")
    document.paragraph("Zoë Šimková — Łukasz")
    document.save(tmp_path / "t.pdf")
    assert "Zoë Simková ? ?ukasz" in text_of(tmp_path / "t.pdf")
    assert latin1("café") == "café"


def test_a_failed_write_leaves_the_earlier_report_in_place(tmp_path):
    """A report is written beside its target and only then moved over it, so an error keeps the old file."""
    target = tmp_path / "report.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with replacing(target) as pending:
            pending.write_text("half")
            raise RuntimeError("disk full")
    assert target.read_text() == "old" and list(tmp_path.iterdir()) == [target]


@pytest.mark.parametrize("value", ["=1+1", "+44 20", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_cells_that_excel_would_run_get_an_apostrophe(value):
    """Anything Excel or LibreOffice would treat as a formula is made plain text."""
    assert safe_cell(value) == "'" + value
    assert safe_cell("Ada") == "Ada" and safe_cell(3) == 3 and safe_cell(None) == ""
