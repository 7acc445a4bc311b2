"""Retention: finished reviews, finished batches and old idempotency records are deleted.

A review is pruned once it has been finished (succeeded or failed) for longer
than the retention period; a batch is pruned as a whole, once every review in
it has. Queued and running jobs are never touched. Progress events go with
their review. A pruned id answers 404, as an id that never existed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, func, select, text
from sqlalchemy.orm import Session

from service.errors import ConfigError
from service.store.db import Database
from service.store.reviews import FAILED, SUCCEEDED
from service.store.tables import BatchRow, EventRow, IdempotencyRow, ReviewRow, utcnow

_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", re.I)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "": 86400}
BATCH_CHUNK = 500


@dataclass(frozen=True)
class Pruned:
    reviews: int
    batches: int
    events: int
    idempotency: int


def parse_age(value: str) -> timedelta:
    """'30d', '12h', '90m', '2w', '45s', or a number of days."""
    m = _DURATION.fullmatch(value)
    if m is None:
        raise ConfigError(
            f"{value!r} is not an age", hint="write it as 30d, 12h, 90m, 2w, or a number of days"
        )
    return timedelta(seconds=float(m.group(1)) * _UNIT_SECONDS[m.group(2).lower()])


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _delete_reviews(s: Session, ids: list[str]) -> tuple[int, int]:
    events = reviews = 0
    for i in range(0, len(ids), BATCH_CHUNK):
        chunk = ids[i : i + BATCH_CHUNK]
        events += _count(s.execute(delete(EventRow).where(EventRow.review_id.in_(chunk))))
        reviews += _count(s.execute(delete(ReviewRow).where(ReviewRow.id.in_(chunk))))
    return reviews, events


def prune(db: Database, older_than: timedelta, *, now: datetime | None = None) -> Pruned:
    """Delete what finished before ``now - older_than``; returns the counts."""
    cutoff = (now or utcnow()) - older_than
    done = ReviewRow.status.in_((SUCCEEDED, FAILED))
    finished = func.coalesce(ReviewRow.finished_at, ReviewRow.created_at)
    with db.session() as s:
        single = list(
            s.scalars(
                select(ReviewRow.id).where(ReviewRow.batch_id.is_(None), done, finished < cutoff)
            )
        )
        reviews, events = _delete_reviews(s, single)
        unfinished = exists().where(
            and_(ReviewRow.batch_id == BatchRow.id, (~done) | (finished >= cutoff))
        )
        batch_ids = list(
            s.scalars(select(BatchRow.id).where(BatchRow.created_at < cutoff, ~unfinished))
        )
        for i in range(0, len(batch_ids), BATCH_CHUNK):
            chunk = batch_ids[i : i + BATCH_CHUNK]
            members = list(s.scalars(select(ReviewRow.id).where(ReviewRow.batch_id.in_(chunk))))
            r, e = _delete_reviews(s, members)
            reviews, events = reviews + r, events + e
            s.execute(delete(BatchRow).where(BatchRow.id.in_(chunk)))
        idem = s.execute(delete(IdempotencyRow).where(IdempotencyRow.created_at < cutoff))
        return Pruned(reviews, len(batch_ids), events, _count(idem))


def vacuum(db: Database) -> None:
    """Give the freed pages back to the file system (SQLite only; it rewrites the file)."""
    if db.is_sqlite:
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM"))
