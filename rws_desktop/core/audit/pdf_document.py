"""A plain A4 landscape document with headings, paragraphs and tables, written with fpdf2.

Tables are laid out here rather than with fpdf2's own table or multi_cell, whose line
breaking takes about 35 s for a month's 8,000 entries; this takes a few seconds.
A Unicode TrueType font is used when the computer has one, so any name prints as typed.
"""
from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from fpdf import FPDF

_WINDOWS_FONTS = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
# (regular, bold) TrueType fonts to look for, most likely first: Windows, Linux, macOS.
FONT_CANDIDATES = [
    (_WINDOWS_FONTS / "arial.ttf", _WINDOWS_FONTS / "arialbd.ttf"),
    (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"), Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")),
    (Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"), Path("/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf")),
    (Path("/usr/share/fonts/TTF/DejaVuSans.ttf"), Path("/usr/share/fonts/TTF/DejaVuSans-Bold.ttf")),
    (Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"), Path("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf")),
    (Path("/System/Library/Fonts/Supplemental/Arial.ttf"), Path("/System/Library/Fonts/Supplemental/Arial Bold.ttf")),
    (Path("/Library/Fonts/Arial.ttf"), Path("/Library/Fonts/Arial Bold.ttf")),
]
_FAMILY = "Body"
BODY_SIZE = 8
LINE_HEIGHT = 4.0


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # millimetres; the last column takes what is left when 0


class PdfDocument:
    def __init__(self, title: str, footer: str):
        self._pdf = _Pages()
        self._unicode = _add_unicode_font(self._pdf)
        self._pdf.footer_text = self._safe(footer)
        self._pdf.set_title(self._safe(title))
        self._pdf.set_auto_page_break(True, margin=12)
        self._widths: dict[str, float] = {}
        self._font()
        self._pdf.add_page()

    @property
    def width(self) -> float:
        return self._pdf.epw

    def heading(self, text: str, size: int = 14) -> None:
        self._font(bold=True, size=size)
        self._pdf.ln(2)
        self._pdf.multi_cell(0, size * 0.5, self._safe(text), new_x="LMARGIN", new_y="NEXT")
        self._pdf.ln(1)
        self._font()

    def paragraph(self, text: str) -> None:
        self._font()
        self._pdf.multi_cell(0, LINE_HEIGHT + 0.5, self._safe(text), new_x="LMARGIN", new_y="NEXT")

    def facts(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Label: value lines, labels in bold."""
        self.table([Column("", 45), Column("", 0)], [list(pair) for pair in pairs], header=False, bold_first=True)

    def table(self, columns: Sequence[Column], rows: Sequence[Sequence[str]], header: bool = True, bold_first: bool = False) -> None:
        widths = self._column_widths(columns)
        if header:
            self._row([c.title for c in columns], widths, bold=True, fill=True)
        for cells in rows:
            lines = [self._wrap(text, width, bold_first and index == 0) for index, (text, width) in enumerate(zip(cells, widths))]
            height = LINE_HEIGHT * max(len(cell) for cell in lines)
            if self._pdf.get_y() + height > self._pdf.page_break_trigger:
                self._pdf.add_page()
                if header:
                    self._row([c.title for c in columns], widths, bold=True, fill=True)
            self._draw(lines, widths, height, bold_first)
        self._pdf.ln(2)

    def save(self, path: Path) -> None:
        self._pdf.output(str(path))

    # Layout

    def _column_widths(self, columns: Sequence[Column]) -> list[float]:
        fixed = sum(c.width for c in columns)
        return [c.width or max(self.width - fixed, 20) for c in columns]

    def _row(self, cells: Sequence[str], widths: list[float], bold: bool, fill: bool) -> None:
        lines = [self._wrap(text, width, bold) for text, width in zip(cells, widths)]
        self._font(bold=bold)
        height = LINE_HEIGHT * max(len(cell) for cell in lines)
        if fill:
            self._pdf.set_fill_color(225, 225, 225)
            self._pdf.rect(self._pdf.l_margin, self._pdf.get_y(), sum(widths), height, style="F")
        self._draw(lines, widths, height, bold_first=False)
        self._font()

    def _draw(self, lines: list[list[str]], widths: list[float], height: float, bold_first: bool) -> None:
        y, x = self._pdf.get_y(), self._pdf.l_margin
        for index, (cell, width) in enumerate(zip(lines, widths)):
            if bold_first and index == 0:
                self._font(bold=True)
            for number, line in enumerate(cell):
                self._pdf.set_xy(x, y + number * LINE_HEIGHT)
                self._pdf.cell(width, LINE_HEIGHT, line)
            if bold_first and index == 0:
                self._font()
            x += width
        self._pdf.set_xy(self._pdf.l_margin, y + height)

    def _wrap(self, text: str, width: float, bold: bool = False) -> list[str]:
        """Greedy word wrap with cached word widths; a word too long for the column is cut."""
        self._font(bold=bold)
        try:
            return self._wrapped(text, width - 2 * self._pdf.c_margin)
        finally:
            self._font()

    def _wrapped(self, text: str, available: float) -> list[str]:
        lines: list[str] = []
        for paragraph in self._safe(text).split("\n"):
            current, current_width = "", 0.0
            for word in paragraph.split():
                for piece in self._pieces(word, available):
                    piece_width = self._measure(piece)
                    if current and current_width + self._measure(" ") + piece_width > available:
                        lines.append(current)
                        current, current_width = piece, piece_width
                    elif current:
                        current, current_width = f"{current} {piece}", current_width + self._measure(" ") + piece_width
                    else:
                        current, current_width = piece, piece_width
            lines.append(current)
        return lines or [""]

    def _pieces(self, word: str, available: float) -> list[str]:
        if self._measure(word) <= available:
            return [word]
        pieces, current = [], ""
        for character in word:
            if current and self._measure(current + character) > available:
                pieces.append(current)
                current = ""
            current += character
        return pieces + [current]

    def _measure(self, text: str) -> float:
        key = f"{self._pdf.font_style}{self._pdf.font_size_pt}:{text}"
        width = self._widths.get(key)
        if width is None:
            width = self._widths[key] = self._pdf.get_string_width(text)
        return width

    def _font(self, bold: bool = False, size: int = BODY_SIZE) -> None:
        family = _FAMILY if self._unicode else "Helvetica"
        self._pdf.set_font(family, "B" if bold else "", size)

    def _safe(self, text: str) -> str:
        return text if self._unicode else latin1(text)


class _Pages(FPDF):
    def __init__(self):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.footer_text = ""

    def footer(self) -> None:
        self.set_y(-10)
        family, style, size = self.font_family, self.font_style, self.font_size_pt
        self.set_font(family, "", 7)
        self.cell(0, 4, f"{self.footer_text}    Page {self.page_no()} of {{nb}}", align="C")
        self.set_font(family, style, size)


def _add_unicode_font(pdf: FPDF) -> bool:
    for regular, bold in FONT_CANDIDATES:
        if regular.is_file():
            pdf.add_font(_FAMILY, "", str(regular))
            pdf.add_font(_FAMILY, "B", str(bold if bold.is_file() else regular))
            return True
    return False


def latin1(text: str) -> str:
    """Text the built-in PDF fonts can show: each other character as its plain letter, or '?'."""
    return "".join(_latin1_character(character) for character in text)


def _latin1_character(character: str) -> str:
    if ord(character) < 256:
        return character
    plain = "".join(c for c in unicodedata.normalize("NFKD", character) if not unicodedata.combining(c))
    return plain if plain and all(ord(c) < 256 for c in plain) else "?"
