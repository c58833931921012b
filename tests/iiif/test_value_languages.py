"""The language of a manifest's values comes from the record (issue 17): a German title is labelled "de",
not "nl" and "en"; a value whose language the record does not give is "none". Real records: the Deutsches
Museum's LIDO (titles and descriptions tagged `de`) and the DNB's MARCXML (language `ger` in 008/041)."""

from __future__ import annotations

from pathlib import Path

from heritage.models import Item
from iiif.presentation import item_label, item_summary
from metadata_schemas import registry
from metadata_schemas.core import CoreRecord
from tests.conftest import shared_path


def _cores(name: str) -> list[CoreRecord]:
    path: Path = shared_path("fixtures", "real", name)
    return [r.core for r in registry.detect(path).parse(path)]


def test_a_german_title_tagged_de_is_labelled_de_only() -> None:
    core = _cores("lido/deutsches-museum_ddb_lido.xml")[0]
    item = Item(title=core.title, title_en=None)
    assert item_label(item, core) == {"de": ["Chiffriermaschine Enigma I"]}
    summary = item_summary(core)
    assert summary is not None and set(summary) == {"de"}


def test_the_language_of_the_material_names_the_title_and_none_when_unknown() -> None:
    cores = _cores("marcxml/dnb_99records.xml")
    german = next(c for c in cores if c.languages == ["ger"])
    assert item_label(Item(title=german.title), german) == {"de": [german.title]}
    unknown = next(c for c in cores if not c.languages and not c.titles)
    assert item_label(Item(title=unknown.title), unknown) == {"none": [unknown.title]}


def test_the_catalogues_english_title_is_english() -> None:
    core = CoreRecord(title="Die Aufklärung", languages=["ger", "lat"])  # two languages: the title's is unknown
    assert item_label(Item(title=core.title, title_en="The Enlightenment"), core) == {
        "none": ["Die Aufklärung"],
        "en": ["The Enlightenment"],
    }


def test_a_description_without_a_language_is_none_and_tagged_ones_keep_theirs() -> None:
    core = CoreRecord(title="x", description="Brieven", descriptions={"en": "Letters"})
    assert item_summary(core) == {"none": ["Brieven"], "en": ["Letters"]}
    assert item_summary(CoreRecord(title="x", description="Letters", descriptions={"en": "Letters"})) == {
        "en": ["Letters"]
    }
