"""The database: engine, sessions, schema creation.

SQLite gets WAL mode (readers never block the writer), a busy timeout and
foreign keys; any other URL is used as given (``postgresql+psycopg://…``).
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
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from service.errors import StorageUnavailable
from service.settings import Settings
from service.store.tables import Base, ProbeRow, utcnow

DB_FILE = "planreview.db"


def database_url(settings: Settings) -> str:
    """DATABASE_URL when set, else SQLite in the data dir (created when missing)."""
    if settings.database_url:
        return settings.database_url
    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir / DB_FILE}"


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
    """One engine and session factory per process; ``create_all`` makes missing tables."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"pool_pre_ping": not self.is_sqlite}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
            kwargs["pool_size"] = 16
            kwargs["max_overflow"] = 16
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        db = cls(database_url(settings))
        db.create_all()
        return db

    def create_all(self) -> None:
        """Create missing tables, and add columns a newer version introduced.

        Every column added after the first release is nullable or has a default, so an
        ``ALTER TABLE … ADD COLUMN`` brings an older database up to date in place.
        """
        from sqlalchemy import inspect, text

        Base.metadata.create_all(self.engine)
        inspector = inspect(self.engine)
        with self.engine.begin() as conn:
            for table in Base.metadata.sorted_tables:
                have = {c["name"] for c in inspector.get_columns(table.name)}
                for column in table.columns:
                    if column.name in have:
                        continue
                    kind = column.type.compile(dialect=self.engine.dialect)
                    default = getattr(column.default, "arg", None)
                    clause = f" DEFAULT {default!r}" if isinstance(default, (int, str)) else ""
                    conn.execute(
                        text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}{clause}')
                    )

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
