"""`planreview lsp`: the language server for editors (stdio by default, TCP on request)."""

from __future__ import annotations

from typing import Annotated

import typer


def command(
    tcp: Annotated[bool, typer.Option("--tcp", help="Listen on TCP instead of stdio.")] = False,
    host: Annotated[str, typer.Option(help="TCP host to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port to listen on.")] = 2087,
    stdio: Annotated[
        bool,
        typer.Option(
            "--stdio", help="Use stdio (the default; accepted for clients that always pass it)."
        ),
    ] = False,
) -> None:
    """Run the language server: diagnostics, quick fixes, hovers and the deep critique."""
    from service.lsp.handlers import serve

    serve(tcp=tcp and not stdio, host=host, port=port)
