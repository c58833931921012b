"""The text of scanned pages over IIIF: a canvas with text links its ALTO and an AnnotationPage of its lines,
the manifest offers Content Search 2.0 (and 1.0 for Mirador 4), and search and autocomplete answer as the
specification says: folded and stemmed like the catalogue, phrases, paging, `motivation`, `date`, `ignored`.
An item whose images the asker may not see has none of these (404, as its manifest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select

from heritage.cli import main
from heritage.models import Item
from heritage.runtime import Runtime
from heritage.settings import Settings
from iiif import content_search
from tests.conftest import shared_path
from tests.iiif.test_presentation import _valid
from tests.iiif.text_pages import PAGE_2, text_batch, word_box

pytestmark = pytest.mark.db
BASE = "http://localhost"
P = "/iiif/presentation/3"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """The shipped OCR rules: the archive's pages are read, here from the ALTO delivered with them."""
    return Settings.load({"data_dir": tmp_path / "data", "database_url": database_url}, environ={})


@pytest.fixture
def register(runner: CliRunner, runtime: Runtime, tmp_path: Path) -> str:
    result = runner.invoke(main, ["ingest", str(text_batch(tmp_path / "batch")), "--collection", "reg"])
    assert result.exit_code == 0, result.output
    with runtime.sessions() as s:
        return s.scalars(select(Item.id).where(Item.local_id == "REG.1")).one()


def _json(client: FlaskClient, url: str, status: int = 200) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == status, (url, response.get_data(as_text=True)[:400])
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response.get_json()


def _xywh(target: str) -> tuple[int, ...]:
    return tuple(int(v) for v in target.split("#xywh=")[1].split(","))


def test_the_manifest_links_alto_annotations_and_search(client: FlaskClient, register: str) -> None:
    manifest = _json(client, f"{P}/{register}/manifest")
    _valid(manifest)
    assert manifest["service"][0] == {
        "id": f"{BASE}{P}/{register}/search",
        "type": "SearchService2",
        "service": [{"id": f"{BASE}{P}/{register}/autocomplete", "type": "AutoCompleteService2"}],
    }
    assert manifest["service"][1]["profile"] == "http://iiif.io/api/search/1/search"
    for n, canvas in enumerate(manifest["items"], start=1):
        assert canvas["seeAlso"] == [
            {
                "id": f"{BASE}{P}/{register}/alto/p{n}",
                "type": "Dataset",
                "label": {"none": ["ALTO"]},
                "format": "application/xml",
                "profile": "http://www.loc.gov/standards/alto/v4/alto.xsd",
            }
        ]
        assert canvas["annotations"] == [{"id": f"{BASE}{P}/{register}/annotations/p{n}", "type": "AnnotationPage"}]


def test_the_shared_schema_check_passes_strictly(client: FlaskClient, register: str, tmp_path: Path) -> None:
    """The shared tools' validate_manifest.py (schema and semantic checks, warnings as errors)."""
    import subprocess
    import sys

    files = []
    for url in (f"{P}/{register}/manifest", f"{P}/{register}/annotations/p1"):
        path = tmp_path / f"{len(files)}.json"
        path.write_bytes(client.get(url).get_data())
        files.append(str(path))
    check = shared_path("tools", "validate_manifest.py")
    run = subprocess.run([sys.executable, str(check), *files, "--strict"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_manifest_without_text_has_no_text_links(client: FlaskClient, runner: CliRunner, tmp_path: Path) -> None:
    folder = text_batch(tmp_path / "plain", identifier="PLAIN.1")
    for alto in folder.rglob("*.alto.xml"):
        alto.unlink()
    assert runner.invoke(main, ["ingest", str(folder), "--collection", "plain", "--domain", "museum"]).exit_code == 0
    item = client.get("/api/items?collection=plain").get_json()["items"][0]["id"]
    manifest = _json(client, f"{P}/{item}/manifest")
    assert "service" not in manifest and all("seeAlso" not in c and "annotations" not in c for c in manifest["items"])
    for url in (f"{P}/{item}/alto/p1", f"{P}/{item}/annotations/p1", f"{P}/{item}/search?q=register"):
        assert client.get(url).status_code == 404


def test_alto_is_served_as_stored(client: FlaskClient, register: str) -> None:
    response = client.get(f"{P}/{register}/alto/p2")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_data()
    assert b"http://www.loc.gov/standards/alto/ns-v4#" in body and b'CONTENT="Jansen"' in body
    assert b'WIDTH="600"' in body  # the delivered page's own pixels, not rescaled
    for bad in ("p3", "p0", "px", "2"):
        assert client.get(f"{P}/{register}/alto/{bad}").status_code == 404


def test_line_annotations_in_canvas_coordinates(client: FlaskClient, register: str) -> None:
    page = _json(client, f"{P}/{register}/annotations/p2")
    _valid(page)
    assert page["type"] == "AnnotationPage" and page["id"] == f"{BASE}{P}/{register}/annotations/p2"
    lines = page["items"]
    assert [a["body"]["value"] for a in lines] == [" ".join(line) for line in PAGE_2]
    first = lines[0]
    assert first["motivation"] == "supplementing"
    assert first["body"] == {"type": "TextualBody", "value": "Register van de pedel", "format": "text/plain",
                             "language": "nl"}  # fmt: skip
    assert first["target"].startswith(f"{BASE}{P}/{register}/canvas/p2#xywh=")
    # the ALTO was of a half-size scan: the boxes are scaled to the canvas (the master's pixels)
    x, y, _w, h = word_box(PAGE_2, "Register")
    assert _xywh(first["target"]) == (x, y, 120 * 3 + 100, h)


def test_search_finds_folded_stemmed_words_and_phrases(client: FlaskClient, register: str) -> None:
    found = _json(client, f"{P}/{register}/search?q=JANSEN")
    assert found["@context"] == "http://iiif.io/api/search/2/context.json" and found["type"] == "AnnotationPage"
    assert found["id"] == f"{BASE}{P}/{register}/search?q=JANSEN"
    [hit] = found["items"]
    assert hit["type"] == "Annotation" and hit["motivation"] == "supplementing"
    assert hit["body"]["value"] == "Jansen"
    assert hit["target"] == f"{BASE}{P}/{register}/canvas/p2#xywh=" + ",".join(map(str, word_box(PAGE_2, "Jansen")))
    assert "created" in hit and found["partOf"]["total"] == 1 and found["startIndex"] == 0
    stemmed = _json(client, f"{P}/{register}/search?q=register")["items"]
    assert sorted(a["body"]["value"] for a in stemmed) == ["Register", "registers"]  # the stem, as the catalogue
    phrase = _json(client, f"{P}/{register}/search?q=%22van+de+pedel%22")["items"]
    assert [a["body"]["value"] for a in phrase] == ["van de pedel"]
    x, y, _w, h = word_box(PAGE_2, "van")
    assert _xywh(phrase[0]["target"]) == (x, y, 2 * 120 + 100, h)
    over_lines = _json(client, f"{P}/{register}/search?q=%22pedel+amsterdam%22")["items"]
    assert len(over_lines) == 2 and {a["body"]["value"] for a in over_lines} == {"pedel Amsterdam"}
    both = _json(client, f"{P}/{register}/search?q=leuven+amsterdam")["items"]
    assert [a["target"].split("#")[0][-2:] for a in both] == ["p1", "p2"]
    assert _json(client, f"{P}/{register}/search?q=utrecht")["items"] == []
    # every word is required, as in the catalogue: one the register lacks leaves no hits of the others
    assert _json(client, f"{P}/{register}/search?q=leuven+utrecht")["items"] == []
    assert _json(client, f"{P}/{register}/search/v1?q=leuven+utrecht")["resources"] == []


def test_search_parameters_as_the_specification_says(client: FlaskClient, register: str) -> None:
    url = f"{P}/{register}/search?q=van"
    assert len(_json(client, url)["items"]) == 2
    assert len(_json(client, url + "&motivation=supplementing")["items"]) == 2
    assert _json(client, url + "&motivation=painting")["items"] == []
    assert _json(client, url + "&motivation=painting+commenting")["items"] == []
    assert len(_json(client, url + "&date=2000-01-01T00:00:00Z/2999-12-31T23:59:59Z")["items"]) == 2
    assert _json(client, url + "&date=1900-01-01T00:00:00Z/1901-01-01T00:00:00Z")["items"] == []
    ignored = _json(client, url + "&user=someone")
    assert ignored["ignored"] == ["user"] and len(ignored["items"]) == 2
    assert "ignored" not in _json(client, url)
    for bad, reason in (
        ("?q=", "q"),
        ("?q=%22%22", "q"),
        ("?q=van&date=2020", "date"),
        ("?q=van&date=2021-01-01T00:00:00Z/2020-01-01T00:00:00Z", "date"),
        ("?q=van&page=x", "page"),
        ("?q=van&page=2", "page"),
        ("?q=" + "+van" * 33, "q"),
    ):
        response = client.get(f"{P}/{register}/search{bad}")
        assert response.status_code == 400, bad
        assert reason in response.get_data(as_text=True)


def test_search_results_are_paged(client: FlaskClient, register: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(content_search, "PAGE_SIZE", 2)  # three hits of "van de"/"de": two pages
    first = _json(client, f"{P}/{register}/search?q=de+van")
    assert len(first["items"]) == 2 and first["partOf"]["total"] == 4 and first["startIndex"] == 0
    assert first["next"]["id"] == f"{BASE}{P}/{register}/search?q=de+van&page=2"
    assert first["partOf"]["last"]["id"] == first["next"]["id"] and "prev" not in first
    second = _json(client, first["next"]["id"].removeprefix(BASE))
    assert second["id"] == first["next"]["id"] and second["startIndex"] == 2 and "next" not in second
    assert second["prev"]["id"] == f"{BASE}{P}/{register}/search?q=de+van"
    assert {a["id"] for a in first["items"]}.isdisjoint(a["id"] for a in second["items"])


def test_autocomplete_answers_a_term_page(client: FlaskClient, register: str) -> None:
    page = _json(client, f"{P}/{register}/autocomplete?q=reg")
    assert page["@context"] == "http://iiif.io/api/search/2/context.json" and page["type"] == "TermPage"
    assert [(t["value"], t["total"]) for t in page["items"]] == [("Register", 1), ("registers", 1)]
    assert page["items"][0]["service"] == [{"id": f"{BASE}{P}/{register}/search?q=Register", "type": "SearchService2"}]
    assert _json(client, f"{P}/{register}/autocomplete?q=ams&user=x")["ignored"] == ["user"]
    assert client.get(f"{P}/{register}/autocomplete?q=").status_code == 400


def test_search_in_the_form_mirador_reads(client: FlaskClient, register: str) -> None:
    found = _json(client, f"{P}/{register}/search/v1?q=jansen")
    assert found["@type"] == "sc:AnnotationList" and found["within"]["total"] == 1
    [resource] = found["resources"]
    assert resource["on"].startswith(f"{BASE}{P}/{register}/canvas/p2#xywh=")
    assert found["hits"][0]["annotations"] == [resource["@id"]] and found["hits"][0]["before"].endswith("1811")
    terms = _json(client, f"{P}/{register}/autocomplete/v1?q=ams")["terms"]
    assert terms == [{"match": "Amsterdam", "url": f"{BASE}{P}/{register}/search/v1?q=Amsterdam", "count": 1}]


@pytest.mark.parametrize("status", ["closed", "restricted"])
def test_text_of_an_item_whose_images_one_may_not_see_does_not_exist(
    client: FlaskClient, runner: CliRunner, tmp_path: Path, status: str
) -> None:
    folder = text_batch(tmp_path / status, access=status, identifier="HIDDEN.1")
    assert runner.invoke(main, ["ingest", str(folder), "--collection", "hidden"]).exit_code == 0
    from heritage.models import Item as ItemModel

    app_runtime = client.application.extensions["heritage"]
    with app_runtime.sessions() as s:
        item = s.scalars(select(ItemModel.id).where(ItemModel.local_id == "HIDDEN.1")).one()
    for path in ("alto/p1", "annotations/p1", "search?q=van", "autocomplete?q=va", "search/v1?q=van"):
        hidden = client.get(f"{P}/{item}/{path}")
        unknown = client.get(f"{P}/zzzzzzzzzzzz/{path}")
        assert hidden.status_code == unknown.status_code == 404, path
        assert hidden.get_data(as_text=True).replace(item, "X") == unknown.get_data(as_text=True).replace(
            "zzzzzzzzzzzz", "X"
        )
