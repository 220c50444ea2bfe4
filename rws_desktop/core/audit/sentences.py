"""A sentence for each kind of audit entry about accounts, the register's bulk jobs, keys, backups,
checkpoints and posts: what the log view, the exports and the governors' PDF say instead of raw
`key: value` text. Photo and consent entries are described in describe.py, beside their face detail.

Each function takes the entry and a way to name a person id; entries are whatever was logged, so
every field may be missing or odd."""
from __future__ import annotations

from typing import Any, Callable

from ..kernel.wording import counted

Name = Callable[[int], str]

LABELS = {
    "person_updated": "Person updated",
    "reference_face_removed": "Reference face removed",
    "mis_import": "MIS import",
    "year_end_applied": "Year end applied",
    "account_added": "Account added",
    "account_roles_changed": "Account roles changed",
    "account_locked": "Account locked",
    "account_unlocked": "Account unlocked",
    "password_reset": "Temporary password given",
    "password_changed": "Password changed",
    "action_refused": "Action refused",
    "dpia_recorded": "DPIA recorded",
    "channel_admins_changed": "Channel admins changed",
    "audit_checkpoint_saved": "Checkpoint saved",
    "database_backed_up": "Database backed up",
    "database_restored": "Database restored",
    "reference_face_key_created": "Reference-face key created",
    "reference_face_key_exported": "Reference-face key exported",
    "reference_face_key_imported": "Reference-face key imported",
    "reference_face_thumbnails_encrypted": "Face thumbnails encrypted",
    "audit_log_keyed": "Log keyed",
    "audit_entries_adopted": "Entries vouched for",
    "post_approved": "Post approved",
    "reference_faces_deleted": "Reference faces deleted",
    "post_not_written": "Post not written",
}


def _text(value: object, empty: str = "") -> str:
    return empty if value in (None, "") else str(value)


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _listed(value: object, empty: str = "nobody") -> str:
    items = [str(item) for item in value] if isinstance(value, list) else []
    return ", ".join(items) if items else empty


def _person(content: dict[str, Any], name: Name) -> str:
    person_id = _count(content.get("person_id"))
    return "someone" if person_id is None else name(person_id)


def _deleted(content: dict[str, Any]) -> str:
    deleted = _count(content.get("reference_faces_deleted"))
    return f"; {counted(deleted, 'reference face')} deleted" if deleted else ""


def _via(content: dict[str, Any]) -> str:
    return " (from the MIS import)" if content.get("via") == "mis_import" else ""


def person_updated(content, name):
    changed = _listed(content.get("changed"), "details").replace("_", " ")
    return f"{_person(content, name)}: {changed} changed{_via(content)}{_deleted(content)}"


def reference_face_removed(content, name):
    return f"{_person(content, name)}: a reference face removed"


def mis_import(content, name):
    figures = [(content.get("created"), "added"), (content.get("changed"), "updated"),
               (content.get("unchanged"), "unchanged"), (content.get("invalid"), "refused as invalid")]
    parts = [f"{count} {word}" for count, word in figures if _count(count) is not None]
    rows = _count(content.get("rows"))
    return "MIS import" + (f" of {counted(rows, 'row')}" if rows is not None else "") + (
        f": {', '.join(parts)}" if parts else "")


def year_end_applied(content, name):
    renewed, expired = content.get("renewed"), content.get("expired")
    counts = [f"{len(v)} {word}" for v, word in ((renewed, "renewed"), (expired, "left to expire")) if isinstance(v, list)]
    return f"Year end {_text(content.get('year_end'), 'applied')}" + (f": {', '.join(counts)}" if counts else "")


def account_added(content, name):
    roles = _listed(content.get("roles"), "no role")
    first = " as the first admin" if content.get("first_admin") else ""
    return f"Account {_text(content.get('account'), '?')} added{first} ({roles})"


def account_roles_changed(content, name):
    return (f"Roles of {_text(content.get('account'), '?')} changed from {_listed(content.get('before'), 'none')} "
            f"to {_listed(content.get('after'), 'none')}")


def account_locked(content, name):
    until = f" until {_text(content.get('until'))}" if content.get("until") else ""
    reason = f": {_text(content.get('reason'))}" if content.get("reason") else ""
    return f"Account {_text(content.get('account'), '?')} locked{until}{reason}"


def account_unlocked(content, name):
    return f"Account {_text(content.get('account'), '?')} unlocked"


def password_reset(content, name):
    return f"A temporary password was given to {_text(content.get('account'), '?')}"


def password_changed(content, name):
    return f"{_text(content.get('account'), 'Someone')} chose a new password"


def action_refused(content, name):
    action = _text(content.get("action"), "an action").replace("_", " ")
    where = f" on {_text(content.get('channel'))}" if content.get("channel") else ""
    reason = f": {_text(content.get('reason'))}" if content.get("reason") else ""
    return f"{_text(content.get('user'), 'Someone')} was refused {action}{where}{reason}"


def dpia_recorded(content, name):
    return (f"DPIA {_text(content.get('reference'), '(no reference)')} recorded, assessed on "
            f"{_text(content.get('assessed_on'), 'an unrecorded date')} and signed off by "
            f"{_text(content.get('dpo'), 'an unnamed DPO')}")


def channel_admins_changed(content, name):
    return (f"Admins of {_text(content.get('channel'), 'a channel')}: now {_listed(content.get('after'))} "
            f"(were {_listed(content.get('before'))})")


def audit_checkpoint_saved(content, name):
    fingerprint = _text(content.get("fingerprint"))[:16]
    return (f"Checkpoint saved at entry {_text(content.get('checkpoint_entry'), '?')}"
            + (f", key fingerprint {fingerprint}…" if fingerprint else ""))


def database_backed_up(content, name):
    entries = _count(content.get("entries"))
    return (f"Database backed up to {_text(content.get('file'), 'a file')}"
            + (f" with {counted(entries, 'log entry', 'log entries')}" if entries is not None else "")
            + (f"; integrity check {_text(content.get('integrity'))}" if content.get("integrity") else ""))


def database_restored(content, name):
    kept = f"; the previous database was kept as {_text(content.get('previous_file_kept_as'))}" \
        if content.get("previous_file_kept_as") else ""
    return f"Database restored from {_text(content.get('file'), 'a backup')}{kept}"


def reference_face_key_created(content, name):
    sealed = _count(content.get("reference_faces_encrypted"))
    return "Reference-face key created" + (f"; {counted(sealed, 'reference face')} encrypted with it" if sealed else "")


def reference_face_key_exported(content, name):
    return f"The reference-face key was exported by {_text(content.get('user'), 'someone')}"


def reference_face_key_imported(content, name):
    return f"The reference-face key was imported by {_text(content.get('user'), 'someone')}"


def reference_face_thumbnails_encrypted(content, name):
    count = _count(content.get("thumbnails_encrypted")) or 0
    outside = _count(content.get("changed_outside_the_app"))
    note = f" ({counted(outside, 'was', 'were')} changed outside the app and stay untrusted)" if outside else ""
    return f"{counted(count, 'face thumbnail')} stored unencrypted by an older version encrypted with the reference-face key{note}"


def audit_log_keyed(content, name):
    return f"The log is keyed from entry {_text(content.get('keyed_from'), '?')} on: later entries cannot be forged quietly"


def audit_entries_adopted(content, name):
    entries = content.get("entries")
    count = len(entries) if isinstance(entries, list) else 0
    return f"{counted(count, 'entry', 'entries')} written before this computer had the log key vouched for"


def post_approved(content, name):
    media = content.get("media")
    files = len(media) if isinstance(media, list) else 0
    named = [name(i) for i in content.get("named_person_ids") or [] if _count(i) is not None]
    shown = [name(i) for i in content.get("shown_person_ids") or [] if _count(i) is not None]
    text = f"Post for {_text(content.get('channel'), 'a channel')} approved: {counted(files, 'file')}"
    text += f"; names {', '.join(named)}" if named else "; names nobody"
    text += f"; shows {', '.join(shown)}" if shown else ""
    confirmations = content.get("confirmations")
    if isinstance(confirmations, list) and confirmations:
        text += f"; {counted(len(confirmations), 'name')} confirmed by hand"
    return text


def post_not_written(content, name):
    discarded = content.get("discarded")
    count = len(discarded) if isinstance(discarded, list) else 0
    reason = f": {_text(content.get('reason'))}" if content.get("reason") else ""
    return (f"The posting pack for {_text(content.get('channel'), 'a channel')} was not written{reason}; "
            f"the safe copies of {counted(count, 'entry', 'entries')} were discarded")


def reference_faces_deleted(content, name):
    reason = f" ({_text(content.get('reason'))})" if content.get("reason") else ""
    deleted = _count(content.get("reference_faces_deleted")) or 0
    return f"{_person(content, name)}: {counted(deleted, 'reference face')} deleted{reason}"


SENTENCES: dict[str, Callable[[dict[str, Any], Name], str]] = {
    kind: globals()[kind] for kind in LABELS
}
