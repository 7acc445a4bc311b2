"""Batch uploads are spooled to disk, not held in memory (issue 12, item 8).

A real server receives a 60 MB zip (one plan and a large asset the batch
skips); its peak resident memory (VmHWM) must not grow by the zip's size.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from service.api.launch import REPO, start_server

PLAN = (REPO / "eval" / "plans" / "en-mfg-quality-annual-25.md").read_bytes()
ZIP_MB = 60


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def big_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("team/plan.md", PLAN)
        zf.writestr("team/other.md", PLAN + b"\n- one more task\n")
        with zf.open("assets/video.bin", "w", force_zip64=True) as fh:
            for _ in range(ZIP_MB):
                fh.write(os.urandom(1024 * 1024))


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_a_large_batch_zip_does_not_grow_the_server(tmp_path: Path) -> None:
    archive = tmp_path / "library.zip"
    big_zip(archive)
    srv = start_server(
        tmp_path / "data",
        env={
            "PLANREVIEW_API_RATE_LIMIT_PER_MINUTE": "0",
            "PLANREVIEW_API_REVIEW_PROCESSES": "0",
            "PLANREVIEW_API_KNOWLEDGE_AUTO_INDEX": "false",
        },
    )
    try:
        with httpx.Client(base_url=srv.base_url, timeout=120) as c:
            warm = io.BytesIO()
            with zipfile.ZipFile(warm, "w") as zf:
                zf.writestr("warm.md", PLAN)
            r = c.post("/v1/batches", files=[("files", ("warm.zip", warm.getvalue()))])
            assert r.status_code == 202, r.text
            time.sleep(1.0)
            before = peak_rss_mb(srv.proc.pid)
            with archive.open("rb") as fh:
                r = c.post("/v1/batches", files=[("files", ("library.zip", fh))])
            assert r.status_code == 202, r.text
            batch = r.json()
            assert batch["total"] == 2 and batch["skipped"] == ["library.zip/assets/video.bin"]
            grown = peak_rss_mb(srv.proc.pid) - before
        print(f"peak RSS grew by {grown:.1f} MB for a {ZIP_MB} MB zip")
        assert grown < ZIP_MB / 3, f"peak RSS grew by {grown:.0f} MB for a {ZIP_MB} MB zip"
    finally:
        srv.stop()
