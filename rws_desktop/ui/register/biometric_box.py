"""Biometric consent (Protection of Freedoms Act 2012): the rule that applies, the answers recorded,
and what follows: recognised, or always blurred."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from ...core.kernel.consent import BiometricConsent, biometric_verdict
from ...core.register.person_details import PersonDetails, recognition_words
from ..help.guide import what_does_this_mean
from .wording import BLURRED_COLOUR, SHOWN_COLOUR, error_label

NOT_RECORDED, YES, NO = "Not recorded", "Yes", "No"
CHILD_QUESTIONS = (("parent_consent", "A parent consents in writing:"),
                   ("parent_objection", "A parent objects in writing:"),
                   ("pupil_objection", "The pupil objects:"))
ADULT_QUESTIONS = (("adult_consent", "They consent for themself:"),
                   ("pupil_objection", "They object:"))


class BiometricBox(QGroupBox):
    save_requested = Signal(object)  # dict: answer name -> bool, only the answers given

    def __init__(self, parent=None):
        super().__init__("Biometric consent: may they be recognised?", parent)
        self.rule = QLabel("")
        self.rule.setWordWrap(True)
        self.answers: dict[str, QComboBox] = {}
        self.form = QFormLayout()
        for name, _label in ADULT_QUESTIONS[:1] + CHILD_QUESTIONS:  # consent before objections, for either
            combo = QComboBox()
            combo.setAccessibleName(name)
            for text, value in ((NOT_RECORDED, None), (YES, True), (NO, False)):
                combo.addItem(text, value)
            self.answers[name] = combo
            self.form.addRow(_label, combo)
            combo.currentIndexChanged.connect(self._preview)
        self.verdict = QLabel("")
        self.verdict.setWordWrap(True)
        self.save = QPushButton("Save answers")
        self.error = error_label()
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.rule)
        self.meaning = what_does_this_mean("biometric")
        layout.addWidget(self.meaning)
        layout.addLayout(self.form)
        layout.addWidget(self.verdict)
        layout.addLayout(buttons)
        self.save.clicked.connect(self._save)
        self._adult = False
        self._details: PersonDetails | None = None
        self._today = date.today()
        self._loading = False

    def show_details(self, details: PersonDetails, adult: bool, today: date | None = None) -> None:
        self._adult, self._details, self._today = adult, details, today or date.today()
        self._loading = True  # setting the saved answers is not a change to preview
        self.rule.setText(details.biometric_rule)
        questions = dict(ADULT_QUESTIONS if adult else CHILD_QUESTIONS)
        for name, combo in self.answers.items():
            self.form.setRowVisible(combo, name in questions)
            if name in questions:
                self.form.labelForField(combo).setText(questions[name])
            value = getattr(details.biometric, name) if details.biometric else None
            combo.setCurrentIndex(combo.findData(value))
            # An answer once recorded can be changed, not un-recorded.
            combo.model().item(0).setEnabled(value is None)
        self._loading = False
        self._show_verdict("", details.biometric_verdict.allowed, details.recognition)
        self.error.setText("")

    def given(self) -> dict[str, bool]:
        """The answers shown on screen for this person's questions, leaving out those not recorded."""
        shown = dict(ADULT_QUESTIONS if self._adult else CHILD_QUESTIONS)
        return {name: combo.currentData() for name, combo in self.answers.items()
                if name in shown and combo.currentData() is not None}

    def _preview(self) -> None:
        """As an answer changes, say what saving would mean, before Save is pressed."""
        details = self._details
        if self._loading or details is None:
            return
        saved = details.biometric or BiometricConsent(details.person.id)
        proposed = replace(saved, **self.given())
        if proposed == saved:
            self._show_verdict("", details.biometric_verdict.allowed, details.recognition)
            return
        verdict = biometric_verdict(details.person, proposed, self._today)
        self._show_verdict("If you save these answers: ", verdict.allowed, recognition_words(verdict))

    def _show_verdict(self, prefix: str, allowed: bool, words: str) -> None:
        self.verdict.setText(f"{prefix}<b>{words[0].upper()}{words[1:]}.</b>")
        self.verdict.setStyleSheet(f"color: {(SHOWN_COLOUR if allowed else BLURRED_COLOUR).name()};")

    def _save(self) -> None:
        self.save_requested.emit(self.given())
