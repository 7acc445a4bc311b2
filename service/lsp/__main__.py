"""``python -m service.lsp [--tcp] [--host H] [--port P]``: the language server without the CLI."""

from __future__ import annotations

import argparse

from service.lsp.handlers import serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m service.lsp", description=__doc__)
    parser.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (the default)")
    parser.add_argument("--tcp", action="store_true", help="listen on TCP instead of stdio")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2087)
    args = parser.parse_args(argv)
    serve(tcp=args.tcp, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
