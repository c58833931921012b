"""Issue 17, round 2: what the Dublin Core writer keeps of a real record (LIDO, MODS, METS, EAD, MARC into
oai_dc), and how it reads back into the same core fields."""

from __future__ import annotations

from pathlib import Path

from metadata_schemas import checking, registry, schemas
from metadata_schemas.core import CoreRecord


def _cores(path: Path) -> list[CoreRecord]:
    return [r.core for r in checking.records(path)]


def _to_dc(cores: list[CoreRecord], tmp_path: Path) -> list[CoreRecord]:
    out = tmp_path / "out-dc.xml"
    with out.open("wb") as fh:
        checking.convert(cores, "dc", fh)  # raises unless the output validates against oai_dc.xsd
    return [r.core for r in registry.get("dc").parse(out)]


def test_authority_uris_of_subjects_places_and_names_survive_oai_dc(
    real: Path, xsd: schemas.SchemaSet, tmp_path: Path
) -> None:
    source = _cores(real / "lido" / "technikmuseum-berlin_ddb_lido.xml")[0]
    back = _to_dc([source], tmp_path)[0]
    ids = {t.label: (t.id, t.scheme) for t in back.subjects}
    assert ids["Mühle"] == ("https://d-nb.info/gnd/4040457-2", "gnd")
    assert ids["Mill (grinding)"] == ("https://d-nb.info/gnd/4040457-2", "gnd")
    assert ids["Zellenrad (Wasserrad)"] == (None, None)  # a museum's local id is no URI: DC has no place
    assert all(not t.label.startswith("http") for t in back.subjects)
    assert [(p.label, p.id) for p in back.places] == [(p.label, p.id) for p in source.places]
    fsu = _cores(real / "mods" / "fsu_modsCollection_flvc.xml")
    agents = [(a.name, a.id) for c in _to_dc(fsu, tmp_path) for a in c.agents]
    assert ("J.R. Clancy (Firm)", "http://id.loc.gov/authorities/names/no2011169175") in agents
    assert [(a.name, a.id) for c in fsu for a in c.agents] == agents
