"""`heritage export --item ID --format mets-premis`: every event of the item as PREMIS 3 inside METS, with its
outcome and agents (a person, or software with its version); the METS validates against the official XSD."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from sqlalchemy import func, select

from heritage.cli import main
from heritage.models import Event, File, Item
from heritage.runtime import Runtime
from tests.xsd import errors

pytestmark = pytest.mark.db
NS = {"mets": "http://www.loc.gov/METS/", "premis": "http://www.loc.gov/premis/v3"}
# PREMIS 3 puts an event's parts in this order (premis.xsd, eventComplexType); no PREMIS XSD is at hand here
EVENT_ORDER = [
    "eventIdentifier",
    "eventType",
    "eventDateTime",
    "eventDetailInformation",
    "eventOutcomeInformation",
    "linkingAgentIdentifier",
    "linkingObjectIdentifier",
]


def _export(runtime: Runtime, item: str, target: Path) -> etree._Element:
    runner = CliRunner(env={**runtime.settings.as_env(), "REDIS_URL": ""})
    result = runner.invoke(
        main, ["export", "--item", item, "--format", "mets-premis", "-o", str(target), "--scope", "all"]
    )
    assert result.exit_code == 0, result.output
    return etree.parse(str(target)).getroot()


def test_every_event_is_a_premis_event_with_outcome_and_agents(preserved: Runtime, tmp_path: Path) -> None:
    with preserved.sessions() as session:
        item = session.scalar(select(Item.id).where(Item.local_id == "F1.1.2"))
        recorded = session.scalar(select(func.count()).select_from(Event).where(Event.item_id == item))
        stored = session.scalars(select(File).where(File.item_id == item)).all()
    doc = _export(preserved, item, tmp_path / "mets.xml")
    # METS against its XSD; the PREMIS inside is checked by structure below (no premis.xsd in the fixtures), so
    # the xsi:type of PREMIS objects, which only premis.xsd resolves, is left out of the METS validation
    checked = etree.fromstring(etree.tostring(doc))
    for obj in checked.iterfind(".//premis:object", NS):
        del obj.attrib["{http://www.w3.org/2001/XMLSchema-instance}type"]
    mets_xsd = ("http://www.loc.gov/METS/", "http://www.loc.gov/standards/mets/mets.xsd")
    assert errors(etree.tostring(checked), mets_xsd) == []
    assert all(
        o.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "premis:file"
        for o in doc.iterfind(".//premis:object", NS)
    )
    events = doc.findall(".//premis:event", NS)
    assert len(events) == recorded
    agents = {
        a.findtext("premis:agentIdentifier/premis:agentIdentifierValue", namespaces=NS): a
        for a in doc.findall(".//premis:agent", NS)
    }
    types = set()
    for event in events:
        parts = [etree.QName(child).localname for child in event]
        assert parts == sorted(parts, key=EVENT_ORDER.index)
        assert event.findtext("premis:eventOutcomeInformation/premis:eventOutcome", namespaces=NS) in {
            "success",
            "warning",
            "failure",
        }
        links = event.findall("premis:linkingAgentIdentifier/premis:linkingAgentIdentifierValue", NS)
        assert links and all(link.text in agents for link in links)
        types.add(event.findtext("premis:eventType", namespaces=NS))
    assert {"message digest calculation", "format identification", "ingestion", "replication"} <= types
    digest = next(e for e in events if e.findtext("premis:eventType", namespaces=NS) == "message digest calculation")
    assert digest.find("premis:eventType", NS).get("valueURI").endswith("/eventType/mes")
    kinds = {
        (a.findtext("premis:agentType", namespaces=NS), a.findtext("premis:agentVersion", namespaces=NS))
        for a in agents.values()
    }
    assert ("software", "0.1.0") in kinds and any(kind == "person" for kind, _ in kinds)
    objects = doc.findall(".//premis:object", NS)
    assert {o.findtext(".//premis:messageDigest", namespaces=NS) for o in objects} == {f.sha256 for f in stored}
    assert {o.findtext(".//premis:formatRegistryKey", namespaces=NS) for o in objects} == {f.puid for f in stored}
    hrefs = {f.get("{http://www.w3.org/1999/xlink}href") for f in doc.findall(".//mets:FLocat", NS)}
    assert hrefs == {"masters/scans/b1.jpg", "masters/scans/b2.png"}


def test_mets_premis_needs_an_item(preserved: Runtime, tmp_path: Path) -> None:
    runner = CliRunner(env={**preserved.settings.as_env(), "REDIS_URL": ""})
    result = runner.invoke(
        main, ["export", "--collection", "pedel", "--format", "mets-premis", "-o", str(tmp_path / "x")]
    )
    assert result.exit_code == 2 and "give --item ID" in result.output
    assert not (tmp_path / "x").exists()
