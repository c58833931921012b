"""The location pages: the tree for staff (filtered by building and function), forms to add and change a location
for collection managers and administrators (others 403), in Dutch and English with labels instead of codes;
every change through the one location service (an event), a refused save changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from heritage.models import Event, Location
from heritage.runtime import Runtime
from tests.helpers import add_user, csrf_token, sign_in
from tests.heritage.policy import builders

pytestmark = pytest.mark.db


@pytest.fixture
def places(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        builders.tree(session)
    add_user(runtime, "conservator", "collection_manager", "central-archive")
    add_user(runtime, "archivaris", "archivist", "central-archive")
    add_user(runtime, "beheerder", "administrator")


def _client(app: Any, username: str) -> Any:
    client = app.test_client()
    assert sign_in(client, username).status_code == 303
    return client


def _form(client: Any, code: str | None = None) -> dict[str, Any]:
    """The form's fields as the page gives them (with its CSRF token)."""
    page = client.get(f"/locations/{code}/edit" if code else "/locations/new").get_data(as_text=True)
    data: dict[str, Any] = {"csrf_token": csrf_token(client)}
    for name, value in re.findall(r'<input id="[^"]+" name="([^"]+)" value="([^"]*)"', page):
        data[name] = value
    for name, value in re.findall(
        r'<select id="([^"]+)" name="[^"]+">.*?(?:<option value="([^"]*)" selected>|</select>)', page
    ):
        data[name] = value or ""
    data["functions"] = re.findall(r'name="functions" value="([^"]+)" checked', page)
    data["flags"] = re.findall(r'name="flags" value="([^"]+)" checked', page)
    return data


def test_the_public_signs_in_and_an_archivist_may_look_but_not_change(app: Any, places: None) -> None:
    anonymous = app.test_client().get("/locations")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    archivist = _client(app, "archivaris")
    page = archivist.get("/locations?lang=en")
    assert page.status_code == 200 and "LEU-CD-R1" in page.get_data(as_text=True)
    assert "/locations/new" not in page.get_data(as_text=True)
    assert archivist.get("/locations/new").status_code == 403
    assert archivist.get("/locations/LEU-CD-R1/edit").status_code == 403
    refused = archivist.post(
        "/locations/new", data={"csrf_token": csrf_token(archivist), "code": "X", "name": "X", "kind": "room"}
    )
    assert refused.status_code == 403
    administrator = _client(app, "beheerder")
    assert administrator.get("/locations/new").status_code == 200
    assert administrator.get("/locations/LEU-CD-R1/edit").status_code == 200


def test_the_pages_speak_dutch_and_english_with_labels_not_codes(app: Any, places: None) -> None:
    manager = _client(app, "conservator")
    nl = manager.get("/locations/new?lang=nl").get_data(as_text=True)
    en = manager.get("/locations/new?lang=en").get_data(as_text=True)
    assert "Nieuwe locatie" in nl and "Tentoonstelling" in nl and "Vitrine" in nl and "strekkende meter" in nl
    assert "New location" in en and "Exhibition" in en and "Display case" in en and "linear metres" in en
    for page in (nl, en):
        assert ">reading_room<" not in page and "> reading_room<" not in page and ">linear_m<" not in page
    listing_nl = manager.get("/locations?lang=nl").get_data(as_text=True)
    listing_en = manager.get("/locations?lang=en").get_data(as_text=True)
    assert "Locaties" in listing_nl and "Leeszaal" in listing_nl and "Gebouw" in listing_nl
    assert "Locations" in listing_en and "Reading room" in listing_en and "Building" in listing_en


def test_security_levels_and_flags_are_named_in_the_readers_language(app: Any, places: None) -> None:
    manager = _client(app, "conservator")
    nl = manager.get("/locations?lang=nl").get_data(as_text=True)
    en = manager.get("/locations?lang=en").get_data(as_text=True)
    row_nl = nl[nl.index('id="loc-LEU-CD-ETH"') :].split("</tr>", 1)[0]
    row_en = en[en.index('id="loc-LEU-CD-ETH"') :].split("</tr>", 1)[0]
    assert "S2: depot met toegangscontrole; Boven maaiveld, Mechanische ventilatie, Opslag voor ontvlambare" in row_nl
    assert "S2: store with access control; Above ground, Flammables store, Mechanical ventilation" in row_en
    for page in (nl, en):  # the building's level and flags hold for its rooms; no code is shown
        assert "S3: " in page[page.index('id="loc-LEU-CD-R1"') :].split("</tr>", 1)[0]
        assert "flammables_store" not in page and "above_ground" not in page and "below_ground" not in page
    form_nl = manager.get("/locations/LEU-CD-ETH/edit?lang=nl").get_data(as_text=True)
    form_en = manager.get("/locations/LEU-CD-ETH/edit?lang=en").get_data(as_text=True)
    assert '<option value="S2" selected>S2: depot met toegangscontrole</option>' in form_nl
    assert '<option value="S4">S4: vault with two-person rule</option>' in form_en
    assert 'value="flammables_store" checked> Opslag voor ontvlambare stoffen</label>' in form_nl
    assert 'value="nitrate_vault"> Nitrate vault</label>' in form_en
    assert '<input id="flags_other" name="flags_other" value="">' in form_en


def test_flags_are_ticked_by_name_or_typed_as_codes(app: Any, runtime: Runtime, places: None) -> None:
    manager = _client(app, "conservator")
    data = _form(manager, "LEU-CD-ETH")
    assert sorted(data["flags"]) == ["flammables_store", "mechanical_ventilation"]
    data.update(flags=["mechanical_ventilation", "sprinklers"], flags_other="sealed_door; sprinklers")
    assert manager.post("/locations/LEU-CD-ETH/edit?lang=en", data=data).status_code == 303
    with runtime.sessions() as session:
        room = session.scalar(select(Location).where(Location.code == "LEU-CD-ETH"))
        assert room is not None and room.attributes["flags"] == ["mechanical_ventilation", "sprinklers", "sealed_door"]
    form = manager.get("/locations/LEU-CD-ETH/edit?lang=en").get_data(as_text=True)
    assert 'value="sprinklers" checked> Sprinklers</label>' in form
    assert '<input id="flags_other" name="flags_other" value="sealed_door">' in form  # no name: as typed
    refused = manager.post("/locations/LEU-CD-ETH/edit?lang=nl", data={**data, "flags_other": "Sealed Door"})
    assert refused.status_code == 400
    assert "Andere kenmerken (codes, gescheiden door ;): Sealed Door is geen kenmerk" in refused.get_data(as_text=True)


def test_a_collection_manager_adds_a_case_in_a_room(app: Any, runtime: Runtime, places: None) -> None:
    manager = _client(app, "conservator")
    data = _form(manager)
    data.update(
        code="LEU-WET-ZAAL-V1",
        name="Vitrine 1",
        name_en="Case 1",
        kind="case",
        parent="LEU-WET-ZAAL",
        functions=["exhibition"],
        t="18",
        rh="45",
        max_lux="50",
        capacity="12",
        capacity_unit="objects",
    )
    response = manager.post("/locations/new?lang=en", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    with runtime.sessions() as session:
        case = session.scalar(select(Location).where(Location.code == "LEU-WET-ZAAL-V1"))
        assert case is not None and case.kind == "case" and case.parent is not None
        assert case.parent.code == "LEU-WET-ZAAL"
        assert case.attributes["light"] == {"max_lux": 50} and case.attributes["capacity"] == {"objects": 12}
        event = session.scalars(select(Event).where(Event.type == "location created")).one()
        assert event.agent == "conservator" and event.data["location"] == "LEU-WET-ZAAL-V1"
    listing = manager.get("/locations?lang=en&function=exhibition").get_data(as_text=True)
    assert "Location LEU-WET-ZAAL-V1 was added." in listing
    assert 'id="loc-LEU-WET-ZAAL-V1"' in listing and 'id="loc-LEU-CD-R1"' not in listing
    by_building = manager.get("/locations?building=LEU-CD").get_data(as_text=True)
    assert 'id="loc-LEU-CD-R1"' in by_building and 'id="loc-LEU-WET-ZAAL"' not in by_building


def test_a_refused_save_says_why_and_changes_nothing(app: Any, runtime: Runtime, places: None) -> None:
    manager = _client(app, "conservator")
    data = _form(manager, "LEU-CD-R1")
    assert data["capacity"] == "100" and data["capacity_unit"] == "linear_m" and data["functions"] == ["storage"]
    response = manager.post("/locations/LEU-CD-R1/edit?lang=en", data={**data, "rh": "155"})
    assert response.status_code == 400
    assert "RH setpoint (%): 155 is outside 0-100 %" in response.get_data(as_text=True)
    dutch = manager.post("/locations/LEU-CD-R1/edit?lang=nl", data={**data, "rh": "155"})
    assert dutch.status_code == 400
    assert "Instelwaarde RV (%): 155 ligt buiten 0-100 %" in dutch.get_data(as_text=True)
    taken = manager.post("/locations/new?lang=en", data={**data, "code": "LEU-CD-R2"})
    assert taken.status_code == 400 and "is taken by another location" in taken.get_data(as_text=True)
    no_token = manager.post("/locations/LEU-CD-R1/edit", data={k: v for k, v in data.items() if k != "csrf_token"})
    assert no_token.status_code == 400
    with runtime.sessions() as session:
        room = session.scalar(select(Location).where(Location.code == "LEU-CD-R1"))
        assert room is not None and room.attributes["env_setpoint"] == {"t": 16, "rh": 48}
        assert session.scalars(select(Event).where(Event.type.like("location %"))).all() == []


def test_a_collection_manager_changes_a_room(app: Any, runtime: Runtime, places: None) -> None:
    manager = _client(app, "conservator")
    data = _form(manager, "LEU-CD-R1")
    same = manager.post("/locations/LEU-CD-R1/edit?lang=en", data=data)
    assert same.status_code == 303
    assert "Nothing changed." in manager.get("/locations?lang=en").get_data(as_text=True)
    changed = manager.post(
        "/locations/LEU-CD-R1/edit?lang=nl",
        data={**data, "capacity": "120", "floor_load": "7.5", "functions": ["storage", "research"]},
    )
    assert changed.status_code == 303
    with runtime.sessions() as session:
        room = session.scalar(select(Location).where(Location.code == "LEU-CD-R1"))
        assert room is not None and room.attributes["capacity"] == {"linear_m": 120}
        assert room.attributes["floor_load_kn_m2"] == 7.5 and room.attributes["functions"] == ["storage", "research"]
        assert room.attributes["used"] == {"linear_m": 40}  # kept
        (event,) = session.scalars(select(Event).where(Event.type == "location updated")).all()
        assert set(event.data["changes"]) == {"capacity", "floor_load_kn_m2", "functions"}
    assert manager.get("/locations/NOPE/edit").status_code == 404


def test_a_room_added_in_the_browser_changes_the_suggestion(app: Any, runtime: Runtime, places: None) -> None:
    from heritage.locations.matching import suggest_for

    with runtime.transaction() as session:
        item = builders.item(session, "museum", "M1", domain="museum", material="mixed_museum_object")
        item_id = item.id
    with runtime.sessions() as session:
        before = suggest_for(session, item_id)
    assert "LEU-CD-R3" not in [c["location"] for c in before["candidates"]]
    manager = _client(app, "conservator")
    data = _form(manager)
    data.update(code="LEU-CD-R3", name="Depot 3", kind="room", parent="LEU-CD", functions=["storage"], t="18", rh="50")
    assert manager.post("/locations/new", data=data).status_code == 303
    with runtime.sessions() as session:
        after = suggest_for(session, item_id)
    (room,) = [c for c in after["candidates"] if c["location"] == "LEU-CD-R3"]
    assert (
        "setpoint only, not measured" in room["reasons"]
        and "a store for an object that is rarely used" in room["reasons"]
    )
