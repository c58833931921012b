"""The loan pages and `/api/loans`: staff only (the public signs in or gets 401, a reader 403), registrars act,
Dutch and English with labels not codes, a refused step shows its reasons and changes nothing, the reports as
printable pages and PDF, and the API in its documented shape."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from lxml import html

from heritage import auth
from heritage.models import Item
from heritage.museum import loans
from heritage.runtime import Runtime
from tests.helpers import add_user, csrf_token, sign_in
from tests.heritage.museum.builders import VENUE, World, world
from tests.heritage.policy import builders

pytestmark = pytest.mark.db

START = date.today() + timedelta(days=10)


@pytest.fixture
def w(runtime: Runtime) -> World:
    with runtime.transaction() as session:
        made = world(session)
    add_user(runtime, "registrar", "collection_manager", "central-archive")
    add_user(runtime, "archivaris", "archivist", "central-archive")
    add_user(runtime, "lezer", "reader")
    return made


def _client(app: Any, username: str) -> Any:
    client = app.test_client()
    assert sign_in(client, username).status_code == 303
    return client


def _request(client: Any, w: World, lang: str = "", **change: str) -> Any:
    form = {
        "csrf_token": csrf_token(client),
        "direction": "out",
        "party": "Museum aan de Stroom",
        "venue": VENUE,
        "date_from": START.isoformat(),
        "date_to": (START + timedelta(days=44)).isoformat(),
        "items": "\n".join(w.ids),
        **change,
    }
    return client.post(f"/loans/new?lang={lang}" if lang else "/loans/new", data=form)


def _alert(response: Any) -> str:
    """The refusal a page shows (its alert), as the reader reads it."""
    return " ".join(html.fromstring(response.get_data(as_text=True)).xpath("string(//p[@role='alert'])").split())


def test_only_staff_see_loans_and_only_registrars_act(app: Any, w: World) -> None:
    anonymous = app.test_client()
    assert anonymous.get("/loans").status_code == 302
    assert anonymous.get("/api/loans").status_code == 401
    assert _client(app, "lezer").get("/loans").status_code == 403
    assert _client(app, "lezer").get("/api/loans").status_code == 403
    archivist = _client(app, "archivaris")
    assert archivist.get("/loans").status_code == 200
    assert archivist.get("/loans/new").status_code == 403
    registrar = _client(app, "registrar")
    created = _request(registrar, w)
    assert created.status_code == 303
    loan_id = int(created.headers["Location"].rsplit("/", 1)[1])
    assert (
        archivist.post(
            f"/loans/{loan_id}/act", data={"csrf_token": csrf_token(archivist), "action": "approve"}
        ).status_code
        == 403
    )
    assert registrar.post(f"/loans/{loan_id}/act", data={"action": "approve"}).status_code == 400  # no CSRF token


def test_the_loan_page_names_the_failed_check_and_refuses_approval_until_overridden(
    app: Any, w: World, runtime: Runtime
) -> None:
    registrar = _client(app, "registrar")
    loan_id = int(_request(registrar, w).headers["Location"].rsplit("/", 1)[1])
    nl = registrar.get(f"/loans/{loan_id}?lang=nl").get_data(as_text=True)
    en = registrar.get(f"/loans/{loan_id}?lang=en").get_data(as_text=True)
    assert "Controles vóór goedkeuring" in nl and "Lichtbudget" in nl and "Aangevraagd" in nl and "Goedkeuren" in nl
    assert "Checks before approval" in en and "Light budget" in en and "Requested" in en and "Approve" in en
    for page in (nl, en):
        assert ">requested<" not in page and ">light<" not in page
    failed = re.findall(r'<tr class="failed" data-item="([^"]+)" data-rule="([^"]+)"', en)
    assert failed == [(w.drawing, "light")]
    refused = registrar.post(
        f"/loans/{loan_id}/act?lang=en", data={"csrf_token": csrf_token(registrar), "action": "approve"}
    )
    assert refused.status_code == 400 and "cannot be approved" in refused.get_data(as_text=True)
    with runtime.sessions() as session:
        assert loans.get_loan(session, loan_id).state == "requested"
    approved = registrar.post(
        f"/loans/{loan_id}/act",
        data={"csrf_token": csrf_token(registrar), "action": "approve", "override": "20 lux agreed"},
    )
    assert approved.status_code == 303
    with runtime.sessions() as session:
        assert loans.get_loan(session, loan_id).state == "approved"


def test_a_bad_request_form_names_the_problem_by_the_forms_labels(app: Any, w: World) -> None:
    """The service names an input by the CLI's option (--to, --from); the form has no options but its labels."""
    registrar = _client(app, "registrar")
    before = (START - timedelta(days=1)).isoformat()
    dutch = _request(registrar, w, "nl", date_to=before)
    english = _request(registrar, w, "en", date_to=before)
    assert dutch.status_code == english.status_code == 400
    assert _alert(dutch) == f"Tot {before} ligt vóór Van {START.isoformat()}"
    assert _alert(english) == f"To {before} is before From {START.isoformat()}"
    assert _alert(_request(registrar, w, "nl", insurance_value="veel")) == "Waarde (EUR): 'veel' is geen getal"
    assert _alert(_request(registrar, w, "en", party=" ")) == (
        "a loan needs its borrower (out) or lender (in) (Borrower or lender)"
    )
    assert registrar.get("/loans?lang=en").get_data(as_text=True).count('id="loan-') == 0


def test_refused_steps_say_why_in_dutch_without_the_cli_s_words(app: Any, w: World, runtime: Runtime) -> None:
    registrar = _client(app, "registrar")
    loan_id = int(_request(registrar, w).headers["Location"].rsplit("/", 1)[1])
    token = csrf_token(registrar)
    early = registrar.post(f"/loans/{loan_id}/act?lang=nl", data={"csrf_token": token, "action": "dispatch"})
    assert early.status_code == 400
    assert (
        _alert(early)
        == f"bruikleen {loan_id} is Aangevraagd: 'Verzenden' vraagt een bruikleen met de status Overeenkomst getekend"
    )
    refused = registrar.post(f"/loans/{loan_id}/act?lang=nl", data={"csrf_token": token, "action": "approve"})
    said = _alert(refused)
    assert said.startswith(f"bruikleen {loan_id} kan niet worden goedgekeurd: {w.drawing} (Lichtbudget): lichtbudget:")
    assert said.endswith("(keur goed met een reden om op eigen gezag verder te gaan)")
    with runtime.transaction() as session:
        loans.approve(session, loan_id, agent="registrar", override="20 lux agreed")
        loans.update_terms(session, loan_id, agent="registrar", terms="20 lux", insurance_kind="indemnity")
    unsigned = registrar.post(f"/loans/{loan_id}/act?lang=nl", data={"csrf_token": token, "action": "agree"})
    assert _alert(unsigned) == f"bruikleen {loan_id} kan niet worden overeengekomen zonder Waarde (EUR)"
    with runtime.transaction() as session:
        loans.update_terms(session, loan_id, agent="registrar", insurance_value="1000")
        loans.agree(session, loan_id, agent="registrar")
    unchecked = registrar.post(f"/loans/{loan_id}/act?lang=nl", data={"csrf_token": token, "action": "dispatch"})
    assert unchecked.status_code == 400
    assert _alert(unchecked) == (
        f"bruikleen {loan_id} kan niet worden verzonden: geen toestandscontrole bij verzending van {', '.join(w.ids)}"
    )
    with runtime.sessions() as session:
        assert loans.get_loan(session, loan_id).state == "agreed"


def test_venue_checks_name_security_levels_flags_and_materials(app: Any, runtime: Runtime) -> None:
    """A basement store of too low a level for parchment and below ground, where spirit may not go: the Dutch page
    gives the reasons in Dutch with names for levels, flags, hazards and materials; the English page the CLI's."""
    with runtime.transaction() as session:
        places = builders.tree(session)
        parchment = builders.item(
            session, "museum", "charter", domain="museum", material="parchment_leather", location=places["paper"]
        )
        spirit = builders.item(
            session, "museum", "jar", domain="museum", material="fluid_specimen", location=places["spirit"]
        )
        ids = [parchment.id, spirit.id]
    add_user(runtime, "registrar", "collection_manager", "central-archive")
    registrar = _client(app, "registrar")
    form = {
        "csrf_token": csrf_token(registrar),
        "direction": "out",
        "party": "Museum M",
        "venue": "LEU-WET-ARCH",
        "date_from": START.isoformat(),
        "date_to": START.isoformat(),
        "items": "\n".join(ids),
    }
    created = registrar.post("/loans/new", data=form)
    loan_id = int(created.headers["Location"].rsplit("/", 1)[1])
    with runtime.sessions() as session:
        english = [c.reason for c in loans.checks(session, loan_id) if not c.ok]
    assert "venue LEU-WET-ARCH: security S1 is below S2 for parchment_leather" in english
    assert "venue LEU-WET-ARCH: fluid_specimen may not be kept where below_ground" in english
    en = html.fromstring(registrar.get(f"/loans/{loan_id}?lang=en").get_data(as_text=True))
    assert [r for r in english if r not in en.xpath("//table[contains(@class, 'loan-checks')]//td/text()")] == []
    nl = html.fromstring(registrar.get(f"/loans/{loan_id}?lang=nl").get_data(as_text=True))
    assert nl.xpath("string(//dd[@class='venue-conditions'])") == "S1: afgesloten ruimte; Onder maaiveld (kelder)"
    assert en.xpath("string(//dd[@class='venue-conditions'])") == "S1: locked room; Below ground (basement)"
    table = " ".join(nl.xpath("string(//table[contains(@class, 'loan-checks')])").split())
    assert (
        "locatie LEU-WET-ARCH: beveiliging S1: afgesloten ruimte is lager dan S2: depot met toegangscontrole "
        "voor Perkament en leer" in table
    )
    assert (
        "locatie LEU-WET-ARCH: Natte collectie (op vloeistof) mag niet bewaard worden op een plaats met: "
        "Onder maaiveld (kelder)" in table
    )
    assert "Opslag voor ontvlambare stoffen, Mechanische ventilatie" in table
    assert "Ontvlambare vloeistof (categorie 2), Formaldehyde" in table
    assert [r for r in english if r in table] == []
    for code in ("parchment_leather", "fluid_specimen", "below_ground", "flammables_store", "formaldehyde", "venue "):
        assert code not in table


def test_reports_print_and_come_as_pdf(app: Any, w: World) -> None:
    registrar = _client(app, "registrar")
    loan_id = int(
        _request(registrar, w, terms="Shown at 20 lux", courier="J. Peeters").headers["Location"].rsplit("/", 1)[1]
    )
    agreement = registrar.get(f"/loans/{loan_id}/agreement?lang=nl").get_data(as_text=True)
    assert (
        "Bruikleenovereenkomst" in agreement
        and "Shown at 20 lux" in agreement
        and "Voor de bruikleennemer" in agreement
    )
    pdf = registrar.get(f"/loans/{loan_id}/agreement.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    report = registrar.get(f"/loans/{loan_id}/condition-report.pdf")
    assert report.status_code == 200 and report.data.startswith(b"%PDF-")
    assert "Geen toestandscontrole vastgelegd." in registrar.get(f"/loans/{loan_id}/condition-report?lang=nl").get_data(
        as_text=True
    )
    reports = registrar.get("/loans/reports?lang=en").get_data(as_text=True)
    assert "Objects on loan today" in reports and "No objects are on loan today." in reports


def test_the_api_lists_loans_in_its_contract_and_moves_them_on_with_a_token(
    app: Any, w: World, runtime: Runtime
) -> None:
    with runtime.transaction() as session:
        token = auth.create_token(session, "registrar", ["read", "edit"])[1]
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    body = {"party": "MAS", "venue": VENUE, "from": START.isoformat(), "to": START.isoformat(), "objects": w.ids}
    created = client.post("/api/loans", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    loan_id = created.get_json()["id"]
    for bad in ("state=", "direction=", "state=lent", "direction=sideways"):  # outside the document's enums
        refused = client.get(f"/api/loans?{bad}", headers=headers)
        assert refused.status_code == 400 and bad.split("=")[0] in refused.get_json()["error"]["message"]
    assert client.get("/api/loans?state=requested&direction=out", headers=headers).status_code == 200
    listed = client.get("/api/loans", headers=headers).get_json()
    assert listed == {
        "loans": [
            {
                "id": loan_id,
                "direction": "out",
                "state": "requested",
                "venue": VENUE,
                "from": START.isoformat(),
                "to": START.isoformat(),
                "objects": w.ids,
            }
        ]
    }
    shown = client.get(f"/api/loans/{loan_id}", headers=headers, environ_base={"HTTP_ACCEPT_LANGUAGE": "nl"})
    assert {c["rule"] for c in shown.get_json()["checks"]} >= {"venue", "light"}
    assert {"item", "title", "rule", "ok", "reason", "overridable"} == set(shown.get_json()["checks"][0])
    assert f"venue {VENUE} meets its climate and security needs" in [c["reason"] for c in shown.get_json()["checks"]]
    late = client.post("/api/loans", json={**body, "to": "2020-01-01"}, headers=headers)  # English, as the CLI
    assert late.get_json()["error"]["message"] == f"--to 2020-01-01 is before --from {START.isoformat()}"
    approved = client.post(f"/api/loans/{loan_id}/approve", headers=headers)
    assert approved.status_code == 200 and approved.get_json()["state"] == "approved"
    refused = client.post(f"/api/loans/{loan_id}/dispatch", headers=headers)
    assert (
        refused.status_code == 400
        and "'dispatch' needs a loan that is agreed" in refused.get_json()["error"]["message"]
    )
    assert client.post(f"/api/loans/{loan_id}/fly", headers=headers).status_code == 400
    assert client.get("/api/loans/9999", headers=headers).status_code == 404
    assert client.post("/api/loans", json={**body, "colour": "red"}, headers=headers).status_code == 400


def test_staff_of_another_unit_neither_see_closed_objects_nor_lend_them(app: Any, w: World, runtime: Runtime) -> None:
    with runtime.transaction() as session:
        session.get(Item, w.drawing).access = "closed"  # type: ignore[union-attr]
    add_user(runtime, "faculteit", "collection_manager", "faculty-science")
    registrar = _client(app, "registrar")
    loan_id = int(_request(registrar, w).headers["Location"].rsplit("/", 1)[1])
    other = _client(app, "faculteit")
    page = other.get(f"/loans/{loan_id}?lang=en").get_data(as_text=True)
    assert "drawing title" not in page and "painting title" in page
    assert w.drawing not in page  # neither its title, its id nor its checks: the closed item is not there
    for report in ("agreement", "condition-report"):
        assert w.drawing not in other.get(f"/loans/{loan_id}/{report}").get_data(as_text=True)
    assert other.get(f"/loans/objects/{w.drawing}").status_code == 404
    with runtime.transaction() as session:
        token = auth.create_token(session, "faculteit", ["read", "edit"])[1]
    bearer = {"Authorization": f"Bearer {token}"}
    listed = {row["id"]: row for row in app.test_client().get("/api/loans", headers=bearer).get_json()["loans"]}
    assert w.drawing not in listed[loan_id]["objects"] and w.painting in listed[loan_id]["objects"]
    shown = app.test_client().get(f"/api/loans/{loan_id}", headers=bearer).get_json()
    assert w.drawing not in str(shown) and w.painting in shown["objects"]
    listing = other.get("/loans").get_data(as_text=True)
    assert f"<td>{len(w.ids) - 1}</td>" in listing  # the count of its objects leaves the closed one out
    assert "drawing title" in registrar.get(f"/loans/{loan_id}").get_data(as_text=True)
    refused = _request(
        other, w, date_from=(START + timedelta(days=300)).isoformat(), date_to=(START + timedelta(days=301)).isoformat()
    )
    # another unit's closed object is named as an unknown one is: its existence is not told
    assert refused.status_code == 400 and f"item &#39;{w.drawing}&#39; does not exist" in refused.get_data(as_text=True)
    lent = _request(other, w, items=w.painting, date_from=(START + timedelta(days=500)).isoformat(),
                    date_to=(START + timedelta(days=501)).isoformat())  # fmt: skip
    assert lent.status_code == 400 and f"object {w.painting} is not one of your unit" in lent.get_data(as_text=True)
    # nor move another unit's loan on, by form or by token: the loan stays as it was
    moved = other.post(f"/loans/{loan_id}/act", data={"csrf_token": csrf_token(other), "action": "approve"})
    assert moved.status_code == 403
    api = app.test_client().post(f"/api/loans/{loan_id}/approve", headers=bearer)
    assert api.status_code == 403 and "moves objects of another unit" in api.get_json()["error"]["message"]
    assert w.drawing not in api.get_json()["error"]["message"]
    # a loan of the closed item alone is not there for them at all
    alone = _request(
        registrar, w, items=w.drawing, date_from=(START + timedelta(days=400)).isoformat(),
        date_to=(START + timedelta(days=401)).isoformat(),
    )  # fmt: skip
    alone_id = int(alone.headers["Location"].rsplit("/", 1)[1])
    assert other.get(f"/loans/{alone_id}").status_code == 404
    assert app.test_client().get(f"/api/loans/{alone_id}", headers=bearer).status_code == 404
    assert alone_id not in {r["id"] for r in app.test_client().get("/api/loans", headers=bearer).get_json()["loans"]}
    assert registrar.get(f"/loans/{alone_id}").status_code == 200
    with runtime.transaction() as session:
        assert loans.get_loan(session, loan_id).state == "requested"


def test_a_conservator_records_a_condition_check_but_moves_no_loan_on(app: Any, w: World, runtime: Runtime) -> None:
    add_user(runtime, "restaurator", "conservator")
    registrar = _client(app, "registrar")
    loan_id = int(_request(registrar, w).headers["Location"].rsplit("/", 1)[1])
    conservator = _client(app, "restaurator")
    form = conservator.get(f"/loans/{loan_id}/condition?lang=nl&item={w.model}")
    assert (
        form.status_code == 200
        and "Toestand" in form.get_data(as_text=True)
        and "Breekbaar" in form.get_data(as_text=True)
    )
    saved = conservator.post(
        f"/loans/{loan_id}/condition",
        data={
            "csrf_token": csrf_token(conservator),
            "item": w.model,
            "condition": "poor",
            "stage": "dispatch",
            "hazards": ["fragile"],
            "notes": "loose joint",
        },
    )
    assert saved.status_code == 303
    assert "Slecht" in conservator.get(f"/loans/{loan_id}?lang=nl").get_data(as_text=True)
    refused = conservator.post(
        f"/loans/{loan_id}/act", data={"csrf_token": csrf_token(conservator), "action": "approve"}
    )
    assert refused.status_code == 403
    bad = conservator.post(
        f"/loans/{loan_id}/condition",
        data={"csrf_token": csrf_token(conservator), "item": w.model, "condition": "shiny", "stage": "dispatch"},
    )
    said = html.fromstring(bad.get_data(as_text=True)).xpath("string(//p[@role='alert'])")
    assert bad.status_code == 400 and said.startswith("Toestand: 'shiny' is niet een van: Uitstekend, Goed,")


def test_routine_checks_and_treatments_from_the_objects_history(app: Any, w: World) -> None:
    registrar = _client(app, "registrar")
    record = html.fromstring(registrar.get(f"/items/{w.painting}?lang=nl").get_data(as_text=True))
    (link,) = [a for a in record.cssselect("p.staff-links a") if "Bruiklenen" in a.text_content()]
    assert link.text_content() == "Bruiklenen, toestand en verplaatsingen"
    assert link.get("href").endswith(f"/loans/objects/{w.painting}")
    public = html.fromstring(app.test_client().get(f"/items/{w.painting}").get_data(as_text=True))
    assert not public.cssselect("p.staff-links")
    page = registrar.get(f"/loans/objects/{w.painting}?lang=nl").get_data(as_text=True)
    assert "Routinecontrole van de toestand" in page and "Conserveringsbehandeling" in page
    checked = registrar.post(
        f"/loans/objects/{w.painting}/condition",
        data={"csrf_token": csrf_token(registrar), "condition": "fair", "notes": "dust", "hazards": ["mould"]},
    )
    assert checked.status_code == 303
    treated = registrar.post(
        f"/loans/objects/{w.painting}/treatment",
        data={"csrf_token": csrf_token(registrar), "treatment": "dry cleaning", "materials": "soft brush\nHEPA vacuum"},
    )
    assert treated.status_code == 303
    history = registrar.get(f"/loans/objects/{w.painting}?lang=en").get_data(as_text=True)
    assert "Condition check" in history and "dry cleaning (materials: soft brush, HEPA vacuum)" in history
    refused = registrar.post(
        f"/loans/objects/{w.painting}/treatment",
        data={"csrf_token": csrf_token(registrar), "treatment": "varnish removal", "materials": ""},
    )
    assert refused.status_code == 400 and "names the materials used" in refused.get_data(as_text=True)
    assert "varnish removal" not in registrar.get(f"/loans/objects/{w.painting}").get_data(as_text=True)
    archivist = _client(app, "archivaris")
    assert (
        archivist.post(
            f"/loans/objects/{w.painting}/condition", data={"csrf_token": csrf_token(archivist), "condition": "good"}
        ).status_code
        == 403
    )


def test_the_loan_page_names_the_approvers_and_refuses_anyone_else(app: Any, w: World, runtime: Runtime) -> None:
    add_user(runtime, "beheerder", "administrator")  # a registrar of the web layer, not a loan approver of the policy
    registrar = _client(app, "registrar")
    loan_id = int(_request(registrar, w).headers["Location"].rsplit("/", 1)[1])
    nl = registrar.get(f"/loans/{loan_id}?lang=nl").get_data(as_text=True)
    assert "Goedgekeurd door een van: Centrale collectiebeheerder" in nl
    en = registrar.get(f"/loans/{loan_id}?lang=en").get_data(as_text=True)
    assert "Approved by one of: Central collection manager" in en
    admin = _client(app, "beheerder")
    form = {"csrf_token": csrf_token(admin), "action": "approve", "override": "20 lux agreed"}
    refused = admin.post(f"/loans/{loan_id}/act?lang=nl", data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 403 and "beheerder mag niet goedkeuren" in page
    assert "Centrale collectiebeheerder" in page and "central_collection_manager" not in page
    with runtime.transaction() as session:
        token = auth.create_token(session, "beheerder", ["read", "edit"])[1]
    bearer = {"Authorization": f"Bearer {token}"}
    api = app.test_client().post(f"/api/loans/{loan_id}/approve", json={"override": "20 lux agreed"}, headers=bearer)
    assert api.status_code == 403 and "central collection manager" in api.get_json()["error"]["message"]
    with runtime.sessions() as session:
        assert loans.get_loan(session, loan_id).state == "requested"
