"""Schema management: Alembic migrations, run by one process at a time.

``upgrade`` brings a database to the newest revision. Several servers starting
together on one database must not migrate it at the same time, so the work is
done under a lock: ``pg_advisory_xact_lock`` on Postgres (held by the migrating
transaction, released at its commit, so the next server then finds the database
already current), a file lock beside the database file on SQLite. A database
already at the newest revision is recognised with one query and left alone.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any fixed 64-bit number works; this one reads "planrev" in ASCII.
ADVISORY_LOCK_KEY = 0x706C616E726576
VERSION_TABLE = "alembic_version"


def _config(connection: Connection | None = None) -> object:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest revision shipped with this version."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()  # type: ignore[arg-type]
    assert head is not None, "no migrations shipped"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None when it has never been migrated."""
    try:
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    except (OperationalError, ProgrammingError) as exc:
        if _missing_table(exc):
            return None
        raise


def _missing_table(exc: Exception) -> bool:
    message = str(getattr(exc, "orig", exc)).lower()
    return "no such table" in message or "does not exist" in message


@contextlib.contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    """SQLite: an exclusive lock on ``<database file>.migrate.lock`` (none for :memory:)."""
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    lock_path = Path(database + ".migrate.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def upgrade(engine: Engine, revision: str = "head") -> bool:
    """Migrate to ``revision`` (default the newest); False when it was already there."""
    from alembic import command

    target = head_revision() if revision == "head" else revision
    if current_revision(engine) == target:
        return False
    is_sqlite = engine.dialect.name == "sqlite"
    with _file_lock(engine) if is_sqlite else contextlib.nullcontext(), engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
        if _revision_on(conn) == target:  # another process migrated it meanwhile
            return False
        command.upgrade(_config(conn), revision)  # type: ignore[arg-type]
    return True


def _revision_on(conn: Connection) -> str | None:
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
