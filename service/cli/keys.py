"""`planreview keys`: create, list and revoke API keys (stored hashed)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

app = typer.Typer(help="Create, list and revoke API keys for the HTTP API.", no_args_is_help=True)


class Fmt(StrEnum):
    text = "text"
    json = "json"


def _db() -> object:
    from service.settings import get_settings
    from service.store.db import Database

    return Database.from_settings(get_settings())


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Who or what the key is for.")],
    admin: Annotated[bool, typer.Option("--admin", help="May add organisation guidance.")] = False,
    fmt: Annotated[Fmt, typer.Option("--format", help="text or json")] = Fmt.text,
) -> None:
    """Create a key and print it once; only its hash is stored."""
    from service.store.db import Database
    from service.store.keys import create_key

    db = _db()
    assert isinstance(db, Database)
    key, info = create_key(db, name.strip() or "unnamed", admin=admin)
    if fmt is Fmt.json:
        typer.echo(json.dumps({"id": info.id, "name": info.name, "admin": info.admin, "key": key}))
        return
    typer.echo(key)
    typer.echo(
        f"Key {info.id} ({info.name}{', admin' if admin else ''}) created. "
        "Store it now: it cannot be shown again.",
        err=True,
    )


@app.command("list")
def list_(fmt: Annotated[Fmt, typer.Option("--format", help="text or json")] = Fmt.text) -> None:
    """List keys (never the keys themselves)."""
    from service.store.db import Database
    from service.store.keys import list_keys

    db = _db()
    assert isinstance(db, Database)
    keys = list_keys(db)
    if fmt is Fmt.json:
        typer.echo(
            json.dumps(
                [
                    {
                        "id": k.id,
                        "name": k.name,
                        "prefix": k.prefix,
                        "admin": k.admin,
                        "active": k.active,
                        "created_at": k.created_at.isoformat(),
                        "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
                    }
                    for k in keys
                ],
                indent=2,
            )
        )
        return
    if not keys:
        typer.echo("No API keys. Create one with 'planreview keys create NAME'.")
        return
    for k in keys:
        state = "active" if k.active else f"revoked {k.revoked_at:%Y-%m-%d}"
        typer.echo(f"{k.id}  {k.prefix}…  {'admin ' if k.admin else ''}{state}  {k.name}")


@app.command("revoke")
def revoke(key_id: Annotated[str, typer.Argument(help="The key's id (see 'keys list').")]) -> None:
    """Revoke a key; servers refuse it within a few seconds."""
    from service.store.db import Database
    from service.store.keys import revoke_key

    db = _db()
    assert isinstance(db, Database)
    info = revoke_key(db, key_id)
    if info is None:
        typer.echo(
            f"planreview keys: no key with id {key_id!r} (see 'planreview keys list')", err=True
        )
        raise typer.Exit(2)
    typer.echo(f"Key {info.id} ({info.name}) revoked.")
