"""API keys: created and revoked from the command line, verified on every request.

A key is ``pr_<id>_<secret>`` with a 256-bit random secret. Only the SHA-256 of
the whole key is stored (a random 256-bit secret needs no slow hash: nobody can
guess it, so a leaked table gives nothing to brute-force); the key itself is
shown once, when it is created.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from service.store.db import Database
from service.store.tables import ApiKeyRow, utcnow

KEY_PREFIX = "pr_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class KeyInfo:
    """What may be shown about a key (never the key itself)."""

    id: str
    name: str
    prefix: str
    admin: bool
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _info(row: ApiKeyRow) -> KeyInfo:
    return KeyInfo(
        row.id, row.name, row.prefix, row.admin, row.created_at, row.revoked_at, row.last_used_at
    )


def create_key(db: Database, name: str, *, admin: bool = False) -> tuple[str, KeyInfo]:
    """A new key; returns the key (show it once) and what is stored about it."""
    key_id = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    row = ApiKeyRow(
        id=key_id,
        name=name,
        prefix=key[: len(KEY_PREFIX) + 8 + 5],
        key_hash=hash_key(key),
        admin=admin,
        created_at=utcnow(),
    )
    with db.session() as s:
        s.add(row)
    return key, _info(row)


def list_keys(db: Database, *, include_revoked: bool = True) -> list[KeyInfo]:
    with db.session() as s:
        stmt = select(ApiKeyRow).order_by(ApiKeyRow.created_at)
        if not include_revoked:
            stmt = stmt.where(ApiKeyRow.revoked_at.is_(None))
        return [_info(r) for r in s.scalars(stmt)]


def revoke_key(db: Database, key_id: str) -> KeyInfo | None:
    """Revoke by id (or by the key's shown prefix); None when no such key."""
    with db.session() as s:
        row = s.get(ApiKeyRow, key_id)
        if row is None:
            row = s.scalars(select(ApiKeyRow).where(ApiKeyRow.prefix == key_id)).first()
        if row is None:
            return None
        if row.revoked_at is None:
            row.revoked_at = utcnow()
        return _info(row)


def active_key_count(db: Database) -> int:
    with db.session() as s:
        return int(
            s.scalar(
                select(func.count()).select_from(ApiKeyRow).where(ApiKeyRow.revoked_at.is_(None))
            )
            or 0
        )


def verify_key(db: Database, key: str) -> KeyInfo | None:
    """The active key matching ``key``, or None."""
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    digest = hash_key(key)
    with db.session() as s:
        row = s.scalars(select(ApiKeyRow).where(ApiKeyRow.key_hash == digest)).first()
        if row is None or not hmac.compare_digest(row.key_hash, digest) or row.revoked_at:
            return None
        return _info(row)
