"""Small text facts shared by ingestion and rules: scripts, language, words."""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")

# Characters whose Traditional and Simplified forms differ, common in plans.
# Counting them tells 繁體 from 简体 without a conversion library.
_HANT_ONLY = set(
    "們個這來時為說對會與關開實體現發當應點過經還從進動將長問題間總計劃畫區錄標準確認負責執"
    "購銷預算風險評控監測報態構組織團隊項數據據價績產業務戶營運場調優續質檢設計質讓議論"
    "與節階段變際導層職權資費號門頁週週達習護環並爭邊寫據歷礎兩壓庫員幫師條還續範線結級網"
    "題顧"
)
_HANS_ONLY = set(
    "们个这来时为说对会与关开实体现发当应点过经还从进动将长问题间总计划画区录标准确认负责执"
    "购销预算风险评控监测报态构组织团队项数据据价绩产业务户营运场调优续质检设计质让议论"
    "与节阶段变际导层职权资费号门页周达习护环并争边写据历础两压库员帮师条还续范线结级网"
    "题顾"
)
_HANT_ONLY -= _HANS_ONLY
_HANS_ONLY -= _HANT_ONLY


def cjk_count(text: str) -> int:
    return len(_CJK.findall(text))


def detect_language(text: str) -> str:
    """'zh' when CJK characters make up a real share of the text, else 'en'."""
    sample = text[:200_000]
    cjk = cjk_count(sample)
    latin = len(_LATIN_WORD.findall(sample))
    return "zh" if cjk > 0 and cjk >= latin * 0.5 else "en"


def detect_script(text: str) -> str:
    """'hant', 'hans' or 'latin'."""
    if detect_language(text) != "zh":
        return "latin"
    sample = text[:200_000]
    hant = sum(1 for ch in sample if ch in _HANT_ONLY)
    hans = sum(1 for ch in sample if ch in _HANS_ONLY)
    return "hant" if hant > hans else "hans"


def count_words(text: str) -> int:
    """Latin words plus CJK characters (each Han character counts as a word)."""
    return len(_LATIN_WORD.findall(text)) + cjk_count(text)
