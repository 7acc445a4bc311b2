"""One settings object for every edge (env prefix PLANREVIEW_).

The openai SDK's own variables (OPENAI_API_KEY, OPENAI_BASE_URL) are honoured
as they are. CLI flags and config files override what the environment says.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr

from service.envsettings import EnvSettings


def default_data_dir() -> Path:
    """The user's data dir (XDG on Linux), without importing anything heavy."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(base) / "planreview"


class Settings(EnvSettings):
    env_prefix = "PLANREVIEW_"

    data_dir: Path = Field(default_factory=default_data_dir, description="Index, cache, database.")

    # LLM tier
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "PLANREVIEW_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("OPENAI_BASE_URL", "PLANREVIEW_OPENAI_BASE_URL"),
    )
    llm_model: str = Field(default="gpt-4o-mini", description="Chat model name.")
    llm_temperature: float = 0.1
    llm_timeout: float = Field(default=60.0, gt=0, description="Seconds per LLM call.")
    llm_connect_timeout: float = Field(
        default=3.0, gt=0, description="Seconds to connect to the endpoint before giving up."
    )
    llm_deadline: float = Field(
        default=180.0, gt=0, description="Seconds for every LLM call of one review together."
    )
    llm_max_retries: int = Field(default=2, ge=0, le=10)
    llm_concurrency: int = Field(default=4, ge=1, le=64)
    llm_requests_per_second: float | None = Field(
        default=None, gt=0, description="Rate limit for LLM calls (None: no limit)."
    )
    llm_context_tokens: int = Field(default=16000, ge=2000, description="Model context size.")
    llm_max_output_tokens: int = Field(default=4000, ge=256)
    llm_structured: str = Field(
        default="auto",
        description="json_schema | json_mode | prompt (no response format) | auto (schema, then JSON mode, then prompt).",
    )
    llm_cassettes: Path | None = Field(
        default=None,
        description="Record/replay directory for LLM calls (the eval suite's replay mode).",
    )
    llm_cassette_mode: str | None = Field(default=None, description="replay (the default) | record")

    # Knowledge base
    chroma_host: str | None = Field(default=None, description="Chroma server host (HttpClient).")
    chroma_port: int | None = None
    extra_knowledge_dirs: list[Path] = Field(
        default_factory=list, description="An organisation's own guidance folders."
    )

    # Ingestion limits
    max_bytes: int = Field(default=20 * 1024 * 1024, description="Largest accepted file.")
    max_pages: int = Field(default=300, description="Most PDF pages read.")
    max_paragraphs: int = Field(default=20000, description="Most .docx paragraphs read.")
    max_uncompressed_bytes: int = Field(
        default=100 * 1024 * 1024, description="Largest total uncompressed size of a .docx."
    )
    max_chars: int = Field(default=2_000_000, description="Largest normalised plan text.")
    pdf_time_budget: float = Field(
        default=30.0, gt=0, description="Seconds a PDF may take to read before it is refused."
    )

    # API
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "PLANREVIEW_DATABASE_URL")
    )
    # Scale-out (docs/deploy.md): with a broker, async jobs go to `planreview worker`s.
    broker_url: str | None = Field(
        default=None,
        description="Celery broker (redis://host:6379/0): the server enqueues review and batch "
        "jobs there for `planreview worker` processes; unset, they run inside the server.",
    )
    result_backend: str | None = Field(
        default=None,
        description="Where distributed batch results come back (default: the broker URL).",
    )
    retention_days: float | None = Field(
        default=None,
        gt=0,
        description="Delete finished reviews and batches this many days after they finished "
        "(the server prunes hourly; 'planreview db prune' on demand). None: keep them.",
    )

    @property
    def llm_configured(self) -> bool:
        """An endpoint the tier could call (a key, or a base URL)."""
        return bool(self.openai_api_key or self.openai_base_url)

    @property
    def llm_requested(self) -> bool:
        """planreview itself was told to use the LLM tier (what ``--llm auto`` needs).

        PLANREVIEW_LLM_MODEL or OPENAI_BASE_URL set. An OPENAI_API_KEY alone is not enough:
        it is often set for other tools, and the plan would leave the machine unasked.
        """
        return bool(self.openai_base_url) or "llm_model" in self.model_fields_set


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
