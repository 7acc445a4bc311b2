"""Settings of the HTTP API only (env prefix PLANREVIEW_API_).

The core's :class:`service.settings.Settings` still holds what every edge
shares (data dir, database URL, ingestion limits); this class holds what only
the server needs. Defaults are safe: loopback only, keys required beyond it,
a per-key rate limit, bounded uploads and a bounded worker pool.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from service.envsettings import EnvSettings


class ApiSettings(EnvSettings):
    env_prefix = "PLANREVIEW_API_"

    host: str = Field(default="127.0.0.1", description="Interface the server listens on.")
    port: int = Field(default=8000, ge=0, le=65535, description="TCP port.")
    insecure: bool = Field(
        default=False,
        description="Allow serving beyond loopback without API keys (never in production).",
    )
    require_keys: bool | None = Field(
        default=None,
        description="Require an API key on every /v1 call; default: only beyond loopback.",
    )

    # jobs
    workers: int = Field(default=2, ge=1, le=32, description="Threads running async review jobs.")
    review_processes: int = Field(
        default=2,
        ge=0,
        le=32,
        description="Processes running synchronous offline reviews (0: run them in threads).",
    )
    queue_limit: int = Field(
        default=1000, ge=1, description="Most queued or running jobs; beyond it POSTs answer 503."
    )
    job_max_attempts: int = Field(
        default=3,
        ge=1,
        le=10,
        description="A job interrupted by a restart is re-queued until it has run this many times, "
        "then marked failed with the reason.",
    )
    job_lease_seconds: float = Field(
        default=60,
        gt=0,
        le=3600,
        description="A running job's lease, renewed by its server every third of it; another "
        "server sharing the database takes the job over only once the lease has expired.",
    )
    sync_max_bytes: int = Field(
        default=256 * 1024,
        ge=0,
        description="Plans larger than this are reviewed as a job (202) even without ?mode=async.",
    )
    review_cache_size: int = Field(
        default=256, ge=0, description="Offline reviews kept in memory by content hash (0: none)."
    )

    guidance_sync_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How often the server copies guidance other replicas were given from the "
        "database into its guidance folder (0: only at start-up).",
    )

    knowledge_auto_index: bool = Field(
        default=True,
        description="When the vector index is missing or stale, build it in the background "
        "(searches answer from BM25 meanwhile). The Docker image builds it at build time.",
    )

    # uploads
    max_batch_files: int = Field(default=200, ge=1, description="Most plans in one batch.")
    max_batch_bytes: int = Field(
        default=100 * 1024 * 1024, ge=1, description="Largest batch request body."
    )
    max_zip_entries: int = Field(default=1000, ge=1, description="Most entries in an uploaded zip.")
    max_zip_uncompressed_bytes: int = Field(
        default=200 * 1024 * 1024, ge=1, description="Largest total unpacked size of a batch zip."
    )
    max_text_chars: int = Field(
        default=1_000_000, ge=1, description="Longest plan text in a JSON body."
    )
    max_knowledge_bytes: int = Field(
        default=1024 * 1024, ge=1, description="Largest uploaded guidance document."
    )

    # security
    rate_limit_per_minute: float = Field(
        default=600,
        ge=0,
        description="Requests per minute per API key (or client address when anonymous, "
        "loopback included); 0: off.",
    )
    rate_limit_burst: int = Field(default=60, ge=1, description="Requests allowed in a burst.")
    auth_failures_per_minute: float = Field(
        default=10,
        ge=0,
        description="Failed authentications (unknown or revoked keys) allowed per minute per "
        "client address; past them a key is refused with 429 before it is looked up. 0: off.",
    )
    auth_failures_burst: int = Field(
        default=10, ge=1, description="Failed authentications allowed in a burst per client."
    )
    forwarded_allow_ips: str | None = Field(
        default=None,
        description="Addresses of reverse proxies whose X-Forwarded-For names the client "
        "(uvicorn's forwarded_allow_ips, e.g. '127.0.0.1'). Set, it also makes API keys "
        "required: a proxied server is reachable beyond loopback whatever it listens on.",
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed by CORS (JSON list); empty: CORS off."
    )
    idempotency_ttl_hours: float = Field(
        default=24, gt=0, description="How long an Idempotency-Key is remembered."
    )


@lru_cache(maxsize=1)
def get_api_settings() -> ApiSettings:
    return ApiSettings()
