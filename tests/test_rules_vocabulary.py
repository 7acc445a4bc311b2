"""Vocabulary as data: the built-in words live in service/rules/vocabulary/*.toml, and a
project's planreview.toml extends them without code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest

from service.config import ReviewConfig, VocabularyConfig, load_config_file
from service.errors import ConfigError
from service.review import ReviewOptions, review_text
from service.rules import vocabulary
from service.rules.extract.sections import classify_heading

PLAN = dedent(
    """
    # Q3 2026 Platform Plan

    ## Battle plan

    - Migrate billing to the new ledger by 2026-08-01
    - Retire the old ledger by 2026-09-01

    ## Who does what

    | Work | Champion |
    |---|---|
    | Publish the runbook | Ana Lee |
    | Train the support desk | |
    """
).strip()


def _owner_lines(config: ReviewConfig) -> list[int]:
    review = review_text(PLAN + "\n", "plan.md", ReviewOptions(llm="off", config=config))
    return sorted(
        f.span.start_line for f in review.findings if f.code == "raci.no-owner" and f.span
    )


def test_the_built_in_vocabulary_comes_from_the_data_files() -> None:
    vocab = vocabulary.builtin()
    assert "tasks" in vocab.order and vocab.parts["tasks"].search("行动计划")
    assert vocab.owner_column.search("负责人") and vocab.task_column.search("deliverable")
    assert classify_heading("Battle plan") is None


def test_a_project_teaches_the_reviewer_its_own_template_words() -> None:
    assert _owner_lines(ReviewConfig()) == []  # unknown words: nothing is read as a task
    config = ReviewConfig(
        vocabulary=VocabularyConfig(
            sections={"tasks": ["Battle plan", "Who does what"]},
            owner_columns=["Champion"],
            task_columns=["Work"],
        )
    )
    # The backlog items are tasks now (no owner), the table reads its Champion column.
    assert _owner_lines(config) == [5, 6, 13]
    # The extension applies only inside the review that asked for it.
    assert vocabulary.active() is vocabulary.builtin()
    assert classify_heading("Battle plan") is None


def test_traditional_and_simplified_words_match_either_script() -> None:
    config = VocabularyConfig(sections={"tasks": ["行動綱要"]})
    assert classify_heading("三、行动纲要") is None
    with vocabulary.using(config):
        assert classify_heading("三、行动纲要") == "tasks"
        assert classify_heading("三、行動綱要") == "tasks"


def test_planreview_toml_vocabulary_is_read_and_checked(tmp_path: Path) -> None:
    good = tmp_path / "planreview.toml"
    good.write_text(
        '[vocabulary]\nowner_columns = ["Champion"]\n[vocabulary.sections]\ntasks = ["Sprint backlog"]\n',
        encoding="utf-8",
    )
    config = load_config_file(good)
    assert config.vocabulary.sections == {"tasks": ["Sprint backlog"]}
    bad = tmp_path / "bad.toml"
    bad.write_text('[vocabulary.sections]\nchores = ["Backlog"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown plan part 'chores'"):
        load_config_file(bad)


def test_the_cli_reports_a_bad_vocabulary_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "planreview.toml").write_text(
        '[vocabulary]\nowner_colums = ["Champion"]\n', encoding="utf-8"
    )
    plan = tmp_path / "plan.md"
    plan.write_text(PLAN + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", "from service.cli import main; main()", "review", str(plan)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "owner_colums" in done.stderr and "Traceback" not in done.stderr


MEASURES = dedent(
    """
    # Docs Project 2026

    ## Goals

    - Cut onboarding time to 2 days by 2026-09-30

    {lead}

    - Time to first merged pull request
    - Questions asked in the help channel
    """
).strip()


def _measurable_lines(lead: str, config: ReviewConfig) -> list[int]:
    text = MEASURES.format(lead=lead) + "\n"
    review = review_text(text, "plan.md", ReviewOptions(llm="off", config=config))
    return sorted(
        f.span.start_line for f in review.findings if f.code == "smart.measurable" and f.span
    )


@pytest.mark.parametrize(
    "lead",
    ["Specifically, we will evaluate:", "These metrics may include:", "我们将从以下方面评估："],
)
def test_items_under_a_measures_lead_in_are_measures_not_goals(lead: str) -> None:
    assert _measurable_lines(lead, ReviewConfig()) == []


def test_a_project_names_its_own_measures_lead_in() -> None:
    lead = "During the pilot we benchmark:"
    # Unknown lead-in: the bare metric names read as goals without a target.
    assert _measurable_lines(lead, ReviewConfig()) == [9, 10]
    config = ReviewConfig(vocabulary=VocabularyConfig(measure_lead_ins=["we benchmark"]))
    assert _measurable_lines(lead, config) == []


def test_the_currency_shortcut_agrees_with_the_amount_pattern() -> None:
    """has_currency_amount skips texts without any currency hint; it must never disagree with
    CURRENCY_AMOUNT itself, on every line of every plan of the eval and on edge cases."""
    from pathlib import Path

    from service.rules.extract import cues

    root = Path(__file__).resolve().parents[1] / "eval" / "plans"
    samples = [
        "Budget: $12,000",
        "EUR 80,000",
        "80000 euros",
        "预算 5 万元",
        "12000 </font>\n元",
        "新台币 3,000",
        "NT$500",
        "HK$ 20",
        "50 USD",
        "£40k",
        "Ｕｓｄ 5",
        "150 people",
        "2027-03-01",
    ]
    for path in sorted(root.iterdir()):
        samples.extend(path.read_text(encoding="utf-8", errors="replace").split("\n"))
    assert len(samples) > 5000
    for text in samples:
        assert cues.has_currency_amount(text) == bool(cues.CURRENCY_AMOUNT.search(text)), text


def test_prefiltered_cue_searches_answer_exactly_as_the_patterns() -> None:
    """The literal shortcut of the long cue alternations (Act, Check, money, placeholders) never
    changes an answer: checked on every plan of the eval, whole and line by line."""
    from pathlib import Path

    from service.rules.extract import cues
    from service.rules.extract.prefilter import Prefiltered

    root = Path(__file__).resolve().parents[1] / "eval" / "plans"
    texts: list[str] = ["Retro every sprint.", "我们会根据反馈调整计划。", "Act → adjust", "", "x"]
    for path in sorted(root.iterdir()):
        whole = path.read_text(encoding="utf-8", errors="replace")
        texts.append(whole)
        texts.append(whole.lower())
        texts.extend(whole.split("\n"))
    patterns = [cues.ACT_CUES, cues.CHECK_CUES, cues.CURRENCY_AMOUNT, cues.TEMPLATE_SLOT]
    for pattern in patterns:
        fast = Prefiltered(pattern)
        assert fast.literals, pattern.pattern[:60]  # the shortcut is in use, not skipped
        hits = 0
        for text in texts:
            expected = pattern.search(text)
            got = fast.search(text)
            assert (got is None) == (expected is None), (pattern.pattern[:40], text[:80])
            hits += expected is not None
        assert hits > 10  # the texts hold matches, so agreement is not vacuous


def test_required_literals_of_a_pattern() -> None:
    import re

    from service.rules.extract.prefilter import literals

    assert literals(re.compile(r"\bretros?\b|post[- ]mortem|复盘")) == {"retro", "mortem", "复盘"}
    assert literals(re.compile(r"(?:a|b)+c", re.I)) == {"c"}
    # An alternative that needs no literal leaves no safe shortcut.
    assert literals(re.compile(r"retro|\d+")) is None
    assert literals(re.compile(r"DEBRIEF", re.I)) == {"debrief"}


def test_a_project_names_its_own_work_verbs() -> None:
    plan = dedent(
        """
        # OKR 2026 Q3

        ## 目标 1：网站体验达标

        - KR1：走查全部 20 个页面
        - KR2：首页加载时间降到 2 秒以内
        - KR3：用户满意度提升到 90%
        """
    ).strip()

    def task_krs(config: ReviewConfig) -> list[int]:
        review = review_text(plan + "\n", "okr.md", ReviewOptions(llm="off", config=config))
        return [f.span.start_line for f in review.findings if f.code == "okr.kr-is-task" and f.span]

    # "走查" (a walkthrough) is not a verb the reviewer knows: the KR reads as a count.
    assert task_krs(ReviewConfig()) == []
    config = ReviewConfig(vocabulary=VocabularyConfig(activity_verbs=["走查"]))
    assert task_krs(config) == [5]
    assert vocabulary.builtin().activity_verbs["zh"].match("办理说明会")
    assert not vocabulary.active().activity_verbs["zh"].match("走查全部页面")
