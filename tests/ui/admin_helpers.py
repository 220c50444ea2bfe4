"""An app on an empty database, for the setup assistant and the admin workspace's tests."""
from __future__ import annotations

from pathlib import Path

from rws_desktop.app import App
from sessions import TEST_PASSWORD

HEAD = "HT"  # the first admin in these tests (not a policy channel admin)


def empty_app(folder: Path) -> App:
    return App.open(f"sqlite:///{folder / 'rws.sqlite3'}", workers=1)


def admin_app(folder: Path) -> App:
    """A new database whose first admin, HT, is signed in."""
    app = empty_app(folder)
    app.sign_ins.create_first_admin(HEAD, "Test Head", TEST_PASSWORD)
    app.sign_in(HEAD, TEST_PASSWORD)
    return app


def audit_kinds(app: App) -> list[str]:
    import json

    with app.database.transaction() as tx:
        return [json.loads(record.content_json)["kind"] for record in tx.audit.records()]
