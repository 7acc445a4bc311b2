"""Every bad upload gets a 4xx problem document that names the file and says what to do."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from docgen import markdown_to_pdf

from service.api.launch import ServerProcess, start_server

REPO = Path(__file__).resolve().parents[1]
PLAN = (REPO / "eval" / "plans" / "en-mfg-quality-annual-25.md").read_bytes()
MAX_BYTES = 300_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    srv = start_server(
        tmp_path_factory.mktemp("api-uploads"),
        env={
            "PLANREVIEW_API_RATE_LIMIT_PER_MINUTE": "0",
            "PLANREVIEW_API_KNOWLEDGE_AUTO_INDEX": "false",
            "PLANREVIEW_API_REVIEW_PROCESSES": "0",
            "PLANREVIEW_MAX_BYTES": str(MAX_BYTES),
            "PLANREVIEW_MAX_PAGES": "2",
            "PLANREVIEW_API_MAX_ZIP_ENTRIES": "20",
            "PLANREVIEW_API_MAX_ZIP_UNCOMPRESSED_BYTES": str(2 * MAX_BYTES),
        },
    )
    yield srv
    srv.stop()


@pytest.fixture
def client(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=30) as c:
        yield c


def problem(r: httpx.Response, status: int, *needles: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["detail"] and body["type"].startswith("urn:planreview:problem:")
    for bad in ("Traceback", 'File "', "site-packages", str(REPO), "/tmp/"):
        assert bad not in r.text, f"{bad!r} leaked into {r.text}"
    for needle in needles:
        assert needle in body["detail"] + " " + body.get("hint", ""), body
    return body


def zip_bytes(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def upload(client: httpx.Client, name: str, data: bytes) -> httpx.Response:
    return client.post("/v1/reviews?mode=sync", files={"file": (name, data)}, data={"llm": "off"})


@pytest.mark.parametrize(
    ("name", "data", "status", "needle"),
    [
        ("empty.md", b"", 422, "empty"),
        ("blank.md", b"  \n\n\t\n", 422, "empty"),
        ("garbage.md", bytes(range(256)) * 40, 422, "garbage.md"),
        ("corrupt.docx", b"PK\x03\x04" + b"\x00\x13garbage" * 50, 422, ".docx"),
        (
            "notword.docx",
            zip_bytes({"content.xml": b"<x/>", "mimetype": b"x"}),
            422,
            "notword.docx",
        ),
        ("bomb.docx", zip_bytes({"word/document.xml": b"0" * (60 * 1024 * 1024)}), 413, "zip bomb"),
        ("plan.exe", b"MZ\x90\x00\x03" + b"\x00" * 100, 415, ".exe"),
        ("photo.md", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, 422, "image"),
        ("plan.pdf", bytes((i * 7919 + i // 7) % 256 for i in range(3000)), 422, "PDF"),
    ],
)
def test_bad_files_are_refused_with_a_reason(
    client: httpx.Client, name: str, data: bytes, status: int, needle: str
) -> None:
    problem(upload(client, name, data), status, needle)


def test_too_many_pdf_pages(client: httpx.Client, tmp_path: Path) -> None:
    long_plan = "# Plan\n\n" + "\n\n".join(
        f"## Part {i}\n\n" + "Text line. " * 300 for i in range(12)
    )
    pdf = markdown_to_pdf(long_plan, tmp_path / "long.pdf").read_bytes()
    problem(upload(client, "long.pdf", pdf), 413, "pages")


def test_oversize_is_refused_before_and_while_streaming(client: httpx.Client) -> None:
    big = b"# Plan\n\n" + b"- a goal line that repeats\n" * (MAX_BYTES // 20)
    # Content-Length over the limit: refused without reading the body.
    problem(upload(client, "big.md", big), 413, "limit")

    # Chunked (no Content-Length): counted while it streams, refused once over the limit.
    def chunks() -> Iterator[bytes]:
        for _ in range(200):
            yield b"x" * 8192

    r = client.post("/v1/reviews", content=chunks(), headers={"content-type": "application/json"})
    problem(r, 413, "limit")
    # Just under the body limit but over the file limit: the file check names the file.
    r = upload(client, "edge.md", b"a" * (MAX_BYTES + 10))
    assert r.status_code == 413


def test_malformed_requests(client: httpx.Client) -> None:
    problem(
        client.post("/v1/reviews", content=b"hello", headers={"content-type": "text/plain"}),
        415,
        "content type",
    )
    problem(
        client.post(
            "/v1/reviews", content=b"{not json", headers={"content-type": "application/json"}
        ),
        422,
    )
    problem(client.post("/v1/reviews", json={"txt": "typo"}), 422)
    problem(client.post("/v1/reviews", json={"text": ""}), 422)
    problem(client.post("/v1/reviews", json={"text": "# P", "llm": "maybe"}), 422, "llm")
    problem(client.post("/v1/reviews", files={"other": ("a.md", b"# x")}), 422, "file")
    problem(
        client.post("/v1/reviews", files={"file": ("a.md", PLAN)}, data={"colour": "red"}),
        422,
        "colour",
    )
    problem(client.post("/v1/critiques", json={"text": ""}), 422)


def test_batch_of_files_and_a_zip(client: httpx.Client) -> None:
    zh = (REPO / "eval" / "plans" / "zh-edu-summer-01.md").read_bytes()
    archive = zip_bytes(
        {
            "plans/a.md": PLAN,
            "plans/b.md": zh,
            "README.png": b"\x89PNG",
            "__MACOSX/._a.md": b"junk",
            "plans/": b"",
        }
    )
    r = client.post(
        "/v1/batches",
        files=[("files", ("one.md", PLAN)), ("files", ("lib.zip", archive))],
        data={"llm": "off"},
    )
    assert r.status_code == 202, r.text
    batch = r.json()
    assert batch["total"] == 3 and r.headers["location"] == f"/v1/batches/{batch['id']}"
    assert "lib.zip/README.png" in batch["skipped"]
    for _ in range(200):
        batch = client.get(f"/v1/batches/{batch['id']}").json()
        if batch["status"] == "completed":
            break
        import time

        time.sleep(0.05)
    assert batch["status"] == "completed" and batch["succeeded"] == 3 and batch["progress"] == 1
    lines = client.get(f"/v1/batches/{batch['id']}/results").text.strip().split("\n")
    import json

    rows = [json.loads(line) for line in lines]
    assert [r["source"] for r in rows] == ["one.md", "lib.zip/plans/a.md", "lib.zip/plans/b.md"]
    assert rows[2]["review"]["plan"]["language"] == "zh"
    summary = client.get(f"/v1/batches/{batch['id']}/summary")
    assert summary.headers["content-type"].startswith("text/html") and "<html" in summary.text
    assert "<script" not in summary.text
    # The library dashboard links each plan's review next to the page; the links resolve.
    import re
    from urllib.parse import urljoin

    links = re.findall(r'href="(reviews/[^"]+\.json)"', summary.text)
    assert links, "the dashboard links the plans' reviews"
    page = f"{client.base_url}/v1/batches/{batch['id']}/summary"
    linked = client.get(urljoin(page, links[0]))
    assert linked.status_code == 200 and linked.json()["schema_version"] == "1"
    missing = client.get(f"/v1/batches/{batch['id']}/reviews/nope.md.json")
    assert missing.status_code == 404


def test_bad_batches(client: httpx.Client) -> None:
    many = zip_bytes({f"p{i}.md": PLAN for i in range(25)})
    problem(client.post("/v1/batches", files={"files": ("many.zip", many)}), 413, "entries")
    bomb = zip_bytes(
        {
            "a.md": b"#" * (MAX_BYTES - 100),
            "b.md": b"#" * (MAX_BYTES - 100),
            "c.md": b"#" * (MAX_BYTES - 100),
        }
    )
    problem(client.post("/v1/batches", files={"files": ("bomb.zip", bomb)}), 413, "bomb.zip")
    problem(
        client.post("/v1/batches", files={"files": ("broken.zip", b"PK\x03\x04broken")}),
        422,
        "broken.zip",
    )
    problem(
        client.post("/v1/batches", files={"files": ("pics.zip", zip_bytes({"a.png": b"x"}))}),
        422,
        "no plan files",
    )
    problem(client.post("/v1/batches", json={"text": "x"}), 415)
    r = client.post("/v1/batches", files=[("files", ("ok.md", PLAN)), ("files", ("bad.md", b""))])
    assert r.status_code == 202  # a bad file inside a batch fails alone, with its reason
    bid = r.json()["id"]
    import time

    for _ in range(200):
        batch = client.get(f"/v1/batches/{bid}").json()
        if batch["status"] == "completed":
            break
        time.sleep(0.05)
    bad = next(i for i in batch["items"] if i["source"] == "bad.md")
    assert bad["status"] == "failed" and "empty" in bad["error"]["detail"]
    assert bad["error"]["status"] == 422
