"""The review JSON of the contract (docs/contracts.md): one object, or a list for several plans."""

from __future__ import annotations

import json

from service.models import Plan, Review


def render_json(reviews: list[tuple[Review, Plan]]) -> str:
    docs = [review.model_dump(mode="json") for review, _ in reviews]
    payload = docs[0] if len(docs) == 1 else docs
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
