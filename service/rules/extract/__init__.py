"""Recognisers: turn a Plan into facts the rules judge (goals, KRs, tasks, risks, ...)."""
