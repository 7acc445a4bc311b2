"""The HTTP API end to end: a real server on a free loopback port, spoken to with httpx."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from docgen import markdown_to_docx, markdown_to_pdf

from service.api.launch import ServerProcess, start_server

REPO = Path(__file__).resolve().parents[1]
PLANS = REPO / "eval" / "plans"
EN_PLAN = PLANS / "en-mfg-quality-annual-25.md"
HANS_PLAN = PLANS / "zh-edu-summer-01.md"
HANT_PLAN = PLANS / "zht-shopee-store-01.md"
CJK = re.compile(r"[\u4e00-\u9fff]")
SYNC_MAX = 16_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    srv = start_server(
        tmp_path_factory.mktemp("api-reviews"),
        env={
            "PLANREVIEW_API_RATE_LIMIT_PER_MINUTE": "0",
            "PLANREVIEW_API_KNOWLEDGE_AUTO_INDEX": "false",
            "PLANREVIEW_API_SYNC_MAX_BYTES": str(SYNC_MAX),
            "PLANREVIEW_API_REVIEW_PROCESSES": "1",
        },
    )
    yield srv
    srv.stop()


@pytest.fixture
def client(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=30) as c:
        yield c


def assert_problem(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in r.text and "site-packages" not in r.text
    return body


def test_english_plan_upload_answers_the_review(client: httpx.Client) -> None:
    r = client.post(
        "/v1/reviews", files={"file": (EN_PLAN.name, EN_PLAN.read_bytes())}, data={"llm": "off"}
    )
    assert r.status_code == 200, r.text
    review = r.json()
    assert review["schema_version"] == "1"
    assert review["plan"]["language"] == "en" and review["plan"]["source"] == EN_PLAN.name
    assert review["engine"]["tier"] == "offline"
    assert review["findings"], "a real plan gets findings"
    lines = EN_PLAN.read_text("utf-8").split("\n")
    for f in review["findings"]:
        if f["span"] and f["quote"]:
            span_text = "\n".join(lines[f["span"]["start_line"] - 1 : f["span"]["end_line"]])
            assert f["quote"] in span_text  # findings point at the plan's own lines
    assert r.headers["location"] == f"/v1/reviews/{review['id']}"

    stored = client.get(r.headers["location"]).json()
    assert stored["status"] == "succeeded" and stored["attempts"] == 1
    assert stored["review"]["findings"] == review["findings"]


@pytest.mark.parametrize(("path", "script"), [(HANS_PLAN, "hans"), (HANT_PLAN, "hant")])
def test_chinese_plans_get_chinese_findings(client: httpx.Client, path: Path, script: str) -> None:
    r = client.post(
        "/v1/reviews", json={"text": path.read_text("utf-8"), "llm": "off", "name": path.name}
    )
    assert r.status_code == 200, r.text
    review = r.json()
    assert review["plan"]["language"] == "zh" and review["plan"]["script"] == script
    assert review["findings"]
    assert all(CJK.search(f["message"]) for f in review["findings"])


def test_docx_and_pdf_uploads(client: httpx.Client, tmp_path: Path) -> None:
    md = EN_PLAN.read_text("utf-8")
    docx_path = markdown_to_docx(md, tmp_path / "plan.docx")
    pdf_path = markdown_to_pdf(md, tmp_path / "plan.pdf")
    for path, fmt in ((docx_path, "docx"), (pdf_path, "pdf")):
        r = client.post(
            "/v1/reviews?mode=sync",
            files={"file": (path.name, path.read_bytes())},
            data={"llm": "off"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["plan"]["source_format"] == fmt
        assert r.json()["findings"]


def test_select_and_ignore_narrow_the_rules(client: httpx.Client) -> None:
    text = EN_PLAN.read_text("utf-8")
    only = client.post("/v1/reviews", json={"text": text, "llm": "off", "select": ["smart"]})
    assert only.status_code == 200
    assert {f["family"] for f in only.json()["findings"]} <= {"smart"}
    form = client.post(
        "/v1/reviews",
        files={"file": ("p.md", text.encode())},
        data={"llm": "off", "ignore": "smart,risk"},
    )
    assert not {f["family"] for f in form.json()["findings"]} & {"smart", "risk"}
    bad = client.post("/v1/reviews", json={"text": text, "select": ["nonsense.code"]})
    assert "nonsense.code" in assert_problem(bad, 422)["detail"]


def read_events(client: httpx.Client, url: str) -> list[tuple[str, dict]]:
    events: list[tuple[str, dict]] = []
    with client.stream("GET", url, headers={"Accept": "text/event-stream"}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        name = ""
        for line in r.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[6:])))
    return events


def test_async_review_with_events_and_every_report_format(client: httpx.Client) -> None:
    r = client.post(
        "/v1/reviews?mode=async",
        files={"file": (HANS_PLAN.name, HANS_PLAN.read_bytes())},
        data={"llm": "off"},
    )
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] == "queued" and r.headers["location"] == f"/v1/reviews/{job['id']}"

    events = read_events(client, job["links"]["events"])
    names = [n for n, _ in events]
    assert names[0] == "queued" and names[-1] == "done"
    assert "started" in names and {"rules", "retrieve"} <= {d.get("stage") for _, d in events}
    assert events[-1][1]["findings"] > 0

    stored = client.get(f"/v1/reviews/{job['id']}").json()
    assert stored["status"] == "succeeded" and stored["review"]["plan"]["language"] == "zh"

    html = client.get(f"/v1/reviews/{job['id']}/report", params={"format": "html"})
    assert html.headers["content-type"].startswith("text/html")
    assert "<html" in html.text and "<script" not in html.text
    assert stored["review"]["findings"][0]["message"] in html.text.replace(
        "&#34;", '"'
    ) or CJK.search(html.text)
    md = client.get(f"/v1/reviews/{job['id']}/report", params={"format": "markdown"})
    assert md.headers["content-type"].startswith("text/markdown") and md.text.startswith("#")
    sarif = client.get(f"/v1/reviews/{job['id']}/report", params={"format": "sarif"}).json()
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    as_json = client.get(f"/v1/reviews/{job['id']}/report", params={"format": "json"}).json()
    assert as_json["findings"] == stored["review"]["findings"]
    bad = client.get(f"/v1/reviews/{job['id']}/report", params={"format": "docx"})
    assert_problem(bad, 422)


def test_large_plans_become_jobs_on_their_own(client: httpx.Client) -> None:
    big = EN_PLAN.read_text("utf-8") * (SYNC_MAX // EN_PLAN.stat().st_size + 1)
    r = client.post("/v1/reviews", json={"text": big, "llm": "off"})
    assert r.status_code == 202
    events = read_events(client, r.json()["links"]["events"])
    assert events[-1][0] == "done"


def test_events_of_a_synchronous_review_end_at_once(client: httpx.Client) -> None:
    r = client.post("/v1/reviews", json={"text": EN_PLAN.read_text("utf-8"), "llm": "off"})
    events = read_events(client, f"/v1/reviews/{r.json()['id']}/events")
    assert [n for n, _ in events] == ["done"]


def test_idempotency_key_replays_and_refuses_reuse(client: httpx.Client) -> None:
    text = EN_PLAN.read_text("utf-8")
    headers = {"Idempotency-Key": "order-42"}
    first = client.post("/v1/reviews", json={"text": text, "llm": "off"}, headers=headers)
    again = client.post("/v1/reviews", json={"text": text, "llm": "off"}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.headers.get("idempotent-replayed") == "true"
    other = client.post(
        "/v1/reviews", json={"text": text + "\nMore.", "llm": "off"}, headers=headers
    )
    assert assert_problem(other, 422)["kind"] == "idempotency-key-reused"

    # Multipart bodies differ by their random boundary; the same file is the same request.
    up = {"Idempotency-Key": "upload-7"}
    a = client.post("/v1/reviews?mode=async", files={"file": ("a.md", text.encode())}, headers=up)
    b = client.post("/v1/reviews?mode=async", files={"file": ("a.md", text.encode())}, headers=up)
    assert a.status_code == b.status_code == 202
    assert a.json()["id"] == b.json()["id"] and a.headers["location"] == b.headers["location"]
    # Without a key, every POST is a new review.
    c = client.post("/v1/reviews", json={"text": text, "llm": "off"})
    assert c.json()["id"] != first.json()["id"]


def test_critique_is_fast_and_returns_findings(client: httpx.Client) -> None:
    text = HANT_PLAN.read_text("utf-8")
    r = client.post("/v1/critiques", json={"text": text, "name": "file:///x/plan.md"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["language"] == "zh" and body["findings"]
    assert all(f["span"] is None or f["span"]["start_line"] >= 1 for f in body["findings"])
    assert body["elapsed_ms"] < 2000
    extra = client.post("/v1/critiques", json={"text": text, "llm": "on"})
    assert_problem(extra, 422)  # the fast path has no LLM option: unknown fields are refused


def test_rules_knowledge_and_health(client: httpx.Client) -> None:
    rules = client.get("/v1/rules").json()
    codes = {r["code"] for r in rules}
    assert {"smart.measurable", "risk.no-register"} <= codes
    assert all(r["title_zh"] and r["summary_en"] for r in rules)

    hits = client.get(
        "/v1/knowledge/search", params={"q": "风险登记册", "k": 3, "lang": "zh", "mode": "lexical"}
    ).json()
    # No vector index here: a hybrid search answers from BM25 at once and says so.
    hybrid = client.get("/v1/knowledge/search", params={"q": "风险登记册"})
    assert hybrid.status_code == 200 and hybrid.headers["x-knowledge-mode"] == "lexical"
    assert hybrid.json()
    assert 0 < len(hits) <= 3 and all(h["language"] == "zh" for h in hits)
    assert {"chunk_id", "title", "source", "frameworks", "score", "text"} <= set(hits[0])
    en = client.get(
        "/v1/knowledge/search", params={"q": "risk register owner", "lang": "en", "mode": "lexical"}
    ).json()
    assert en and all(h["language"] == "en" for h in en)
    assert_problem(client.get("/v1/knowledge/search"), 422)

    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200 and set(ready.json()["checks"].values()) == {"ok"}
    metrics = client.get("/metrics").text
    assert 'planreview_http_requests_total{method="POST",route="/v1/reviews"' in metrics
    assert "planreview_jobs{" in metrics


def test_errors_are_problem_documents(client: httpx.Client) -> None:
    assert_problem(client.get("/v1/reviews/rev_missing"), 404)
    assert_problem(client.get("/no/such/path"), 404)
    assert_problem(client.delete("/v1/reviews"), 405)
    assert_problem(client.get("/v1/batches/bat_missing"), 404)
    # A core error raised inside a review worker process keeps its status, kind and hint.
    empty = assert_problem(client.post("/v1/reviews", files={"file": ("e.md", b"")}), 422)
    assert empty["kind"] == "bad-input" and empty["detail"].startswith("e.md:") and empty["hint"]


def test_openapi_documents_both_bodies_with_examples(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/v1/reviews"]["post"]["requestBody"]["content"]
    assert {"multipart/form-data", "application/json"} <= set(body)
    assert body["application/json"]["examples"]
    responses = spec["paths"]["/v1/reviews"]["post"]["responses"]
    assert {"200", "202", "413", "415", "422", "429"} <= set(responses)
    assert "Problem" in spec["components"]["schemas"]
