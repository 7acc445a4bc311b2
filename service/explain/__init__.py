"""What one rule checks, why, a failing and a passing example, how to fix it and
the guidance it cites: the text of `planreview rules CODE` (like `ruff rule`).

The catalogue (service/rules/catalogue.py) gives severity, scope and summary;
``rules.toml`` next to this module what the rule looks at, why it matters and
the two examples (every example is reviewed by the tests: the code fires on
``bad`` and not on ``good``); the fix is the suggestion findings carry
(service/rules/messages.py); the guidance is what a finding of that code cites
(the knowledge's rule-to-chunk map, through the grounding index).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from service.rules.catalogue import BY_CODE, RULES, RuleSpec

_DATA = Path(__file__).with_name("rules.toml")
LANGS = ("en", "zh")

_LABELS = {
    "en": {
        "severity": "Severity",
        "scope": "Scope",
        "tier": "Tier",
        "rule": "rules (offline)",
        "llm": "LLM tier only",
        "checks": "What it checks",
        "why": "Why it matters",
        "bad": "Fails",
        "good": "Passes",
        "fix": "How to fix",
        "guidance": "Guidance it cites",
        "cases": "Case cards",
        "more": "Show the guidance: planreview kb show CHUNK_ID",
        "suppress": "Suppress: <!-- planreview: ignore {code} --> (next block) or ignore-file",
    },
    "zh": {
        "severity": "严重级别",
        "scope": "范围",
        "tier": "层级",
        "rule": "规则（离线）",
        "llm": "仅 LLM 层",
        "checks": "检查什么",
        "why": "为什么重要",
        "bad": "不通过的写法",
        "good": "通过的写法",
        "fix": "如何修改",
        "guidance": "引用的指南",
        "cases": "案例",
        "more": "查看指南全文：planreview kb show CHUNK_ID",
        "suppress": "忽略：<!-- planreview: ignore {code} -->（下一段）或 ignore-file（全文）",
    },
}


@dataclass(frozen=True)
class Guidance:
    chunk_id: str
    title: str
    source: str


@dataclass(frozen=True)
class RuleHelp:
    spec: RuleSpec
    lang: str
    checks: str
    why: str
    bad: str
    good: str
    fix: str
    guidance: list[Guidance] = field(default_factory=list)
    cases: list[Guidance] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        s = self.spec
        return {
            "code": s.code,
            "family": s.family,
            "severity": s.severity,
            "scope": s.scope,
            "llm_only": s.llm_only,
            "title": s.title(self.lang),
            "summary": s.summary(self.lang),
            "checks": self.checks,
            "why": self.why,
            "example_bad": self.bad,
            "example_good": self.good,
            "fix": self.fix,
            "guidance": [g.__dict__ for g in self.guidance],
            "cases": [g.__dict__ for g in self.cases],
        }


@lru_cache(maxsize=1)
def _entries() -> dict[str, dict[str, Any]]:
    with _DATA.open("rb") as fh:
        return tomllib.load(fh)


def examples(code: str) -> dict[str, dict[str, str]]:
    """{"bad": {"en": ..., "zh": ...}, "good": {...}} for a code (the tests review them)."""
    entry = _entries()[code]
    return {"bad": dict(entry["bad"]), "good": dict(entry["good"])}


def documented_codes() -> list[str]:
    return list(_entries())


def _fix(code: str, entry: dict[str, Any], lang: str) -> str:
    if "fix" in entry:
        return str(entry["fix"][lang])
    from service.rules.messages import MESSAGES

    text: str = MESSAGES[code][lang][1]
    return text


def _prefs(lang: str) -> list[tuple[str, str]]:
    if lang == "zh":
        return [("zh", "hans"), ("zh", "hant"), ("en", "latin")]
    return [("en", "latin"), ("zh", "hans"), ("zh", "hant")]


def _guidance(code: str, lang: str) -> tuple[list[Guidance], list[Guidance]]:
    """The guidance chunk a finding of this code cites, then up to 3 case cards tagged with it."""
    from service.knowledge.grounding import grounding_index

    gi = grounding_index()
    prefs = _prefs(lang)
    cited = [Guidance(c.chunk_id, c.title, c.source) for c in gi.guidance_for(code, prefs)]
    tagged = gi.cases_by_code.get(code, [])
    cases: list[Guidance] = []
    for variant in prefs:
        in_lang = [c for c in tagged if (c.language, c.script) == variant]
        if in_lang:
            cases = [Guidance(c.chunk_id, c.title, c.source) for c in in_lang[:3]]
            break
    return cited, cases


def explain(code: str, lang: str = "en", *, with_guidance: bool = True) -> RuleHelp:
    """The help for one code (KeyError when the catalogue has no such code)."""
    spec = BY_CODE[code]
    lang = "zh" if lang == "zh" else "en"
    entry = _entries()[code]
    cited, cases = _guidance(code, lang) if with_guidance else ([], [])
    return RuleHelp(
        spec=spec,
        lang=lang,
        checks=str(entry["checks"][lang]),
        why=str(entry["why"][lang]),
        bad=str(entry["bad"][lang]),
        good=str(entry["good"][lang]),
        fix=_fix(code, entry, lang),
        guidance=cited,
        cases=cases,
    )


def suggest(word: str) -> list[str]:
    """Codes close to a mistyped one ("smart.measureable" -> smart.measurable)."""
    import difflib

    codes = [r.code for r in RULES]
    return difflib.get_close_matches(word.strip().lower(), codes, n=3, cutoff=0.6)


def _indent(text: str) -> str:
    return "\n".join(("    " + line) if line else "" for line in text.rstrip("\n").split("\n"))


def render_text(h: RuleHelp) -> str:
    """Plain text for a terminal (no colour, no Markdown to render)."""
    t = _LABELS[h.lang]
    s = h.spec
    c = "：" if h.lang == "zh" else ": "
    out = [
        f"{s.code}{c}{s.title(h.lang)}",
        "",
        s.summary(h.lang),
        "",
        f"{t['severity']}{c}{s.severity}    {t['scope']}{c}{s.scope}    "
        f"{t['tier']}{c}{t['llm'] if s.llm_only else t['rule']}",
        "",
        f"{t['checks']}{c.strip()}",
        _indent(h.checks),
        "",
        f"{t['why']}{c.strip()}",
        _indent(h.why),
        "",
        f"{t['bad']}{c.strip()}",
        _indent(h.bad),
        "",
        f"{t['good']}{c.strip()}",
        _indent(h.good),
        "",
        f"{t['fix']}{c.strip()}",
        _indent(h.fix),
    ]
    if h.guidance:
        out += ["", f"{t['guidance']}{c.strip()}"]
        out += [f"    {g.chunk_id}  {g.title}  ({g.source})" for g in h.guidance]
    if h.cases:
        out += ["", f"{t['cases']}{c.strip()}"]
        out += [f"    {g.chunk_id}  {g.title}" for g in h.cases]
    out += ["", t["more"], t["suppress"].format(code=s.code)]
    return "\n".join(out) + "\n"


def render_markdown(h: RuleHelp) -> str:
    """The same, as Markdown (SARIF ``help.markdown``, docs)."""
    t = _LABELS[h.lang]
    s = h.spec
    c = "：" if h.lang == "zh" else ":"
    out = [
        f"**{s.title(h.lang)}** ({s.severity}, {s.scope}"
        + (f", {t['llm']})" if s.llm_only else ")")
        + f"{c} {s.summary(h.lang)}",
        "",
        f"**{t['checks']}{c}** {h.checks}",
        "",
        f"**{t['why']}{c}** {h.why}",
        "",
        f"**{t['bad']}{c}**",
        "",
        "```markdown",
        h.bad.rstrip("\n"),
        "```",
        "",
        f"**{t['good']}{c}**",
        "",
        "```markdown",
        h.good.rstrip("\n"),
        "```",
        "",
        f"**{t['fix']}{c}** {h.fix}",
    ]
    return "\n".join(out) + "\n"


def anchor(code: str) -> str:
    """The fragment GitHub gives the heading ``## `code` `` in docs/rules.md."""
    import re

    return re.sub(r"[^a-z0-9 _-]", "", code.lower()).replace(" ", "-")


def catalogue_markdown() -> str:
    """docs/rules.md: every rule explained, in English then Chinese (the tests keep the file
    equal to this; regenerate with ``python -m service.explain > docs/rules.md``)."""
    from service.rules.catalogue import FAMILIES

    out = [
        "<!-- planreview: off -->",
        "",
        "# Rule reference",
        "",
        "Generated from the rule catalogue and `service/explain/rules.toml` by",
        "`python -m service.explain > docs/rules.md`; `planreview rules CODE [--lang zh]` prints",
        "the same for one rule, with the guidance it cites. SARIF results link here (`helpUri`).",
        "",
    ]
    for family, (name_en, name_zh) in FAMILIES.items():
        members = [r for r in RULES if r.family == family]
        if not members:
            continue
        out += [f"## {name_en} / {name_zh}", ""]
        for spec in members:
            out += [f"### `{spec.code}`", ""]
            for lang in LANGS:
                h = explain(spec.code, lang, with_guidance=False)
                out += [render_markdown(h).rstrip("\n"), ""]
    return "\n".join(out).rstrip("\n") + "\n"


__all__ = [
    "RuleHelp",
    "anchor",
    "catalogue_markdown",
    "documented_codes",
    "examples",
    "explain",
    "render_markdown",
    "render_text",
    "suggest",
]
