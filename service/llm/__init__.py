"""The LLM tier: critique, unlisted risks, rewrites and an improved draft.

Pipeline (``tier.run_llm_tier``): cache lookup -> plan split into parts that
fit the token budget -> guidance retrieved per part -> critique calls (in
parallel, one round-trip) -> optional repair -> validation (quotes, citations,
codes) -> merge into the rule findings -> optional draft call -> cache.

Heavy imports (langchain, openai, httpx) happen inside functions: the offline
tier never pays for them.
"""
