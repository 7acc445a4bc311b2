"""The shipped knowledge content: valid, manifest up to date, primary chunks cited.

These run knowledge/build_manifest.py (the validator the content is written
against) on the real knowledge/ folder and on small organisation folders.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]

BODY_EN = " ".join(
    ["Procurement above CNY 50,000 needs two quotes and the category lead's approval."] * 10
)


def _load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_manifest", REPO / "knowledge" / "build_manifest.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def builder() -> ModuleType:
    return _load_builder()


def _org_file(root: Path, chunk_id: str, codes: str, body: str = BODY_EN) -> Path:
    path = root / "policies.en.md"
    path.write_text(
        textwrap.dedent(f"""\
        ---
        title: Acme procurement policy
        language: en
        frameworks: [resource]
        ---

        ## Acme: purchase approvals
        <!-- id: {chunk_id}; frameworks: resource; codes: {codes} -->
        {body}
        """),
        encoding="utf-8",
    )
    return path


def test_shipped_content_is_valid_and_manifest_current(
    builder: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert builder.main(["--check"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert out.startswith("ok:")


def test_manifest_rows_match_chunks_and_cover_every_code(builder: ModuleType) -> None:
    codes = builder.load_rule_codes()
    with (REPO / "knowledge" / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert list(rows[0]) == list(builder.MANIFEST_HEADER)
    ids = [r["chunk_id"] for r in rows]
    assert len(ids) == len(set(ids))
    for lang in ("en", "zh"):
        covered = {
            c
            for r in rows
            if r["chunk_id"].endswith(f"-{lang}")
            for c in r["codes"].split(",")
            if c
        }
        assert set(codes) <= covered, f"{lang}: {sorted(set(codes) - covered)}"
    cases = {
        r["chunk_id"][: -len("-en")]
        for r in rows
        if r["chunk_id"].startswith("case-") and r["chunk_id"].endswith("-en")
    }
    assert len(cases) >= 40
    for row in rows:
        assert (REPO / row["file"]).is_file()


def test_rule_map_puts_the_primary_chunk_first(builder: ModuleType) -> None:
    with (REPO / "knowledge" / "RULE_MAP.tsv").open(encoding="utf-8") as fh:
        rows = {
            (r["code"], r["lang"]): r["chunk_ids"].split(",")
            for r in csv.DictReader(fh, delimiter="\t")
        }
    for code in builder.load_rule_codes():
        for lang in ("en", "zh"):
            assert rows[(code, lang)][0] == f"{builder.PRIMARY[code]}-{lang}"


def test_grounding_cites_the_primary_chunk_for_every_code(builder: ModuleType) -> None:
    """The offline tier's rule-to-chunk choice agrees with the content's PRIMARY map."""
    from service.knowledge.corpus import clear_cache, load_corpus, shipped_knowledge_dir
    from service.knowledge.grounding import GroundingIndex

    clear_cache()
    gi = GroundingIndex.build(load_corpus([shipped_knowledge_dir()]), "test")
    for code, slug in builder.PRIMARY.items():
        for lang, variant in (("en", ("en", "latin")), ("zh", ("zh", "hans"))):
            [best] = gi.guidance_for(code, [variant])
            assert best.chunk_id == f"{slug}-{lang}", code


def test_valid_organisation_folder_passes(builder: ModuleType, tmp_path: Path) -> None:
    _org_file(tmp_path, "acme-purchase-approvals-en", "resource.no-budget")
    assert builder.main(["--check", "--extra", str(tmp_path)]) == 0


@pytest.mark.parametrize(
    ("chunk_id", "codes", "body", "message"),
    [
        ("acme-purchase-approvals-zh", "resource.no-budget", BODY_EN, "should end in '-en'"),
        (
            "acme-purchase-approvals-en",
            "resource.no-money",
            BODY_EN,
            "unknown rule code 'resource.no-money'",
        ),
        ("acme-purchase-approvals-en", "", "Too short.", "body has 2 words"),
        ("smart-measurable-en", "smart.measurable", BODY_EN, "duplicate id 'smart-measurable-en'"),
        ("Acme_Approvals-en", "", BODY_EN, "bad id"),
    ],
)
def test_bad_organisation_folder_is_reported(
    builder: ModuleType,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    chunk_id: str,
    codes: str,
    body: str,
    message: str,
) -> None:
    _org_file(tmp_path, chunk_id, codes, body)
    assert builder.main(["--check", "--extra", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "policies.en.md" in err


def test_missing_metadata_comment_is_reported(
    builder: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _org_file(tmp_path, "acme-purchase-approvals-en", "")
    path.write_text(
        path.read_text(encoding="utf-8").replace("<!-- id:", "<!-- ident:"), encoding="utf-8"
    )
    assert builder.main(["--check", "--extra", str(tmp_path)]) == 1
    assert "the line after a '## ' heading must be" in capsys.readouterr().err
