"""The database: engine, sessions, schema creation.

SQLite gets WAL mode (readers never block the writer), a busy timeout and
foreign keys; any other URL is used as given (``postgresql+psycopg://…``; a plain
``postgresql://`` means psycopg 3, from ``pip install 'planreview[server]'``).
The schema is Alembic's (:mod:`service.store.schema`).
A database that cannot be written or reached (disk full, read-only, locked,
down) raises :class:`StorageUnavailable` from every session, so the edges can
say so (503, retryable) instead of reporting a bug.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from service.errors import ConfigError, StorageUnavailable
from service.settings import Settings
from service.store.tables import ProbeRow, utcnow

DB_FILE = "planreview.db"


def database_url(settings: Settings) -> str:
    """DATABASE_URL when set, else SQLite in the data dir (created when missing)."""
    if settings.database_url:
        return settings.database_url
    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir / DB_FILE}"


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3, the driver the server extra installs."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    return url


def _scheme(url: str) -> str:
    """The URL's scheme only: never its password."""
    return url.partition("://")[0] or "this URL"


def storage_error(exc: OperationalError) -> StorageUnavailable:
    """The driver's own reason (its first line, never the SQL or its parameters)."""
    reason = str(getattr(exc, "orig", None) or "the database did not answer").splitlines()[0]
    return StorageUnavailable(
        f"the database is unavailable: {reason[:200]}",
        hint="retry later; an operator should check the database's disk space, "
        "permissions and connection",
    )


def _rollback_quietly(session: Session) -> None:
    with contextlib.suppress(Exception):  # the connection may be gone as well
        session.rollback()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    """One engine and session factory per process; ``upgrade`` migrates the schema."""

    def __init__(self, url: str) -> None:
        url = normalise_url(url)
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"pool_pre_ping": not self.is_sqlite}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
            kwargs["pool_size"] = 16
            kwargs["max_overflow"] = 16
        try:
            self.engine: Engine = create_engine(url, **kwargs)
        except ModuleNotFoundError as exc:
            raise ConfigError(
                f"the database driver for {_scheme(url)} is not installed ({exc.name})",
                hint="install the server extra: pip install 'planreview[server]'",
            ) from None
        except ArgumentError as exc:
            raise ConfigError(
                f"PLANREVIEW_DATABASE_URL is not a database URL: {str(exc).splitlines()[0][:200]}",
                hint="write it as postgresql+psycopg://user:password@host/dbname or sqlite:///path",
            ) from None
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        db = cls(database_url(settings))
        db.upgrade()
        return db

    def upgrade(self) -> bool:
        """Bring the schema to the newest migration (see :mod:`service.store.schema`);
        False when it already was. A database that cannot be reached raises
        :class:`StorageUnavailable`."""
        from service.store.schema import upgrade

        try:
            return upgrade(self.engine)
        except OperationalError as exc:
            raise storage_error(exc) from exc

    def revision(self) -> str | None:
        """The schema revision the database is at (None: never migrated)."""
        from service.store.schema import current_revision

        try:
            return current_revision(self.engine)
        except OperationalError as exc:
            raise storage_error(exc) from exc

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            _rollback_quietly(session)
            raise storage_error(exc) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def writable(self) -> bool:
        """Whether a write commits now (readiness: a full disk or a read-only file fails it)."""
        try:
            with self.session() as s:
                s.merge(ProbeRow(id=1, at=utcnow()))
            return True
        except Exception:
            return False

    def ping(self) -> bool:
        from sqlalchemy import text

        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def dispose(self) -> None:
        self.engine.dispose()
