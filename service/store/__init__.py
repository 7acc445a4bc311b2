"""Persistence of reviews, batches, jobs, API keys and idempotency records.

SQLite (WAL mode) under the data dir by default; ``DATABASE_URL`` (or
``PLANREVIEW_DATABASE_URL``) selects another database such as Postgres.
Nothing here knows about HTTP: the API translates these records.
"""

from service.store.db import Database, database_url

__all__ = ["Database", "database_url"]
