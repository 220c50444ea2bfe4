"""Face thumbnails encrypted at rest, like the reference encodings they go with.

Revision ID: 0008
Revises: 0007

A thumbnail is biometric data (re-encoded, 3 of 4 matched their person within the match threshold),
yet until now it was stored in plain JPEG. From this version the app encrypts each one with the
reference-face key as it is written (storage/template_cipher.py).

A migration holds no key (as for 0004's encodings and 0005's seals), so the thumbnails already
stored are encrypted at the first start that holds the reference-face and audit-log keys, right
after they are unlocked (storage/thumbnail_encryption.py): in one transaction, each plain thumbnail
is encrypted in place, each row whose seal held is sealed again, as made by one
`reference_face_thumbnails_encrypted` entry, and the column added here is set so that is done once.
On SQLite the write-ahead log is then emptied into the file, whose secure_delete pragma has already
overwritten the plain bytes. Until then a plain thumbnail is not shown.

Downgrade drops the column only: encrypted thumbnails stay encrypted (an older version shows them as
missing, as for faces enrolled before thumbnails), and upgrading again finds nothing plain to encrypt.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("template_key", sa.Column("thumbnails_encrypted", sa.Boolean(), nullable=False,
                                            server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("template_key") as batch:
        batch.drop_column("thumbnails_encrypted")
