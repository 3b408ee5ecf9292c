"""briefing videos and editor captions

Revision ID: 0666c4091031
Revises: faee149c881e
Create Date: 2026-11-27 14:44:02.504418

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0666c4091031'
down_revision = 'faee149c881e'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # Enum types are real types on PostgreSQL; elsewhere the column is a VARCHAR.
        op.execute("ALTER TYPE media_kind ADD VALUE IF NOT EXISTS 'briefing'")
    with op.batch_alter_table('media_assets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('captions', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))
        if bind.dialect.name != "postgresql":
            batch_op.alter_column('kind', existing_type=sa.VARCHAR(length=5),
                                  type_=sa.Enum('audio', 'video', 'briefing', name='media_kind'),
                                  existing_nullable=False)


def downgrade():
    bind = op.get_bind()
    op.execute("DELETE FROM media_assets WHERE kind = 'briefing'")
    with op.batch_alter_table('media_assets', schema=None) as batch_op:
        batch_op.drop_column('captions')
    if bind.dialect.name == "postgresql":
        # PostgreSQL cannot drop one value from an enum: rebuild the type without it.
        op.execute("ALTER TYPE media_kind RENAME TO media_kind_old")
        op.execute("CREATE TYPE media_kind AS ENUM ('audio', 'video')")
        op.execute("ALTER TABLE media_assets ALTER COLUMN kind TYPE media_kind "
                   "USING kind::text::media_kind")
        op.execute("DROP TYPE media_kind_old")
