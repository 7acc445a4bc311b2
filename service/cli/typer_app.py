"""The typer app of `planreview`: the root group, its options, and the sub-commands.

Only the invoked command's module is imported: `planreview review` does not import (or
build the click commands of) `kb`, `eval`, `batch`, `serve`, `lsp`, `llm`, `keys`, `db` or
`worker`. `--help`, shell completion and "did you mean" suggestions still see every
command; they load the modules they describe. Built only for command lines the fast path
(service/cli/fastpath.py) leaves to typer; ``service.cli.app`` is this module's ``app``.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator, MutableMapping
from typing import Any

import typer
import typer.main
from typer.core import TyperGroup

from service.cli.commands import review_command, rules_command

# Sub-commands that live in their own modules, in the order `--help` lists them;
# each module keeps heavy imports inside functions.
_SUBAPPS = {
    "eval": "service.cli.eval",
    "batch": "service.cli.batch",
    "serve": "service.cli.serve",
    "lsp": "service.cli.lsp",
    "kb": "service.cli.kb",
    "llm": "service.cli.llm",
    "keys": "service.cli.keys",
    "db": "service.cli.db",
    "worker": "service.cli.worker",
}


def _installed(module_name: str) -> bool:
    """False when that edge is not part of this install (its module is absent)."""
    return importlib.util.find_spec(module_name) is not None


def _build(name: str) -> Any | None:
    """The click command for one sub-command module, built as `add_typer` would build it."""
    module_name = _SUBAPPS[name]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    holder = typer.Typer(
        add_completion=False,
        pretty_exceptions_enable=False,
        pretty_exceptions_short=app.pretty_exceptions_short,
        rich_markup_mode=app.rich_markup_mode,
        suggest_commands=app.suggest_commands,
    )
    sub = getattr(module, "app", None)
    if isinstance(sub, typer.Typer):
        holder.add_typer(sub, name=name)
    elif callable(getattr(module, "command", None)):
        holder.command(name)(module.command)
    else:
        return None
    return typer.main.get_group(holder).commands.get(name)


class _LazyCommands(MutableMapping[str, Any]):
    """A group's commands: those built eagerly, then the sub-command modules, loaded on first use."""

    def __init__(self, eager: MutableMapping[str, Any]) -> None:
        self._built: dict[str, Any] = dict(eager)
        self._names = [*self._built, *(n for n in _SUBAPPS if n not in self._built)]

    def _available(self, name: str) -> bool:
        return name in self._built or (name in _SUBAPPS and _installed(_SUBAPPS[name]))

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            cmd = _build(name) if name in _SUBAPPS else None
            if cmd is None:
                raise KeyError(name)
            self._built[name] = cmd
        return self._built[name]

    def __setitem__(self, name: str, cmd: Any) -> None:
        if name not in self._names:
            self._names.append(name)
        self._built[name] = cmd

    def __delitem__(self, name: str) -> None:
        del self._built[name]
        self._names.remove(name)

    def __iter__(self) -> Iterator[str]:
        return iter([n for n in self._names if self._available(n)])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._names and self._available(name)


class LazyGroup(TyperGroup):
    """The top-level group; its sub-command modules are imported when a command needs them."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _LazyCommands(self.commands)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # names only: nothing is imported to list them


app = typer.Typer(
    name="planreview",
    help="Review operational and business plans: SMART, OKR, RACI, PDCA, BSC, risk and resources.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
    pretty_exceptions_enable=False,
    cls=LazyGroup,
)


def _print_version(value: bool) -> None:
    if value:
        from service import __version__

        typer.echo(f"planreview {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        "-V",
        help="Print the version and exit.",
        callback=_print_version,
        is_eager=True,
    ),
) -> None:
    """Review operational and business plans: SMART, OKR, RACI, PDCA, BSC, risk and resources."""


app.command("review")(review_command)
app.command("rules")(rules_command)
