"""The offline eval suite: dataset, matching, metrics, runner, reports and the baseline gate.

Pipeline::

    eval/datasets/*.jsonl ─► dataset.load_dataset ─► runner.run_eval (review every plan)
        ─► matching.match_plan (per plan) ─► metrics.compute ─► report (table, JSON, HTML)
        ─► baseline.compare (exit 1 on a regression)

``inject`` is the defect generator that writes ``eval/plans/gen-*.md`` and
``eval/datasets/generated.jsonl`` from well-made plans.
"""
