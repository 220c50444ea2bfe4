"""Import from the school's MIS: the file's columns matched to the register's fields (the usual Arbor,
SIMS and Bromcom headers are recognised), a preview of every row, then the valid rows imported at once.
The dialog only shows and asks; the workspace runs the preview and the import off the UI thread."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QStackedWidget, QTableView, QVBoxLayout, QWidget)

from ...core.register.mis_csv import FIELD_LABELS, CsvTable, MisField, detect_mapping
from ...core.register.mis_import import ImportPreview, ImportResult, RowStatus
from .import_preview import COLUMNS, ImportPreviewModel
from .tables import fill, text_table
from .wording import error_label, hint_label

NOT_IN_FILE = "(not in the file)"
SAMPLE_ROWS = 3


class ImportDialog(QDialog):
    preview_requested = Signal(object)  # dict: MisField -> header or None (object: Qt would turn enum keys into str)
    import_requested = Signal(object)
    leavers_requested = Signal(object)  # the ImportPreview whose absent pupils may have left

    def __init__(self, file_name: str, table: CsvTable, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Import from the MIS: {file_name}")
        self.resize(1120, 600)
        self.table = table
        self.preview: ImportPreview | None = None
        self.working = QLabel("")
        self.working.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.working)
        self.pages.addWidget(self._mapping_page())
        self.pages.addWidget(self._preview_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

    # Columns

    def _mapping_page(self) -> QWidget:
        page = QWidget()
        self.mapping_problem = error_label()
        self.columns: dict[MisField, QComboBox] = {}
        detected = detect_mapping(self.table.headers)
        form = QFormLayout()
        for field in MisField:
            combo = QComboBox()
            combo.setAccessibleName(FIELD_LABELS[field])
            combo.addItem(NOT_IN_FILE, None)
            for header in self.table.headers:
                combo.addItem(header, header)
            combo.setCurrentIndex(max(0, combo.findData(detected.get(field))) if field in detected else 0)
            self.columns[field] = combo
            form.addRow(f"{FIELD_LABELS[field]}:", combo)
        sample = text_table([(header or "(no header)", 110) for header in self.table.headers], "First rows of the file")
        fill(sample, [cells for _number, cells in self.table.rows[:SAMPLE_ROWS]])
        sample.setMaximumHeight(24 * (SAMPLE_ROWS + 2))
        self.to_preview = QPushButton("Preview")
        self.to_preview.setDefault(True)
        self.to_preview.clicked.connect(self.request_preview)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.to_preview)
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("<b>Which column holds what?</b> Choose the file's column for each field; "
                                "the UPN or admission number and the names are needed."))
        layout.addWidget(self.mapping_problem)
        layout.addLayout(form)
        layout.addWidget(QLabel("The first rows of the file:"))
        layout.addWidget(sample)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    def mapping(self) -> dict[MisField, str | None]:
        return {field: combo.currentData() for field, combo in self.columns.items()}

    def request_preview(self) -> None:
        chosen: dict[str, list[MisField]] = {}
        for field, header in self.mapping().items():
            if header is not None:
                chosen.setdefault(header, []).append(field)
        twice = {header: fields for header, fields in chosen.items() if len(fields) > 1}
        if twice:
            header, fields = next(iter(twice.items()))
            self.show_mapping(f"The column “{header}” is chosen for {len(fields)} fields "
                              f"({', '.join(FIELD_LABELS[f] for f in fields)}); each column can be used for one only.")
            return
        self.show_working("Working out what the import would change…")
        self.preview_requested.emit(self.mapping())

    # Preview

    def _preview_page(self) -> QWidget:
        page = QWidget()
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.only = QComboBox()
        self.only.setAccessibleName("Show rows")
        self.only.addItem("All rows", None)
        for status in RowStatus:
            self.only.addItem(f"{status.value.capitalize()} only", status.value)
        self.only.currentIndexChanged.connect(
            lambda: self.rows.show_only(RowStatus(self.only.currentData()) if self.only.currentData() else None))
        self.rows = ImportPreviewModel(self)
        self.view = QTableView()
        self.view.setTabKeyNavigation(False)  # Tab moves on to the next control; arrows move within
        self.view.setAccessibleName("Import preview")
        self.view.setModel(self.rows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.horizontalHeader().setStretchLastSection(True)
        for column, (_title, width, _meaning) in enumerate(COLUMNS):
            self.view.setColumnWidth(column, width)
        self.absent = QLabel("")
        self.absent.setWordWrap(True)
        self.review_leavers = QPushButton("Review possible leavers…")
        self.review_leavers.clicked.connect(lambda: self.leavers_requested.emit(self.preview))
        self.outcome = QLabel("")
        self.outcome.setWordWrap(True)
        self.back = QPushButton("Change columns…")
        self.back.clicked.connect(lambda: self.show_mapping())
        self.do_import = QPushButton("Import")
        self.do_import.clicked.connect(self._import)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.close)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.only)
        absent = QHBoxLayout()
        absent.addWidget(self.absent, 1)
        absent.addWidget(self.review_leavers)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back)
        buttons.addStretch(1)
        buttons.addWidget(self.do_import)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addLayout(absent)
        layout.addWidget(hint_label("Only valid rows are imported, all together: if anything goes wrong nothing is "
                                    "changed. A blank cell never clears what the register holds, and nobody is marked "
                                    "as a leaver by the import."))
        layout.addWidget(self.outcome)
        layout.addLayout(buttons)
        return page

    def show_working(self, text: str) -> None:
        self.working.setText(text)
        self.pages.setCurrentIndex(0)

    def show_mapping(self, problem: str = "") -> None:
        self.mapping_problem.setText(problem)
        self.mapping_problem.setVisible(bool(problem))
        self.pages.setCurrentIndex(1)

    def show_preview(self, preview: ImportPreview) -> None:
        self.preview = preview
        self.rows.set_rows(preview.rows)
        counts = ", ".join(f"{preview.count(status)} {status.value}" for status in RowStatus)
        self.summary.setText(f"<b>{len(preview.rows)} rows: {counts}.</b>")
        importable = preview.count(RowStatus.NEW) + preview.count(RowStatus.CHANGED)
        self.do_import.setText(f"Import {importable} row{'s' if importable != 1 else ''}" if importable
                               else "Nothing to import")
        self.do_import.setEnabled(bool(importable))
        absent = len(preview.absent)
        self.absent.setText(f"{absent} current pupil{'s are' if absent != 1 else ' is'} not in this file; if it is a "
                            "full export they may have left." if absent else "")
        self.review_leavers.setVisible(bool(absent))
        self.outcome.setText("")
        self.back.setEnabled(True)
        self.pages.setCurrentIndex(2)

    def _import(self) -> None:
        self.do_import.setEnabled(False)
        self.back.setEnabled(False)
        self.outcome.setText("Importing…")
        self.import_requested.emit(self.mapping())

    def show_imported(self, result: ImportResult) -> None:
        self.show_preview(result.preview)
        self.outcome.setText(f"<b>Imported: {result.created} added, {result.updated} updated</b>, "
                             "and recorded in the audit log. Importing the same file again would change nothing.")
        self.do_import.setText("Imported")
        self.do_import.setEnabled(False)

    def show_import_failed(self, text: str) -> None:
        self.outcome.setText(f"Nothing was imported: {text}")
        self.do_import.setEnabled(True)
        self.back.setEnabled(True)
