"""The OCR rules choose the model from the record (MODS scriptTerm and language) and the collection."""

from __future__ import annotations

from heritage.fulltext import rules
from heritage.models import Collection, Item, MetadataRecord

MODS = """<?xml version="1.0"?>
<mods xmlns="http://www.loc.gov/mods/v3"><titleInfo><title>Almanach</title></titleInfo>
<language><languageTerm type="code" authority="iso639-2b">ger</languageTerm>
<scriptTerm type="code" authority="iso15924">{script}</scriptTerm></language></mods>"""


def item(domain: str, script: str, slug: str = "boeken") -> Item:
    record = MetadataRecord(standard="mods", original=MODS.format(script=script), core={"languages": ["ger"]})
    return Item(collection=Collection(slug=slug, domain=domain, title=slug), records=[record], attributes={})


def test_mods_script_term_latf_chooses_fraktur_else_the_language() -> None:
    shipped = rules.load()
    assert rules.plan(item("library", "Latf"), shipped) == rules.Plan(False, "Fraktur", "script Latf")
    assert rules.plan(item("library", "Latn"), shipped) == rules.Plan(False, "deu", "record language")
    assert rules.plan(item("library", "Latf"), shipped, lang="lat").languages == "lat"
    skipped = rules.plan(item("museum", "Latf", "vazen"), shipped)
    assert skipped.skip and "vazen" in skipped.why


def test_language_codes_map_by_the_data_table() -> None:
    assert rules.tesseract_languages(["nl-BE", "dut", "la", "xx", "nld"]) == "nld+lat"
    assert rules.tesseract_languages(["und"]) is None


def test_binarisation_is_black_and_white_at_a_threshold_between_ink_and_paper() -> None:
    from PIL import Image, ImageDraw

    from heritage.fulltext.engine import binarise

    page = Image.new("L", (200, 100), 200)  # greyish paper
    ImageDraw.Draw(page).rectangle((20, 20, 120, 60), fill=60)  # dark ink
    out = binarise(page)
    assert set(out.getdata()) == {0, 255}
    assert out.getpixel((50, 40)) == 0 and out.getpixel((150, 80)) == 255
    assert rules.load().binarise_min_short_edge == 1000
