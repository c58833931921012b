"""Staff plan exhibitions in the browser: a collection manager creates one, edits its titles, adds, removes and
reorders objects and pages through the numbered rows of one form, installs and closes it; a mistake is named (400)
and a save over a newer version refused (409), nothing stored either way; readers and the public never reach the
forms; the form speaks Dutch and English."""

from __future__ import annotations

import re
from typing import Any

import pytest
from lxml import html
from sqlalchemy import select

from heritage.identifiers import random_id
from heritage.models import Event, File, Item, Location
from heritage.museum import exhibitions
from heritage.runtime import Runtime
from tests.helpers import add_user, csrf_token, sign_in
from tests.heritage.policy import builders

pytestmark = pytest.mark.db
ROOM = "LEU-WET-ZAAL"


@pytest.fixture
def items(runtime: Runtime) -> dict[str, str]:
    """A drawing, a bronze and a globe in the paper store, the globe with a photograph of 2000 x 1500 px."""
    with runtime.transaction() as session:
        places = builders.tree(session)
        ids = {}
        for name in ("drawing", "bronze", "globe"):
            item = builders.item(session, "museum", name, domain="museum", material="metal", location=places["paper"])
            ids[name] = item.id
        scan = File(
            id=random_id(),
            item_id=ids["globe"],
            role="master",
            original_name="globe.tif",
            storage_key="x",
            sha256="0" * 64,
            md5="0" * 32,
            size=1,
            width=2000,
            height=1500,
            derivatives_ready=True,
        )
        session.add(scan)
        ids["scan"] = scan.id
    add_user(runtime, "conservator-cm", "collection_manager", "central-archive")
    add_user(runtime, "archivaris", "archivist", "central-archive")
    add_user(runtime, "lezer", "reader")
    return ids


def _client(app: Any, username: str) -> Any:
    client = app.test_client()
    assert sign_in(client, username).status_code == 303
    return client


def _fields(html: str) -> dict[str, str]:
    """The form's fields as a browser would send them unchanged (inputs, textareas, ticked boxes)."""
    form = html.split('class="edit exhibition-form"', 1)[1].split("</form>", 1)[0]
    fields = {}
    for tag in re.findall(r"<input [^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and ('type="checkbox"' not in tag or " checked" in tag):
            fields[name[1]] = value[1] if value else ""
    for name, text in re.findall(r'<textarea [^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', form):
        fields[name] = text
    return {k: v.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&") for k, v in fields.items()}


def _new(client: Any, items: dict[str, str], **change: str) -> Any:
    form = {
        "csrf_token": csrf_token(client),
        "slug": "tekeningen",
        "title": "Tekeningen",
        "title_en": "Drawings",
        "from": "2027-01-01",
        "to": "2027-03-31",
        "o1-item": items["drawing"],
        "o1-room": ROOM,
        "o1-label": "Een tekening",
        "o1-label_en": "A drawing",
        "o2-item": items["bronze"],
        "o2-room": ROOM,
        "p1-title": "Het begin",
        "p1-title_en": "The beginning",
        "p1-text": "Eerst",
        "p1-i1-item": items["globe"],
        "p1-i1-region": "0,0,1000,750",
        "p1-i1-caption": "Een hoek",
        "p1-i1-caption_en": "A corner",
        **change,
    }
    return client.post("/museum/exhibitions/new", data=form)


def _spec(runtime: Runtime) -> dict[str, Any]:
    with runtime.sessions() as session:
        return exhibitions.spec_of(exhibitions.get(session, "tekeningen"), session)


def _events(runtime: Runtime) -> list[str]:
    with runtime.sessions() as session:
        return [e.type for e in session.scalars(select(Event).where(Event.type.like("exhibition%")).order_by(Event.id))]


def test_a_collection_manager_creates_an_exhibition_with_objects_and_a_page(
    app: Any, runtime: Runtime, items: dict[str, str]
) -> None:
    client = _client(app, "conservator-cm")
    rooms = client.get("/museum/exhibitions?lang=en").get_data(as_text=True)
    assert 'href="/museum/exhibitions/new"' in rooms
    created = _new(client, items)
    assert created.status_code == 303 and created.headers["Location"].endswith("/museum/exhibitions/tekeningen")
    spec = _spec(runtime)
    assert (spec["title"], spec["title_en"], spec["from"], spec["to"]) == (
        "Tekeningen",
        "Drawings",
        "2027-01-01",
        "2027-03-31",
    )
    assert [(o["item"], o["room"], o["label_en"]) for o in spec["objects"]] == [
        (items["drawing"], ROOM, "A drawing"),
        (items["bronze"], ROOM, None),
    ]
    assert spec["pages"][0]["images"] == [
        {"item": items["globe"], "page": 1, "region": "0,0,1000,750", "caption": "Een hoek", "caption_en": "A corner"}
    ]
    assert _events(runtime) == ["exhibition created"]
    rooms = client.get("/museum/exhibitions?lang=en").get_data(as_text=True)
    assert 'href="/museum/exhibitions/tekeningen/edit"' in rooms
    staff_page = html.fromstring(client.get("/museum/exhibitions/tekeningen?lang=en").get_data(as_text=True))
    assert staff_page.findtext(".//title").startswith("Drawings")  # the title is text, never the staff links
    assert len(staff_page.cssselect("ul.staff-links")) == 1 and not staff_page.cssselect("head ul")
    again = _new(client, items)
    assert again.status_code == 409 and "exhibition &#39;tekeningen&#39; exists already" in again.get_data(as_text=True)


def test_editing_changes_titles_and_adds_removes_and_reorders_objects_and_pages(
    app: Any, runtime: Runtime, items: dict[str, str]
) -> None:
    client = _client(app, "conservator-cm")
    assert _new(client, items).status_code == 303
    fields = _fields(client.get("/museum/exhibitions/tekeningen/edit").get_data(as_text=True))
    assert fields["o1-item"] == items["drawing"] and fields["o3-item"] == ""  # the empty row to add one
    fields.update(
        {
            "title_en": "Drawings and bronzes",
            "o1-remove": "1",  # the drawing goes
            "o2-position": "2",
            "o3-item": items["globe"],  # the globe comes, first
            "o3-position": "1",
            "o3-label": "Een globe",
            "p2-title": "Het einde",  # a second page, then moved before the first
            "p2-title_en": "The end",
            "p2-position": "0",
            "p1-i2-item": items["scan"],  # an image by its file id
            "p1-i2-caption": "Alles",
            "p1-i2-caption_en": "All of it",
        }
    )
    saved = client.post("/museum/exhibitions/tekeningen/edit", data=fields)
    assert saved.status_code == 303, saved.get_data(as_text=True)
    spec = _spec(runtime)
    assert spec["title_en"] == "Drawings and bronzes" and spec["title"] == "Tekeningen"
    assert [(o["item"], o["label"]) for o in spec["objects"]] == [
        (items["globe"], "Een globe"),
        (items["bronze"], None),
    ]
    assert [p["title_en"] for p in spec["pages"]] == ["The end", "The beginning"]
    assert [(i["item"], i["region"], i["caption_en"]) for i in spec["pages"][1]["images"]] == [
        (items["globe"], "0,0,1000,750", "A corner"),
        (items["globe"], "full", "All of it"),
    ]
    fields = _fields(client.get("/museum/exhibitions/tekeningen/edit").get_data(as_text=True))
    fields["p1-remove"] = "1"
    assert client.post("/museum/exhibitions/tekeningen/edit", data=fields).status_code == 303
    assert [p["title_en"] for p in _spec(runtime)["pages"]] == ["The beginning"]
    assert _events(runtime) == ["exhibition created", "exhibition changed", "exhibition changed"]


@pytest.mark.parametrize(
    ("change", "message", "english"),
    [
        (
            {"p1-i1-region": "1500,0,1000,100"},
            "pagina 1: beeld 1: uitsnede &#39;1500,0,1000,100&#39; valt buiten het beeld (2000 x 1500 px)",
            "page 1: image 1: region &#39;1500,0,1000,100&#39; lies outside the image",
        ),
        (
            {"o1-item": "no-such-thing"},
            "object 1: geen enkel stuk heeft de id of het kenmerk &#39;no-such-thing&#39;",
            "object 1: no item has the id or identifier &#39;no-such-thing&#39;",
        ),
        (
            {"o1-room": "NOWHERE"},
            "object 1: plaats &#39;NOWHERE&#39; bestaat niet",
            "object 1: location &#39;NOWHERE&#39; does not exist",
        ),
        (
            {"o1-position": "first"},
            "object 1: positie &#39;first&#39; is geen geheel getal",
            "object 1: position &#39;first&#39; is not a whole number",
        ),  # the form's own check
        ({"title_en": ""}, "tentoonstelling tekeningen: Titel (Engels) is verplicht", "Title (English) is required"),
    ],
)
def test_a_mistake_is_named_the_form_kept_as_typed_and_nothing_stored(
    app: Any, runtime: Runtime, items: dict[str, str], change: dict[str, str], message: str, english: str
) -> None:
    """In the page's language, an input named by its label (the CLI and the API name the spec's keys)."""
    client = _client(app, "conservator-cm")
    assert _new(client, items).status_code == 303
    before = _spec(runtime)
    fields = _fields(client.get("/museum/exhibitions/tekeningen/edit").get_data(as_text=True))
    fields.update({"title": "Iets anders", **change})
    refused = client.post("/museum/exhibitions/tekeningen/edit", data=fields)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and message in html and 'role="alert"' in html
    assert 'value="Iets anders"' in html  # what was typed is kept
    in_english = client.post("/museum/exhibitions/tekeningen/edit?lang=en", data=fields)
    assert in_english.status_code == 400 and english in in_english.get_data(as_text=True)
    assert _spec(runtime) == before and _events(runtime) == ["exhibition created"]
    bad_new = _new(client, items, slug="other-show", **change)
    assert bad_new.status_code == 400
    with runtime.sessions() as session:
        assert [e.slug for e in exhibitions.list_all(session)] == ["tekeningen"]


def test_a_save_over_a_newer_version_is_refused_with_409(app: Any, runtime: Runtime, items: dict[str, str]) -> None:
    client = _client(app, "conservator-cm")
    assert _new(client, items).status_code == 303
    first = _fields(client.get("/museum/exhibitions/tekeningen/edit").get_data(as_text=True))
    second = dict(first)
    first["o1-label_en"] = "A drawing, first"
    assert client.post("/museum/exhibitions/tekeningen/edit", data=first).status_code == 303
    second["o1-label_en"] = "A drawing, second"
    stale = client.post("/museum/exhibitions/tekeningen/edit", data=second)
    assert stale.status_code == 409 and "Iemand heeft de tentoonstelling gewijzigd" in stale.get_data(as_text=True)
    assert _spec(runtime)["objects"][0]["label_en"] == "A drawing, first"
    assert _events(runtime) == ["exhibition created", "exhibition changed"]


def test_install_and_close_buttons_move_the_objects(app: Any, runtime: Runtime, items: dict[str, str]) -> None:
    client = _client(app, "conservator-cm")
    assert _new(client, items).status_code == 303
    page = client.get("/museum/exhibitions/tekeningen?lang=en").get_data(as_text=True)
    assert 'action="/museum/exhibitions/tekeningen/install"' in page
    assert client.post("/museum/exhibitions/tekeningen/install").status_code == 400  # no CSRF token
    token = csrf_token(client)
    installed = client.post("/museum/exhibitions/tekeningen/install", data={"csrf_token": token})
    assert installed.status_code == 303
    with runtime.sessions() as session:
        assert exhibitions.get(session, "tekeningen").state == "installed"
        drawing = session.get(Item, items["drawing"])
        room = session.scalar(select(Location).where(Location.code == ROOM))
        assert drawing is not None and room is not None and drawing.location_id == room.id
    page = client.get("/museum/exhibitions/tekeningen?lang=en").get_data(as_text=True)
    assert "2 objects moved to their rooms" in page and 'action="/museum/exhibitions/tekeningen/close"' in page
    again = client.post("/museum/exhibitions/tekeningen/install?lang=nl", data={"csrf_token": token})
    assert again.status_code == 409 and "tentoonstelling tekeningen is Opgesteld, niet gepland" in again.get_data(
        as_text=True
    )
    english = client.post("/museum/exhibitions/tekeningen/install?lang=en", data={"csrf_token": token})
    assert "exhibition tekeningen is Installed, not planned" in english.get_data(as_text=True)
    assert client.post("/museum/exhibitions/tekeningen/close", data={"csrf_token": token}).status_code == 303
    assert _events(runtime)[-2:] == ["exhibition installed", "exhibition closed"]


def test_install_and_close_warn_of_the_rules_a_room_breaks_in_the_readers_language(
    app: Any, runtime: Runtime, items: dict[str, str]
) -> None:
    """A jar of spirit shown in the hall: its hazards need a dedicated store the hall is not. The Dutch page says so
    with names for hazards and flags; the English page gives the sentence the CLI prints and the event keeps."""
    with runtime.transaction() as session:
        spirit = session.scalar(select(Location).where(Location.code == "LEU-CD-ETH"))
        jar = builders.item(session, "museum", "jar", domain="museum", material="fluid_specimen", location=spirit)
    client = _client(app, "conservator-cm")
    assert _new(client, items, **{"o3-item": jar.id, "o3-room": ROOM}).status_code == 303
    token = csrf_token(client)
    assert client.post("/museum/exhibitions/tekeningen/install?lang=nl", data={"csrf_token": token}).status_code == 303
    nl = " ".join(
        html.fromstring(client.get("/museum/exhibitions/tekeningen?lang=nl").get_data(as_text=True))
        .xpath("string(//main)")
        .split()
    )
    assert (
        f"Waarschuwing: {ROOM} breekt een regel voor {jar.id}: gevaar Ontvlambare vloeistof (categorie 2), "
        "Formaldehyde vraagt een eigen depot (Opslag voor ontvlambare stoffen, Mechanische ventilatie)" in nl
    )
    assert "flammables_store" not in nl and "needs a dedicated store" not in nl
    assert client.post("/museum/exhibitions/tekeningen/close?lang=en", data={"csrf_token": token}).status_code == 303
    en = " ".join(
        html.fromstring(client.get("/museum/exhibitions/tekeningen?lang=en").get_data(as_text=True))
        .xpath("string(//main)")
        .split()
    )
    with runtime.sessions() as session:
        moves = session.scalars(select(Event).where(Event.type == "movement").order_by(Event.id)).all()
    back = [(m.item_id, w) for m in moves if m.data["to_location"] == "LEU-CD-R1" for w in m.data["warnings"]]
    assert back and {item for item, _w in back} == {items["drawing"], items["bronze"]}  # metal at 48 % RH
    for item, warning in back:  # the words the event keeps and the CLI prints
        assert f"Warning: LEU-CD-R1 breaks a rule for {item}: {warning}" in en
    assert "is outside 30-40 % for metal" in back[0][1]


def test_readers_archivists_and_the_public_never_reach_the_forms(
    app: Any, runtime: Runtime, items: dict[str, str]
) -> None:
    assert _new(_client(app, "conservator-cm"), items).status_code == 303
    anonymous = app.test_client()
    for path in ("/museum/exhibitions/new", "/museum/exhibitions/tekeningen/edit"):
        assert anonymous.get(path).status_code == 302  # sent to sign in
        assert _client(app, "lezer").get(path).status_code == 403
        assert _client(app, "archivaris").get(path).status_code == 403
    archivist = _client(app, "archivaris")
    token = csrf_token(archivist)
    assert archivist.post("/museum/exhibitions/tekeningen/install", data={"csrf_token": token}).status_code == 403
    assert _new(archivist, items, slug="mine").status_code == 403
    page = archivist.get("/museum/exhibitions/tekeningen").get_data(as_text=True)
    assert "/edit" not in page and "/install" not in page
    assert _events(runtime) == ["exhibition created"]


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("nl", ["Nieuwe tentoonstelling", "Titel (Nederlands)", "Titel (Engels)", "Positie", "Nieuw object",
                "Afbeelding 1 van pagina 1", "Verwijderen"]),
        ("en", ["New exhibition", "Title (Dutch)", "Title (English)", "Position", "New object",
                "Image 1 of page 1", "Remove"]),
    ],
)  # fmt: skip
def test_the_form_speaks_dutch_and_english(
    app: Any, runtime: Runtime, items: dict[str, str], lang: str, words: list[str]
) -> None:
    client = _client(app, "conservator-cm")
    assert _new(client, items).status_code == 303
    new = client.get(f"/museum/exhibitions/new?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}">' in new and words[0] in new and 'name="slug"' in new
    edit = client.get(f"/museum/exhibitions/tekeningen/edit?lang={lang}").get_data(as_text=True)
    assert all(w in edit for w in words[1:]), [w for w in words[1:] if w not in edit]
    assert "Object 2" in edit and 'name="slug"' not in edit  # the slug is fixed once made


def test_another_unit_s_objects_are_theirs_to_plan_and_a_closed_one_does_not_exist(
    app: Any, runtime: Runtime, items: dict[str, str]
) -> None:
    with runtime.transaction() as session:
        theirs = builders.item(session, "zoology", "beetle", domain="museum", unit="zoology-museum").id
        secret = builders.item(session, "zoology", "secret", domain="museum", unit="zoology-museum")
        secret.access = "closed"
        secret_id = secret.id
    add_user(runtime, "zoologist", "collection_manager", "zoology-museum")
    client = _client(app, "conservator-cm")
    assert _new(client, items).status_code == 303
    fields = _fields(client.get("/museum/exhibitions/tekeningen/edit").get_data(as_text=True))
    unknown = client.post("/museum/exhibitions/tekeningen/edit", data={**fields, "o3-item": secret_id})
    assert unknown.status_code == 400
    assert f"object 3: geen enkel stuk heeft de id of het kenmerk &#39;{secret_id}&#39;" in unknown.get_data(
        as_text=True
    )
    refused = client.post("/museum/exhibitions/tekeningen/edit", data={**fields, "o3-item": theirs})
    assert refused.status_code == 403 and "objecten van een andere eenheid" in refused.get_data(as_text=True)
    assert _events(runtime) == ["exhibition created"]
    zoologist = _client(app, "zoologist")
    assert zoologist.get("/museum/exhibitions/tekeningen/edit").status_code == 403
    token = csrf_token(zoologist)
    assert zoologist.post("/museum/exhibitions/tekeningen/install", data={"csrf_token": token}).status_code == 403
