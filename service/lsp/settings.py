"""Editor settings (the ``planreview`` section of workspace/configuration), typed with defaults.

Editors send what their users typed, so parsing is forgiving: a bad value falls
back to its default and produces a note the server shows once, instead of
refusing the whole section.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from service.rules import catalogue

SECTION = "planreview"
DEFAULT_FILES = ["**/*.md", "**/*.markdown", "**/*.txt"]
PLAN_LANGUAGE_IDS = frozenset({"markdown", "plaintext", "text", "txt", "md"})


class LspSettings(BaseModel):
    """What the editor may set under ``planreview.*`` (camelCase keys, as in VS Code)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    llm: Literal["off", "on"] = Field(
        default="off", description="'on': run the LLM critique on save (and allow it by command)."
    )
    lang: Literal["auto", "en", "zh"] = Field(
        default="auto", description="Language of messages and templates; auto follows the plan."
    )
    select: list[str] = Field(
        default_factory=list, description="Rule codes or families to run (empty: all)."
    )
    ignore: list[str] = Field(default_factory=list, description="Rule codes or families to skip.")
    debounce_ms: int = Field(
        default=200,
        ge=0,
        le=10_000,
        description="Quiet time after typing before diagnostics are recomputed. An edit made "
        "after a quiet period is checked at once.",
    )
    files: list[str] = Field(
        default_factory=lambda: list(DEFAULT_FILES),
        description="Globs of the files reviewed (matched against the path, '**' spans folders).",
    )
    max_document_bytes: int = Field(
        default=500_000,
        ge=1_000,
        description="Larger documents get one 'too large' diagnostic instead of a review.",
    )
    critique_on_save: bool = Field(
        default=True, description="With llm 'on', run the critique when the document is saved."
    )


def _coerce(key: str, value: Any) -> Any:
    if key == "llm" and isinstance(value, bool):
        return "on" if value else "off"
    if key in ("select", "ignore", "files") and isinstance(value, str):
        return [v for v in re.split(r"[,\s]+", value) if v]
    return value


def parse_settings(raw: Any) -> tuple[LspSettings, list[str]]:
    """Settings from the client's section (None/garbage -> defaults) and notes on what was dropped."""
    notes: list[str] = []
    if raw is None:
        return LspSettings(), notes
    if not isinstance(raw, dict):
        return LspSettings(), [
            f"planreview settings should be an object, got {type(raw).__name__}; using defaults"
        ]
    if SECTION in raw and isinstance(raw[SECTION], dict):
        raw = raw[SECTION]  # the whole configuration rather than our section
    fields = LspSettings.model_fields
    by_alias = {(f.alias or name): name for name, f in fields.items()}
    accepted: dict[str, Any] = {}
    for key, value in raw.items():
        name = by_alias.get(key, key if key in fields else None)
        if name is None or value is None:
            continue
        value = _coerce(name, value)
        try:
            LspSettings.model_validate({name: value})
        except ValidationError as exc:
            notes.append(f"planreview.{key}: {exc.errors()[0]['msg']}; using the default")
            continue
        accepted[name] = value
    settings = LspSettings.model_validate(accepted)
    for name in ("select", "ignore"):
        values: list[str] = getattr(settings, name)
        known = [v for v in values if catalogue.codes_matching(v)]
        unknown = [v for v in values if v not in known]
        if unknown:
            notes.append(
                f"planreview.{name}: unknown rule code or family {', '.join(unknown)} "
                "(see `planreview rules`); ignored"
            )
            setattr(settings, name, known)
    return settings, notes


@lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob as a regex: ``**`` spans folders, ``*``/``?`` stay in one, ``{a,b}`` alternates."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "{":
            end = pattern.find("}", i)
            if end == -1:
                out.append(re.escape(ch))
            else:
                out.append(
                    "(?:" + "|".join(re.escape(p) for p in pattern[i + 1 : end].split(",")) + ")"
                )
                i = end + 1
                continue
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out) + r"\Z", re.I)


def matches_globs(path: str, globs: list[str], root: str | None = None) -> bool:
    """Does a file path match any glob? Tried on the path relative to ``root`` and on the full path."""
    posix = PurePosixPath(path.replace("\\", "/")).as_posix()
    candidates = [posix.lstrip("/")]
    if root:
        root_posix = root.replace("\\", "/").rstrip("/") + "/"
        if posix.startswith(root_posix):
            candidates.insert(0, posix[len(root_posix) :])
    return any(_glob_regex(g.lstrip("/")).match(c) for g in globs for c in candidates)
