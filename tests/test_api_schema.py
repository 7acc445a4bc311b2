"""Schemathesis against the live server's OpenAPI schema (bounded: a few examples per operation).

Every response must match what the schema documents (status codes, content
types, headers, bodies), and no generated request may cause a server error.
One check is left out: "schema-valid data must be accepted". A schema cannot
say that an uploaded file must be a readable plan, so random bytes in a valid
multipart body rightly get a 415/422 problem.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

from service.api.launch import ServerProcess, start_server  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    srv = start_server(
        tmp_path_factory.mktemp("api-schema"),
        env={
            "PLANREVIEW_API_RATE_LIMIT_PER_MINUTE": "0",
            "PLANREVIEW_API_KNOWLEDGE_AUTO_INDEX": "false",
            "PLANREVIEW_API_REVIEW_PROCESSES": "0",
            "PLANREVIEW_MAX_BYTES": "200000",
        },
    )
    yield srv
    srv.stop()


@pytest.mark.slow
def test_api_conforms_to_its_schema(server: ServerProcess) -> None:
    # Cases are generated per operation with Hypothesis directly: schemathesis' lazy pytest
    # fixture integration does not work with this pytest version.
    schema = schemathesis.openapi.from_url(f"{server.base_url}/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=6,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case: object) -> None:
            case.call_and_validate(  # type: ignore[attr-defined]
                timeout=30, excluded_checks=[positive_data_acceptance]
            )

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # report every operation's failures
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:2000])
    assert operations >= 15
    assert not failures, "\n\n".join(failures)


def _failures(operation: object, case: object) -> str | None:
    try:
        case.call_and_validate(  # type: ignore[attr-defined]
            timeout=30, excluded_checks=[positive_data_acceptance]
        )
    except (Exception, BaseExceptionGroup) as exc:
        return f"{operation}: {exc}"[:2000]
    return None


@pytest.mark.slow
def test_real_resources_conform_to_the_schema(server: ServerProcess) -> None:
    """The operations on a review that exists (random ids only ever reach the 404s)."""
    import httpx

    text = "# Plan\n\n## Goals\n\n- Grow sales by 5% by 2026-12-31\n"
    posted = httpx.post(f"{server.base_url}/v1/reviews", json={"text": text, "llm": "off"})
    review_id = posted.json()["id"]
    schema = schemathesis.openapi.from_url(f"{server.base_url}/openapi.json")
    failures = []
    for path in ("/v1/reviews/{review_id}", "/v1/reviews/{review_id}/events"):
        operation = schema[path]["GET"]
        failure = _failures(path, operation.Case(path_parameters={"review_id": review_id}))
        if failure:
            failures.append(failure)
    for fmt in ("html", "markdown", "sarif", "json", "text", "pdf"):  # pdf: the 422
        operation = schema["/v1/reviews/{review_id}/report"]["GET"]
        case = operation.Case(path_parameters={"review_id": review_id}, query={"format": fmt})
        failure = _failures(f"report?format={fmt}", case)
        if failure:
            failures.append(failure)
    assert not failures, "\n\n".join(failures)
