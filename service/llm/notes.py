"""The LLM tier's warnings, in the review's language (English, 简体, 繁體).

Every warning the tier adds to ``review.warnings`` is rendered here from a
key and its values, so that a Chinese plan gets Chinese warnings (繁體 for a
plan written in Traditional characters, converted with OpenCC).
"""

from __future__ import annotations

PREFIX = {"en": "LLM tier: ", "zh": "大模型评审："}

_NOTES: dict[str, dict[str, str]] = {
    "salvaged": {
        "en": "{what}: the answer was cut off at the token limit; kept its {n} complete items",
        "zh": "{what}：回答在输出上限处被截断，保留了其中 {n} 条完整内容",
    },
    "second_try_failed": {
        "en": "second try failed ({reason}); the first answer's findings stand",
        "zh": "第二次请求失败（{reason}），保留第一次回答中的发现",
    },
    "draft_no_trip": {
        "en": "draft skipped: the critique used all {trips} round-trips (its answer had to be "
        "repaired)",
        "zh": "未生成改进稿：评审已用完全部 {trips} 次往返（其回答需要修复）",
    },
    "draft_no_budget": {
        "en": "draft skipped: the token budget is spent ({left} prompt tokens left of the "
        "plan's own tokens + 3000; the draft needs the plan again)",
        "zh": "未生成改进稿：令牌预算已用完（计划自身令牌数 + 3000 中仅剩 {left}，改进稿需要再次发送计划）",
    },
    "draft_failed": {"en": "draft failed: {reason}", "zh": "改进稿生成失败：{reason}"},
    "draft_no_edit": {
        "en": "draft: the model proposed no usable edit",
        "zh": "改进稿：模型没有提出可用的修改",
    },
    "draft_salvaged": {
        "en": "draft: the answer was cut off at the token limit; applied its {n} complete edits",
        "zh": "改进稿：回答在输出上限处被截断，已应用其中 {n} 处完整修改",
    },
    "degraded": {
        "en": "the plan needs {n} critique calls, more than the prompt budget (its own tokens "
        "+ {overhead}) allows with a {context}-token context: reviewed {k} of {n} parts without "
        "rule hints or guidance; not reviewed: {heads}",
        "zh": "该计划需要 {n} 次评审调用，超出提示预算（计划自身令牌数 + {overhead}，上下文 "
        "{context} 令牌）：仅评审了 {n} 部分中的 {k} 部分，且未附规则提示和参考资料；未评审：{heads}",
    },
}

_WHAT = {"critique": "评审", "repair": "修复", "second try": "第二次请求", "draft": "改进稿"}


def note(key: str, lang: str, script: str | None = None, **values: object) -> str:
    """The warning ``key`` in the review's language, with its prefix."""
    zh = lang == "zh"
    if zh and isinstance(values.get("what"), str):
        what = str(values["what"])
        for en, cn in _WHAT.items():
            if what.startswith(en):
                values["what"] = cn + what[len(en) :]
                break
    text = PREFIX["zh" if zh else "en"] + _NOTES[key]["zh" if zh else "en"].format(**values)
    if zh and script == "hant":
        from service.rules.messages import to_traditional

        text = to_traditional(text)
    return text


def is_tier_note(warning: str) -> bool:
    """A warning the LLM tier added (any language)."""
    if warning.startswith(tuple(PREFIX.values())):
        return True
    from service.rules.messages import to_traditional

    return warning.startswith(to_traditional(PREFIX["zh"]))
