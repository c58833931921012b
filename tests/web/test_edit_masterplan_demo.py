"""The masterplan panel on the demo's records (issue 16, "Done when": tried as a board would on the demo): every
record whose facts the demo loader set opens in the edit form with those facts, and the form sent back as it
is changes nothing; a collection manager's significance assessment of an unscored record changes its decision."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from heritage import auth
from heritage.editing import history, update_item
from heritage.models import Item, PolicyDecision
from heritage.policy.service import evaluate
from heritage.runtime import Runtime
from tests.helpers import add_user, sign_in
from tests.web.test_edit_masterplan import CRITERIA, _form, _post, _with


@pytest.fixture(scope="module")
def admin(demo_app: Any, demo_runtime: Runtime) -> Any:
    add_user(demo_runtime, "facts-admin", "administrator")
    with demo_runtime.transaction() as s:
        evaluate(s)
    client = demo_app.test_client()
    assert sign_in(client, "facts-admin").status_code == 303
    return client


def test_the_demos_facts_round_trip_through_the_form(admin: Any, demo_runtime: Runtime) -> None:
    with demo_runtime.sessions() as s:
        items = [(i.id, i.version) for i in s.scalars(select(Item).where(Item.withdrawn_at.is_(None))) if i.attributes]
    assert len(items) >= 5, "the demo sets facts on its records"
    for item_id, version in items[:40]:
        page = admin.get(f"/items/{item_id}/edit?lang=en")
        assert page.status_code == 200, item_id
        sent = _post(admin, item_id, _form(page.get_data(as_text=True)), "en")
        assert sent.status_code == 303, (item_id, sent.get_data(as_text=True)[:2000])
        with demo_runtime.sessions() as s:
            assert s.get(Item, item_id).version == version, f"{item_id}: the form read back changed it"


def test_an_assessment_on_the_demo_changes_the_decision(admin: Any, demo_runtime: Runtime) -> None:
    with demo_runtime.sessions() as s:
        unscored = s.scalar(
            select(PolicyDecision.item_id).where(PolicyDecision.rule == "significance.unscored").limit(1)
        )
    assert unscored is not None
    form = _form(admin.get(f"/items/{unscored}/edit").get_data(as_text=True))
    scores = {f"masterplan.significance-{c}": "high" for c in CRITERIA}
    assert _post(admin, unscored, _with(form, **scores)).status_code == 303
    with demo_runtime.sessions() as s:
        decision = s.get(PolicyDecision, unscored)
        assert decision is not None and decision.rule != "significance.unscored"
    assert "Masterplan decision:" in admin.get(f"/items/{unscored}/edit?lang=en").get_data(as_text=True)
    # the demo is shared by the session's tests: the assessment is taken back (a revert, evaluated again)
    with demo_runtime.transaction() as s:
        newest = history(s, unscored)[0]
        values = {c.field: c.before for c in newest.changes}
        update_item(
            s, unscored, values, viewer=auth.viewer_of(s, auth.get_user(s, "facts-admin")), agent="t", base_version=None
        )
    with demo_runtime.sessions() as s:
        assert s.get(PolicyDecision, unscored).rule == "significance.unscored"  # type: ignore[union-attr]
