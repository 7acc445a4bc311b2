"""Alembic's environment: migrations run on the connection ``service.store.schema`` hands over.

There is no alembic.ini: the caller opens the connection (and holds the lock that
keeps two processes from migrating at once), so this only configures and runs.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable through the alembic CLI
    raise RuntimeError("run migrations with 'planreview db upgrade', not the alembic command")

context.configure(
    connection=connection,
    target_metadata=None,
    # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
