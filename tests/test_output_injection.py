"""Plan text cannot inject formulas, links or content sniffing into outputs (issue 12, item 10)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import markdown_it
import pytest

from service.api.launch import ServerProcess, start_server
from service.batch.outputs import csv_cell
from service.batch.runner import BatchOptions, run_batch
from service.report.markdown import neutralise_links

EVIL_LINK = "[Click me](javascript:alert(document.cookie))"
PLAN = f"""# {EVIL_LINK} Plan

## Goals

- Grow sales by 5% by 2026-12-31, see [the brief](data:text/html;base64,PHNjcmlwdD4=)
- Improve morale [ok](https://example.com/morale?a=1&b=2)

## Tasks

- Hire two staff [mail](mailto:hr@example.com)

[ref]: javascript:alert(2)
"""


def _hrefs(markdown: str) -> list[str]:
    tokens = markdown_it.MarkdownIt("commonmark").parse(markdown)
    out: list[str] = []
    for tok in tokens:
        for child in tok.children or []:
            if child.type == "link_open":
                out.append(str(child.attrs.get("href", "")))
    return out


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    srv = start_server(
        tmp_path_factory.mktemp("api-injection"),
        env={
            "PLANREVIEW_API_RATE_LIMIT_PER_MINUTE": "0",
            "PLANREVIEW_API_REVIEW_PROCESSES": "0",
            "PLANREVIEW_API_KNOWLEDGE_AUTO_INDEX": "false",
        },
    )
    yield srv
    srv.stop()


def test_markdown_report_neutralises_unsafe_links_and_sets_headers(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.base_url, timeout=30) as c:
        posted = c.post("/v1/reviews", json={"text": PLAN, "llm": "off"})
        assert posted.status_code == 200, posted.text
        review_id = posted.json()["id"]
        for fmt in ("markdown", "html", "json"):
            r = c.get(f"/v1/reviews/{review_id}/report", params={"format": fmt})
            assert r.status_code == 200
            assert r.headers["x-content-type-options"] == "nosniff"
            csp = r.headers["content-security-policy"]
            assert "default-src 'none'" in csp and "script-src" not in csp
        md = c.get(f"/v1/reviews/{review_id}/report", params={"format": "markdown"}).text
        assert "Click me" in md
        hrefs = _hrefs(md)
        assert not [h for h in hrefs if h.lower().startswith(("javascript:", "data:"))], hrefs
        assert c.get("/healthz").headers["x-content-type-options"] == "nosniff"
        docs_csp = c.get("/docs").headers["content-security-policy"]  # Swagger UI: this origin
        assert "script-src 'self' 'unsafe-inline'" in docs_csp and "http" not in docs_csp


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        (EVIL_LINK, False),
        ("[x](JaVaScRiPt:alert(1))", False),
        ("[x](javascript&#58;alert(1))", False),
        ("[x]( vbscript:msgbox)", False),
        ("![img](data:image/svg+xml;base64,AAAA)", False),
        ("[x]: javascript:alert(1)", False),
        ("[x](https://example.com/a?b=1&c=2)", True),
        ("[x](mailto:someone@example.com)", True),
        ("[x]: https://example.com", True),
    ],
)
def test_neutralise_links(text: str, safe: bool) -> None:
    rendered = neutralise_links(text) + ("\n" if text.startswith("[x]:") else "")
    if text.startswith("[x]:"):
        rendered = f"[x]\n\n{rendered}"
    hrefs = _hrefs(rendered)
    assert bool(hrefs) == safe, (rendered, hrefs)


def test_summary_csv_cells_cannot_be_formulas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    titles = ['=HYPERLINK("http://evil.example","x")', "+SUM(1,2)", "-2+3", "@cmd", "\tTab"]
    for i, title in enumerate(titles):
        (lib / f"p{i}.md").write_text(f"# {title}\n\n## Goals\n\n- Grow sales\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    os.environ.pop("OPENAI_API_KEY", None)
    run_batch(BatchOptions(paths=["lib"], out=Path("out"), jobs=1, llm="off"))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "summary.csv").read_text("utf-8"))))
    assert len(rows) == len(titles)
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert {row["title"] for row in rows} >= {"'+SUM(1,2)", "'@cmd"}
    assert csv_cell(-3) == -3 and csv_cell("plain") == "plain"
