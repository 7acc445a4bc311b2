"""Idempotency-Key records: the first response to a key is replayed for the same request.

``begin`` reserves a key for a request fingerprint. It answers ``Replay`` (the
stored response), ``Conflict`` (the key was used for a different request, or
the first request with it is still running) or ``Reserved`` (go ahead, then
``complete``). A request that fails before completing releases its key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from service.store.db import Database
from service.store.tables import IdempotencyRow, utcnow


@dataclass(frozen=True)
class Replay:
    status_code: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Conflict:
    reason: Literal["different-request", "in-progress"]


@dataclass(frozen=True)
class Reserved:
    principal: str
    key: str


Outcome = Replay | Conflict | Reserved


def begin(db: Database, principal: str, key: str, fingerprint: str, ttl_hours: float) -> Outcome:
    cutoff = utcnow() - timedelta(hours=ttl_hours)
    for _ in range(2):
        with db.session() as s:
            row = s.scalars(
                select(IdempotencyRow).where(
                    IdempotencyRow.principal == principal, IdempotencyRow.key == key
                )
            ).first()
            if row is not None and row.created_at < cutoff:
                s.delete(row)
                s.flush()
                row = None
            if row is not None:
                if row.fingerprint != fingerprint:
                    return Conflict("different-request")
                if row.status_code is None:
                    return Conflict("in-progress")
                return Replay(row.status_code, json.loads(row.headers_json), row.body or b"")
        try:
            with db.session() as s:
                s.add(
                    IdempotencyRow(
                        principal=principal, key=key, fingerprint=fingerprint, created_at=utcnow()
                    )
                )
            return Reserved(principal, key)
        except IntegrityError:  # another request reserved it meanwhile: look again
            continue
    return Conflict("in-progress")


def complete(
    db: Database, reserved: Reserved, status_code: int, headers: dict[str, str], body: bytes
) -> None:
    with db.session() as s:
        row = s.scalars(
            select(IdempotencyRow).where(
                IdempotencyRow.principal == reserved.principal, IdempotencyRow.key == reserved.key
            )
        ).first()
        if row is not None:
            row.status_code = status_code
            row.headers_json = json.dumps(headers)
            row.body = body


def release(db: Database, reserved: Reserved) -> None:
    with db.session() as s:
        s.execute(
            delete(IdempotencyRow).where(
                IdempotencyRow.principal == reserved.principal,
                IdempotencyRow.key == reserved.key,
                IdempotencyRow.status_code.is_(None),
            )
        )
