"""The API fuzzed from its own OpenAPI description (schemathesis): no server error, ever.

Generic on purpose: the schema is whatever the live server serves at /api/v1/openapi.json
(another change will generate it from the code), and every operation it describes is called
with generated valid and invalid parameters (schemathesis's positive and negative modes).
Each answer must not be a 5xx and must carry the security headers (issue 15, "a security
suite that stays"). The operations are driven with Hypothesis directly rather than through
schemathesis's pytest plugin, which does not run under pytest 9.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from masthead.core.security import POLICY

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _header(response, name: str) -> str:
    value = {k.lower(): v for k, v in response.headers.items()}.get(name, "")
    return value[0] if isinstance(value, list) else value


def has_security_headers(ctx, response, case):
    assert _header(response, "content-security-policy") == POLICY, "no Content-Security-Policy"
    assert _header(response, "x-content-type-options") == "nosniff", "no nosniff"
    assert _header(response, "x-frame-options") == "DENY", "no X-Frame-Options"


@pytest.fixture(scope="module")
def operations(site):
    schema = schemathesis.openapi.from_url(site["url"] + "/api/v1/openapi.json")
    found = [result.ok() for result in schema.get_all_operations()]
    assert found, "the served OpenAPI description lists no operation"
    return found


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_api_call_is_a_server_error(operations, mode):
    called = []
    for operation in operations:

        @settings(max_examples=40, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case):
            case.call_and_validate(checks=[not_a_server_error, has_security_headers])
            called.append(case.operation.label)

        try:
            call()
        except Unsatisfiable:
            # Nothing can be made invalid in an operation without parameters (/sections/).
            assert mode is GenerationMode.NEGATIVE and not operation.query, operation.label
    assert set(called), "no call was made"
    if mode is GenerationMode.POSITIVE:
        assert len(set(called)) == len(operations)
