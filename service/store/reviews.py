"""Reviews, their jobs and progress events, and batches of them.

A review row is its own job record: ``status`` goes queued -> running ->
succeeded | failed, ``attempts`` counts runs, ``input_data`` keeps the uploaded
bytes until the review succeeds so that an interrupted job can run again.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import defer

from service.store.db import Database
from service.store.tables import BatchRow, EventRow, ReviewRow, utcnow

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
TERMINAL = frozenset({SUCCEEDED, FAILED})


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(10)}"


@dataclass(frozen=True)
class ReviewRecord:
    id: str
    status: str
    stage: str
    source: str
    options: dict[str, Any]
    plan_json: str | None
    review_json: str | None
    finding_count: int | None
    error_kind: str | None
    error_status: int | None
    error_detail: str | None
    attempts: int
    batch_id: str | None
    position: int
    key_id: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class Event:
    seq: int
    event: str
    data: dict[str, Any]


@dataclass(frozen=True)
class BatchRecord:
    id: str
    total: int
    options: dict[str, Any]
    key_id: str | None
    created_at: datetime
    counts: dict[str, int]
    skipped: list[str]

    @property
    def done(self) -> int:
        return self.counts.get(SUCCEEDED, 0) + self.counts.get(FAILED, 0)

    @property
    def status(self) -> str:
        if self.done >= self.total:
            return "completed"
        if self.counts.get(RUNNING, 0) or self.done:
            return "running"
        return "queued"


def _record(row: ReviewRow, full: bool = True) -> ReviewRecord:
    return ReviewRecord(
        id=row.id,
        status=row.status,
        stage=row.stage,
        source=row.source,
        options=json.loads(row.options_json or "{}"),
        plan_json=row.plan_json if full else None,
        review_json=row.review_json if full else None,
        finding_count=row.finding_count,
        error_kind=row.error_kind,
        error_status=row.error_status,
        error_detail=row.error_detail,
        attempts=row.attempts,
        batch_id=row.batch_id,
        position=row.position,
        key_id=row.key_id,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


def _add_event(s: Any, review_id: str, event: str, data: dict[str, Any]) -> None:
    seq = (
        s.scalar(
            select(func.coalesce(func.max(EventRow.seq), 0)).where(EventRow.review_id == review_id)
        )
        or 0
    )
    s.add(
        EventRow(
            review_id=review_id,
            seq=int(seq) + 1,
            event=event,
            data_json=json.dumps(data, ensure_ascii=False),
            created_at=utcnow(),
        )
    )


# -------------------------------------------------------------------------- create


def save_finished(
    db: Database,
    *,
    source: str,
    options: dict[str, Any],
    plan_json: str,
    review_json: str,
    key_id: str | None,
    finding_count: int | None = None,
) -> str:
    """Store a review that ran synchronously; returns its id."""
    review_id = new_id("rev")
    now = utcnow()
    with db.session() as s:
        s.add(
            ReviewRow(
                id=review_id,
                status=SUCCEEDED,
                stage="done",
                source=source,
                options_json=json.dumps(options),
                plan_json=plan_json,
                review_json=review_json,
                finding_count=finding_count,
                attempts=1,
                key_id=key_id,
                created_at=now,
                started_at=now,
                finished_at=now,
            )
        )
    return review_id


def create_job(
    db: Database, *, source: str, options: dict[str, Any], data: bytes, key_id: str | None
) -> str:
    """Queue a review job; returns its id."""
    review_id = new_id("rev")
    with db.session() as s:
        s.add(
            ReviewRow(
                id=review_id,
                status=QUEUED,
                stage="queued",
                source=source,
                options_json=json.dumps(options),
                input_data=data,
                key_id=key_id,
                created_at=utcnow(),
            )
        )
        s.flush()
        _add_event(s, review_id, "queued", {"status": QUEUED})
    return review_id


def create_batch(
    db: Database,
    *,
    items: Sequence[tuple[str, bytes | Callable[[], bytes]]],
    options: dict[str, Any],
    key_id: str | None,
    skipped: list[str] | None = None,
) -> tuple[str, list[str]]:
    """A batch with one queued review per item; returns the batch id and review ids in order.

    An item's data may be a function reading it: each is read, written and let go in
    turn, so a large batch is never held in memory whole.
    """
    batch_id = new_id("bat")
    ids: list[str] = []
    now = utcnow()
    with db.session() as s:
        s.add(
            BatchRow(
                id=batch_id,
                total=len(items),
                options_json=json.dumps(options),
                skipped_json=json.dumps(skipped or [], ensure_ascii=False),
                key_id=key_id,
                created_at=now,
            )
        )
        s.flush()
        for pos, (name, data) in enumerate(items):
            review_id = new_id("rev")
            ids.append(review_id)
            row = ReviewRow(
                id=review_id,
                status=QUEUED,
                stage="queued",
                source=name,
                options_json=json.dumps(options),
                input_data=data() if callable(data) else data,
                key_id=key_id,
                batch_id=batch_id,
                position=pos,
                created_at=now,
            )
            s.add(row)
            s.flush()
            s.expunge(row)  # its bytes are written: let them go
        for review_id in ids:
            _add_event(s, review_id, "queued", {"status": QUEUED})
    return batch_id, ids


# -------------------------------------------------------------------------- read


def get_review(db: Database, review_id: str) -> ReviewRecord | None:
    with db.session() as s:
        row = s.get(ReviewRow, review_id)
        return _record(row) if row is not None else None


def events_after(db: Database, review_id: str, seq: int) -> list[Event]:
    with db.session() as s:
        rows = s.scalars(
            select(EventRow)
            .where(EventRow.review_id == review_id, EventRow.seq > seq)
            .order_by(EventRow.seq)
        )
        return [Event(r.seq, r.event, json.loads(r.data_json)) for r in rows]


def get_batch(db: Database, batch_id: str) -> BatchRecord | None:
    with db.session() as s:
        row = s.get(BatchRow, batch_id)
        if row is None:
            return None
        counts = Counter(
            {
                status: int(n)
                for status, n in s.execute(
                    select(ReviewRow.status, func.count())
                    .where(ReviewRow.batch_id == batch_id)
                    .group_by(ReviewRow.status)
                )
            }
        )
        return BatchRecord(
            row.id,
            row.total,
            json.loads(row.options_json or "{}"),
            row.key_id,
            row.created_at,
            dict(counts),
            json.loads(row.skipped_json or "[]"),
        )


def batch_reviews(db: Database, batch_id: str, *, full: bool = False) -> list[ReviewRecord]:
    """The batch's reviews in upload order; ``full`` also loads plan and review JSON."""
    with db.session() as s:
        stmt = select(ReviewRow).where(ReviewRow.batch_id == batch_id).order_by(ReviewRow.position)
        if not full:
            stmt = stmt.options(defer(ReviewRow.plan_json), defer(ReviewRow.review_json))
        return [_record(r, full) for r in s.scalars(stmt)]


def status_counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {
            status: int(n)
            for status, n in s.execute(
                select(ReviewRow.status, func.count()).group_by(ReviewRow.status)
            )
        }


def pending_count(db: Database) -> int:
    with db.session() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(ReviewRow)
                .where(ReviewRow.status.in_((QUEUED, RUNNING)))
            )
            or 0
        )


# -------------------------------------------------------------------------- job life


@dataclass(frozen=True)
class Claimed:
    id: str
    source: str
    options: dict[str, Any]
    data: bytes
    attempt: int


def claim(
    db: Database, review_id: str, owner: str | None = None, lease_seconds: float = 60.0
) -> Claimed | None:
    """Mark a queued job running (one more attempt), owned by ``owner`` under a lease;
    None when it is not queued."""
    now = utcnow()
    with db.session() as s:
        done = s.execute(
            update(ReviewRow)
            .where(ReviewRow.id == review_id, ReviewRow.status == QUEUED)
            .values(
                status=RUNNING,
                stage="started",
                started_at=now,
                attempts=ReviewRow.attempts + 1,
                claimed_by=owner,
                lease_until=now + timedelta(seconds=lease_seconds) if owner else None,
            )
        )
        if not getattr(done, "rowcount", 0):
            return None
        row = s.get(ReviewRow, review_id)
        assert row is not None
        _add_event(s, review_id, "started", {"status": RUNNING, "attempt": row.attempts})
        return Claimed(
            row.id,
            row.source,
            json.loads(row.options_json or "{}"),
            row.input_data or b"",
            row.attempts,
        )


def set_stage(db: Database, review_id: str, stage: str) -> None:
    with db.session() as s:
        s.execute(update(ReviewRow).where(ReviewRow.id == review_id).values(stage=stage))
        _add_event(s, review_id, "progress", {"stage": stage})


def _mine(review_id: str, owner: str | None) -> Any:
    """The row, and only while ``owner`` holds it (when an owner is given)."""
    cond = ReviewRow.id == review_id
    return cond & (ReviewRow.claimed_by == owner) if owner else cond


def _finish(
    db: Database,
    review_id: str,
    owner: str | None,
    values: dict[str, Any],
    event: str,
    payload: dict[str, Any],
) -> bool:
    """End a job with ``values`` and one event; False (nothing written) when ``owner`` no
    longer holds it."""
    with db.session() as s:
        done = s.execute(
            update(ReviewRow)
            .where(_mine(review_id, owner))
            .values(**values, finished_at=utcnow(), lease_until=None)
        )
        if not getattr(done, "rowcount", 0):
            return False
        _add_event(s, review_id, event, payload)
        return True


def succeed(
    db: Database,
    review_id: str,
    plan_json: str,
    review_json: str,
    summary: dict[str, Any],
    *,
    owner: str | None = None,
) -> bool:
    """Record the result; False (nothing written) when ``owner`` no longer holds the job."""
    values = {
        "status": SUCCEEDED,
        "stage": "done",
        "plan_json": plan_json,
        "review_json": review_json,
        "finding_count": summary.get("findings"),
        "input_data": None,
    }
    return _finish(db, review_id, owner, values, "done", {"status": SUCCEEDED, **summary})


def fail(
    db: Database,
    review_id: str,
    *,
    kind: str,
    status: int,
    detail: str,
    owner: str | None = None,
) -> bool:
    """Record the failure; False (nothing written) when ``owner`` no longer holds the job."""
    values = {
        "status": FAILED,
        "stage": "failed",
        "error_kind": kind,
        "error_status": status,
        "error_detail": detail,
    }
    payload = {"status": FAILED, "kind": kind, "detail": detail}
    return _finish(db, review_id, owner, values, "failed", payload)


def renew_leases(db: Database, owner: str, lease_seconds: float) -> int:
    """Extend the lease of every job ``owner`` is running; returns how many."""
    with db.session() as s:
        done = s.execute(
            update(ReviewRow)
            .where(ReviewRow.claimed_by == owner, ReviewRow.status == RUNNING)
            .values(lease_until=utcnow() + timedelta(seconds=lease_seconds))
        )
        return int(getattr(done, "rowcount", 0) or 0)


def _orphaned(row: ReviewRow, now: datetime, owner_is_gone: Callable[[str | None], bool]) -> bool:
    if row.lease_until is None:  # no owner recorded: claimed by an older version
        return True
    return row.lease_until < now or owner_is_gone(row.claimed_by)


@dataclass(frozen=True)
class Recovery:
    requeued: list[str]
    failed: list[str]
    queued: list[str]


def recover(
    db: Database,
    max_attempts: int,
    *,
    owner_is_gone: Callable[[str | None], bool] = lambda _owner: False,
) -> Recovery:
    """Jobs whose server is gone are re-queued, or failed once out of attempts.

    A running job is taken over only when its lease has expired (or it has none, or
    ``owner_is_gone`` says its server process has ended): a job another live server
    is running is left alone. Returns every job now queued (oldest first).
    """
    requeued: list[str] = []
    failed: list[str] = []
    now = utcnow()
    with db.session() as s:
        rows = list(s.scalars(select(ReviewRow).where(ReviewRow.status == RUNNING)))
        for row in rows:
            if not _orphaned(row, now, owner_is_gone):
                continue
            row.claimed_by, row.lease_until = None, None
            if row.attempts < max_attempts:
                row.status, row.stage = QUEUED, "queued"
                requeued.append(row.id)
                _add_event(
                    s,
                    row.id,
                    "requeued",
                    {
                        "status": QUEUED,
                        "reason": f"the server stopped while this review was running (attempt "
                        f"{row.attempts} of {max_attempts}); it runs again",
                    },
                )
            else:
                detail = (
                    f"the server stopped while this review was running, {row.attempts} "
                    f"time(s); it was not retried again (limit {max_attempts})"
                )
                row.status, row.stage = FAILED, "failed"
                row.error_kind, row.error_status, row.error_detail = "interrupted", 503, detail
                row.finished_at = utcnow()
                failed.append(row.id)
                _add_event(
                    s, row.id, "failed", {"status": FAILED, "kind": "interrupted", "detail": detail}
                )
        queued = list(
            s.scalars(
                select(ReviewRow.id)
                .where(ReviewRow.status == QUEUED)
                .order_by(ReviewRow.created_at, ReviewRow.position)
            )
        )
    return Recovery(requeued, failed, queued)
