"""/docs and /redoc work without internet (issue 14): a real server, the pages name no other
host, and every asset they load comes back 200 from this server."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import httpx
import pytest

from service.api.launch import ServerProcess, start_server


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    srv = start_server(
        tmp_path_factory.mktemp("api-docs"),
        env={
            "PLANREVIEW_API_REVIEW_PROCESSES": "0",
            "PLANREVIEW_API_KNOWLEDGE_AUTO_INDEX": "false",
        },
    )
    yield srv
    srv.stop()


@pytest.mark.parametrize(
    ("page", "assets"),
    [
        ("/docs", {"swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"}),
        ("/redoc", {"redoc.standalone.js", "favicon.png"}),
    ],
)
def test_docs_pages_load_only_from_this_server(
    server: ServerProcess, page: str, assets: set[str]
) -> None:
    with httpx.Client(base_url=server.base_url, timeout=30) as c:
        r = c.get(page)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        refs = _Refs()
        refs.feed(r.text)
        base = server.base_url + page
        hosts = {urlparse(urljoin(base, u)).netloc for u in refs.urls}
        assert hosts == {urlparse(server.base_url).netloc}, refs.urls
        # the inline script points Swagger UI / ReDoc at this server's schema, nothing remote
        inline = "\n".join(refs.scripts)
        assert "http://" not in inline and "https://" not in inline
        if page == "/docs":
            assert "validatorUrl" in inline  # no badge fetched from validator.swagger.io
        names = {Path(urlparse(u).path).name for u in refs.urls}
        assert assets <= names
        for u in refs.urls:
            asset = c.get(urljoin(base, u))
            assert asset.status_code == 200, u
            assert len(asset.content) > 1000, u  # the real bundle, not a stub
        assert c.get("/openapi.json").json()["info"]["title"] == "planreview API"
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp
        assert "http" not in csp  # no remote origin allowed either


def test_the_assets_come_from_an_installed_package() -> None:
    from service.api.docs_pages import assets_dir

    folder = assets_dir()
    assert "site-packages" in str(folder) or "dist-packages" in str(folder)
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        assert (folder / name).stat().st_size > 10_000
