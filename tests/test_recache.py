"""The compiled-pattern cache (service/recache.py): same patterns, same matches, and a bad
cache file or an unwritable cache folder never breaks a run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = r"""
import re, sys
from service import recache
recache.install()
patterns = [
    (r"(?P<year>20\d\d)\s*年\s*(?P<month>1[0-2]|[1-9])\s*月", 0),
    (r"\b(?:owner|lead)s?\s*[:：]\s*(\S+)", re.I),
    (r"(?<![a-z0-9])(?:sig|kpi)(?![a-z0-9])", re.I | re.A),
    (r"^\s*[-*]\s\[[ xX]\]", re.M),
]
texts = ["2026 年 7 月上线", "Owner: Ann Lee", "版本发布SIG负责", "- [x] done\n- [ ] todo", "nothing"]
for source, flags in patterns:
    p = re.compile(source, flags)
    for t in texts:
        m = p.search(t)
        print(source[:12], p.flags, p.groups, sorted(p.groupindex.items()),
              m and (m.span(), m.groups(), m.groupdict()))
"""


def _run(cache: Path, *, enabled: str = "1") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PLANREVIEW_CACHE_DIR": str(cache), "PLANREVIEW_REGEX_CACHE": enabled}
    return subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60
    )


def test_patterns_rebuilt_from_the_cache_match_exactly_like_freshly_compiled_ones(
    tmp_path: Path,
) -> None:
    plain = _run(tmp_path / "off", enabled="0")
    first = _run(tmp_path / "on")  # compiles and writes the cache
    assert list((tmp_path / "on").glob("regex-*.marshal")), first.stderr
    second = _run(tmp_path / "on")  # rebuilds every pattern from the cache
    assert plain.returncode == first.returncode == second.returncode == 0, second.stderr
    assert plain.stdout == first.stdout == second.stdout
    assert "Traceback" not in first.stderr + second.stderr


def test_a_corrupt_cache_file_is_ignored_and_replaced(tmp_path: Path) -> None:
    _run(tmp_path)
    (cache_file,) = tmp_path.glob("regex-*.marshal")
    cache_file.write_bytes(b"\x00garbage" * 100)
    plain = _run(tmp_path / "off", enabled="0")
    again = _run(tmp_path)
    assert again.returncode == 0 and "Traceback" not in again.stderr
    assert again.stdout == plain.stdout
    assert cache_file.read_bytes()[:9] != b"\x00garbage\x00"


def test_an_unwritable_cache_folder_costs_nothing_but_the_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache folder would be", encoding="utf-8")
    done = _run(blocker / "cache")
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert done.stdout == _run(tmp_path / "off", enabled="0").stdout


RESHUFFLE = r"""
import re, sys
from service import recache
recache.install()
# a pattern built from a set: its text follows the hash seed of the process
p = re.compile("(" + "|".join({"alpha", "beta", "gamma", "delta", "epsilon"}) + ")x")
print(sorted(m.group(1) for m in p.finditer("betax gammax zetax epsilonx")))
"""


def test_reshuffled_spellings_of_a_stored_pattern_do_not_grow_the_cache(tmp_path: Path) -> None:
    outputs = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PLANREVIEW_CACHE_DIR": str(tmp_path), "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", RESHUFFLE], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
        if seed == "1":
            (cache_file,) = tmp_path.glob("regex-*.marshal")
            size, mtime = cache_file.stat().st_size, cache_file.stat().st_mtime_ns
    assert outputs == {"['beta', 'epsilon', 'gamma']\n"}
    assert (cache_file.stat().st_size, cache_file.stat().st_mtime_ns) == (size, mtime)
