"""web page: each event's report outlets and languages, kept on the event

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BATCH = 5000


def _packed(values: set[str]) -> str:
    # The format `monitor.events.summary` writes; repeated so this revision keeps meaning
    # what it meant when it ran.
    return "|" + "|".join(sorted(values)) + "|" if values else ""


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("report_sources", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("report_langs", sa.String(length=100), server_default="", nullable=False)
        )
    bind = op.get_bind()
    found: dict[int, tuple[set[str], set[str]]] = {}
    rows = bind.execute(
        sa.text(
            "SELECT d.event_id, a.source, a.lang FROM detections AS d "
            "JOIN articles AS a ON a.id = d.article_id WHERE d.event_id IS NOT NULL"
        )
    )
    for event_id, source, lang in rows:
        sources, langs = found.setdefault(int(event_id), (set(), set()))
        if source:
            sources.add(source)
        if lang:
            langs.add(lang)
    update = sa.text("UPDATE events SET report_sources = :s, report_langs = :l WHERE id = :id")
    values = [
        {"id": event_id, "s": _packed(sources), "l": _packed(langs)}
        for event_id, (sources, langs) in found.items()
    ]
    for start in range(0, len(values), BATCH):
        bind.execute(update, values[start : start + BATCH])


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("report_langs")
        batch_op.drop_column("report_sources")
