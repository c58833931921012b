"""The record page shows the richer core record (issue 17), in Dutch and in English, with labels and never
internal codes; and the search index holds it, so a search in the original script finds the record.

The core record is built by hand with values of the real fixtures (the Hebrew title of a MARC 880 of
stanford_30records, the containers and notes of an EAD finding aid, a LIDO production event, a Darwin Core
classification), because the readers that fill these fields are other streams' work."""

from __future__ import annotations

import pytest
from lxml import html

from heritage import catalogue
from heritage.models import Item, MetadataRecord
from heritage.runtime import Runtime
from heritage.search import SearchQuery
from heritage.search.indexer import index_items
from metadata_schemas.core import (
    Agent,
    Container,
    Coordinates,
    CoreRecord,
    DateRange,
    Event,
    Measurement,
    Note,
    Parallel,
    Part,
    Taxon,
    Term,
)

pytestmark = pytest.mark.db

CORE = CoreRecord(
    title="Mishnah berurah",
    languages=["heb"],
    typed_notes=[
        Note(type="bioghist", text="Israel Meir Kagan (1838-1933) wrote the Mishnah Berurah in Radun."),
        Note(type="acqinfo", text="Gift of the Kagan family, 1952."),
        Note(type="odd", text="Zie ook de registers.", lang="dut"),
        Note(type="x-local-remark", text="Checked in 2019.", label="Local remark"),
    ],
    containers=[Container(type="Box", value="3"), Container(type="Folder", value="12", parent="3")],
    physical_locations=["Stack B, shelf 14"],
    parallels=[
        Parallel(field="title", value="משנה ברורה", script="Hebr", lang="heb", romanised="Mishnah berurah"),
        Parallel(field="agents", value="ישראל מאיר, הכהן", script="Hebr", lang="heb", romanised="Israel Meir"),
    ],
    parts=[
        Part(
            title="Þone halgan gast",
            agents=[Agent(name="Ælfric of Eynsham", role="author")],
            dates=[DateRange(text="ca. 1000")],
            extent="ff. 12r-15v",
        )
    ],
    events=[
        Event(
            type="production",
            date=DateRange(text="1930er Jahre", start=1930, end=1939),
            places=[Term(label="Berlin")],
            agents=[Agent(name="Chiffriermaschinen AG", role="maker", kind="corporate")],
        ),
        Event(type="collecting", date=DateRange(text="1998-07-14", start=1998, end=1998), places=[Term("Leuven")]),
    ],
    materials=[Term(label="Messing")],
    techniques=[Term(label="gegossen")],
    measurements=[Measurement(type="height", value="34", unit="cm"), Measurement(type="weight", value="12", unit="kg")],
    coordinates=Coordinates(latitude=50.8798, longitude=4.7005, elevation=27.0),
    taxon=Taxon(
        scientific_name="Draposa lyrivulva",
        family="Lycosidae",
        classification={"kingdom": "Animalia", "order": "Araneae", "family": "Lycosidae", "genus": "Draposa"},
        vernacular_names=["wolf spider"],
    ),
)


@pytest.fixture
def item_id(runtime: Runtime) -> str:
    with runtime.transaction() as session:
        coll = catalogue.ensure_collection(session, "rich", domain="library", unit_slug="central-library")
        item = Item(
            id=catalogue.item_id_for(coll, "R1"),
            collection=coll,
            local_id="R1",
            level="item",
            title=CORE.title,
            access="public",
        )
        item.records.append(MetadataRecord(standard="marc", core=CORE.to_dict(), is_primary=True))
        session.add(item)
        session.flush()
        found = item.id
    index_items(runtime, [found])
    return found


LABELS = {
    "nl": [
        "Biografische/historische gegevens",
        "Verwerving",
        "Overige gegevens",
        "Local remark",
        "Doos 3, Map 12",
        "Bewaarplaats",
        "Stack B, shelf 14",
        "Opgenomen werken",
        "Þone halgan gast",
        "Ælfric of Eynsham (Auteur)",
        "Vervaardiging",
        "1930er Jahre · Berlin · Chiffriermaschinen AG",
        "Verzameling",
        "Messing",
        "gegossen",
        "Hoogte",
        "34 cm",
        "Gewicht",
        "breedtegraad 50.8798, lengtegraad 4.7005",
        "27.0 m",
        "Taxonomische indeling",
        "Rijk",
        "Orde",
        "Araneae",
        "wolf spider",
        "In het oorspronkelijke schrift",
    ],
    "en": [
        "Biographical / historical note",
        "Acquisition",
        "Other descriptive data",
        "Box 3, Folder 12",
        "Physical location",
        "Works contained",
        "Ælfric of Eynsham (Author)",
        "Production",
        "Collecting",
        "Height",
        "Weight",
        "latitude 50.8798, longitude 4.7005",
        "Elevation",
        "Taxonomic classification",
        "Kingdom",
        "Order",
        "Common names",
        "In the original script",
    ],
}
CODES = ["bioghist", "acqinfo", "x-local-remark", "production", "collecting", "height", "kingdom", ">odd<"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_record_page_shows_the_richer_core_record_with_labels(client, item_id: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/items/{item_id}?lang={lang}")
    assert response.status_code == 200
    page = html.fromstring(response.data)
    text = " ".join(page.text_content().split())
    for wanted in LABELS[lang]:
        assert wanted in text, wanted
    terms = [dt.text_content().strip() for dt in page.cssselect("dt")]
    for code in CODES:
        assert code.strip("<>") not in terms, code
    assert "Biografische/historische gegevens" not in text if lang == "en" else "Biographical" not in text


def test_alternate_scripts_stand_beside_their_romanised_forms_right_to_left(client, item_id: str) -> None:  # type: ignore[no-untyped-def]
    page = html.fromstring(client.get(f"/items/{item_id}?lang=en").data)
    [title] = [p for p in page.cssselect("p.title-script")]
    assert title.text_content() == "משנה ברורה" and title.get("dir") == "rtl" and title.get("lang") == "he"
    values = [dd for dd in page.cssselect("section.parallels dd")]
    assert [dd.cssselect("span[dir=rtl]")[0].text_content() for dd in values] == ["משנה ברורה", "ישראל מאיר, הכהן"]
    assert "(Israel Meir)" in values[1].text_content()
    assert page.cssselect("section.parallels dt")[1].text_content() == "Name"


@pytest.mark.parametrize(
    "query",
    [
        "משנה ברורה",  # the 880 title in Hebrew
        "מִשְׁנָה",  # pointed: the niqqud is ignored
        "הכהן",  # an 880 name
        "Aelfric",  # the author of a constituent work, folded
        "thone halgan",  # the title of a constituent work
        "Radun",  # a biographical note
        "register",  # a note in Dutch ("dut"), stemmed the Dutch way: "registers"
        "Messing",  # a material
        "Araneae",  # the classification
        "wolf spider",  # a vernacular name
        "Chiffriermaschinen",  # an event's agent
    ],
)
def test_the_richer_record_is_searchable(runtime: Runtime, item_id: str, query: str) -> None:
    result = runtime.index.search(SearchQuery(q=query))
    assert [hit["id"] for hit in result.hits] == [item_id]
