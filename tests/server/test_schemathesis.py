"""Property-based requests generated from the OpenAPI schema against the live server: no 5xx,
status codes, content types and bodies as the schema documents them. Destructive operations
(deleting documents, disabling users, revoking keys, logging out) are left out so the run keeps
its admin key; the example count stays small so the suite stays fast."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from ebrain.brain import Brain
from tests.server.harness import Running, make_users, make_workspace, seed, serve

# Not positive_data_acceptance: a schema-valid body may still name an unknown kb (422).
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    root = tmp_path_factory.mktemp("schemathesis")
    brain = Brain.open(make_workspace(root, "server:\n  rate_per_minute: 0\n"))
    docs = seed(brain, root)
    keys = make_users(brain)
    with serve(brain) as srv:
        srv.keys, srv.docs = keys, docs
        yield srv
    brain.close()


@pytest.fixture(scope="module")
def api_schema(target: Running) -> Any:
    schema = schemathesis.openapi.from_url(f"{target.url}/openapi.json")
    return (
        schema.exclude(method="DELETE")
        .exclude(path="/api/admin/users/{name}/disable")
        .exclude(path="/auth/logout")
    )


def test_api_matches_its_schema(api_schema: Any, target: Running) -> None:
    headers = {"Authorization": f"Bearer {target.keys['admin']}"}
    failures, checked = [], 0
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        checked += 1
        try:
            check()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(exc)[:2000]}")
    assert checked >= 25
    assert not failures, "\n\n".join(failures)
