"""The MARC writer keeps what other standards hold (issue 17, round 2): ISO 2709 field limits, events,
materials, measurements and coordinates of museum and natural-history records under their MARC tags."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pymarc
import pytest

from metadata_schemas import checking, registry, schemas
from metadata_schemas.core import CoreRecord, Note
from metadata_schemas.errors import InvalidMetadata

TOO_LONG = "ead/invalid/umich_bad-ead_too-many-bytes-for-string.xml"


def _cores(real: Path, name: str) -> list[CoreRecord]:
    return [r.core for r in registry.detect(real / name).parse(real / name)]


def test_a_field_longer_than_iso_2709_allows_is_split_and_said(real: Path, xsd: schemas.SchemaSet) -> None:
    cores = _cores(real, TOO_LONG)
    name = next(a.name for c in cores for a in c.agents if len(a.name.encode()) > 9_999)
    out = io.BytesIO()
    warnings = checking.convert(cores, "marc", out)
    assert any("field 100" in w.message and "9,999" in w.message for w in warnings)
    records = list(pymarc.MARCReader(io.BytesIO(out.getvalue()), to_unicode=True, force_utf8=True))
    assert len(records) == len(cores) and all(r is not None for r in records)
    text = " ".join(v for r in records for f in r.get_fields("100", "500") for v in f.get_subfields("a"))
    assert " ".join(name.split()) in " ".join(text.split())  # every word, in order


def test_a_record_longer_than_iso_2709_allows_is_refused_with_the_reason(no_xsd: None) -> None:
    core = CoreRecord(title="Long", typed_notes=[Note("general", "word " * 1_900) for _ in range(12)])
    with pytest.raises(InvalidMetadata, match="99,999"):
        checking.convert([core], "marc", io.BytesIO())


KENOM = "lido/kenom_numismatics_20records_lido.xml"


def _through(cores: list[CoreRecord], to: str) -> list[CoreRecord]:
    out = io.BytesIO()
    checking.convert(cores, to, out)
    suffix = ".mrc" if to == "marc" else ".xml"
    with tempfile.NamedTemporaryFile(suffix=suffix) as fh:
        fh.write(out.getvalue())
        fh.flush()
        return [r.core for r in registry.detect(Path(fh.name)).parse(Path(fh.name))]


@pytest.mark.parametrize("to", ["marcxml", "marc"])
def test_museum_events_materials_type_and_level_reach_their_marc_fields(
    real: Path, xsd: schemas.SchemaSet, to: str
) -> None:
    source = _cores(real, KENOM)
    back = _through(source, to)
    for before, after in zip(source, back, strict=True):
        assert after.type == before.type == "Man-Made Object"  # 336 (leader/06 has no code for it)
        assert after.level == before.level == "object"  # 351 $c
        assert [(t.label, t.id) for t in after.materials] == [(t.label, t.id) for t in before.materials]  # 340 $a
        assert [(t.label, t.id) for t in after.techniques] == [(t.label, t.id) for t in before.techniques]  # 340 $d
        sizes = [(s.value, s.unit, s.text) for s in before.measurements]
        assert sizes and [(s.value, s.unit, s.text) for s in after.measurements] == sizes  # 340 $b
        kinds = {e.type.lower() for e in before.events}
        assert {"acquisition", "use", "production"} <= kinds
        assert {e.type.lower() for e in after.events} == kinds  # 264 by function, else 518 $o
        dates = {(e.type.lower(), e.date.text) for e in before.events if e.date}
        assert {(e.type.lower(), e.date.text) for e in after.events if e.date} == dates
        places = {p.label for e in before.events for p in e.places}
        assert places == {p.label for e in after.events for p in e.places}


def test_a_language_named_in_words_is_kept_as_written(no_xsd: None) -> None:
    core = CoreRecord(title="Diary", languages=["eng", "English; Czech"])
    assert _through([core], "marcxml")[0].languages == ["eng", "English; Czech"]


def test_parts_with_ids_and_named_event_agents_keep_their_ids(real: Path, xsd: schemas.SchemaSet) -> None:
    source = _cores(real, "lido/deutsches-museum_ddb_lido.xml")
    back = _through(source, "marcxml")
    for before, after in zip(source, back, strict=True):
        assert before.parts and all(p.identifiers for p in before.parts)
        assert [(p.title, p.identifiers) for p in after.parts] == [(p.title, p.identifiers) for p in before.parts]
        named = {(a.name, a.id) for e in before.events for a in e.agents}
        assert named and named == {(a.name, a.id) for e in after.events for a in e.agents}  # 264 $b + 7xx $0
