"""Object entry, exit and acquisition in the browser and `/api/museum`: registrars record them (the same people
as for loans, on their own unit's objects only), each entry and exit with its receipt (printable and PDF), an
acquisition's accession number in the object's history; a bad value is a 400 naming it with nothing stored; the
public signs in or gets 401, a reader 403; Dutch and English with labels, not codes."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import html
from sqlalchemy import func, select

from heritage import auth
from heritage.models import Acquisition, Item, ObjectPassage
from heritage.runtime import Runtime
from tests.helpers import add_user, csrf_token, sign_in
from tests.heritage.museum.builders import World, world

pytestmark = pytest.mark.db


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


def _pass(client: Any, direction: str, **change: str) -> Any:
    form = {
        "csrf_token": csrf_token(client),
        "direction": direction,
        "reason": "deposit" if direction == "entry" else "return_to_owner",
        "party": "Familie Peeters",
        "on": "2026-03-02",
        "items": "",
        "notes": "two boxes",
        **change,
    }
    return client.post("/museum/entries/new", data=form)


def _acquire(client: Any, item_id: str, **change: str) -> Any:
    form = {
        "csrf_token": csrf_token(client),
        "item": item_id,
        "accession_number": "KUL.2026.17",
        "method": "gift",
        "source": "Familie Peeters",
        "acquired_on": "2026-03-05",
        "documents": "deed of gift, signed\ncorrespondence",
        **change,
    }
    return client.post("/museum/acquisitions/new", data=form)


def _counts(runtime: Runtime) -> tuple[int, int]:
    with runtime.sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(ObjectPassage)) or 0,
            session.scalar(select(func.count()).select_from(Acquisition)) or 0,
        )


def test_an_entry_and_an_exit_with_their_receipts(app: Any, w: World) -> None:
    registrar = _client(app, "registrar")
    entered = _pass(registrar, "entry", items=f"{w.painting}\n{w.model}")
    assert entered.status_code == 303 and entered.headers["Location"].endswith("/museum/receipts/ENT-2026-0001")
    left = _pass(registrar, "exit", items=w.painting)
    assert left.status_code == 303 and left.headers["Location"].endswith("/museum/receipts/EXI-2026-0001")
    en = html.fromstring(registrar.get("/museum/entries?lang=en").get_data(as_text=True))
    rows = [(tr.get("id"), [td.text_content() for td in tr.cssselect("td")]) for tr in en.cssselect("tbody tr")]
    assert [r[0] for r in rows] == ["receipt-EXI-2026-0001", "receipt-ENT-2026-0001"]  # newest first
    assert rows[0][1][:3] == ["Object exit", "Return to the owner", "Familie Peeters"]
    assert rows[1][1][:2] == ["Object entry", "Deposit"]
    exits = registrar.get("/museum/entries?direction=exit").get_data(as_text=True)
    assert "EXI-2026-0001" in exits and "ENT-2026-0001" not in exits
    receipt = registrar.get("/museum/receipts/ENT-2026-0001?lang=nl").get_data(as_text=True)
    assert "Ontvangstbewijs ENT-2026-0001" in receipt and "Bewaargeving" in receipt and "painting title" in receipt
    assert "Voor het museum" in receipt and ">deposit<" not in receipt
    pdf = registrar.get("/museum/receipts/EXI-2026-0001.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    assert registrar.get("/museum/receipts/ENT-2026-9999").status_code == 404
    history = registrar.get(f"/loans/objects/{w.painting}?lang=en").get_data(as_text=True)
    assert "receipt ENT-2026-0001" in history and "receipt EXI-2026-0001" in history
    nl = registrar.get("/museum/entries?lang=nl").get_data(as_text=True)
    assert "Binnenkomsten en vertrekken" in nl and "Teruggave aan de eigenaar" in nl and "Vertrek" in nl
    assert "Entries and exits" in registrar.get("/loans?lang=en").get_data(as_text=True)  # linked from the loans


def test_an_acquisition_and_its_accession_number_in_the_objects_history(app: Any, w: World, runtime: Runtime) -> None:
    registrar = _client(app, "registrar")
    before = registrar.get(f"/loans/objects/{w.model}?lang=en").get_data(as_text=True)
    assert "Record the acquisition" in before
    form = registrar.get(f"/museum/acquisitions/new?item={w.model}&lang=nl").get_data(as_text=True)
    assert "Inventarisnummer" in form and "Schenking" in form and ">gift<" not in form
    saved = _acquire(registrar, w.model)
    assert saved.status_code == 303 and saved.headers["Location"].endswith(f"/loans/objects/{w.model}")
    page = html.fromstring(registrar.get(f"/loans/objects/{w.model}?lang=nl").get_data(as_text=True))
    assert page.cssselect("dd.accession-number")[0].text_content() == "KUL.2026.17"
    text = page.text_content()
    assert "Verwerving" in text and "Schenking" in text and "deed of gift, signed; correspondence" in text
    again = _acquire(registrar, w.painting)  # the number is the model's
    assert again.status_code == 400  # in the page's language (Dutch here)
    assert f"inventarisnummer KUL.2026.17 is al dat van object {w.model}" in again.get_data(as_text=True)
    assert _counts(runtime) == (0, 1)


def test_a_bad_date_or_an_unknown_item_is_named_and_nothing_is_stored(app: Any, w: World, runtime: Runtime) -> None:
    registrar = _client(app, "registrar")
    bad_date = _pass(registrar, "entry", items=w.painting, on="2026-13-40")
    assert bad_date.status_code == 400  # named by the form's label, not the CLI's --date, in the page's language
    assert "Datering: &#39;2026-13-40&#39; is geen datum (JJJJ-MM-DD)" in bad_date.get_data(as_text=True)
    no_party = _pass(registrar, "entry", items=w.painting, party=" ")
    assert "een binnenkomst noemt de bewaargever, aanvrager of ontvanger (Bewaargever, aanvrager of ontvanger)" in (
        no_party.get_data(as_text=True)
    )
    unknown = _pass(registrar, "exit", items=f"{w.painting}\nno-such-item")
    assert unknown.status_code == 400 and "no-such-item" in unknown.get_data(as_text=True)
    bad_reason = _pass(registrar, "entry", items=w.painting, reason="theft")
    assert bad_reason.status_code == 400 and "theft" in bad_reason.get_data(as_text=True)
    no_item = _acquire(registrar, "no-such-item")
    assert no_item.status_code == 400 and "no-such-item" in no_item.get_data(as_text=True)
    late = _acquire(registrar, w.model, acquired_on="yesterday")
    assert late.status_code == 400 and "yesterday" in late.get_data(as_text=True)
    assert _counts(runtime) == (0, 0)
    assert "No entries or exits yet." in registrar.get("/museum/entries?lang=en").get_data(as_text=True)


def test_the_public_signs_in_a_reader_and_an_archivist_are_refused(app: Any, w: World, runtime: Runtime) -> None:
    anonymous = app.test_client()
    assert anonymous.get("/museum/entries").status_code == 302
    assert anonymous.get("/museum/entries/new").status_code == 302
    assert anonymous.get("/api/museum/entries").status_code == 401
    assert anonymous.post("/api/museum/entries", json={}).status_code == 401
    reader = _client(app, "lezer")
    assert reader.get("/museum/entries").status_code == 403
    assert reader.get("/api/museum/entries").status_code == 403
    archivist = _client(app, "archivaris")
    assert archivist.get("/museum/entries").status_code == 200
    assert archivist.get("/museum/entries/new?direction=entry").status_code == 403
    assert _pass(archivist, "entry", items=w.painting).status_code == 403
    assert _acquire(archivist, w.painting).status_code == 403
    registrar = _client(app, "registrar")
    no_token = registrar.post(
        "/museum/entries/new", data={"direction": "entry", "reason": "deposit", "party": "X", "items": w.painting}
    )
    assert no_token.status_code == 400  # no CSRF token
    assert _counts(runtime) == (0, 0)


def test_another_units_registrar_neither_records_nor_sees_closed_objects(app: Any, w: World, runtime: Runtime) -> None:
    with runtime.transaction() as session:
        session.get(Item, w.drawing).access = "closed"  # type: ignore[union-attr]
    add_user(runtime, "faculteit", "collection_manager", "faculty-science")
    registrar = _client(app, "registrar")
    assert _pass(registrar, "entry", items=f"{w.drawing}\n{w.painting}").status_code == 303
    assert _pass(registrar, "entry", items=w.drawing).status_code == 303
    other = _client(app, "faculteit")
    listing = other.get("/museum/entries").get_data(as_text=True)
    assert "ENT-2026-0001" in listing and "ENT-2026-0002" not in listing and w.drawing not in listing
    receipt = other.get("/museum/receipts/ENT-2026-0001").get_data(as_text=True)
    assert w.drawing not in receipt and "painting title" in receipt
    assert other.get("/museum/receipts/ENT-2026-0002").status_code == 404
    refused = _pass(other, "exit", items=w.painting)
    assert refused.status_code == 400 and f"object {w.painting} is not one of your unit" in refused.get_data(
        as_text=True
    )
    assert _acquire(other, w.painting).status_code == 400
    with runtime.transaction() as session:
        token = auth.create_token(session, "faculteit", ["read", "edit"])[1]
    bearer = {"Authorization": f"Bearer {token}"}
    listed = app.test_client().get("/api/museum/entries", headers=bearer).get_json()["entries"]
    assert [(e["receipt"], e["objects"]) for e in listed] == [("ENT-2026-0001", [w.painting])]
    api = app.test_client().post(
        "/api/museum/acquisitions",
        json={"item": w.painting, "accession_number": "F.1", "method": "gift", "source": "X", "documents": ["d"]},
        headers=bearer,
    )
    assert api.status_code == 403
    assert _counts(runtime) == (2, 0)


def test_the_api_records_and_lists_entries_and_acquisitions(app: Any, w: World, runtime: Runtime) -> None:
    with runtime.transaction() as session:
        token = auth.create_token(session, "registrar", ["read", "edit"])[1]
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    body = {
        "direction": "entry",
        "reason": "enquiry",
        "party": "Mevr. Janssens",
        "objects": [w.model],
        "date": "2026-04-01",
    }
    created = client.post("/api/museum/entries", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    entry = created.get_json()
    assert entry == {
        "receipt": "ENT-2026-0001",
        "direction": "entry",
        "reason": "enquiry",
        "party": "Mevr. Janssens",
        "objects": [w.model],
        "date": "2026-04-01",
        "notes": None,
        "by": "registrar",
    }
    assert client.get("/api/museum/entries", headers=headers).get_json() == {"entries": [entry]}
    assert client.get("/api/museum/entries?direction=exit", headers=headers).get_json() == {"entries": []}
    assert client.get("/api/museum/entries?direction=sideways", headers=headers).status_code == 400
    bad = client.post("/api/museum/entries", json={**body, "date": "1 April"}, headers=headers)
    assert bad.status_code == 400 and "1 April" in bad.get_json()["error"]["message"]
    assert client.post("/api/museum/entries", json={**body, "colour": "red"}, headers=headers).status_code == 400
    acquired = client.post(
        "/api/museum/acquisitions",
        json={
            "item": w.model,
            "accession_number": "KUL.2026.18",
            "method": "purchase",
            "source": "Veiling Brussel",
            "documents": ["invoice 42"],
        },
        headers=headers,
    )
    assert acquired.status_code == 201 and acquired.get_json()["accession_number"] == "KUL.2026.18"
    assert _counts(runtime) == (1, 1)
