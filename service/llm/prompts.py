"""Prompts as data: Jinja2 templates in ``prompts/``, checked when they load.

Each template declares the variables it may use (``TEMPLATE_VARIABLES``, a
contract shared with the tests); loading fails when a template uses a
variable it does not declare or misses one it does, and rendering uses
``StrictUndefined``. ``PromptSet.version`` is a hash of every template file,
recorded in ``review.engine.prompt_version`` and in the cache key.

Sealed prompts: everything that comes from the plan (its title included) or
from a model (its messages, an earlier answer, the checks it failed) is
rendered between the data markers ``<boundary>`` … ``</boundary>``, and
model-written text goes in as JSON (``tojson``: quotes, ``<`` and ``>``
escaped) or with the boundary defused (``defuse``), so that it can neither
close the data block nor sit in the instruction part. ``instruction_part``
is what is left outside the markers; the tests check it holds none of it.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.errors import ConfigError
from service.resources import shipped_folder

PROMPTS_DIR_ENV = "PLANREVIEW_PROMPTS_DIR"

TEMPLATE_VARIABLES: dict[str, frozenset[str]] = {
    "system": frozenset({"language_name", "boundary"}),
    "critique": frozenset(
        {
            "boundary",
            "layout",
            "blocks",
            "part",
            "parts",
            "hints",
            "guidance",
            "codes",
            "json_shape",
        }
    ),
    "draft": frozenset(
        {"language_name", "boundary", "blocks", "outline", "findings", "json_shape"}
    ),
    "repair": frozenset({"boundary", "error", "raw", "json_shape"}),
    "feedback": frozenset({"boundary", "errors", "blocks", "json_shape"}),
}
"""The variables each template is rendered with: all of them, and only them."""


def prompts_dir() -> Path:
    """$PLANREVIEW_PROMPTS_DIR, else the repository's prompts/ folder."""
    override = os.environ.get(PROMPTS_DIR_ENV)
    if override:
        return Path(override)
    return shipped_folder("prompts")


class PromptError(ConfigError):
    """A prompt template that is missing, malformed or uses undeclared variables."""

    kind = "bad-prompt"


@dataclass(frozen=True)
class PromptSet:
    """The loaded templates and their version hash."""

    directory: Path
    version: str
    templates: dict[str, Any]

    def render(self, name: str, **values: Any) -> str:
        expected = TEMPLATE_VARIABLES[name]
        given = set(values)
        if given != expected:
            missing, extra = sorted(expected - given), sorted(given - expected)
            raise PromptError(
                f"prompt {name!r} rendered with the wrong variables "
                f"(missing {missing}, unexpected {extra})"
            )
        return str(self.templates[name].render(**values)).strip() + "\n"


def _environment() -> Any:
    from jinja2 import Environment, StrictUndefined

    env = Environment(
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # tojson keeps CJK as it is (not \\uXXXX: cheaper, and readable to the model) and keys in
    # the order given; it still escapes <, >, & and ' so JSON data cannot close the markers.
    env.policies["json.dumps_kwargs"] = {"sort_keys": False, "ensure_ascii": False}
    return env


def instruction_part(prompt: str, boundary: str) -> str:
    """The prompt without its data blocks: what the model reads as instructions."""
    b = re.escape(boundary)
    return re.sub(rf"<{b}>.*?</{b}>", "", prompt, flags=re.S)


def defuse(text: str, boundary: str) -> str:
    """Model-written text with the data markers made harmless (it saw them in its prompt)."""
    return text.replace(f"</{boundary}>", f"</ {boundary}>").replace(
        f"<{boundary}>", f"< {boundary}>"
    )


def load_prompts(directory: Path | None = None) -> PromptSet:
    """Load and check every template in ``TEMPLATE_VARIABLES`` from ``directory``."""
    from jinja2 import TemplateSyntaxError, meta

    directory = directory or prompts_dir()
    env = _environment()
    digest = hashlib.sha256()
    templates: dict[str, Any] = {}
    for name in sorted(TEMPLATE_VARIABLES):
        path = directory / f"{name}.j2"
        try:
            source = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PromptError(
                f"{path}: cannot read the prompt template ({exc.strerror})",
                hint=f"set {PROMPTS_DIR_ENV} to the prompts/ folder",
            ) from None
        try:
            ast = env.parse(source)
        except TemplateSyntaxError as exc:
            raise PromptError(f"{path}:{exc.lineno}: {exc.message}") from None
        used = meta.find_undeclared_variables(ast)
        declared = TEMPLATE_VARIABLES[name]
        if used - declared:
            raise PromptError(
                f"{path}: uses undeclared variables {sorted(used - declared)}",
                hint="declare them in service/llm/prompts.py TEMPLATE_VARIABLES",
            )
        if declared - used:
            raise PromptError(f"{path}: never uses declared variables {sorted(declared - used)}")
        templates[name] = env.from_string(source)
        digest.update(name.encode() + b"\0" + source.encode("utf-8") + b"\0")
    return PromptSet(directory=directory, version=digest.hexdigest()[:12], templates=templates)


_cache: dict[Path, tuple[tuple[tuple[str, float, int], ...], PromptSet]] = {}
_lock = threading.Lock()


def get_prompts(directory: Path | None = None) -> PromptSet:
    """``load_prompts`` cached per process, reloaded when a template file changes."""
    directory = directory or prompts_dir()
    stamp: list[tuple[str, float, int]] = []
    for name in sorted(TEMPLATE_VARIABLES):
        path = directory / f"{name}.j2"
        try:
            st = path.stat()
            stamp.append((name, st.st_mtime, st.st_size))
        except OSError:
            stamp.append((name, -1.0, -1))
    key = tuple(stamp)
    with _lock:
        hit = _cache.get(directory)
        if hit is not None and hit[0] == key:
            return hit[1]
    loaded = load_prompts(directory)
    with _lock:
        _cache[directory] = (key, loaded)
    return loaded
