"""The masterplan's facts in the browser and the JSON API (issue 16, "Facts on the record"): a collection manager
records a significance assessment on the edit page and the stored decision changes and says why; the API's
GET shows the facts and PATCH sets them; refused values and the lifting of a legal hold change nothing; the
history names the change in words, and a revert restores it and evaluates the item again. Dutch and English."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path
from typing import Any

import pytest

from heritage import auth
from heritage.editing import update_item
from heritage.models import Item, PolicyDecision
from heritage.policy.service import evaluate
from heritage.runtime import Runtime
from tests.helpers import csrf_token, pedel_catalogue, sign_in
from tests.heritage.editing.conftest import viewer

pytestmark = pytest.mark.db

CRITERIA = (
    "historic",
    "artistic",
    "scientific_research_informative",
    "history_of_science_university",
    "social_spiritual_community",
    "experience_aesthetic",
    "use_teaching_research",
    "use_exhibition_public",
)


@pytest.fixture
def catalogue(runner, runtime: Runtime, tmp_path: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    ids = pedel_catalogue(runner, runtime, tmp_path)  # els: archivist of unit archief, which holds `pedel`
    with runtime.transaction() as s:
        evaluate(s)
    return ids


@pytest.fixture
def els(app: Any, catalogue: dict[str, str]) -> Any:
    client = app.test_client()
    assert sign_in(client, "els").status_code == 303
    return client


def _form(page: str) -> list[tuple[str, str]]:
    """The edit form as a browser sends it: inputs, checked boxes, textareas and selected options."""
    found = re.search(r'<form method="post"[^>]*class="edit[^"]*"[^>]*>(.*?)</form>', page, re.S)
    assert found, "the page has an edit form"
    body, data = found.group(1), []
    for tag in re.finditer(r"<input ([^>]*)>", body):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group(1)))
        if "name" not in attrs or (attrs.get("type") == "checkbox" and " checked" not in tag.group(1)):
            continue
        data.append((html_lib.unescape(attrs["name"]), html_lib.unescape(attrs.get("value", ""))))
    for tag in re.finditer(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', body, re.S):
        data.append((html_lib.unescape(tag.group(1)), html_lib.unescape(tag.group(2))))
    for tag in re.finditer(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', body, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', tag.group(2))
        data.append((html_lib.unescape(tag.group(1)), html_lib.unescape(chosen.group(1)) if chosen else ""))
    return data


def _with(form: list[tuple[str, str]], **changes: str | list[str]) -> list[tuple[str, str]]:
    """The form with these inputs set (a list sets a checkbox group)."""
    out = [(k, v) for k, v in form if k not in changes]
    for name, value in changes.items():
        out += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
    return out


def _post(client: Any, item_id: str, form: list[tuple[str, str]], lang: str = "nl") -> Any:
    from werkzeug.datastructures import MultiDict

    return client.post(f"/items/{item_id}/edit?lang={lang}", data=MultiDict(form))


def _decision(runtime: Runtime, item_id: str) -> PolicyDecision | None:
    with runtime.sessions() as s:
        return s.get(PolicyDecision, item_id)


def _attributes(runtime: Runtime, item_id: str) -> dict[str, Any]:
    with runtime.sessions() as s:
        return dict(s.get(Item, item_id).attributes or {})


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("nl", ["Masterplan: waardering en beheer", "Historische waarde", "Hoog", "Juridische blokkade", "Materiaal"]),
        ("en", ["Masterplan: significance and care", "Historic value", "High", "Legal hold", "Material"]),
    ],
)
def test_the_edit_page_has_a_masterplan_panel_in_the_readers_language(
    els: Any, catalogue: dict[str, str], lang: str, words: list[str]
) -> None:
    page = els.get(f"/items/{catalogue['F1.1.1']}/edit?lang={lang}").get_data(as_text=True)
    for word in words:
        assert word in page
    assert 'name="masterplan.significance-historic"' in page and 'name="masterplan.flags"' in page
    assert 'value="paper_archive"' in page and 'name="masterplan.dates-closing"' in page  # the policy's choices
    assert ">legal_hold<" not in page and ">paper_archive<" not in page  # codes are not shown as names
    decision = {
        "nl": "Beslissing volgens het masterplan: Nu beoordelen",
        "en": "Masterplan decision: Review now",
    }
    assert decision[lang] in page  # the decision as stored now (unscored: review now)


def test_a_collection_manager_records_an_assessment_and_the_decision_says_why(
    els: Any, runtime: Runtime, catalogue: dict[str, str]
) -> None:
    item_id = catalogue["F1.1.1"]
    assert _decision(runtime, item_id).rule == "significance.unscored"  # type: ignore[union-attr]
    assert "no significance assessment yet" in els.get(f"/items/{item_id}?lang=en").get_data(as_text=True)
    form = _form(els.get(f"/items/{item_id}/edit").get_data(as_text=True))
    scores = {f"masterplan.significance-{c}": "high" for c in CRITERIA}
    saved = _post(
        els,
        item_id,
        _with(
            form,
            **scores,
            **{
                "masterplan.significance_statement": "Het enige bewaarde reglement van de pedel.",
                "masterplan.material": "paper_archive",
                "masterplan.hazards": ["formaldehyde"],
            },
        ),
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)
    attrs = _attributes(runtime, item_id)
    assert attrs["significance"] == dict.fromkeys(CRITERIA, 3) and attrs["material"] == "paper_archive"
    assert attrs["hazards"] == ["formaldehyde"] and "appraised_on" in attrs
    decision = _decision(runtime, item_id)
    assert decision is not None and decision.decision == "retain_permanent"
    page = els.get(f"/items/{item_id}/edit?lang=en").get_data(as_text=True)
    assert "Masterplan decision: Kept permanently" in page and "significance index" in page
    record = els.get(f"/items/{item_id}?lang=en").get_data(as_text=True)  # the record page's masterplan panel
    assert "significance index" in record and "no significance assessment yet" not in record
    nl = els.get(f"/items/{item_id}/edit?lang=nl").get_data(as_text=True)
    assert "Beslissing volgens het masterplan: Blijvend bewaren" in nl
    # the form read back changes nothing
    again = _post(els, item_id, _form(nl))
    assert again.status_code == 303
    with runtime.sessions() as s:
        assert s.get(Item, item_id).version == 2


@pytest.mark.parametrize(
    ("lang", "changes", "says"),
    [
        ("nl", {"masterplan.material": "kryptonite"}, "Materiaal: 'kryptonite' is geen materiaaltype"),
        ("en", {"masterplan.significance-historic": "4"}, "Significance per criterion: historic: '4' is not high"),
        ("en", {"masterplan.dates-closing": "someday"}, "Trigger dates: closing: 'someday' is not a date"),
        ("nl", {"masterplan.flags": ["precious"]}, "Kenmerken: 'precious' is geen kenmerk"),
    ],
)
def test_a_refused_value_is_named_and_nothing_is_stored(
    els: Any, runtime: Runtime, catalogue: dict[str, str], lang: str, changes: dict[str, Any], says: str
) -> None:
    item_id = catalogue["F1.1.1"]
    form = _form(els.get(f"/items/{item_id}/edit").get_data(as_text=True))
    refused = _post(els, item_id, _with(form, title="Ook gewijzigd", **changes), lang)
    assert refused.status_code == 400
    assert says in html_lib.unescape(refused.get_data(as_text=True))
    with runtime.sessions() as s:
        item = s.get(Item, item_id)
        assert item.version == 1 and not item.attributes and item.title != "Ook gewijzigd"


def test_a_legal_hold_is_not_lifted_in_the_form(els: Any, runtime: Runtime, catalogue: dict[str, str]) -> None:
    item_id = catalogue["F1.1.1"]
    form = _form(els.get(f"/items/{item_id}/edit").get_data(as_text=True))
    assert _post(els, item_id, _with(form, **{"masterplan.flags": ["legal_hold"]})).status_code == 303
    assert "legal_hold" in _decision(runtime, item_id).explanation  # type: ignore[union-attr]
    form = _form(els.get(f"/items/{item_id}/edit").get_data(as_text=True))
    assert ("masterplan.flags", "legal_hold") in form  # shown checked
    lifted = _post(els, item_id, [(k, v) for k, v in form if k != "masterplan.flags"], "en")
    assert lifted.status_code == 400
    assert "heritage policy lift-hold" in lifted.get_data(as_text=True)
    assert _attributes(runtime, item_id)["flags"] == ["legal_hold"]


def test_history_names_the_change_and_revert_restores_it(els: Any, runtime: Runtime, catalogue: dict[str, str]) -> None:
    item_id = catalogue["F1.1.1"]
    form = _form(els.get(f"/items/{item_id}/edit").get_data(as_text=True))
    scores = {f"masterplan.significance-{c}": "high" for c in CRITERIA}
    assert _post(els, item_id, _with(form, **scores)).status_code == 303
    assert _decision(runtime, item_id).decision == "retain_permanent"  # type: ignore[union-attr]
    page = els.get(f"/items/{item_id}/history?lang=nl").get_data(as_text=True)
    assert "Waardering per criterium" in page and "Historische waarde: Hoog" in page
    en = els.get(f"/items/{item_id}/history?lang=en").get_data(as_text=True)
    assert "Significance per criterion" in en and "Historic value: High" in en
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    with runtime.sessions() as s:
        version = s.get(Item, item_id).version
    # revision 1 is the assessment itself: going back to before it is not possible, so score once more and revert
    form = _form(els.get(f"/items/{item_id}/edit").get_data(as_text=True))
    assert _post(els, item_id, _with(form, **{"masterplan.significance-historic": "low"})).status_code == 303
    reverted = els.post(
        f"/items/{item_id}/revert",
        data={"revision": "1", "version": str(version + 1), "csrf_token": token.group(1)},
    )
    assert reverted.status_code == 303
    assert _attributes(runtime, item_id)["significance"]["historic"] == 3
    assert _decision(runtime, item_id).decision == "retain_permanent"  # type: ignore[union-attr]


def _token(runtime: Runtime, username: str) -> dict[str, str]:
    with runtime.transaction() as session:
        _row, token = auth.create_token(session, username, ("read", "edit"), None)
    return {"Authorization": f"Bearer {token}"}


def test_the_api_shows_and_sets_the_facts(client: Any, runtime: Runtime, catalogue: dict[str, str]) -> None:
    item_id = catalogue["F1.1.1"]
    els = _token(runtime, "els")
    fields = client.get(f"/api/items/{item_id}", headers=els).get_json()["fields"]
    assert fields["masterplan.significance"] == {} and fields["masterplan.flags"] == []
    assert fields["masterplan.material"] is None
    patched = client.patch(
        f"/api/items/{item_id}",
        json={"masterplan.significance": dict.fromkeys(CRITERIA, "high"), "masterplan.material": "paper_archive"},
        headers={**els, "If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.get_json()
    assert {c["field"] for c in patched.get_json()["changes"]} == {
        "masterplan.significance",
        "masterplan.material",
        "masterplan.appraised_on",
    }
    assert _decision(runtime, item_id).decision == "retain_permanent"  # type: ignore[union-attr]
    got = client.get(f"/api/items/{item_id}", headers=els).get_json()["fields"]
    assert got["masterplan.significance"]["historic"] == "high" and got["masterplan.material"] == "paper_archive"
    refused = client.patch(
        f"/api/items/{item_id}",
        json={"masterplan.significance": {"historic": 4}},
        headers={**els, "If-Match": '"2"'},
    )
    assert refused.status_code == 400
    assert "masterplan.significance: historic: 4 is not high" in refused.get_json()["error"]["message"]
    held = client.patch(
        f"/api/items/{item_id}", json={"masterplan.flags": ["legal_hold"]}, headers={**els, "If-Match": '"2"'}
    )
    assert held.status_code == 200
    lifted = client.patch(f"/api/items/{item_id}", json={"masterplan.flags": []}, headers={**els, "If-Match": '"3"'})
    assert lifted.status_code == 400 and "lift-hold" in lifted.get_json()["error"]["message"]
    assert _attributes(runtime, item_id)["flags"] == ["legal_hold"]


def test_a_stale_save_shows_both_versions_of_a_fact_in_words(
    els: Any, runtime: Runtime, catalogue: dict[str, str]
) -> None:
    item_id = catalogue["F1.1.1"]
    form = _form(els.get(f"/items/{item_id}/edit").get_data(as_text=True))
    with runtime.transaction() as s:
        update_item(
            s, item_id, {"masterplan.material": "textile"}, viewer=viewer(runtime, "els"), agent="els", base_version=1
        )
    stale = _post(els, item_id, _with(form, **{"masterplan.material": "metal"}), "en")
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert '<td class="theirs">Textile</td><td class="yours">Metal</td>' in page
    assert _attributes(runtime, item_id)["material"] == "textile"


def test_an_overridden_decision_says_who_overrode_it_and_why(
    els: Any, runtime: Runtime, catalogue: dict[str, str]
) -> None:
    from heritage.policy.service import override

    item_id = catalogue["F1.1.1"]
    with runtime.transaction() as s:
        override(s, item_id, "retain_permanent", reason="het enige exemplaar", agent="els")
    page = els.get(f"/items/{item_id}/edit?lang=nl").get_data(as_text=True)
    assert "Beslissing volgens het masterplan: Blijvend bewaren" in page
    assert "Overschreven door els: het enige exemplaar" in page


def test_a_sheet_upload_previews_facts_in_words_then_applies_them(
    els: Any, runtime: Runtime, catalogue: dict[str, str]
) -> None:
    import io

    item_id = catalogue["F1.1.1"]
    text = f"heritage_id,masterplan.significance.historic,masterplan.material\n{item_id},high,textile\n"
    preview = els.post(
        "/cataloguing/sheet?lang=nl",
        data={"csrf_token": csrf_token(els), "sheet": (io.BytesIO(text.encode("utf-8")), "feiten.csv")},
        content_type="multipart/form-data",
    )
    page = html_lib.unescape(preview.get_data(as_text=True))
    assert preview.status_code == 200, page
    assert "Waardering per criterium" in page and "Historische waarde: Hoog" in page and "Textiel" in page
    assert not _attributes(runtime, item_id)  # nothing yet
    form = re.search(r'<form method="post" action="/cataloguing/sheet/apply"(.*?)</form>', page, re.S)
    assert form
    done = els.post("/cataloguing/sheet/apply", data=dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(1))))
    assert done.status_code == 303
    attrs = _attributes(runtime, item_id)
    assert attrs["significance"] == {"historic": 3} and attrs["material"] == "textile"
    assert _decision(runtime, item_id).rule != "significance.unscored"  # type: ignore[union-attr]


def test_a_hold_on_the_series_is_shown_on_its_files(els: Any, runtime: Runtime, catalogue: dict[str, str]) -> None:
    series = catalogue["F1.1"]
    form = _form(els.get(f"/items/{series}/edit").get_data(as_text=True))
    assert _post(els, series, _with(form, **{"masterplan.flags": ["legal_hold"]})).status_code == 303
    page = els.get(f"/items/{catalogue['F1.1.1']}/edit?lang=en").get_data(as_text=True)
    assert "From the records above this one (they hold for it too): Legal hold" in page
    assert "legal_hold" in _decision(runtime, catalogue["F1.1.1"]).explanation  # type: ignore[union-attr]
