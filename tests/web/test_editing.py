"""The staff's cataloguing pages through the test client: edit a record, add records, move, order, pages,
withdraw, history and revert; who may (sign in, 403, 404), CSRF, refused and stale saves, Dutch and English."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from heritage.catalogue import ensure_unit, item_id_for
from heritage.models import Item
from heritage.runtime import Runtime
from heritage.search import SearchQuery
from ingest.pipeline import ingest
from tests.helpers import add_user, csrf_token, sign_in, small_batch, write_sheet

pytestmark = pytest.mark.db

FONDS, SERIES, FILE_A, FILE_B = (item_id_for("pedel", n) for n in ("F1", "F1.1", "F1.1.1", "F1.1.2"))
OTHER = item_id_for("boeken", "F1.1.1")  # a file of the other unit's collection


@pytest.fixture
def catalogue(runtime: Runtime, tmp_path: Path) -> Runtime:
    """The small batch in `pedel` (central archive), one record in `boeken` (the library), a user per role."""
    with runtime.transaction() as s:
        ensure_unit(s, "central-archive")
        ensure_unit(s, "bib")
    other = tmp_path / "boeken"
    other.mkdir()
    write_sheet(other / "sheet.csv", [{"identifier": "F1.1.1", "level": "file", "title": "Boek van de bib"}])
    for folder, collection, unit in (
        (small_batch(tmp_path / "pedel"), "pedel", "central-archive"),
        (other, "boeken", "bib"),
    ):
        report = ingest(runtime, folder, collection, unit=unit, parallel=1)
        assert report.exit_code == 0, report.as_dict()
    add_user(runtime, "beheer", "administrator")
    add_user(runtime, "ua", "archivist", "central-archive")
    add_user(runtime, "bibarchivaris", "archivist", "bib")
    add_user(runtime, "lezer", "reader")
    return runtime


def _client(app: Any, username: str | None) -> Any:
    client = app.test_client()
    if username:
        assert sign_in(client, username).status_code == 303
    return client


@pytest.fixture
def archivist(app: Any, catalogue: Runtime) -> Any:
    return _client(app, "ua")


def _form(html: str) -> dict[str, Any]:
    """The edit form's fields as a browser would send them (inputs, textareas and selected options)."""
    form = re.search(r'<form method="post"[^>]*class="edit[^"]*"[^>]*>(.*?)</form>', html, re.S)
    assert form, "the page has an edit form"
    body = form.group(1)
    data: dict[str, Any] = {}
    for tag in re.finditer(r"<input ([^>]*)>", body):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group(1)))
        if "name" not in attrs or (
            attrs.get("type") in ("radio", "checkbox", "search") and "checked" not in tag.group(1)
        ):
            continue
        data[_unescape(attrs["name"])] = _unescape(attrs.get("value", ""))
    for tag in re.finditer(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', body, re.S):
        data[_unescape(tag.group(1))] = _unescape(tag.group(2))
    for tag in re.finditer(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', body, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', tag.group(2))
        data[_unescape(tag.group(1))] = _unescape(chosen.group(1)) if chosen else ""
    return data


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def _item(runtime: Runtime, item_id: str) -> Item:
    with runtime.sessions() as s:
        item = s.get(Item, item_id)
        assert item is not None
        s.expunge(item)
        return item


def _edit(client: Any, item_id: str, changes: dict[str, Any], lang: str = "nl") -> Any:
    """Load the edit form, change some fields, save it (as a browser would)."""
    page = client.get(f"/items/{item_id}/edit?lang={lang}")
    assert page.status_code == 200
    data = _form(page.get_data(as_text=True))
    data.update(changes)
    return client.post(f"/items/{item_id}/edit?lang={lang}", data=data)


def test_an_archivist_fixes_a_title_and_sees_it_everywhere(archivist: Any, catalogue: Runtime) -> None:
    saved = _edit(archivist, FILE_A, {"title": "Reglement van de pedel", "reason": "tikfout"})
    assert saved.status_code == 303 and saved.headers["Location"].endswith(f"/items/{FILE_A}/edit")
    after = archivist.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Opgeslagen als revisie" in after and "Reglement van de pedel" in after
    item = _item(catalogue, FILE_A)
    assert item.title == "Reglement van de pedel" and item.version == 2 and item.edited_at is not None
    record = archivist.get(f"/items/{FILE_A}").get_data(as_text=True)
    assert "<h1>Reglement van de pedel</h1>" in record and "bewerkt sinds de import" in record
    history = archivist.get(f"/items/{FILE_A}/history").get_data(as_text=True)
    assert "Règlement van de pedel" in history and "Reglement van de pedel" in history and "tikfout" in history
    hits = catalogue.index.search(SearchQuery(q="Reglement", access=None)).hits
    assert [h["id"] for h in hits] == [FILE_A]


def test_the_form_speaks_dutch_and_english(archivist: Any) -> None:
    nl = archivist.get(f"/items/{FILE_A}/edit?lang=nl").get_data(as_text=True)
    en = archivist.get(f"/items/{FILE_A}/edit?lang=en").get_data(as_text=True)
    assert "Opslaan</button>" in nl and "Identificatie</legend>" in nl and "Rechten en toegang</legend>" in nl
    assert "Save</button>" in en and "Identity</legend>" in en and "Rights and access</legend>" in en
    for html in (nl, en):
        assert 'name="version" value="1"' in html and 'name="csrf_token"' in html


def test_a_refused_save_shows_the_message_at_the_field_and_keeps_nothing(archivist: Any, catalogue: Runtime) -> None:
    answer = _edit(archivist, FILE_A, {"title": "Nieuwe titel", "closed_until": "2999-13-45"}, lang="en")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert 'aria-invalid="true"' in html and re.search(r'aria-describedby="[^"]*f-closed-until-error', html)
    assert re.search(r'id="f-closed-until-error" role="alert">Closed until: [^<]*2999-13-45', html)  # its label
    assert 'value="Nieuwe titel"' in html  # what the editor typed stays
    item = _item(catalogue, FILE_A)
    assert item.title == "Règlement van de pedel" and item.version == 1


def test_the_service_s_messages_are_said_in_the_page_s_language(archivist: Any, catalogue: Runtime) -> None:
    """A refusal and a warning of the editing service read in Dutch on a Dutch page, in English on an English one:
    the reason too, not only the field's label."""
    refused = _edit(archivist, FILE_A, {"closed_until": "2999-13-45"}, lang="nl")
    html = _unescape(refused.get_data(as_text=True))
    assert refused.status_code == 400
    assert re.search(r'id="f-closed-until-error" role="alert">Gesloten tot: [^<]*2999-13-45[^<]* is geen datum', html)
    english = _unescape(_edit(archivist, FILE_A, {"closed_until": "2999-13-45"}, lang="en").get_data(as_text=True))
    assert "is not a date (YYYY-MM-DD)" in english and "is geen datum" not in english
    saved = _edit(archivist, FILE_A, {"dates": "31-02-1921"}, lang="nl")
    page = _unescape(archivist.get(saved.headers["Location"] + "?lang=nl").get_data(as_text=True))
    assert "Datering: datum '31-02-1921' bestaat niet: maand 2 van 1921 heeft geen dag 31" in page


def test_unreadable_dates_are_kept_and_warned_about(archivist: Any, catalogue: Runtime) -> None:
    saved = _edit(archivist, FILE_A, {"dates": "31-02-1921\n1921"}, lang="en")
    assert saved.status_code == 303
    page = archivist.get(saved.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Warning:" in page and "31-02-1921" in page
    assert "Year: 1921" in page
    assert _item(catalogue, FILE_A).date_text == "31-02-1921; 1921"


def test_a_stale_save_shows_both_versions_and_overwrites_nothing(app: Any, archivist: Any, catalogue: Runtime) -> None:
    first = archivist.get(f"/items/{FILE_A}/edit").get_data(as_text=True)
    other = _client(app, "beheer")
    assert _edit(other, FILE_A, {"title": "Titel van de tweede"}).status_code == 303
    data = _form(first)
    data["title"] = "Titel van de eerste"
    answer = archivist.post(f"/items/{FILE_A}/edit?lang=en", data=data)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "Someone else saved this record" in html
    assert re.search(r'class="theirs">Titel van de tweede<', html) and re.search(
        r'class="yours">Titel van de eerste<', html
    )
    assert 'value="Titel van de eerste"' in html and 'name="version" value="2"' in html
    assert _item(catalogue, FILE_A).title == "Titel van de tweede"
    again = archivist.post(f"/items/{FILE_A}/edit", data=_form(html))  # saving the shown form again is deliberate
    assert again.status_code == 303 and _item(catalogue, FILE_A).title == "Titel van de eerste"


def test_who_may_edit(app: Any, catalogue: Runtime) -> None:
    public = _client(app, None)
    answer = public.get(f"/items/{FILE_A}/edit")
    assert answer.status_code == 302 and answer.headers["Location"] == f"/login?next=/items/{FILE_A}/edit"
    token = csrf_token(public)
    assert public.post(f"/items/{FILE_A}/edit", data={"csrf_token": token, "version": "1"}).status_code == 302
    for path in ("history", "move", "order", "pages", "withdraw", "children/new"):
        assert public.get(f"/items/{FILE_A}/{path}").status_code == 302
    reader = _client(app, "lezer")
    assert reader.get(f"/items/{FILE_A}/edit").status_code == 403
    assert reader.get(f"/items/{FILE_A}/history").status_code == 403
    assert "Bewerken" not in reader.get(f"/items/{FILE_A}").get_data(as_text=True)
    other_unit = _client(app, "bibarchivaris")
    assert other_unit.get(f"/items/{FILE_A}/edit").status_code == 403
    assert other_unit.get(f"/items/{OTHER}/edit").status_code == 200
    assert other_unit.get("/collections/pedel/new").status_code == 403
    assert other_unit.get("/collections/boeken/new").status_code == 200
    admin = _client(app, "beheer")
    assert _edit(admin, FILE_A, {"access": "closed"}).status_code == 303
    for client in (other_unit, reader, public):
        assert client.get(f"/items/{FILE_A}").status_code == 404
    for path in ("edit", "history", "move", "withdraw"):  # closed: it does not exist for them
        assert other_unit.get(f"/items/{FILE_A}/{path}").status_code == 404
        assert reader.get(f"/items/{FILE_A}/{path}").status_code == 404
    assert admin.get("/items/aaaaaaaaaaaa/edit").status_code == 404
    assert admin.get("/collections/geen-collectie/new").status_code == 404


def test_every_form_needs_its_csrf_token(archivist: Any, catalogue: Runtime) -> None:
    data = _form(archivist.get(f"/items/{FILE_A}/edit").get_data(as_text=True))
    data["title"] = "Zonder sleutel"
    del data["csrf_token"]
    posts = {
        f"/items/{FILE_A}/edit": data,
        f"/items/{SERIES}/children/new": {"title": "Nieuw"},
        "/collections/pedel/new": {"title": "Nieuw"},
        f"/items/{FILE_A}/move": {"parent_id": FONDS, "version": "1"},
        f"/items/{SERIES}/order": {"save": "1"},
        f"/items/{FILE_B}/pages": {"save": "1", "version": "1"},
        f"/items/{FILE_A}/withdraw": {"reason": "x", "confirm": "yes", "version": "1"},
        f"/items/{FILE_A}/revert": {"revision": "1", "version": "1"},
    }
    for path, form in posts.items():
        answer = archivist.post(path, data=form)
        assert answer.status_code == 400, path
    assert _item(catalogue, FILE_A).version == 1


def test_add_a_child_and_a_top_level_record(archivist: Any, catalogue: Runtime) -> None:
    form = archivist.get(f"/items/{SERIES}/children/new?lang=en")
    assert form.status_code == 200 and "New part of" in form.get_data(as_text=True)
    token = csrf_token(archivist)
    made = archivist.post(
        f"/items/{SERIES}/children/new", data={"csrf_token": token, "title": "Brief van de rector", "level": "file"}
    )
    assert made.status_code == 303
    new_id = made.headers["Location"].split("/")[-2]
    child = _item(catalogue, new_id)
    assert child.parent_id == SERIES and child.title == "Brief van de rector"
    assert "Brief van de rector" in archivist.get(f"/items/{SERIES}").get_data(as_text=True)
    empty = archivist.post(f"/items/{SERIES}/children/new?lang=en", data={"csrf_token": token, "title": ""})
    assert empty.status_code == 400 and 'aria-invalid="true"' in empty.get_data(as_text=True)
    top = archivist.post("/collections/pedel/new", data={"csrf_token": token, "title": "Archief van de rector"})
    assert top.status_code == 303
    assert _item(catalogue, top.headers["Location"].split("/")[-2]).parent_id is None


def test_move_a_file_to_another_series(archivist: Any, catalogue: Runtime) -> None:
    token = csrf_token(archivist)
    made = archivist.post(
        f"/items/{FONDS}/children/new", data={"csrf_token": token, "title": "Registers", "level": "series"}
    )
    new_series = made.headers["Location"].split("/")[-2]
    found = archivist.get(f"/items/{FILE_B}/move?q=Registers")
    assert found.status_code == 200 and f'value="{new_series}"' in found.get_data(as_text=True)
    moved = archivist.post(f"/items/{FILE_B}/move", data={"csrf_token": token, "parent": new_series, "version": "1"})
    assert moved.status_code == 303
    assert _item(catalogue, FILE_B).parent_id == new_series
    record = archivist.get(f"/items/{FILE_B}").get_data(as_text=True)
    assert "Registers</a>" in record
    into_itself = archivist.post(
        f"/items/{FONDS}/move", data={"csrf_token": token, "parent_id": SERIES, "version": "1"}
    )
    assert into_itself.status_code == 400 and _item(catalogue, FONDS).parent_id is None
    stale = archivist.post(f"/items/{FILE_B}/move", data={"csrf_token": token, "parent_id": SERIES, "version": "1"})
    assert stale.status_code == 409 and _item(catalogue, FILE_B).parent_id == new_series


def test_order_the_parts_with_up_and_down_buttons(archivist: Any, catalogue: Runtime) -> None:
    token = csrf_token(archivist)
    page = archivist.get(f"/items/{SERIES}/order").get_data(as_text=True)
    assert re.findall(r'name="order" value="(\w+)"', page) == [FILE_A, FILE_B]
    moved = archivist.post(
        f"/items/{SERIES}/order", data={"csrf_token": token, "order": [FILE_A, FILE_B], "up": FILE_B, "version": "1"}
    )
    html = moved.get_data(as_text=True)
    assert moved.status_code == 200 and re.findall(r'name="order" value="(\w+)"', html) == [FILE_B, FILE_A]
    assert f'id="down-{FILE_B}" autofocus' in html  # at the top now: the focus stays on the row, on "down"
    assert html.count("autofocus") == 1
    with catalogue.sessions() as s:
        assert [c.id for c in s.get(Item, SERIES).children] == [FILE_A, FILE_B]  # arranged, not yet saved
    assert 'name="version" value="1"' in html  # the series' version, carried while arranging
    saved = archivist.post(
        f"/items/{SERIES}/order", data={"csrf_token": token, "order": [FILE_B, FILE_A], "save": "1", "version": "1"}
    )
    assert saved.status_code == 303
    with catalogue.sessions() as s:
        assert [c.id for c in s.get(Item, SERIES).children] == [FILE_B, FILE_A]
    wrong = archivist.post(
        f"/items/{SERIES}/order", data={"csrf_token": token, "order": [FILE_A], "save": "1", "version": "2"}
    )
    assert wrong.status_code == 409
    stale = archivist.post(
        f"/items/{SERIES}/order", data={"csrf_token": token, "order": [FILE_A, FILE_B], "save": "1", "version": "1"}
    )
    assert stale.status_code == 409
    with catalogue.sessions() as s:
        assert [c.id for c in s.get(Item, SERIES).children] == [FILE_B, FILE_A]


def test_label_and_order_the_pages(archivist: Any, catalogue: Runtime) -> None:
    token = csrf_token(archivist)
    page = archivist.get(f"/items/{FILE_B}/pages?lang=en").get_data(as_text=True)
    files = re.findall(r'name="order" value="(\w+)"', page)
    assert len(files) == 2
    data = {"csrf_token": token, "version": "1", "order": list(reversed(files)), "save": "1"}
    data |= {f"label-{files[0]}": "recto", f"label-{files[1]}": "verso", "representative": files[1]}
    assert archivist.post(f"/items/{FILE_B}/pages", data=data).status_code == 303
    again = archivist.get(f"/items/{FILE_B}/pages").get_data(as_text=True)
    assert re.findall(r'name="order" value="(\w+)"', again) == list(reversed(files))
    assert 'value="verso"' in again and re.search(rf'id="rep-{files[1]}" value="{files[1]}" checked', again)


def test_history_and_revert(archivist: Any, catalogue: Runtime) -> None:
    assert _edit(archivist, FILE_A, {"title": "Eerste wijziging"}).status_code == 303
    assert _edit(archivist, FILE_A, {"title": "Tweede wijziging"}).status_code == 303
    html = archivist.get(f"/items/{FILE_A}/history?lang=en").get_data(as_text=True)
    numbers = re.findall(r'id="revision-(\d+)"', html)
    assert numbers == sorted(numbers, key=int, reverse=True) and len(numbers) >= 2
    assert "by ua" in html and "Eerste wijziging" in html and "Tweede wijziging" in html
    first = min(numbers, key=int)
    token = csrf_token(archivist)
    stale = archivist.post(f"/items/{FILE_A}/revert", data={"csrf_token": token, "revision": first, "version": "1"})
    assert stale.status_code == 409 and _item(catalogue, FILE_A).title == "Tweede wijziging"
    version = _item(catalogue, FILE_A).version
    back = archivist.post(
        f"/items/{FILE_A}/revert", data={"csrf_token": token, "revision": first, "version": str(version)}
    )
    assert back.status_code == 303
    item = _item(catalogue, FILE_A)
    assert item.title == "Eerste wijziging" and item.version == version + 1


def test_a_withdrawn_record_is_a_tombstone(app: Any, archivist: Any, catalogue: Runtime) -> None:
    token = csrf_token(archivist)
    page = archivist.get(f"/items/{FILE_A}/withdraw?lang=en").get_data(as_text=True)
    assert "Yes, withdraw this record" in page
    unconfirmed = archivist.post(
        f"/items/{FILE_A}/withdraw", data={"csrf_token": token, "reason": "dubbel", "version": "1"}
    )
    assert unconfirmed.status_code == 400 and _item(catalogue, FILE_A).withdrawn_at is None
    done = archivist.post(
        f"/items/{FILE_A}/withdraw", data={"csrf_token": token, "reason": "dubbel", "confirm": "yes", "version": "1"}
    )
    assert done.status_code == 303 and _item(catalogue, FILE_A).withdrawn_at is not None
    public = _client(app, None)
    for lang, words in (("nl", "ingetrokken"), ("en", "withdrawn")):
        gone = public.get(f"/items/{FILE_A}?lang={lang}")
        assert gone.status_code == 410
        html = gone.get_data(as_text=True)
        assert "Règlement van de pedel" in html and words in html
    staff = archivist.get(f"/items/{FILE_A}?lang=nl")
    assert staff.status_code == 200 and "Ingetrokken op" in staff.get_data(as_text=True)
    assert public.get(f"/items/{FILE_A}/citation.bib").status_code == 404
    for path in ("edit", "move", "pages", "children/new"):  # a tombstone is not changed any more
        assert archivist.get(f"/items/{FILE_A}/{path}").status_code == 400
    assert archivist.get(f"/items/{FILE_A}/history").status_code == 200
    with catalogue.sessions() as s:
        assert s.scalar(select(Item.id).where(Item.id == FILE_A)) == FILE_A  # nothing deleted


def test_the_cataloguing_page_lists_the_collections_one_may_add_to(app: Any, catalogue: Runtime) -> None:
    assert _client(app, None).get("/cataloguing/").status_code == 302
    assert _client(app, "lezer").get("/cataloguing/").status_code == 403
    own = _client(app, "bibarchivaris").get("/cataloguing/?lang=en").get_data(as_text=True)
    assert "/collections/boeken/new" in own and "/collections/pedel/new" not in own and "Cataloguing" in own
    admin = _client(app, "beheer").get("/cataloguing/?lang=nl").get_data(as_text=True)
    assert "/collections/boeken/new" in admin and "/collections/pedel/new" in admin and "Catalogiseren" in admin


def test_a_closed_record_withdrawn_stays_unknown_to_the_public(app: Any, archivist: Any, catalogue: Runtime) -> None:
    assert _edit(archivist, FILE_B, {"access": "closed"}).status_code == 303
    token = csrf_token(archivist)
    done = archivist.post(
        f"/items/{FILE_B}/withdraw", data={"csrf_token": token, "reason": "privacy", "confirm": "yes", "version": "2"}
    )
    assert done.status_code == 303
    answer = _client(app, None).get(f"/items/{FILE_B}?lang=en")
    assert answer.status_code == 404 and "privacy" not in answer.get_data(as_text=True)
    assert _client(app, "bibarchivaris").get(f"/items/{FILE_B}").status_code == 404
    history = archivist.get(f"/items/{FILE_B}/history?lang=en").get_data(as_text=True)
    assert "Withdrawn" in history and "privacy" in history and "Go back to revision" not in history


def _upload_sheet(client: Any, text: str, lang: str = "nl") -> Any:
    import io

    return client.post(
        f"/cataloguing/sheet?lang={lang}",
        data={"csrf_token": csrf_token(client), "sheet": (io.BytesIO(text.encode("utf-8")), "titels.csv")},
        content_type="multipart/form-data",
    )


def _confirm_form(html: str) -> dict[str, str]:
    form = re.search(r'<form method="post" action="/cataloguing/sheet/apply"(.*?)</form>', html, re.S)
    assert form, "the preview offers to apply it"
    return {k: _unescape(v) for k, v in re.findall(r'name="(\w+)" value="([^"]*)"', form.group(1))}


def test_a_sheet_is_previewed_then_applied(archivist: Any, catalogue: Runtime) -> None:
    text = f"heritage_id,title\n{FILE_A},Reglement van de pedel\n{FILE_B},Register van de pedel\n"
    preview = _upload_sheet(archivist, text, lang="en")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "1 records would change, 1 stay as they are" in html
    assert "Règlement van de pedel" in html and "Reglement van de pedel" in html and "Line 2" in html
    assert _item(catalogue, FILE_A).title == "Règlement van de pedel"  # nothing yet
    done = archivist.post("/cataloguing/sheet/apply", data=_confirm_form(html))
    assert done.status_code == 303
    assert "1 records were changed by sheet titels.csv" in archivist.get("/cataloguing/").get_data(as_text=True)
    item = _item(catalogue, FILE_A)
    assert item.title == "Reglement van de pedel" and item.version == 2


def test_a_sheet_with_a_problem_changes_nothing(archivist: Any, catalogue: Runtime) -> None:
    text = f"heritage_id,title,kleur\n{FILE_A},Nieuw,rood\n"
    answer = _upload_sheet(archivist, text, lang="en")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "titels.csv:1: unknown column &#39;kleur&#39;" in html
    assert "/cataloguing/sheet/apply" not in html
    other = _upload_sheet(archivist, f"heritage_id,title\n{FILE_A},Nieuw\n{OTHER},Ander boek\n")
    assert other.status_code == 400 and "titels.csv:3:" in other.get_data(as_text=True)
    assert _item(catalogue, FILE_A).title == "Règlement van de pedel"
    assert _item(catalogue, OTHER).title == "Boek van de bib"


def test_a_sheet_whose_records_changed_since_the_preview_is_previewed_again(
    app: Any, archivist: Any, catalogue: Runtime
) -> None:
    html = _upload_sheet(archivist, f"heritage_id,title\n{FILE_A},Uit het blad\n", lang="en").get_data(as_text=True)
    assert _edit(_client(app, "beheer"), FILE_A, {"extent": "2 bladen"}).status_code == 303
    again = archivist.post("/cataloguing/sheet/apply?lang=en", data=_confirm_form(html))
    assert again.status_code == 409 and "changed since the preview" in again.get_data(as_text=True)
    assert _item(catalogue, FILE_A).title == "Règlement van de pedel"
    done = archivist.post("/cataloguing/sheet/apply", data=_confirm_form(again.get_data(as_text=True)))
    assert done.status_code == 303 and _item(catalogue, FILE_A).title == "Uit het blad"


def test_the_sheet_pages_are_for_staff(app: Any, catalogue: Runtime) -> None:
    reader = _client(app, "lezer")
    assert _upload_sheet(reader, f"heritage_id,title\n{FILE_A},x\n").status_code == 403
    public = _client(app, None)
    assert _upload_sheet(public, f"heritage_id,title\n{FILE_A},x\n").status_code == 302
    archivist = _client(app, "ua")
    no_token = archivist.post("/cataloguing/sheet/apply", data={"data": "", "name": "x.csv"})
    assert no_token.status_code == 400
    assert _item(catalogue, FILE_A).title == "Règlement van de pedel"


def test_the_staff_pages_hold_no_inline_script_or_style(archivist: Any, catalogue: Runtime) -> None:
    from lxml import html as lxml_html

    from tests.web.test_security_headers import inline_code

    assert _edit(archivist, FILE_A, {"title": "Reglement"}).status_code == 303
    pages = [
        f"/items/{FILE_A}/edit",
        f"/items/{SERIES}/children/new",
        "/collections/pedel/new",
        f"/items/{FILE_A}/history",
        f"/items/{FILE_A}/move?q=Brieven",
        f"/items/{SERIES}/order",
        f"/items/{FILE_B}/pages",
        f"/items/{FILE_A}/withdraw",
        "/cataloguing/",
    ]
    for lang in ("nl", "en"):
        for path in pages:
            answer = archivist.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
            assert answer.status_code == 200, path
            assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
            assert inline_code(lxml_html.fromstring(answer.data)) == [], path
            assert f'<html lang="{lang}">' in answer.get_data(as_text=True)


def test_a_long_history_is_read_a_page_at_a_time(archivist: Any, catalogue: Runtime) -> None:
    """55 saves: the newest 50 on the first page with a link to the older ones, the rest on the second, every
    revision once; going back is offered on every revision but the newest, on either page."""
    from heritage import auth
    from heritage.editing import update_item

    with catalogue.transaction() as s:
        who = auth.viewer_of(s, auth.get_user(s, "ua"))
        for n in range(55):
            update_item(s, FILE_A, {"title": f"Titel {n}"}, viewer=who, agent="ua", base_version=None)
    first = archivist.get(f"/items/{FILE_A}/history?lang=en").get_data(as_text=True)
    shown = [int(n) for n in re.findall(r'id="revision-(\d+)"', first)]
    assert len(shown) == 50 and shown == sorted(shown, reverse=True)
    older = re.search(r'href="([^"]*before=(\d+))" rel="next">Older revisions<', first)
    assert older and int(older[2]) == shown[-1]
    second = archivist.get(older[1].replace("&amp;", "&") + "&lang=nl").get_data(as_text=True)
    rest = [int(n) for n in re.findall(r'id="revision-(\d+)"', second)]
    assert rest and max(rest) < min(shown) and "Oudere revisies" not in second and "Nieuwste revisies" in second
    assert sorted(shown + rest) == list(range(1, len(shown) + len(rest) + 1))
    buttons = re.findall(r'name="revision" value="(\d+)"', first + second)
    assert sorted(map(int, buttons)) == sorted(shown + rest)[:-1]  # all but the newest
    for bad in ("abc", "0", "-1", "9" * 30):
        refused = archivist.get(f"/items/{FILE_A}/history?before={bad}&lang=en")
        assert refused.status_code == 400 and "is not a revision number" in refused.get_data(as_text=True)
