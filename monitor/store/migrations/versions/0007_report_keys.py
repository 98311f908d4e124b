"""stored grouping reports and their index

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

Grouping used to re-read the article texts of every candidate event. Each detection now keeps
its comparable report (`detections.report`), and `report_keys` finds candidate events by party
and date. Detections already in an event get their keys here, from stored columns only; their
reports are reduced from the article the first time grouping needs them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("detections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("report", sa.JSON(), nullable=True))
    op.create_table(
        "report_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("detection_id", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(length=50), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["detection_id"], ["detections.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("report_keys", schema=None) as batch_op:
        batch_op.create_index("ix_report_keys_detection_id", ["detection_id"], unique=False)
        batch_op.create_index("ix_report_keys_party_date", ["party", "date"], unique=False)
        batch_op.create_index(
            "ix_report_keys_party_published", ["party", "published"], unique=False
        )
    _backfill()


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _backfill() -> None:
    bind = op.get_bind()
    meta = sa.MetaData()
    detections = sa.Table("detections", meta, autoload_with=bind)
    articles = sa.Table("articles", meta, autoload_with=bind)
    keys = sa.Table("report_keys", meta, autoload_with=bind)
    rows = bind.execute(
        sa.select(detections.c.id, detections.c.parties, detections.c.fields, articles.c.published)
        .join(articles, detections.c.article_id == articles.c.id)
        .where(detections.c.event_id.is_not(None))
    )
    batch: list[dict[str, Any]] = []
    for det_id, parties, fields, published in rows:
        date = _day((fields or {}).get("date"))
        for party in dict.fromkeys(parties or ()):
            batch.append(
                {"detection_id": det_id, "party": party, "date": date, "published": _day(published)}
            )
    if batch:
        bind.execute(sa.insert(keys), batch)


def downgrade() -> None:
    with op.batch_alter_table("report_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_report_keys_party_published")
        batch_op.drop_index("ix_report_keys_party_date")
        batch_op.drop_index("ix_report_keys_detection_id")
    op.drop_table("report_keys")
    with op.batch_alter_table("detections", schema=None) as batch_op:
        batch_op.drop_column("report")
