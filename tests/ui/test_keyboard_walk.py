"""Keyboard access: from the first control of each workspace (Vet photos, Consent register, Audit log, Admin) and of
each page of the setup assistant, pressing Tab reaches every button a person could press there. A button Tab never
reaches is named, so it can be fixed."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication, QTabWidget

from admin_helpers import empty_app
from keyboard_walk import buttons_to_reach, first_focusable, tab_walk, unreachable_buttons
from rws_desktop.core.kernel.consent import PersonKind
from rws_desktop.core.kernel.ports import NewPerson
from rws_desktop.ui.admin.setup_assistant import SetupAssistant
from rws_desktop.ui.main_window import MainWindow
from sessions import TEST_PASSWORD


def shown_and_active(qtbot, widget) -> None:
    widget.resize(1366, 768)
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget, timeout=10_000)


def walk_each_page(qtbot, root, checked: set[str]) -> dict[str, list[str]]:
    """Walk `root` with Tab as it is, then with each page of each tab widget in it shown (the Admin workspace's
    pages, a person's Consent and Recognition tabs): the buttons missed, by page. Adds the buttons checked to
    `checked`."""
    def walk() -> list[str]:
        checked.update(button.text().replace("&", "") for button in buttons_to_reach(root))
        return unreachable_buttons(root, tab_walk(first_focusable(root)))

    missed = {"": walk()}
    for tabs in [tabs for tabs in root.findChildren(QTabWidget) if tabs.isVisibleTo(root.window())]:
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            qtbot.wait(50)
            missed[tabs.tabText(index)] = walk()
    return {page: buttons for page, buttons in missed.items() if buttons}


def test_tab_reaches_every_button_of_every_workspace(qtbot, head, settings):
    """Each workspace of the main window (a person chosen in the register, so their panel is open), each page of
    its tab widgets shown in turn, walked with Tab from its first control: no button is left out, and no control
    keeps the focus (the audit log's date filters and the tables once did)."""
    person = head.register.add_person(NewPerson("Ada Example", PersonKind.STAFF))
    window = MainWindow(head, settings, warm_workers=False)
    qtbot.addWidget(window)
    shown_and_active(qtbot, window)
    qtbot.waitUntil(lambda: not window.admin.busy and not window.register.busy, timeout=10_000)
    window.register.select_person(person.id)
    qtbot.waitUntil(lambda: window.register.panel.details is not None and not window.register.busy, timeout=10_000)
    missed, checked = {}, set()
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        qtbot.wait(50)
        found = walk_each_page(qtbot, window.tabs.widget(index), checked)
        if found:
            missed[window.tabs.tabText(index)] = found
    assert {window.tabs.tabText(i) for i in range(window.tabs.count())} == {
        "Vet photos", "Consent register", "Audit log", "Admin"}
    assert {"Add photos…", "Add person…", "Save consent", "Save answers", "Save details",
            "Governors' PDF…", "Add account…", "Record the DPIA", "Export for another PC…"} <= checked
    assert missed == {}
    window.close()


def test_tab_reaches_every_button_on_each_page_of_the_setup_assistant(qtbot, tmp_path):
    """Every page of the setup assistant, from the first admin to the summary, with the assistant's own buttons
    (Back, Next, Skip this step, Cancel, Finish): Tab reaches each button that can be pressed on the page."""
    from PySide6.QtCore import QDate

    app = empty_app(tmp_path)
    assistant = SetupAssistant(app)
    qtbot.addWidget(assistant)
    shown_and_active(qtbot, assistant)
    missed, pages = {}, []

    def walk_page() -> None:
        qtbot.waitUntil(lambda: not assistant.busy, timeout=20_000)
        qtbot.wait(50)
        page = assistant.currentPage()
        pages.append(page.title())
        try:
            start = first_focusable(page)
        except AssertionError:  # nothing to fill in (the MIS step for someone without the office role)
            start = first_focusable(assistant)
        found = unreachable_buttons(assistant, tab_walk(start))
        if found:
            missed[page.title()] = found

    walk_page()
    first = assistant.first_admin
    first.initials.setText("HT")
    first.name.setText("Head Example")
    first.password.setText(TEST_PASSWORD)
    first.again.setText(TEST_PASSWORD)
    assistant.next()
    walk_page()
    form = assistant.dpia.form
    form.reference.setText("DPIA-2026-01")
    form.assessed_on.setDate(QDate.currentDate().addDays(-30))
    form.dpo.setText("DPO Example")
    for _ in range(3):  # the DPIA, the channel admins, the staff accounts
        assistant.next()
        walk_page()
    assistant.skip()  # the MIS import, then the summary
    walk_page()
    assert len(pages) == 6 and len(set(pages)) == 6, pages
    assert missed == {}
    assistant.reject()
    app.close()


def test_the_walk_names_a_button_tab_cannot_reach_and_a_control_that_keeps_the_focus(qtbot):
    """A button taken out of the tab order is named; so is one behind a control that keeps the focus (Qt's date edit
    showing "any", as the audit log's filters did). So the walks here can fail."""
    from PySide6.QtCore import QDate, Qt
    from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QPushButton, QWidget

    root = QWidget()
    qtbot.addWidget(root)
    row = QHBoxLayout(root)
    first, hidden_from_tab = QPushButton("First"), QPushButton("Mouse only")
    hidden_from_tab.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    sticky = QDateEdit()
    sticky.setMinimumDate(QDate(2000, 1, 1))
    sticky.setSpecialValueText("From: any")
    sticky.setDate(QDate(2000, 1, 1))
    behind = QPushButton("Behind the date")
    for widget in (first, hidden_from_tab, sticky, behind):
        row.addWidget(widget)
    shown_and_active(qtbot, root)
    assert unreachable_buttons(root, tab_walk(first, presses=30)) == [
        "QPushButton 'Behind the date'", "QPushButton 'Mouse only'"]
