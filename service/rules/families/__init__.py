"""One module per rule family; each exposes ``check(facts, emit)``."""

from service.rules.families import (
    bsc,
    comm,
    consistency,
    okr,
    pdca,
    plan,
    raci,
    resource,
    risk,
    smart,
)

FAMILIES = (smart, okr, raci, pdca, bsc, risk, resource, consistency, comm, plan)
