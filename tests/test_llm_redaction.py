"""Credentials never travel from upstream error text into a review (issue 12, item 2).

A scripted OpenAI-compatible server on 127.0.0.1 echoes the request's
Authorization header back in its error message, as some gateways do.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from llm_server import Received, Scripted, ScriptedLLMServer

from service.ingest.markdown import parse_markdown
from service.llm.redact import redact
from service.llm.tier import run_llm_tier
from service.review import ReviewOptions, review_plan
from service.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "sample-plan.md"


@pytest.fixture(autouse=True)
def _no_cassettes(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("PLANREVIEW_LLM_CASSETTES", "PLANREVIEW_LLM_CASSETTE_MODE"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def server() -> Iterator[ScriptedLLMServer]:
    with ScriptedLLMServer() as srv:
        yield srv


def echo(status: int, template: str) -> Scripted:
    def respond(received: Received) -> Scripted:
        message = template.format(auth=received.headers.get("authorization", ""))
        body = json.dumps({"error": {"message": message, "type": "invalid_request_error"}})
        return Scripted(status, body.encode(), {"Content-Type": "application/json"})

    return Scripted(respond=respond)


@pytest.mark.parametrize(
    ("key", "status", "template"),
    [
        ("sk-live-0123456789abcdef", 400, "bad header: Authorization: {auth}"),
        ("sk-live-0123456789abcdef", 422, "{auth}"),
        ("gw_7f3a9c1e5b", 400, "invalid token {auth} for this route"),
        ("gw_7f3a9c1e5b", 404, "no model for api_key={auth}"),
        ("sk-proj-" + "Z" * 60, 400, "Incorrect API key provided: {auth}. See docs."),
    ],
)
def test_an_echoed_key_is_redacted_from_the_status(
    server: ScriptedLLMServer, tmp_path: Path, key: str, status: int, template: str
) -> None:
    server.enqueue(echo(status, template))
    settings = Settings(
        data_dir=tmp_path / "data",
        OPENAI_BASE_URL=server.base_url,
        OPENAI_API_KEY=key,
        llm_timeout=2.0,
        llm_max_retries=0,
        llm_model="test-model",
    )
    plan = parse_markdown(SAMPLE.read_text(encoding="utf-8"), source=str(SAMPLE))
    offline = review_plan(plan, ReviewOptions(llm="off"), settings=settings)
    review = run_llm_tier(plan, offline, ReviewOptions(llm="on"), settings, plan.language)
    assert server.requests and server.requests[0].headers["authorization"] == f"Bearer {key}"
    status_text = review.engine.llm_status
    assert status_text.startswith("failed:") and f"({status})" in status_text, status_text
    dumped = review.model_dump_json()
    for leak in (key, key[:12], key[-8:]):
        assert leak not in dumped, status_text
    assert "[redacted]" in status_text


def test_redact_shapes() -> None:
    assert redact("Bearer abcdefgh1234 here") == "Bearer [redacted] here"
    assert redact("key sk-abcd1234efgh, next") == "key [redacted], next"
    assert redact('{"api_key": "hunter2hunter2"}') == '{"api_key": "[redacted]"}'
    assert redact("https://bob:pw@gw.example/v1") == "https://[redacted]@gw.example/v1"
    assert redact("my s3cr3t value", ["s3cr3t"]) == "my [redacted] value"
    assert redact("an ordinary error: model not found") == "an ordinary error: model not found"
    assert redact("a", ["a"]) == "a"  # too short to be searched for
