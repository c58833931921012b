"""The MARC writer keeps what other standards hold (issue 17, round 2): ISO 2709 field limits, events,
materials, measurements and coordinates of museum and natural-history records under their MARC tags."""

from __future__ import annotations

import io
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
