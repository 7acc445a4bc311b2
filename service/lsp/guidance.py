"""Cited guidance for the editor: where a chunk lives (for links) and its text (for hovers)."""

from __future__ import annotations

import logging
import re
import threading

from service.errors import PlanReviewError

log = logging.getLogger(__name__)

_COMMENT = re.compile(r"^\s*<!--.*?-->\s*$", re.S)
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


class GuidanceLookup:
    """chunk id -> (title, first paragraph, file location), cached per knowledge version."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version = ""
        self._chunks: dict[str, tuple[str, str, str | None, int]] = {}

    def _refresh(self) -> None:
        try:
            from service.knowledge.corpus import default_dirs, knowledge_version, load_corpus
        except ImportError:
            return
        try:
            version = knowledge_version()
            if version == self._version:
                return
            roots = {d.name: d for d in reversed(default_dirs())}  # shipped wins a name clash
            chunks: dict[str, tuple[str, str, str | None, int]] = {}
            for c in load_corpus():
                root_name, _, rel = c.source.partition("/")
                root = roots.get(root_name)
                uri = (root / rel).resolve().as_uri() if root is not None and rel else None
                chunks[c.chunk_id] = (c.title, first_paragraph(c.text), uri, c.line)
        except (PlanReviewError, OSError) as exc:
            log.warning("guidance unavailable: %s", exc)
            return
        self._chunks, self._version = chunks, version

    def get(self, chunk_id: str) -> tuple[str, str, str | None, int] | None:
        """(title, first paragraph, file URI, 1-based line) of a chunk, or None."""
        with self._lock:
            if not self._chunks:
                self._refresh()
            return self._chunks.get(chunk_id)

    def reload(self) -> None:
        with self._lock:
            self._refresh()

    def href(self, code: str, chunk_ids: list[str]) -> str:
        """A link to the guidance behind a finding: the knowledge file, else a planreview: URI."""
        for chunk_id in chunk_ids:
            hit = self.get(chunk_id)
            if hit is not None and hit[2] is not None:
                return f"{hit[2]}#L{hit[3]}"
        if chunk_ids:
            return f"planreview://guidance/{chunk_ids[0]}"
        return f"planreview://rules/{code}"


def first_paragraph(markdown: str, limit: int = 700) -> str:
    """The first paragraph of a chunk body (comments and blank lines skipped), trimmed."""
    paragraph: list[str] = []
    for line in markdown.split("\n"):
        if not line.strip() or _COMMENT.match(line):
            if paragraph:
                break
            continue
        paragraph.append(line.strip())
    text = ""
    for part in paragraph:
        glue = "" if not text or (_CJK.match(text[-1]) and _CJK.match(part[0])) else " "
        text += glue + part
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
