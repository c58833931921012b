"""OAI-PMH at /oai on the demo catalogue: every verb, every format, every error, each response valid
against the official OAI-PMH schema (with the schemas of the records it carries); a real harvester
(sickle) takes the whole demo set through resumption tokens."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from lxml import etree

from heritage.harvest.formats import formats
from tests.iiif.live_server import live_server
from tests.xsd import errors

pytestmark = pytest.mark.slow

OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {"o": OAI}
OAI_XSD = (OAI, "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd")


def oai(client, query: str) -> etree._Element:  # type: ignore[no-untyped-def]
    """GET /oai?query: status 200, valid against the schemas, parsed."""
    response = client.get(f"/oai?{query}")
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    imports = [OAI_XSD]
    prefix = next((p.split("=", 1)[1] for p in query.split("&") if p.startswith("metadataPrefix=")), None)
    if prefix in formats():
        imports.append((formats()[prefix].namespace, formats()[prefix].schema))
    assert errors(response.data, *imports) == []
    return etree.fromstring(response.data)


def error_code(root: etree._Element) -> str | None:
    found = root.find("o:error", NS)
    return None if found is None else found.get("code")


def public_total(client, domains: frozenset[str]) -> int:  # type: ignore[no-untyped-def]
    if "*" in domains:
        return client.get("/api/items?per_page=1").get_json()["total"]
    return sum(client.get(f"/api/items?per_page=1&domain={d}").get_json()["total"] for d in domains)


def test_identify_names_the_repository_and_its_policies(demo_client) -> None:  # type: ignore[no-untyped-def]
    root = oai(demo_client, "verb=Identify")
    assert root.findtext("o:Identify/o:baseURL", namespaces=NS) == "http://localhost/oai"
    assert root.findtext("o:Identify/o:deletedRecord", namespaces=NS) == "persistent"
    assert root.findtext("o:Identify/o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert root.find("o:request", NS).get("verb") == "Identify"


def test_formats_and_sets(demo_client) -> None:  # type: ignore[no-untyped-def]
    root = oai(demo_client, "verb=ListMetadataFormats")
    prefixes = [e.text for e in root.iterfind(".//o:metadataPrefix", NS)]
    assert prefixes == ["oai_dc", "ead", "ead3", "mods", "marcxml", "lido"]
    sets = [e.text for e in oai(demo_client, "verb=ListSets").iterfind(".//o:setSpec", NS)]
    assert {"collection:rectoraat", "domain:archive", "domain:museum", "unit:central-archive"} <= set(sets)
    museum = demo_client.get("/api/items?domain=museum&per_page=1").get_json()["items"][0]["id"]
    root = oai(demo_client, f"verb=ListMetadataFormats&identifier=oai:localhost:{museum}")
    assert [e.text for e in root.iterfind(".//o:metadataPrefix", NS)] == ["oai_dc", "lido"]


@pytest.mark.parametrize("prefix", list(formats()))
def test_get_record_in_each_format(demo_client, prefix: str) -> None:  # type: ignore[no-untyped-def]
    domain = {"oai_dc": "science", "ead": "archive", "ead3": "archive", "mods": "library"}.get(prefix)
    domain = domain or {"marcxml": "library", "lido": "museum"}[prefix]
    hit = demo_client.get(f"/api/items?domain={domain}&per_page=1").get_json()["items"][0]
    root = oai(demo_client, f"verb=GetRecord&identifier=oai:localhost:{hit['id']}&metadataPrefix={prefix}")
    record = root.find("o:GetRecord/o:record", NS)
    assert record.findtext("o:header/o:identifier", namespaces=NS) == f"oai:localhost:{hit['id']}"
    assert f"domain:{domain}" in [e.text for e in record.iterfind("o:header/o:setSpec", NS)]
    payload = record.find("o:metadata", NS)[0]
    assert etree.QName(payload).namespace == formats()[prefix].namespace
    assert hit["title"] in etree.tostring(payload, encoding="unicode")


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "badVerb"),
        ("verb=Dance", "badVerb"),
        ("verb=Identify&verb=Identify", "badVerb"),
        ("verb=Identify&color=blue", "badArgument"),
        ("verb=ListRecords", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2020-01-01T00:00:00", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2020-01-01T00:00:00.5Z", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2020-13-45", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2020-01-01&until=2021-01-01T00:00:00Z", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2021-01-01&until=2020-01-01", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&set=nonsense:thing", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&set=bad%20spec", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=abc", "badArgument"),
        ("verb=ListRecords&resumptionToken=abc.def", "badResumptionToken"),
        ("verb=ListRecords&resumptionToken=%00%FF", "badArgument"),
        ("verb=ListRecords&resumptionToken=%FF%FE", "badResumptionToken"),
        ("verb=ListSets&resumptionToken=abc", "badResumptionToken"),
        ("verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"),
        ("verb=ListRecords&metadataPrefix=oai_dc&until=1900-01-01", "noRecordsMatch"),
        ("verb=GetRecord&identifier=oai:localhost:nothing&metadataPrefix=oai_dc", "idDoesNotExist"),
        ("verb=GetRecord&identifier=urn:isbn:123&metadataPrefix=oai_dc", "idDoesNotExist"),
        ("verb=ListMetadataFormats&identifier=oai:elsewhere:x", "idDoesNotExist"),
    ],
)
def test_bad_requests_get_the_protocols_error(demo_client, query: str, code: str) -> None:  # type: ignore[no-untyped-def]
    root = oai(demo_client, query)
    assert error_code(root) == code
    if code in ("badVerb", "badArgument"):
        assert root.find("o:request", NS).attrib == {}


@pytest.mark.parametrize("verb", ["ListRecords", "ListIdentifiers"])
@pytest.mark.parametrize("until", ["9999-12-31", "9999-12-31T23:59:59Z"])
def test_the_last_day_of_the_calendar_as_until_is_every_record(demo_client, verb: str, until: str) -> None:  # type: ignore[no-untyped-def]
    """A legal UTC date, however far ahead: the list is the one without `until` (the day after it was a 500)."""
    unbounded = oai(demo_client, f"verb={verb}&metadataPrefix=oai_dc&set=domain:museum")
    bounded = oai(demo_client, f"verb={verb}&metadataPrefix=oai_dc&set=domain:museum&until={until}")
    assert error_code(bounded) is None
    listed = [[e.text for e in root.iterfind(".//o:header/o:identifier", NS)] for root in (unbounded, bounded)]
    assert listed[0] and listed[0] == listed[1]
    since = f"{until[:4]}-12-31" if len(until) == 10 else f"{until[:4]}-12-31T00:00:00Z"
    assert error_code(oai(demo_client, f"verb={verb}&metadataPrefix=oai_dc&from={since}&until={until}")) == (
        "noRecordsMatch"
    )


def test_format_an_item_does_not_have(demo_client) -> None:  # type: ignore[no-untyped-def]
    science = demo_client.get("/api/items?domain=science&per_page=1").get_json()["items"][0]["id"]
    root = oai(demo_client, f"verb=GetRecord&identifier=oai:localhost:{science}&metadataPrefix=lido")
    assert error_code(root) == "cannotDisseminateFormat"


def test_closed_items_never_appear(demo_client) -> None:  # type: ignore[no-untyped-def]
    with demo_client.application.app_context():
        from sqlalchemy import select

        from heritage.access import PUBLIC, Visibility, visibility
        from heritage.models import Item
        from web.context import session

        closed = [i.id for i in session().scalars(select(Item)) if visibility(PUBLIC, i) == Visibility.NONE]
    assert closed
    root = oai(demo_client, f"verb=GetRecord&identifier=oai:localhost:{closed[0]}&metadataPrefix=oai_dc")
    assert error_code(root) == "idDoesNotExist"


def test_post_is_answered_like_get(demo_client) -> None:  # type: ignore[no-untyped-def]
    response = demo_client.post("/oai", data={"verb": "ListSets"})
    assert response.status_code == 200
    assert errors(response.data, OAI_XSD) == []
    assert b"<setSpec>domain:archive</setSpec>" in response.data


def test_resumption_tokens_page_through_and_refuse_tampering(demo_client) -> None:  # type: ignore[no-untyped-def]
    root = oai(demo_client, "verb=ListIdentifiers&metadataPrefix=oai_dc&set=domain:archive")
    token = root.find(".//o:resumptionToken", NS)
    assert token is not None and token.get("cursor") == "0" and token.get("expirationDate")
    size = int(token.get("completeListSize"))
    seen = [e.text for e in root.iterfind(".//o:header/o:identifier", NS)]
    tampered = token.text[:-3] + ("AAA" if not token.text.endswith("AAA") else "BBB")
    assert error_code(oai(demo_client, f"verb=ListIdentifiers&resumptionToken={quote(tampered)}")) == (
        "badResumptionToken"
    )
    assert error_code(oai(demo_client, f"verb=ListRecords&resumptionToken={quote(token.text)}")) == (
        "badResumptionToken"
    )
    while token is not None and token.text:
        root = oai(demo_client, f"verb=ListIdentifiers&resumptionToken={quote(token.text)}")
        assert int(root.find(".//o:resumptionToken", NS).get("cursor")) == len(seen)
        seen += [e.text for e in root.iterfind(".//o:header/o:identifier", NS)]
        token = root.find(".//o:resumptionToken", NS)
    assert len(seen) == len(set(seen)) == size == public_total(demo_client, frozenset({"archive"}))


def test_sickle_harvests_every_format_completely(demo_runtime, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sickle import Sickle

    env = {**demo_runtime.settings.as_env(), "REDIS_URL": "", "HERITAGE_OAI_PAGE_SIZE": "50"}
    with live_server(env, tmp_path / "serve.log") as base:
        import json
        import urllib.request

        def total(domains: frozenset[str]) -> int:
            def one(query: str) -> int:
                with urllib.request.urlopen(f"{base}/api/items?per_page=1{query}") as response:
                    return json.load(response)["total"]

            return one("") if "*" in domains else sum(one(f"&domain={d}") for d in domains)

        harvester = Sickle(f"{base}/oai", max_retries=0)
        assert harvester.Identify().repositoryName == "Heritage collections"
        for prefix, fmt in formats().items():
            records = list(harvester.ListRecords(metadataPrefix=prefix, ignore_deleted=True))
            identifiers = {r.header.identifier for r in records}
            assert len(records) == len(identifiers) == total(fmt.domains), prefix
            assert all(r.xml.find(f".//{{{fmt.namespace}}}{fmt.record}") is not None for r in records)
