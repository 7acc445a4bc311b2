"""Validate the knowledge base and write knowledge/MANIFEST.tsv.

Usage (from the repository root):

    .venv/bin/python knowledge/build_manifest.py            # validate, then write MANIFEST.tsv
    .venv/bin/python knowledge/build_manifest.py --check    # validate, and fail if MANIFEST.tsv is stale
    .venv/bin/python knowledge/build_manifest.py --extra DIR  # also validate an organisation's folder

Pure standard library, except that the rule codes are read from
service/rules/catalogue.py (so the coverage check stays in sync with the
catalogue) and that, when the optional `opencc` package is importable, 简体
chunks are checked for stray 繁體 characters.

Exit status: 0 when everything is valid, 1 when the content has problems
(each printed as `file:line: message`), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

KNOWLEDGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = KNOWLEDGE_DIR.parent
MANIFEST = KNOWLEDGE_DIR / "MANIFEST.tsv"
MANIFEST_HEADER = ("chunk_id", "file", "language", "title", "frameworks", "codes")
RULE_MAP = KNOWLEDGE_DIR / "RULE_MAP.tsv"
RULE_MAP_HEADER = ("code", "lang", "chunk_ids")

# The most specific guidance chunk for each rule code, by slug (the id without
# its language suffix). It must exist in en and zh and list the code first.
# RULE_MAP.tsv puts it first for the code; a new rule code needs an entry here.
PRIMARY: dict[str, str] = {
    "smart.specific": "smart-specific",
    "smart.measurable": "smart-measurable",
    "smart.achievable": "smart-achievable",
    "smart.relevant": "smart-relevant",
    "smart.time-bound": "smart-time-bound",
    "okr.kr-count": "okr-kr-count",
    "okr.kr-is-task": "okr-kr-is-task",
    "okr.kr-not-measurable": "okr-kr-measurable",
    "raci.no-owner": "raci-no-owner",
    "raci.no-accountable": "raci-no-accountable",
    "raci.multiple-accountable": "raci-multiple-accountable",
    "raci.no-responsible": "raci-no-responsible",
    "raci.overloaded": "raci-overloaded",
    "pdca.no-check": "pdca-check",
    "pdca.no-act": "pdca-act",
    "pdca.no-milestones": "pdca-milestones",
    "bsc.missing-perspective": "bsc-overview",
    "bsc.lagging-only": "bsc-leading-lagging",
    "risk.no-register": "risk-register",
    "risk.no-mitigation": "risk-response-strategies",
    "risk.no-assessment": "risk-likelihood-impact",
    "risk.no-owner": "risk-owner",
    "resource.no-budget": "resource-budget-allocation",
    "resource.no-staffing": "resource-staffing",
    "resource.no-timeline": "resource-schedule-gantt",
    "resource.no-buffer": "resource-buffers",
    "consistency.budget-sum": "consistency-budget-sum",
    "consistency.percent-sum": "consistency-percent-sum",
    "consistency.date-order": "consistency-date-order",
    "comm.no-stakeholders": "communication-stakeholders",
    "plan.placeholder": "plan-placeholders",
    "llm.risk": "risk-hidden-risks",
    "llm.gap": "plan-traceability",
    "llm.inconsistency": "consistency-contradictions",
}

FRAMEWORK_TAGS = frozenset(
    {
        "smart",
        "okr",
        "raci",
        "pdca",
        "bsc",
        "risk",
        "resource",
        "monitoring",
        "communication",
        "evaluation",
        "iteration",
        "case",
    }
)
LANGUAGES = frozenset({"en", "zh"})
SCRIPTS = frozenset({"hans", "hant"})
REQUIRED_FRONT_MATTER = ("title", "language", "frameworks")
KNOWN_FRONT_MATTER = frozenset({"title", "language", "frameworks", "script", "origin"})
ORIGINS = frozenset({"seed", "original"})

# Body length bounds: English in words, Chinese in non-space characters.
EN_WORDS = (80, 250)
ZH_CHARS = (150, 450)

MIN_CASES = 40
MIN_SEED_CASES = 25

CASE_LABELS = {
    "en": ("Situation", "What went wrong", "What fixed it", "Lesson"),
    "zh": ("情境", "问题", "解决", "启示"),
    "zht": ("情境", "問題", "解決", "啟示"),
}

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*-(en|zh|zht)$")
META_RE = re.compile(
    r"^<!--\s*id:\s*(?P<id>[^;]*?)\s*;\s*frameworks:\s*(?P<fw>[^;]*?)\s*;"
    r"\s*codes:\s*(?P<codes>[^;]*?)\s*-->\s*$"
)
EN_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:['’.\-/][A-Za-z0-9]+)*")


@dataclass
class Chunk:
    chunk_id: str
    file: Path
    line: int
    title: str
    language: str
    script: str
    frameworks: list[str]
    codes: list[str]
    body: str
    origin: str = ""

    @property
    def suffix(self) -> str:
        return self.chunk_id.rsplit("-", 1)[1]

    @property
    def slug(self) -> str:
        return self.chunk_id.rsplit("-", 1)[0]


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)

    def add(self, path: Path, line: int, message: str) -> None:
        self.problems.append(f"{_rel(path)}:{line}: {message}")


def _rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def _split_list(value: str) -> list[str]:
    value = value.strip()
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    return [item.strip() for item in value.split(",") if item.strip()]


def load_rule_codes() -> list[str]:
    """Rule codes from the catalogue, in catalogue order."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    try:
        from service.rules.catalogue import RULES
    except Exception as exc:  # any import failure gets the same advice
        raise SystemExit(
            f"error: cannot import service.rules.catalogue ({exc}). "
            "Run this script with the project's interpreter from the repository root: "
            ".venv/bin/python knowledge/build_manifest.py"
        ) from exc
    return [rule.code for rule in RULES]


def _hant_to_hans() -> Callable[[str], str] | None:
    try:
        from opencc import OpenCC  # optional: only sharpens the 简体 check
    except Exception:
        return None
    converter: Callable[[str], str] = OpenCC("t2s").convert
    return converter


def parse_file(path: Path, report: Report) -> list[Chunk]:
    text = path.read_text(encoding="utf-8")
    if text.startswith("\ufeff"):
        report.add(path, 1, "file starts with a BOM; save it as plain UTF-8")
        text = text[1:]
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        report.add(path, 1, "missing front matter: the file must start with a '---' line")
        return []
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        report.add(path, 1, "front matter is not closed by a second '---' line")
        return []
    meta: dict[str, str] = {}
    for i in range(1, end):
        raw = lines[i]
        if not raw.strip():
            continue
        if ":" not in raw:
            report.add(path, i + 1, f"front matter line is not 'key: value': {raw!r}")
            continue
        key, value = raw.split(":", 1)
        key = key.strip()
        if key not in KNOWN_FRONT_MATTER:
            report.add(
                path,
                i + 1,
                f"unknown front matter key {key!r} "
                f"(known: {', '.join(sorted(KNOWN_FRONT_MATTER))})",
            )
        value = value.strip()
        if len(value) > 1 and value[0] == value[-1] and value[0] in "\"'":
            report.add(path, i + 1, f"write the value of {key!r} without quotes")
        meta[key] = value
    for key in REQUIRED_FRONT_MATTER:
        if not meta.get(key):
            report.add(path, 1, f"front matter lacks '{key}'")
    language = meta.get("language", "")
    if language and language not in LANGUAGES:
        report.add(path, 1, f"language must be one of {sorted(LANGUAGES)}, not {language!r}")
    script = meta.get("script", "hans" if language == "zh" else "latin")
    if "script" in meta and (language != "zh" or script not in SCRIPTS):
        report.add(path, 1, "script is only for Chinese files and must be 'hans' or 'hant'")
    origin = meta.get("origin", "")
    if origin and origin not in ORIGINS:
        report.add(path, 1, f"origin must be one of {sorted(ORIGINS)}, not {origin!r}")
    file_frameworks = _split_list(meta.get("frameworks", ""))
    for tag in file_frameworks:
        if tag not in FRAMEWORK_TAGS:
            report.add(path, 1, f"unknown framework tag {tag!r} in front matter")
    expected_suffix = "en" if language == "en" else ("zht" if script == "hant" else "zh")

    chunks: list[Chunk] = []
    heads = [i for i in range(end + 1, len(lines)) if lines[i].startswith("## ")]
    before = [ln for ln in lines[end + 1 : heads[0] if heads else len(lines)] if ln.strip()]
    if before:
        report.add(
            path,
            end + 2,
            "text between the front matter and the first '## ' "
            "heading is not indexed; move it into a chunk or delete it",
        )
    if not heads:
        report.add(path, end + 1, "no chunks: add at least one '## ' heading")
    for n, start in enumerate(heads):
        stop = heads[n + 1] if n + 1 < len(heads) else len(lines)
        title = lines[start][3:].strip()
        meta_line = lines[start + 1] if start + 1 < len(lines) else ""
        match = META_RE.match(meta_line.strip())
        if not match:
            report.add(
                path,
                start + 2,
                "the line after a '## ' heading must be "
                "'<!-- id: ...; frameworks: ...; codes: ... -->'",
            )
            continue
        body = "\n".join(lines[start + 2 : stop]).strip()
        chunk = Chunk(
            chunk_id=match["id"].strip(),
            file=path,
            line=start + 1,
            title=title,
            language=language,
            script=script,
            frameworks=_split_list(match["fw"]),
            codes=_split_list(match["codes"]),
            body=body,
            origin=origin,
        )
        check_chunk(chunk, expected_suffix, report)
        chunks.append(chunk)
    return chunks


def _body_size(chunk: Chunk) -> int:
    if chunk.language == "en":
        return len(EN_WORD_RE.findall(chunk.body))
    return len(re.sub(r"\s+", "", chunk.body))


def check_chunk(chunk: Chunk, expected_suffix: str, report: Report) -> None:
    path, line = chunk.file, chunk.line
    if not chunk.title:
        report.add(path, line, "empty chunk title")
    if not ID_RE.match(chunk.chunk_id):
        report.add(
            path,
            line,
            f"bad id {chunk.chunk_id!r}: use lowercase ascii "
            "'<topic>-<slug>-<lang>' ending in -en, -zh or -zht",
        )
    elif chunk.suffix != expected_suffix:
        report.add(
            path,
            line,
            f"id {chunk.chunk_id!r} should end in '-{expected_suffix}' "
            f"for a {chunk.language}/{chunk.script} file",
        )
    if not chunk.frameworks:
        report.add(path, line, f"{chunk.chunk_id}: no frameworks tags")
    for tag in chunk.frameworks:
        if tag not in FRAMEWORK_TAGS:
            report.add(path, line, f"{chunk.chunk_id}: unknown framework tag {tag!r}")
    is_case = chunk.chunk_id.startswith("case-")
    if is_case != ("case" in chunk.frameworks):
        report.add(
            path,
            line,
            f"{chunk.chunk_id}: case ids start with 'case-' and are "
            "tagged 'case'; other chunks are neither",
        )
    in_cases = "cases" in {part.lower() for part in chunk.file.parts[:-1]}
    if is_case != in_cases:
        report.add(
            path,
            line,
            f"{chunk.chunk_id}: case cards live under a 'cases/' folder and "
            "guidance outside it (the loader tells them apart by folder)",
        )
    if is_case and len(chunk.frameworks) < 2:
        report.add(path, line, f"{chunk.chunk_id}: a case also names the frameworks it illustrates")
    if len(set(chunk.codes)) != len(chunk.codes):
        report.add(path, line, f"{chunk.chunk_id}: a code is listed twice")
    size = _body_size(chunk)
    low, high = EN_WORDS if chunk.language == "en" else ZH_CHARS
    unit = "words" if chunk.language == "en" else "characters"
    if not low <= size <= high:
        report.add(
            path,
            line,
            f"{chunk.chunk_id}: body has {size} {unit}; keep it between {low} and {high}",
        )
    if is_case:
        labels = CASE_LABELS["en" if chunk.language == "en" else chunk.suffix]
        found = [label for label in labels if f"**{label}" in chunk.body]
        if len(found) != len(labels):
            missing = [label for label in labels if label not in found]
            report.add(
                path,
                line,
                f"{chunk.chunk_id}: case card lacks the labelled parts "
                f"{missing} (write them as '**{labels[0]}:** ...')",
            )
        else:
            order = [chunk.body.index(f"**{label}") for label in labels]
            if order != sorted(order):
                report.add(
                    path,
                    line,
                    f"{chunk.chunk_id}: case parts are out of order "
                    f"(expected {' / '.join(labels)})",
                )


def check_script(chunks: Iterable[Chunk], report: Report) -> None:
    convert = _hant_to_hans()
    try:
        from service.text import detect_script
    except Exception:
        detect_script = None  # type: ignore[assignment]
    for chunk in chunks:
        if chunk.language != "zh":
            continue
        text = f"{chunk.title}\n{chunk.body}"
        if detect_script is not None:
            script = detect_script(text)
            want = "hant" if chunk.suffix == "zht" else "hans"
            if script != want:
                report.add(
                    chunk.file,
                    chunk.line,
                    f"{chunk.chunk_id}: text reads as {script}, expected {want}",
                )
        if convert is not None and chunk.suffix == "zh":
            stray = sorted({a for a, b in zip(text, convert(text), strict=False) if a != b})
            if stray:
                report.add(
                    chunk.file,
                    chunk.line,
                    f"{chunk.chunk_id}: 繁體 characters in a 简体 chunk: {''.join(stray)}",
                )


def check_collection(
    chunks: list[Chunk], codes: list[str], *, builtin: bool, report: Report
) -> None:
    seen: dict[str, Chunk] = {}
    for chunk in chunks:
        if chunk.chunk_id in seen:
            other = seen[chunk.chunk_id]
            report.add(
                chunk.file,
                chunk.line,
                f"duplicate id {chunk.chunk_id!r} (also {_rel(other.file)}:{other.line})",
            )
        seen[chunk.chunk_id] = chunk
        for code in chunk.codes:
            if code not in codes:
                report.add(
                    chunk.file,
                    chunk.line,
                    f"{chunk.chunk_id}: unknown rule code "
                    f"{code!r} (see service/rules/catalogue.py)",
                )
    by_slug: dict[str, set[str]] = defaultdict(set)
    for chunk in chunks:
        by_slug[chunk.slug].add(chunk.suffix)
    if builtin:
        for chunk in chunks:
            twins = by_slug[chunk.slug]
            if chunk.suffix in ("en", "zht") and "zh" not in twins:
                report.add(
                    chunk.file, chunk.line, f"{chunk.chunk_id}: no 简体 twin '{chunk.slug}-zh'"
                )
            if chunk.suffix == "zh" and "en" not in twins:
                report.add(
                    chunk.file, chunk.line, f"{chunk.chunk_id}: no English twin '{chunk.slug}-en'"
                )
        guidance = [c for c in chunks if "case" not in c.frameworks]
        for lang in ("en", "zh"):
            listed = {code for c in chunks if c.suffix == lang for code in c.codes}
            first = {c.codes[0] for c in guidance if c.suffix == lang and c.codes}
            for code in codes:
                if code not in listed:
                    report.add(
                        KNOWLEDGE_DIR, 0, f"rule code {code!r} is supported by no '{lang}' chunk"
                    )
                elif code not in first:
                    report.add(
                        KNOWLEDGE_DIR,
                        0,
                        f"rule code {code!r} is listed first by no "
                        f"'{lang}' guidance chunk (its most specific chunk should "
                        "list it first)",
                    )
        by_id = {c.chunk_id: c for c in chunks}
        for code in codes:
            slug = PRIMARY.get(code)
            if slug is None:
                report.add(
                    KNOWLEDGE_DIR / "build_manifest.py",
                    0,
                    f"rule code {code!r} has no "
                    "entry in PRIMARY (name its most specific guidance chunk)",
                )
                continue
            for lang in ("en", "zh"):
                primary = by_id.get(f"{slug}-{lang}")
                if primary is None or "case" in primary.frameworks:
                    report.add(
                        KNOWLEDGE_DIR / "build_manifest.py",
                        0,
                        f"PRIMARY[{code!r}]: no guidance chunk '{slug}-{lang}'",
                    )
                elif not primary.codes or primary.codes[0] != code:
                    report.add(
                        primary.file,
                        primary.line,
                        f"{primary.chunk_id} is the primary "
                        f"chunk for {code!r} and must list it first",
                    )
        cases = {c.slug for c in chunks if "case" in c.frameworks and c.suffix == "en"}
        paired = {s for s in cases if "zh" in by_slug[s]}
        seed = {
            c.slug
            for c in chunks
            if "case" in c.frameworks and c.suffix == "en" and c.origin == "seed"
        }
        if len(paired) < MIN_CASES:
            report.add(
                KNOWLEDGE_DIR, 0, f"{len(paired)} cases in en and zh; need at least {MIN_CASES}"
            )
        if len(seed & paired) < MIN_SEED_CASES:
            report.add(
                KNOWLEDGE_DIR,
                0,
                f"{len(seed & paired)} cases from the seed text; "
                f"need at least {MIN_SEED_CASES} (mark them 'origin: seed')",
            )


def collect(folder: Path, report: Report) -> list[Chunk]:
    chunks: list[Chunk] = []
    for path in sorted(folder.rglob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        chunks.extend(parse_file(path, report))
    return chunks


def manifest_text(chunks: list[Chunk]) -> str:
    rows = ["\t".join(MANIFEST_HEADER)]
    for c in chunks:
        cells = (
            c.chunk_id,
            _rel(c.file),
            c.language,
            c.title,
            ",".join(c.frameworks),
            ",".join(c.codes),
        )
        rows.append("\t".join(cell.replace("\t", " ") for cell in cells))
    return "\n".join(rows) + "\n"


def rule_map_text(chunks: list[Chunk], codes: list[str]) -> str:
    """For every code and language: the chunks that support it, most specific first.

    Order: the PRIMARY chunk, then guidance chunks, then case cards; within each
    group by the code's position in the chunk's codes list, then file order.
    """
    rows = ["\t".join(RULE_MAP_HEADER)]
    order = {c.chunk_id: n for n, c in enumerate(chunks)}
    for code in codes:
        for lang in ("en", "zh", "zht"):
            matching = [c for c in chunks if c.suffix == lang and code in c.codes]
            if not matching:
                continue
            primary = PRIMARY.get(code, "")
            matching.sort(
                key=lambda c: (
                    c.slug != primary,
                    "case" in c.frameworks,
                    c.codes.index(code),
                    order[c.chunk_id],
                )
            )
            rows.append("\t".join((code, lang, ",".join(c.chunk_id for c in matching))))
    return "\n".join(rows) + "\n"


def summary(chunks: list[Chunk]) -> str:
    langs: dict[str, int] = defaultdict(int)
    for c in chunks:
        langs[c.suffix] += 1
    cases = {c.slug for c in chunks if "case" in c.frameworks}
    seed = {c.slug for c in chunks if "case" in c.frameworks and c.origin == "seed"}
    files = {c.file for c in chunks}
    per_lang = ", ".join(f"{k}={v}" for k, v in sorted(langs.items()))
    return (
        f"{len(chunks)} chunks in {len(files)} files ({per_lang}); "
        f"{len(cases)} cases ({len(seed)} from the seed text)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="do not write MANIFEST.tsv; fail if it is out of date"
    )
    parser.add_argument(
        "--extra",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="also validate an extra guidance folder (same format)",
    )
    args = parser.parse_args(argv)
    for folder in args.extra:
        if not folder.is_dir():
            parser.error(f"--extra {folder}: not a directory")

    codes = load_rule_codes()
    report = Report()
    chunks = collect(KNOWLEDGE_DIR, report)
    check_script(chunks, report)
    check_collection(chunks, codes, builtin=True, report=report)
    extra_chunks: list[Chunk] = []
    for folder in args.extra:
        extra_chunks.extend(collect(folder, report))
    if extra_chunks:
        check_script(extra_chunks, report)
        check_collection(chunks + extra_chunks, codes, builtin=False, report=report)

    if report.problems:
        for problem in report.problems:
            print(problem, file=sys.stderr)
        print(
            f"{len(report.problems)} problem(s); MANIFEST.tsv and RULE_MAP.tsv not written",
            file=sys.stderr,
        )
        return 1
    outputs = {MANIFEST: manifest_text(chunks), RULE_MAP: rule_map_text(chunks, codes)}
    if args.check:
        stale = [
            path
            for path, text in outputs.items()
            if not path.exists() or path.read_text(encoding="utf-8") != text
        ]
        if stale:
            names = ", ".join(_rel(path) for path in stale)
            print(
                f"{names} out of date: run .venv/bin/python knowledge/build_manifest.py",
                file=sys.stderr,
            )
            return 1
        print(f"ok: {summary(chunks + extra_chunks)}")
        return 0
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
    print(f"wrote {_rel(MANIFEST)} and {_rel(RULE_MAP)}: {summary(chunks + extra_chunks)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
