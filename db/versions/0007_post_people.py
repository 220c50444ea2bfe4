"""Posts in the person index: the people a `post_approved` entry names or shows.

Revision ID: 0007
Revises: 0006

core.audit_index.involved_people now counts a post's `named_person_ids` and `shown_person_ids`, so
filtering the log by a person finds the posts that name them (withdrawal impact and the person
report already did). The index is derived data checked against that rule, so the posts logged
before this revision are indexed here: their missing (seq, person_id) rows are added. Only inserts:
the index is append-only (migration 0003's triggers), and the chain itself is not touched.
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from rws_desktop.core.kernel.audit_index import involved_people

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

CHUNK = 1000


def upgrade() -> None:
    connection = op.get_bind()
    entries = sa.table("audit_entry", sa.column("seq", sa.Integer()), sa.column("content", sa.Text()))
    audit_person = sa.table("audit_person", sa.column("seq", sa.Integer()), sa.column("person_id", sa.Integer()))
    last_seq = 0
    while True:
        rows = connection.execute(
            sa.select(entries.c.seq, entries.c.content)
            .where(entries.c.seq > last_seq, entries.c.content.like('%"post_approved"%'))
            .order_by(entries.c.seq)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        missing = []
        for seq, content in rows:
            try:
                parsed = json.loads(content)
            except ValueError:
                continue  # a damaged entry: the chain check reports it, not the migration
            if not isinstance(parsed, dict) or parsed.get("kind") != "post_approved":
                continue
            indexed = set(connection.execute(sa.select(audit_person.c.person_id).where(audit_person.c.seq == seq)).scalars())
            missing += [{"seq": seq, "person_id": person_id} for person_id in sorted(set(involved_people(parsed)) - indexed)]
        if missing:
            op.bulk_insert(audit_person, missing)
        last_seq = rows[-1][0]


def downgrade() -> None:
    # The rows added stay: the index is append-only. A downgraded app reads them as extra matches for a
    # person filter (posts that name the person), and its log check reports the difference.
    pass
