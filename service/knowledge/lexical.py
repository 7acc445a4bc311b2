"""Lexical matching: tokenisers (English words, Chinese via jieba) and BM25.

Two tokenisers:

- ``tokenize`` (for BM25 in the retriever): Latin words, lightly stemmed, and
  Chinese words segmented by jieba (``cut_for_search``). 繁體 is mapped to 简体
  first (hanziconv, a character table), so a Traditional query matches
  Simplified text and the reverse. jieba loads its dictionary on first use
  (about half a second), so the review path does not use it.
- ``cheap_terms`` (for grounding on every review): the same Latin words plus
  Chinese character bigrams; no dictionary, microseconds per line.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

_LATIN_RE = re.compile(r"[a-z0-9][a-z0-9'\-]*")
_CJK_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_SPLIT_RE = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")


TOKENIZER_VERSION = "1"
"""Bump when ``tokenize`` changes, so cached token lists are rebuilt."""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


EN_STOP = _words(
    "a an the and or of to in on for with by at from as is are was were be been being it its this "
    "that these those there their they them we our us you your i me my he she his her do does did "
    "how what which who whom when where why should would could can will shall may might must "
    "not no so if then than into about over under per each every any all some more most very "
    "up out one two"
)
ZH_STOP = _words(
    "的 了 是 在 和 与 及 或 也 都 就 而 把 被 对 于 从 以 之 其 这 那 这个 那个 一个 一些 "
    "怎么 怎样 如何 什么 哪些 哪个 吗 呢 吧 啊 我 我们 你 你们 他 她 它 他们 应该 需要 要 "
    "可以 能 会 该 有 没有 为 为什么 时候 里 中 上 下 个 写 做 让 给 请 呀 还 又 很"
)


def to_simplified(text: str) -> str:
    """繁體 -> 简体, character by character (cheap; good enough for matching)."""
    if not _CJK_RUN_RE.search(text):
        return text
    from hanziconv import HanziConv

    return str(HanziConv.toSimplified(text))


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """Harman's S-stemmer: fold English plurals (milestones -> milestone, policies -> policy)."""
    w = word.strip("'-")
    if len(w) <= 3 or not w.endswith("s"):
        return w
    if w.endswith("ies") and not w.endswith(("eies", "aies")):
        return w[:-3] + "y"
    if w.endswith("es") and not w.endswith(("aes", "ees", "oes")):
        return w[:-1]
    if w.endswith(("us", "ss")):
        return w
    return w[:-1]


def _latin_terms(text: str) -> list[str]:
    return [stem(w) for w in _LATIN_RE.findall(text) if w not in EN_STOP]


_jieba_lock = threading.Lock()
_jieba_ready = False


def _jieba_cut(text: str) -> list[str]:
    global _jieba_ready
    import jieba

    with _jieba_lock:
        if not _jieba_ready:
            jieba.setLogLevel(60)
            jieba.initialize()
            _jieba_ready = True
    return [w for w in jieba.cut_for_search(text) if w.strip()]


def jieba_frequencies(words: Sequence[str]) -> tuple[dict[str, int], int]:
    """jieba's own dictionary frequency of each Chinese word (1 for words jieba's HMM found),
    and the dictionary's total (segmentation compares log(freq / total) along paths)."""
    import jieba

    _jieba_cut("预热")  # loads the dictionary
    freq = jieba.dt.FREQ
    return {w: int(freq.get(w) or 1) for w in words if _CJK_RUN_RE.fullmatch(w)}, int(
        jieba.dt.total
    )


class QueryTokenizer:
    """``tokenize`` for short queries, with jieba on a dictionary of the corpus' own words.

    jieba's full dictionary (350,000 words) takes 0.5-1.5 s to load, most of a whole
    `kb search`. BM25 scores only query terms that occur in the corpus, so a dictionary of
    the corpus' words (with jieba's frequencies) segments a query into the same matching
    terms and loads in milliseconds.
    """

    def __init__(self, dictionary: str, total: int) -> None:
        import jieba

        jieba.setLogLevel(60)
        self._tok = jieba.Tokenizer(dictionary=dictionary)
        self._total = total
        self._lock = threading.Lock()

    def _cut(self, text: str) -> list[str]:
        with self._lock:
            if not self._tok.initialized:
                self._tok.initialize()
                # the full dictionary's total: paths are weighed as they would be with it
                self._tok.total = self._total
        return [w for w in self._tok.cut_for_search(text) if w.strip()]

    def __call__(self, text: str) -> list[str]:
        text = to_simplified(text.lower())
        out: list[str] = []
        for i, part in enumerate(_SPLIT_RE.split(text)):
            if not part:
                continue
            if i % 2 == 1:
                out.extend(w for w in self._cut(part) if w not in ZH_STOP)
            else:
                out.extend(_latin_terms(part))
        return out


def warm_up() -> None:
    """Load jieba's dictionary now rather than on the first Chinese query (~0.5 s)."""
    _jieba_cut("预热")


def tokenize(text: str) -> list[str]:
    """BM25 terms: stemmed Latin words + jieba-segmented Chinese words (繁→简)."""
    text = to_simplified(text.lower())
    out: list[str] = []
    for i, part in enumerate(_SPLIT_RE.split(text)):
        if not part:
            continue
        if i % 2 == 1:  # a run of Han characters
            out.extend(w for w in _jieba_cut(part) if w not in ZH_STOP)
        else:
            out.extend(_latin_terms(part))
    return out


def cheap_terms(text: str, *, simplify: bool = True) -> list[str]:
    """Grounding terms: stemmed Latin words + Chinese character bigrams (繁→简).

    ``simplify=False`` skips the 繁→简 mapping for text known not to be 繁體.
    """
    text = to_simplified(text.lower()) if simplify else text.lower()
    out = _latin_terms(text)
    for run in _CJK_RUN_RE.findall(text):
        if len(run) == 1:
            if run not in ZH_STOP:
                out.append(run)
            continue
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


class BM25:
    """Okapi BM25 over pre-tokenised documents (small corpora, pure Python)."""

    def __init__(self, docs: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self.tf = [Counter(d) for d in docs]
        self.len = [len(d) for d in docs]
        self.avgdl = (sum(self.len) / len(self.len)) if self.len else 0.0
        df: Counter[str] = Counter()
        for t in self.tf:
            df.update(t.keys())
        n = len(docs)
        self.idf = {term: math.log(1 + (n - f + 0.5) / (f + 0.5)) for term, f in df.items()}

    def scores(self, query: Sequence[str]) -> list[float]:
        terms = [t for t in dict.fromkeys(query) if t in self.idf]
        out = [0.0] * len(self.tf)
        if not terms or not self.avgdl:
            return out
        for i, tf in enumerate(self.tf):
            norm = self.k1 * (1 - self.b + self.b * self.len[i] / self.avgdl)
            s = 0.0
            for term in terms:
                f = tf.get(term)
                if f:
                    s += self.idf[term] * f * (self.k1 + 1) / (f + norm)
            out[i] = s
        return out
