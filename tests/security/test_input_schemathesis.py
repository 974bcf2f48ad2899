"""Schemathesis against /api/v1/openapi.json: every operation, valid and invalid requests, no 500.

The API runs in-process (WSGI) on a real database, with an entry explained by the sample WOZ
model and a sensor, so the generated requests reach the services. Exceptions propagate in
testing mode, so a server error fails the test with its traceback. Examples are bounded to keep
the run to a few minutes on CI.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

EXAMPLES = 10


@pytest.fixture
def api_schema(app, session, people, woz, sensor):
    session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                                    max_examples=EXAMPLES, deterministic=True)
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_answers_every_generated_request_without_a_server_error(case, people, woz):
    if case.path_parameters and "code" in case.path_parameters:
        case.path_parameters["code"] = woz.code  # reach the services, not only the 404 for unknown codes
    response = case.call(headers=people["token"])
    case.validate_response(response, checks=[not_a_server_error])
    assert response.status_code < 500
