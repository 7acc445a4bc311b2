"""The reading layer's vocabulary as data: heading words per plan part, owner and task column
names, activity-field labels, topic labels, measure lead-ins, stakeholder words (``sections.toml``,
``words.toml`` beside this file), extendable per project from ``[vocabulary]`` in
``planreview.toml``.

The recognisers ask ``active()`` for the vocabulary of the review in progress: the built-in
one, or the built-in one extended by the project's words while ``using(extension)`` is in
force (a context variable, so concurrent reviews in threads keep their own).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from service.config import VocabularyConfig

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Vocabulary:
    order: tuple[str, ...]
    parts: dict[str, re.Pattern[str]]  # a part's cues, anchored at the end of a phrase
    clauses: tuple[tuple[re.Pattern[str], str], ...]
    overrides: tuple[tuple[re.Pattern[str], str], ...]
    owner_column: re.Pattern[str]
    task_column: re.Pattern[str]
    meta_field_label: re.Pattern[str]
    topic_label: re.Pattern[str]
    measure_lead_in: re.Pattern[str]
    stakeholders: re.Pattern[str] | None
    activity_verbs: dict[str, re.Pattern[str]]  # "en" / "zh": verbs that start a piece of work
    role_name: re.Pattern[str]  # a whole role that holds work ("主持人", "Treasurer")
    duty_heading: re.Pattern[str]  # "<role> duties", "<role>工作": group "who" is the role


@lru_cache(maxsize=4)
def _load(name: str) -> dict[str, Any]:
    """A TOML file beside this module, parsed once per process (words.toml is read for the
    vocabulary and for each built-in word list) and, across runs, once per content (see
    service/tomlcache.py). The tables are shared: nothing here changes them."""
    from service.tomlcache import load

    return load(HERE / name)


@lru_cache(maxsize=8)
def builtin_words(key: str) -> frozenset[str]:
    """A built-in word list of words.toml that projects do not extend (its `en` and `zh` words)."""
    table = _load("words.toml")[key]
    return frozenset([*table.get("en", []), *table.get("zh", [])])


def _alternation(en: list[str], zh: list[str], extra: list[str]) -> str:
    return "|".join([*en, *(re.escape(w) for w in zh), *(re.escape(w.lower()) for w in extra)])


def _words(words: dict[str, Any], more: dict[str, list[str]], key: str) -> re.Pattern[str]:
    """One word list of words.toml (regexes in `en`, literals in `zh`) plus a project's words."""
    return re.compile(_alternation(words[key]["en"], words[key]["zh"], more.get(key, [])), re.I)


def _build(ext: tuple[tuple[str, tuple[str, ...]], ...]) -> Vocabulary:
    from service.rules.extract.normalize import fold

    more = {key: [fold(w).strip() for w in words if w.strip()] for key, words in ext}
    sections = _load("sections.toml")
    words = _load("words.toml")
    # A cue ends the heading's head phrase; a stem cue ("\\bcommunicat", "\\bresponsibilit")
    # ends it with the rest of its word ("Communications", "Responsibilities").
    parts = {
        kind: re.compile(
            "(?:"
            + _alternation(cues["en"], cues["zh"], more.get(f"sections.{kind}", []))
            + r")[a-z]*$",
            re.I,
        )
        for kind, cues in sections["parts"].items()
    }
    meta = words["meta_fields"]
    meta_extra = [re.escape(w) for w in more.get("meta_fields", [])]
    meta_label = re.compile(
        "^(?:"
        + "|".join(re.escape(p) for p in meta["zh_prefixes"])
        + ")?(?:"
        + "|".join(re.escape(w) for w in meta["zh"])
        + ")$|^(?:"
        + "|".join([*meta["en"], *meta_extra])
        + ")$",
        re.I,
    )
    topics = words["topic_labels"]
    topic_label = re.compile(
        "(?:"
        + _alternation(topics["en"], topics["zh"], more.get("topic_labels", []))
        + r")\s*(?:包括)?(?:但不限于)?\s*$",
        re.I,
    )
    verbs = words["activity_verbs"]
    extra_verbs = more.get("activity_verbs", [])
    en_verbs = [*verbs["en"], *(re.escape(w) for w in extra_verbs if w.isascii())]
    zh_verbs = [
        *verbs["zh_patterns"],
        *(re.escape(w) for w in verbs["zh"]),
        *(re.escape(w) for w in extra_verbs if not w.isascii()),
    ]
    stake = words["stakeholders"]
    stake_alt = _alternation(stake["en"], stake["zh"], more.get("stakeholders", []))
    duties = words["duty_headings"]
    duty_heading = re.compile(
        r"^(?:(?:role|岗位|角色)\s*[:：]\s*(?P<label>.{1,40})"
        r"|(?P<who>.{1,40}?)(?:'s|’s|的)?\s*(?:"
        + _alternation(duties["en"], duties["zh"], [])
        + r"))$",
        re.I,
    )
    return Vocabulary(
        order=tuple(sections["order"]),
        parts=parts,
        clauses=tuple((re.compile(p, re.I), k) for p, k in sections["clauses"]),
        overrides=tuple((re.compile(p, re.I), k) for p, k in sections["overrides"]),
        owner_column=_words(words, more, "owner_columns"),
        task_column=_words(words, more, "task_columns"),
        meta_field_label=meta_label,
        topic_label=topic_label,
        measure_lead_in=_words(words, more, "measure_lead_ins"),
        stakeholders=re.compile(stake_alt, re.I) if stake_alt else None,
        activity_verbs={
            "en": re.compile(r"^(?:" + "|".join(en_verbs) + r")\b", re.I),
            "zh": re.compile(r"^(?:" + "|".join(zh_verbs) + ")"),
        },
        role_name=re.compile(
            "^(?:"
            + _alternation(
                words["role_names"]["en"], words["role_names"]["zh"], more.get("role_names", [])
            )
            + ")$",
            re.I,
        ),
        duty_heading=duty_heading,
    )


@lru_cache(maxsize=16)
def _cached(ext: tuple[tuple[str, tuple[str, ...]], ...]) -> Vocabulary:
    return _build(ext)


def builtin() -> Vocabulary:
    return _cached(())


def extended(config: VocabularyConfig | None) -> Vocabulary:
    """The built-in vocabulary plus a project's words (the same object for the same words)."""
    return _cached(config.key() if config is not None else ())


_ACTIVE: ContextVar[Vocabulary | None] = ContextVar("planreview_vocabulary", default=None)


def active() -> Vocabulary:
    return _ACTIVE.get() or builtin()


@contextmanager
def using(config: VocabularyConfig | None) -> Iterator[Vocabulary]:
    """Make a project's vocabulary the active one for the reviews run inside."""
    vocab = extended(config)
    token = _ACTIVE.set(vocab)
    try:
        yield vocab
    finally:
        _ACTIVE.reset(token)
