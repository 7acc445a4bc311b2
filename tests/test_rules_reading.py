"""The reading layer: what a heading, an item or a line *is*, from evidence rather than one
cue word (docs/rules-interpretation.md, "Reading real plans")."""

from __future__ import annotations

import pytest

from service.rules.extract.sections import classify_heading


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Goals", "goals"),
        ("Targets for 2026", "goals"),
        ("2026 Goals and KPIs", "goals"),
        ("Q3 2026: Goals", "goals"),
        ("Short-term Success for .gov", "goals"),
        ("Success metrics", "goals"),
        ("What success looks like", "goals"),
        ("Target systems", None),  # a modifier, not the head word
        ("Target audience", None),
        ("Metrics we collect", "monitoring"),
        ("Key metrics", "monitoring"),
        ("Risk register", "risks"),
        ("Risks, assumptions and dependencies", "risks"),
        ("Risk-based change process", None),
        ("Dependencies", None),
        ("Phase 2 (risk: high)", "timeline"),
        ("Milestone: Status and user business logic", "timeline"),
        ("Review of 2026", "background"),
        ("Budget overview", "resources"),
        ("Project overview", "background"),
        ("Roles and responsibilities", "organisation"),
        ("Next steps", "tasks"),
        ("一、总体目标", "goals"),
        ("工作目标", "goals"),
        ("目标用户", None),
        ("活动目的", "goals"),
        ("活动时间", None),
        ("风险评估", "risks"),
        ("風險評估", "risks"),
        ("监控指标", "monitoring"),
        ("考核指标", "goals"),
        ("执行步骤", "tasks"),
        ("推進步驟", "tasks"),
        ("进度安排", "timeline"),
        ("三、保障措施", "resources"),
        ("背景与目标", "goals"),
    ],
)
def test_a_heading_is_read_by_its_head_word(heading: str, kind: str | None) -> None:
    assert classify_heading(heading) == kind
