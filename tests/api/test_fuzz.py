"""Schemathesis against /api/v1/openapi.json, as an office user and as a commune user: no 5xx, every answer as the
document says, and the document names every route."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from app.auth import services
from app.extensions import db
from tests import factories

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
#: A call the document allows may still be refused by the rules (422: a directive with no requirement, a hand-in
#: without its figures; 413, 415: a file too large or of a type not taken); a 400 would mean the document allows
#: what the API calls malformed.
CONFIG = schemathesis.Config.from_dict({"checks": {"positive_data_acceptance": {
    "expected-statuses": ["2xx", "401", "403", "404", "409", "413", "415", "422", "429"]}}})


def _data(tree):
    """A published directive with tasks for both communes and a draft, so ids the fuzzer tries can hit rows."""
    published = factories.make_directive(tree.district)
    requirement = factories.make_requirement(published)
    for commune in (tree.commune_a, tree.commune_b):
        factories.make_task(requirement, commune)
    factories.make_directive(tree.district, state="draft", number="2/UBND-VP")
    db.session.commit()


@pytest.mark.parametrize("username", ["vanphong", "mc.xa-a"])
def test_generated_calls_get_documented_answers(app, tree, username):
    _data(tree)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)
    user = services.find_user(username)

    @schema.auth(refresh_interval=None)  # a fresh token each call: DELETE /auth/token ends the one it came with
    class Bearer:
        def get(self, case, context):
            token = services.issue_token(user)
            db.session.commit()
            return token

        def set(self, case, token, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}

    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case):
                case.call_and_validate()

            try:
                call()
            except Unsatisfiable:  # an operation with no parameter has no invalid call to make
                assert mode is schemathesis.GenerationMode.NEGATIVE
            except Exception as exc:  # noqa: BLE001 - every operation's failures are listed, not only the first
                failures.append(f"{operation.label} [{mode.value}]: {type(exc).__name__}: {_summary(exc)}")
    assert not failures, "\n\n".join(failures)


def _summary(exc: BaseException) -> str:
    """The failure's message without Schemathesis's reproduction hints, short enough to list many."""
    return str(exc)[:2000]
