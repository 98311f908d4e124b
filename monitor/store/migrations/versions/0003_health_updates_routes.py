"""source health, article updates, alerts without an event

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("route", sa.String(length=100), nullable=True))
        batch_op.alter_column("event_id", existing_type=sa.INTEGER(), nullable=True)

    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))

    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_crawl_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("health", sa.String(length=20), nullable=False, server_default="ok")
        )
        batch_op.add_column(sa.Column("health_changed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("health_changed_at")
        batch_op.drop_column("health")
        batch_op.drop_column("next_crawl_at")

    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("updated_at")

    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.alter_column("event_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("route")
