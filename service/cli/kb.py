"""`planreview kb`: build, describe, show and query the knowledge index.

An organisation adds its own guidance (playbooks, standards) by listing the
folders in ``PLANREVIEW_EXTRA_KNOWLEDGE_DIRS`` (a JSON list); the files use the
same format as knowledge/ (see service/knowledge/corpus.py). Reviews cite them
and ``kb index`` embeds them.

chromadb and langchain load only inside the commands that query the index.
"""

from __future__ import annotations

import json
from collections import Counter
from enum import StrEnum
from typing import Annotated, Any

import typer

from service.errors import PlanReviewError

app = typer.Typer(help="Build, describe and query the knowledge index.", no_args_is_help=True)


class Fmt(StrEnum):
    text = "text"
    json = "json"


class Lang(StrEnum):
    en = "en"
    zh = "zh"


class SearchMode(StrEnum):
    hybrid = "hybrid"
    vector = "vector"
    lexical = "lexical"


def _fail(message: str) -> typer.Exit:
    typer.echo(f"planreview kb: {message}", err=True)
    return typer.Exit(code=2)


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _progress_bar() -> tuple[Any, Any]:
    """A Rich progress bar on stderr and a ProgressFn feeding it. When stderr is not a
    terminal (CI logs, pipes) Rich draws nothing, so plain lines say how far it got."""
    import time

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    console = Console(stderr=True)
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = progress.add_task("Embedding chunks", total=None)
    start = time.monotonic()
    said = {"step": -1}

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)
        if console.is_terminal or not total:
            return
        step = done * 10 // total  # a line every tenth
        if step != said["step"]:
            said["step"] = step
            typer.echo(
                f"planreview kb: embedded {done}/{total} chunks ({time.monotonic() - start:.0f} s)",
                err=True,
            )

    return progress, update


def _build_index(store: Any, *, force: bool = False, why: str = "") -> Any:
    """Build (or bring up to date) the index, saying so first: it takes minutes once."""
    from service.knowledge.corpus import load_corpus

    n = len(load_corpus(store.dirs))
    typer.echo(
        f"planreview kb: {why}building the knowledge index ({n} chunks, model {store.embedder.name}); "
        f"it is kept in {store.location} and only changed chunks are embedded again",
        err=True,
    )
    progress, update = _progress_bar()
    with progress:
        stats = store.index(force=force, progress=update)
    typer.echo(
        f"planreview kb: index ready in {stats.seconds:.0f} s ({stats.embedded} embedded)", err=True
    )
    return stats


@app.command("index")
def index_cmd(
    force: Annotated[
        bool, typer.Option("--force", help="Drop the index and embed everything.")
    ] = False,
    fmt: Annotated[Fmt, typer.Option("--format", help="text or json")] = Fmt.text,
) -> None:
    """Build the knowledge index, embedding only new or changed chunks."""
    from service.knowledge.store import KnowledgeStore

    try:
        store = KnowledgeStore()
        stats = _build_index(store, force=force)
    except PlanReviewError as exc:
        raise _fail(str(exc)) from None
    if fmt is Fmt.json:
        _echo_json(stats.model_dump())
        return
    typer.echo(
        f"Indexed {stats.total} chunks in {stats.seconds:.1f} s: {stats.added} added, "
        f"{stats.updated} re-embedded, {stats.metadata_updated} metadata updated, "
        f"{stats.removed} removed, {stats.unchanged} unchanged.\n"
        f"Model {stats.model}; knowledge {stats.knowledge_version}; index {stats.location}"
    )


def _stats_data() -> dict[str, Any]:
    from service.knowledge.corpus import default_dirs, knowledge_version, load_corpus
    from service.knowledge.embeddings import get_embedder
    from service.knowledge.store import KnowledgeStore

    chunks = load_corpus()
    store = KnowledgeStore(embedder=get_embedder())  # no model load, no Chroma here
    info = store.info()
    by_lang = Counter(c.language if c.script != "hant" else "zh-hant" for c in chunks)
    by_fw: Counter[str] = Counter()
    for c in chunks:
        by_fw.update(c.frameworks)
    version = knowledge_version()
    return {
        "chunks": len(chunks),
        "by_language": dict(sorted(by_lang.items())),
        "by_kind": dict(sorted(Counter(c.kind for c in chunks).items())),
        "by_framework": dict(sorted(by_fw.items())),
        "knowledge_dirs": [str(d) for d in default_dirs()],
        "knowledge_version": version,
        "model": store.embedder.name,
        "index": {
            "location": store.location,
            "collection": store.collection_name,
            "built": info is not None,
            "current": info is not None
            and info.knowledge_version == version
            and info.model == store.embedder.name,
            "chunks": info.chunks if info else 0,
            "last_build": info.built_at if info else None,
            "last_build_seconds": info.seconds if info else None,
            "knowledge_version": info.knowledge_version if info else None,
        },
    }


@app.command("stats")
def stats_cmd(
    fmt: Annotated[Fmt, typer.Option("--format", help="text or json")] = Fmt.text,
) -> None:
    """Chunks per language and framework, the index location, model and last build."""
    try:
        data = _stats_data()
    except PlanReviewError as exc:
        raise _fail(str(exc)) from None
    if fmt is Fmt.json:
        _echo_json(data)
        return
    idx = data["index"]
    lines = [
        f"Chunks: {data['chunks']}  ({', '.join(f'{k} {v}' for k, v in data['by_language'].items())};"
        f" {', '.join(f'{k} {v}' for k, v in data['by_kind'].items())})",
        "Frameworks: " + ", ".join(f"{k} {v}" for k, v in data["by_framework"].items()),
        "Knowledge: "
        + "; ".join(data["knowledge_dirs"])
        + f"  (version {data['knowledge_version']})",
        f"Model: {data['model']}",
        f"Index: {idx['location']}",
    ]
    if idx["built"]:
        state = "current" if idx["current"] else "stale: run `planreview kb index`"
        lines.append(
            f"Last build: {idx['last_build']} ({idx['chunks']} chunks, "
            f"{idx['last_build_seconds']} s, {state})"
        )
    else:
        lines.append("Last build: never (built on first search, or run `planreview kb index`)")
    typer.echo("\n".join(lines))


@app.command("show")
def show_cmd(
    chunk_id: Annotated[str, typer.Argument(help="A chunk id, e.g. smart-measurable-en.")],
    fmt: Annotated[Fmt, typer.Option("--format", help="text or json")] = Fmt.text,
) -> None:
    """Print one chunk; exit 2 when it does not exist."""
    from service.knowledge.corpus import chunk_map
    from service.knowledge.retriever import chunk_public

    try:
        chunk = chunk_map().get(chunk_id)
    except PlanReviewError as exc:
        raise _fail(str(exc)) from None
    if chunk is None:
        raise _fail(
            f"no chunk {chunk_id!r} in the knowledge base "
            "(find ids with `planreview kb search QUERY`)"
        )
    if fmt is Fmt.json:
        _echo_json(chunk_public(chunk))
        return
    typer.echo(
        f"{chunk.chunk_id}  {chunk.title}\n"
        f"source: {chunk.source}:{chunk.line}  language: {chunk.language}"
        f"{' (' + chunk.script + ')' if chunk.language == 'zh' else ''}  kind: {chunk.kind}\n"
        f"frameworks: {', '.join(chunk.frameworks)}  codes: {', '.join(chunk.codes) or '-'}\n"
        f"\n{chunk.text}"
    )


@app.command("search")
def search_cmd(
    query: Annotated[str, typer.Argument(help="What to look for, in English or Chinese.")],
    k: Annotated[int, typer.Option("-k", "--top", min=1, max=100, help="Results.")] = 5,
    lang: Annotated[Lang | None, typer.Option("--lang", help="Only chunks in en or zh.")] = None,
    framework: Annotated[
        list[str] | None,
        typer.Option("--framework", help="Only chunks of this framework (repeatable)."),
    ] = None,
    mode: Annotated[
        SearchMode, typer.Option("--mode", help="hybrid, vector or lexical.")
    ] = SearchMode.hybrid,
    fmt: Annotated[Fmt, typer.Option("--format", help="text or json")] = Fmt.text,
) -> None:
    """Search the knowledge base (builds the index first if needed)."""
    from service.knowledge.retriever import Retriever

    try:
        retriever = Retriever(mode=mode.value)
        if mode is not SearchMode.lexical and not retriever.store.is_current():
            why = "first search: " if retriever.store.info() is None else "the knowledge changed: "
            _build_index(retriever.store, why=why)
        hits = retriever.search(
            query, k=k, lang=lang.value if lang else None, frameworks=framework or None
        )
    except PlanReviewError as exc:
        raise _fail(str(exc)) from None
    if fmt is Fmt.json:
        _echo_json([h.public() for h in hits])  # the contract's shape: score as documented
        return
    if not hits:
        typer.echo("No matching chunks.", err=True)
        return
    for rank, h in enumerate(hits, 1):
        c = h.chunk
        snippet = " ".join(c.text.split())
        snippet = snippet[:160] + ("…" if len(snippet) > 160 else "")
        typer.echo(
            f"{rank}. {c.chunk_id}  {c.title}  [{', '.join(c.frameworks)}]  "
            f"({_why(h, mode)})\n   {c.source}\n   {snippet}"
        )


def _why(h: Any, mode: SearchMode) -> str:
    """Why a chunk ranks where it does, in words instead of a bare fused score."""
    from service.knowledge.retriever import DEPTH

    if mode is SearchMode.vector:
        return f"similarity {h.score:.2f} of 1"
    if mode is SearchMode.lexical:
        return f"word match {h.score:.1f} (BM25)"
    parts = []
    parts.append(
        f"meaning #{h.vector_rank}" if h.vector_rank else f"meaning: not in the top {DEPTH}"
    )
    parts.append(f"words #{h.lexical_rank}" if h.lexical_rank else "no shared words")
    return ", ".join(parts)


def main() -> None:  # pragma: no cover - `python -m service.cli.kb`
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
