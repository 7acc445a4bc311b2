"""Build eval/datasets/en.jsonl from the hand-written English plans and their labels.

Labels are written against anchors (a text fragment that occurs on exactly one line of the
plan) so that a line number can never drift from the text it labels. Run after editing a plan
or a label:

    .venv/bin/python eval/tools/build_en_dataset.py

Each gold entry in the output keeps its anchor; ``eval/validate.py`` checks that the anchor is
still on the labelled line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

EVAL = Path(__file__).resolve().parents[1]
D = None  # document-scope finding: no anchor, line null

# id: (split, kind, industry, quality, negative_control, [(code, anchor-or-None), ...])
PLANS: dict[str, tuple[str, str, str, str, bool, list[tuple[str, str | None]]]] = {
    "en-saas-okr-q3-01": (
        "dev",
        "okr",
        "saas",
        "mixed",
        False,
        [
            ("plan.placeholder", "KR1: Grow net revenue retention to X%"),
            ("okr.kr-is-task", "KR3: Launch the new onboarding checklist"),
            ("okr.kr-not-measurable", "KR3: Launch the new onboarding checklist"),
            ("okr.kr-not-measurable", "KR1: Grow net revenue retention to X%"),
            ("okr.kr-is-task", "KR2: Run 12 expansion webinars"),
            ("okr.kr-count", "Objective 3: Keep the platform fast"),
            ("risk.no-mitigation", "depends on the design system migration"),
            ("risk.no-assessment", "depends on the design system migration"),
            ("risk.no-assessment", "Analytics events for invites are unreliable"),
            ("resource.no-budget", D),
            ("resource.no-buffer", D),
            ("bsc.missing-perspective", D),  # learning & growth
        ],
    ),
    "en-saas-cs-okr-02": ("dev", "okr", "saas", "good", True, []),
    "en-retail-campaign-03": (
        "dev",
        "campaign",
        "retail",
        "mixed",
        False,
        [
            ("smart.achievable", "Keep inventory availability on the top 50"),
            ("smart.specific", "- Improve brand awareness"),
            ("smart.measurable", "- Improve brand awareness"),
            ("consistency.budget-sum", "| Total | $182,000 |"),
            ("consistency.percent-sum", "Spend split by phase: 30% pre-launch"),
            ("raci.no-owner", "5. Train store staff on the loyalty sign-up script"),
            ("risk.no-register", D),
            ("pdca.no-act", D),
            ("resource.no-buffer", D),
            ("bsc.missing-perspective", D),  # learning & growth
        ],
    ),
    "en-retail-storeops-04": (
        "dev",
        "annual",
        "retail",
        "weak",
        False,
        [
            ("smart.specific", "- Improve customer satisfaction"),
            ("smart.measurable", "- Improve customer satisfaction"),
            ("smart.time-bound", "- Improve customer satisfaction"),
            ("smart.measurable", "- Cut shrink costs in the larger stores"),
            ("smart.time-bound", "- Cut shrink costs in the larger stores"),
            ("smart.measurable", "- Make the checkout process faster"),
            ("smart.time-bound", "- Make the checkout process faster"),
            ("smart.specific", "- Strengthen team engagement"),
            ("smart.measurable", "- Strengthen team engagement"),
            ("smart.time-bound", "- Strengthen team engagement"),
            ("smart.specific", "- Be the best-run stores in the region"),
            ("smart.measurable", "- Be the best-run stores in the region"),
            ("smart.time-bound", "- Be the best-run stores in the region"),
            ("raci.no-owner", "- Rework staffing rotas in all stores"),
            ("raci.no-owner", "- Introduce a shelf replenishment routine"),
            ("raci.no-owner", "- Run refresher training for supervisors"),
            ("raci.no-owner", "- Dig into shrink data with Loss Prevention"),
            ("pdca.no-check", D),
            ("pdca.no-act", D),
            ("risk.no-register", D),
            ("resource.no-budget", D),
            ("resource.no-timeline", D),
        ],
    ),
    "en-mfg-scrap-05": ("dev", "operational-improvement", "manufacturing", "good", True, []),
    "en-mfg-mes-charter-06": (
        "dev",
        "charter",
        "manufacturing",
        "mixed",
        False,
        [
            ("smart.measurable", "- Go live with the MES on every assembly line"),
            ("smart.measurable", "- Replace paper travellers completely"),
            ("smart.specific", "- Improve communication between shifts"),
            ("smart.measurable", "- Improve communication between shifts"),
            ("raci.no-owner", "| Hypercare and handover |"),
            ("consistency.date-order", "| Hypercare and handover |"),
            ("raci.multiple-accountable", "| Line A1 pilot | I | A | A/R |"),
            ("raci.no-accountable", "| SAP integration | I | C | I | R | I |"),
            ("raci.no-responsible", "| Validation of electronic records |"),
            ("risk.no-mitigation", "- Operators resist entering data"),
            ("risk.no-assessment", "- Operators resist entering data"),
            ("risk.no-assessment", "- SAP integration is more complex than quoted"),
            ("risk.no-assessment", "- Wi-Fi coverage on line A4 is weak"),
            ("risk.no-mitigation", "- Key users are busy during the November peak"),
            ("resource.no-buffer", D),
            ("bsc.missing-perspective", D),  # financial
            ("bsc.missing-perspective", D),  # customer
            ("bsc.missing-perspective", D),  # learning & growth
        ],
    ),
    "en-hospital-ed-flow-07": (
        "dev",
        "operational-improvement",
        "hospital",
        "mixed",
        False,
        [
            ("smart.achievable", "1. Increase the share of patients who leave the ED"),
            ("smart.specific", "5. Improve staff wellbeing."),
            ("smart.measurable", "5. Improve staff wellbeing."),
            ("raci.no-owner", "| Staff wellbeing programme |"),
            ("risk.no-mitigation", "| Specialty teams do not accept direct referrals |"),
            ("risk.no-assessment", "| Nurse vacancies (currently 14 WTE) |"),
            ("risk.no-owner", "| Nurse vacancies (currently 14 WTE) |"),
            ("resource.no-buffer", D),
            ("bsc.missing-perspective", D),  # financial
        ],
    ),
    "en-hospital-eprescribing-08": ("test", "charter", "hospital", "good", True, []),
    "en-logistics-automation-roadmap-09": (
        "dev",
        "roadmap",
        "logistics",
        "mixed",
        False,
        [
            ("smart.achievable", "- Mispick rate (picking quality) below 0.15%"),
            ("raci.no-owner", "- Retire the old pick-by-paper process"),
            ("raci.no-owner", "- Go-live review and handover to operations"),
            ("consistency.date-order", "- Go-live review and handover to operations"),
            ("risk.no-register", D),
            ("resource.no-buffer", D),
            ("bsc.missing-perspective", D),  # customer
            ("bsc.missing-perspective", D),  # learning & growth
        ],
    ),
    "en-logistics-fleet-budget-10": (
        "dev",
        "budget",
        "logistics",
        "mixed",
        False,
        [
            ("consistency.budget-sum", "| **Total** | **4,556** | **4,717** |"),
            ("consistency.percent-sum", "allocated by depot: Coventry 34%"),
            ("risk.no-mitigation", "- Risk: Electricity prices rise further"),
            ("risk.no-owner", "- Risk: Electricity prices rise further"),
            ("bsc.missing-perspective", D),  # customer
            ("bsc.missing-perspective", D),  # internal process
            ("bsc.missing-perspective", D),  # learning & growth
        ],
    ),
    "en-ngo-foodbank-annual-11": (
        "dev",
        "annual",
        "ngo",
        "mixed",
        False,
        [
            ("smart.specific", "Goal: Strengthen volunteer engagement."),
            ("smart.measurable", "Goal: Strengthen volunteer engagement."),
            ("smart.achievable", "Goal: Diversify funding so that no single funder"),
            ("risk.no-register", D),
        ],
    ),
    "en-ngo-winter-appeal-12": ("test", "campaign", "ngo", "good", True, []),
    "en-public-permits-roadmap-13": (
        "test",
        "roadmap",
        "public-sector",
        "mixed",
        False,
        [
            ("smart.achievable", "- 70% of applications submitted online"),
            ("smart.time-bound", "- 70% of applications submitted online"),
            ("smart.measurable", "- Fewer incomplete applications"),
            ("smart.time-bound", "- Fewer incomplete applications"),
            ("smart.achievable", "- Applicant satisfaction of at least 4 out of 5"),
            ("raci.no-owner", "| Q2 2027 | Integration with the legacy permit system |"),
            ("risk.no-register", D),
            ("resource.no-buffer", D),
            ("bsc.missing-perspective", D),  # financial
            ("bsc.missing-perspective", D),  # learning & growth
        ],
    ),
    "en-public-parks-annual-14": (
        "test",
        "annual",
        "public-sector",
        "weak",
        False,
        [
            ("plan.placeholder", "Operating budget: TBD"),
            ("plan.placeholder", "Increase park visits by X%"),
            ("smart.measurable", "1. Increase park visits by X%"),
            ("smart.specific", "3. Enhance the visitor experience"),
            ("smart.measurable", "3. Enhance the visitor experience"),
            ("smart.measurable", "4. Get all playgrounds up to the current safety standard."),
            ("smart.achievable", "5. Increase program registrations to 12,000."),
            ("smart.achievable", "6. Reduce graffiti response time to under 48 hours."),
            ("raci.no-owner", "- Visitor survey"),
            ("raci.overloaded", D),
            ("consistency.percent-sum", "Rangers' time this year: patrol 40%"),
            ("resource.no-budget", D),
            ("risk.no-register", D),
            ("pdca.no-act", D),
            ("resource.no-buffer", D),
            ("bsc.missing-perspective", D),  # financial
            ("bsc.missing-perspective", D),  # learning & growth
        ],
    ),
    "en-edu-student-services-okr-15": (
        "dev",
        "okr",
        "education",
        "mixed",
        False,
        [
            ("plan.placeholder", "reaches TBD"),
            (
                "okr.kr-not-measurable",
                "KR3: Belonging score in the week-6 pulse survey reaches TBD",
            ),
            ("okr.kr-is-task", "KR1: Launch the single student help desk"),
            ("okr.kr-not-measurable", "KR1: Launch the single student help desk"),
            ("okr.kr-is-task", "KR2: Publish a new support services web page"),
            ("okr.kr-not-measurable", "KR2: Publish a new support services web page"),
            ("okr.kr-is-task", "KR3: Hold 4 drop-in sessions per week in halls"),
            ("okr.kr-count", "## Objective 3: Build a stronger team"),
            ("okr.kr-is-task", "KR1: Complete mental-health first aid training"),
            ("okr.kr-not-measurable", "KR1: Complete mental-health first aid training"),
            ("okr.kr-count", "## Objective 4: Spend wisely"),
            ("okr.kr-is-task", "KR6: Renegotiate the catering contract"),
            ("okr.kr-not-measurable", "KR6: Renegotiate the catering contract"),
            ("pdca.no-act", D),
            ("risk.no-register", D),
            ("resource.no-buffer", D),
            ("comm.no-stakeholders", D),
        ],
    ),
    "en-edu-lms-charter-16": ("dev", "charter", "education", "good", True, []),
    "en-ecom-black-friday-17": (
        "test",
        "campaign",
        "e-commerce",
        "weak",
        False,
        [
            ("smart.achievable", "- Hit $3.5M in online revenue over the campaign"),
            ("smart.achievable", "- Conversion rate of 4.5%"),
            ("smart.measurable", "- Grow the customer email list"),
            ("smart.achievable", "- Average order value above $85"),
            ("raci.no-owner", "- Build the landing pages"),
            ("raci.no-owner", "- Load-test the checkout"),
            ("raci.no-owner", "- Set up the email and SMS sequences"),
            ("raci.no-owner", "- Agree doorbuster stock levels"),
            ("raci.no-owner", "- Update the returns policy page"),
            ("raci.no-owner", "- Post-campaign analysis by 15 December 2026"),
            ("consistency.date-order", "- Post-campaign analysis by 15 December 2026"),
            ("pdca.no-act", D),
            ("risk.no-register", D),
            ("resource.no-buffer", D),
            ("resource.no-staffing", D),
            ("comm.no-stakeholders", D),
            ("bsc.missing-perspective", D),  # internal process
            ("bsc.missing-perspective", D),  # learning & growth
        ],
    ),
    "en-ecom-marketplace-okr-18": (
        "test",
        "okr",
        "e-commerce",
        "weak",
        False,
        [
            ("okr.kr-not-measurable", "KR1: More sellers on the platform"),
            ("okr.kr-not-measurable", "KR2: Improve seller satisfaction"),
            ("okr.kr-not-measurable", "KR3: GMV growth"),
            ("okr.kr-count", "## O2: Keep the marketplace safe"),
            ("okr.kr-is-task", "KR1: Implement the new fraud model"),
            ("okr.kr-not-measurable", "KR1: Implement the new fraud model"),
            ("resource.no-timeline", D),
            ("pdca.no-check", D),
            ("pdca.no-act", D),
            ("risk.no-register", D),
            ("resource.no-budget", D),
            ("comm.no-stakeholders", D),
            ("bsc.missing-perspective", D),  # internal process
            ("bsc.missing-perspective", D),  # learning & growth
            ("bsc.lagging-only", D),
        ],
    ),
    "en-hospitality-housekeeping-19": (
        "test",
        "operational-improvement",
        "hospitality",
        "mixed",
        False,
        [
            ("pdca.no-act", D),
            ("pdca.no-milestones", D),
            ("resource.no-buffer", D),
            ("risk.no-mitigation", "- The laundry contractor may refuse"),
            ("risk.no-assessment", "- The laundry contractor may refuse"),
            ("risk.no-mitigation", "- Bonus costs could exceed"),
            ("risk.no-assessment", "- Bonus costs could exceed"),
            ("bsc.missing-perspective", D),  # financial
        ],
    ),
    "en-hospitality-restaurants-annual-20": (
        "test",
        "annual",
        "hospitality",
        "mixed",
        False,
        [
            ("smart.achievable", "| Labour cost | 32% of sales |"),
            ("smart.achievable", "| Guest rating (Google) |"),
            ("smart.achievable", "| Private dining revenue |"),
            ("smart.specific", "| Staff retention | improve |"),
            ("smart.measurable", "| Staff retention | improve |"),
            ("raci.overloaded", D),
            ("risk.no-assessment", "| Food inflation above 5% |"),
            ("risk.no-assessment", "| Hull keeps losing money |"),
            ("risk.no-assessment", "| Chef shortages |"),
            ("bsc.missing-perspective", D),  # internal process
            ("bsc.lagging-only", D),
        ],
    ),
    "en-finops-close-21": ("test", "operational-improvement", "finance-ops", "good", True, []),
    "en-finops-ap-budget-22": (
        "test",
        "budget",
        "finance-ops",
        "mixed",
        False,
        [
            ("smart.achievable", "- Invoices paid on time: 92%"),
            ("smart.achievable", "- Cost per invoice: €3.40"),
            ("smart.achievable", "- Supplier satisfaction score of 4.2"),
            ("consistency.percent-sum", "| Total | 105% |"),
            ("raci.no-owner", "- Duplicate-payment analytics"),
            ("risk.no-assessment", "Risk: OCR accuracy on Italian invoices"),
            ("risk.no-mitigation", "Risk: Attrition runs faster than planned"),
            ("risk.no-assessment", "Risk: Attrition runs faster than planned"),
            ("resource.no-buffer", D),
            ("bsc.missing-perspective", D),  # learning & growth
        ],
    ),
    "en-saas-reporting-roadmap-23": ("dev", "roadmap", "saas", "good", True, []),
    "en-retail-loyalty-okr-24": (
        "dev",
        "okr",
        "retail",
        "weak",
        False,
        [
            ("plan.placeholder", "- KR: App downloads TBD"),
            ("plan.placeholder", "X% of loyalty members active"),
            ("okr.kr-not-measurable", "- KR: App downloads TBD"),
            ("okr.kr-is-task", "- KR: Ship personalised offers"),
            ("okr.kr-not-measurable", "- KR: Ship personalised offers"),
            ("okr.kr-not-measurable", "- KR: X% of loyalty members active"),
            ("resource.no-timeline", D),
            ("pdca.no-check", D),
            ("pdca.no-act", D),
            ("risk.no-register", D),
            ("resource.no-budget", D),
            ("comm.no-stakeholders", D),
            ("bsc.missing-perspective", D),  # internal process
            ("bsc.missing-perspective", D),  # learning & growth
        ],
    ),
    "en-mfg-quality-annual-25": (
        "dev",
        "annual",
        "manufacturing",
        "mixed",
        False,
        [
            ("smart.specific", "Goal: Improve the food safety culture."),
            ("smart.measurable", "Goal: Improve the food safety culture."),
            ("smart.measurable", "Goal: Supplier approval backlog cleared."),
            ("raci.no-owner", "- Seal-integrity testing on the new bagging line"),
            ("raci.no-owner", "- Gemba walks twice a month"),
            ("raci.no-responsible", "| Culture survey and action plan |"),
            ("consistency.date-order", "| Culture survey re-run and results |"),
            ("consistency.date-order", "| Next BRCGS audit | March 2028 |"),
            ("risk.no-assessment", "- Loss of the Supplier Quality lead"),
            ("risk.no-mitigation", "- The MES upgrade slips"),
            ("risk.no-assessment", "- The MES upgrade slips"),
            ("risk.no-owner", "- The MES upgrade slips"),
            ("resource.no-buffer", D),
        ],
    ),
    "en-logistics-returns-26": (
        "dev",
        "operational-improvement",
        "logistics",
        "mixed",
        False,
        [
            ("smart.measurable", "- Automate grading of returned electronics"),
            ("smart.time-bound", "- Automate grading of returned electronics"),
            ("smart.time-bound", "- Resell 60% of returned items"),
            ("smart.achievable", "- Resell 60% of returned items"),
            ("pdca.no-act", D),
            ("resource.no-buffer", D),
            ("bsc.missing-perspective", D),  # learning & growth
        ],
    ),
}


def line_of(lines: list[str], anchor: str, plan_id: str) -> int:
    hits = [i for i, text in enumerate(lines, start=1) if anchor in text]
    if len(hits) != 1:
        raise SystemExit(f"{plan_id}: anchor {anchor!r} found on lines {hits}, need exactly one")
    return hits[0]


def build() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for plan_id, (split, kind, industry, quality, negative, gold) in PLANS.items():
        rel = f"plans/{plan_id}.md"
        lines = (EVAL / rel).read_text(encoding="utf-8").split("\n")
        entries: list[dict[str, object]] = []
        for code, anchor in gold:
            if anchor is None:
                entries.append({"code": code, "line": None})
            else:
                entries.append(
                    {"code": code, "line": line_of(lines, anchor, plan_id), "anchor": anchor}
                )
        rows.append(
            {
                "id": plan_id,
                "split": split,
                "language": "en",
                "source": "hand-written",
                "licence": "CC0-1.0",
                "plan_file": rel,
                "negative_control": negative,
                "kind": kind,
                "industry": industry,
                "quality": quality,
                "gold": entries,
                "retrieval_gold": [],
            }
        )
    return rows


def main() -> int:
    rows = build()
    out = EVAL / "datasets" / "en.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} plans to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
