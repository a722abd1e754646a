"""Property-based run against the OpenAPI schema (schemathesis): no request gets a 5xx.

Every response is also checked against the schema (status code documented, body valid,
content type, Allow header of a 405, ...).  501 is the one deliberate 5xx (a feature whose
module is not in the build) and is allowed.  Left out: "a schema-valid request must be
accepted" -- names are free text in the schema, and an unknown one is rightly a 404/422.
Bounded to a few examples per operation so the whole run stays well under two minutes.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from critmin.api_server import create_app

APP = create_app(api_key="schemathesis-key", job_mode="thread", workers=1, max_queued=2)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)

#: Examples per operation.
EXAMPLES = 12


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case):
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    assert response.status_code < 500 or response.status_code == 501, (
        f"{case.method} {case.formatted_path} {case.query or ''} -> "
        f"{response.status_code}: {response.text[:500]}"
    )
    if response.status_code >= 400:
        body = response.json()
        assert body["detail"], "an error must say what is wrong"
        assert "error" in body
