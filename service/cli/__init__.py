"""The `planreview` command line. Thin: parse flags, call the core, render, exit."""

from __future__ import annotations

import importlib
import sys

import typer

from service.cli.review import review_command, rules_command

app = typer.Typer(
    name="planreview",
    help="Review operational and business plans: SMART, OKR, RACI, PDCA, BSC, risk and resources.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("review")(review_command)
app.command("rules")(rules_command)

# Sub-commands that live in their own modules; each module keeps heavy imports inside functions.
_SUBAPPS = {
    "kb": "service.cli.kb",
    "eval": "service.cli.eval",
    "batch": "service.cli.batch",
    "serve": "service.cli.serve",
    "lsp": "service.cli.lsp",
    "llm": "service.cli.llm",
    "keys": "service.cli.keys",
    "db": "service.cli.db",
}


def _register() -> None:
    for name, module_name in _SUBAPPS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # that edge is not part of this install
            raise
        sub = getattr(module, "app", None)
        if isinstance(sub, typer.Typer):
            app.add_typer(sub, name=name)
        elif callable(getattr(module, "command", None)):
            app.command(name)(module.command)


_register()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
