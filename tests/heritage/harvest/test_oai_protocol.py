"""The OAI-PMH protocol without HTTP, on a small catalogue that changes under the harvester: deleted
records, closures that lapse, tokens that expire, lists that survive concurrent changes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from lxml import etree
from sqlalchemy import select

from heritage.catalogue import ensure_collection, upsert_item
from heritage.harvest import ledger
from heritage.harvest.oai import Repository, respond
from heritage.models import HarvestRecord, Item, utcnow
from heritage.runtime import Runtime
from metadata_schemas.core import CoreRecord
from tests.xsd import errors

pytestmark = pytest.mark.db

OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {"o": OAI}
REPO = Repository(
    base_url="https://heritage.example.org/oai",
    site_url="https://heritage.example.org",
    name="Test",
    admin_email="archive@example.org",
    secret=b"s3cret",
    page_size=2,
)


def add(runtime: Runtime, local_id: str, *, access: str = "public", closed_until: str | None = None) -> str:
    with runtime.transaction() as session:
        collection = ensure_collection(session, "letters", title="Letters", domain="archive")
        fields = {"access": access} | ({"closed_until": closed_until} if closed_until else {})
        item, _ = upsert_item(
            session,
            collection,
            CoreRecord(title=f"Letter {local_id}", local_id=local_id, identifiers=[local_id]),
            local_id=local_id,
            parent=None,
            position=0,
            standard="csv",
            original=None,
            source=None,
            fields=fields,
        )
        return item.id


def ask(runtime: Runtime, now=None, **args: str) -> etree._Element:  # type: ignore[no-untyped-def]
    with runtime.transaction() as session:
        body = respond(session, {k: [v] for k, v in args.items()}, REPO, now)
    assert (
        errors(
            body,
            (OAI, "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"),
            (
                "http://www.openarchives.org/OAI/2.0/oai_dc/",
                "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
            ),
        )
        == []
    )
    return etree.fromstring(body)


def headers(root: etree._Element) -> dict[str, str | None]:
    return {
        h.findtext("o:identifier", namespaces=NS).rsplit(":", 1)[1]: h.get("status")
        for h in root.iterfind(".//o:header", NS)
    }


def harvest(runtime: Runtime, **args: str) -> list[str]:
    """Every identifier of a list, following its resumption tokens."""
    page = ask(runtime, verb="ListIdentifiers", metadataPrefix="oai_dc", **args)
    got = list(headers(page))
    token = page.find(".//o:resumptionToken", NS)
    while token is not None and token.text:
        page = ask(runtime, verb="ListIdentifiers", resumptionToken=token.text)
        got += list(headers(page))
        token = page.find(".//o:resumptionToken", NS)
    return got


def code(root: etree._Element) -> str | None:
    found = root.find("o:error", NS)
    return None if found is None else found.get("code")


def test_never_public_items_do_not_exist_and_closed_ones_are_reported_deleted(runtime: Runtime) -> None:
    shown = add(runtime, "L1")
    hidden = add(runtime, "L2", access="closed", closed_until="2999-01-01")
    assert headers(ask(runtime, verb="ListIdentifiers", metadataPrefix="oai_dc")) == {shown: None}
    assert code(
        ask(runtime, verb="GetRecord", identifier=f"oai:heritage.example.org:{hidden}", metadataPrefix="oai_dc")
    ) == ("idDoesNotExist")

    add(runtime, "L1", access="closed")  # the archivist closes a record the public has seen
    assert headers(ask(runtime, verb="ListIdentifiers", metadataPrefix="oai_dc")) == {shown: "deleted"}
    record = ask(runtime, verb="GetRecord", identifier=f"oai:heritage.example.org:{shown}", metadataPrefix="oai_dc")
    assert record.find(".//o:header", NS).get("status") == "deleted"
    assert record.find(".//o:metadata", NS) is None

    add(runtime, "L1", access="public")  # and opens it again
    assert headers(ask(runtime, verb="ListIdentifiers", metadataPrefix="oai_dc")) == {shown: None}


def test_a_removed_item_is_reported_deleted_in_its_sets(runtime: Runtime) -> None:
    gone = add(runtime, "L1")
    with runtime.transaction() as session:
        item = session.get(Item, gone)
        for record in item.records:
            session.delete(record)
        session.delete(item)
    root = ask(runtime, verb="ListIdentifiers", metadataPrefix="oai_dc", set="collection:letters")
    assert headers(root) == {gone: "deleted"}
    assert "domain:archive" in [e.text for e in root.iterfind(".//o:setSpec", NS)]


def test_a_closure_that_lapses_reaches_the_harvester(runtime: Runtime) -> None:
    later = add(runtime, "L1", access="closed", closed_until="2030-01-01")
    assert code(ask(runtime, verb="ListIdentifiers", metadataPrefix="oai_dc")) == "noRecordsMatch"
    future = utcnow().replace(year=2030, month=6, day=1)
    root = ask(runtime, now=future, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert headers(root) == {later: None}
    with runtime.transaction() as session:
        assert session.get(HarvestRecord, ("item", later)).datestamp.date() == date.today()


def test_lists_survive_changes_made_during_the_harvest(runtime: Runtime) -> None:
    ids = [add(runtime, f"L{n}") for n in range(5)]
    first = ask(runtime, verb="ListIdentifiers", metadataPrefix="oai_dc")
    started = first.findtext("o:responseDate", namespaces=NS)
    token = first.find(".//o:resumptionToken", NS)
    assert token.get("completeListSize") == "5"
    got = list(headers(first))
    # Meanwhile the archivist edits a record not yet sent and adds a new one.
    untouched_before = [i for i in ids if i not in got]
    changed = untouched_before[0]
    with runtime.transaction() as session:
        session.get(Item, changed).title = "Letter, redated"
    newcomer = add(runtime, "L9")
    while token is not None and token.text:
        page = ask(runtime, verb="ListIdentifiers", resumptionToken=token.text)
        got += list(headers(page))
        token = page.find(".//o:resumptionToken", NS)
    assert len(got) == len(set(got))
    assert set(got) == set(ids) - {changed}  # nothing unchanged missed, nothing twice
    assert {changed, newcomer} <= set(harvest(runtime, **{"from": started}))


def test_tokens_expire_cleanly(runtime: Runtime) -> None:
    for n in range(3):
        add(runtime, f"L{n}")
    token = ask(runtime, verb="ListRecords", metadataPrefix="oai_dc").find(".//o:resumptionToken", NS).text
    tomorrow = utcnow() + timedelta(days=2)
    expired = ask(runtime, now=tomorrow, verb="ListRecords", resumptionToken=token)
    assert code(expired) == "badResumptionToken"
    assert "expired" in expired.findtext("o:error", namespaces=NS)
    other = Repository(**{**REPO.__dict__, "secret": b"another"})
    with runtime.transaction() as session:
        body = respond(session, {"verb": ["ListRecords"], "resumptionToken": [token]}, other)
    assert b'code="badResumptionToken"' in body


def test_from_and_until_at_seconds(runtime: Runtime) -> None:
    item = add(runtime, "L1")
    with runtime.transaction() as session:
        stamp = session.scalar(select(HarvestRecord.datestamp).where(HarvestRecord.key == item))
    second = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert headers(ask(runtime, verb="ListIdentifiers", metadataPrefix="oai_dc", until=second)) == {item: None}
    assert headers(ask(runtime, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": second})) == {item: None}
    after = (stamp + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert code(ask(runtime, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": after})) == "noRecordsMatch"
    day = stamp.strftime("%Y-%m-%d")
    assert headers(ask(runtime, verb="ListIdentifiers", metadataPrefix="oai_dc", until=day)) == {item: None}


def test_the_ledger_follows_descriptions_and_never_records_unseen_items(runtime: Runtime) -> None:
    add(runtime, "L1", access="closed", closed_until="2999-01-01")
    with runtime.transaction() as session:
        assert session.scalars(select(HarvestRecord).where(HarvestRecord.kind == ledger.ITEM)).all() == []
    item = add(runtime, "L2")
    with runtime.transaction() as session:
        before = session.get(HarvestRecord, ("item", item)).datestamp
        session.get(Item, item).records[0].core = {"title": "Letter L2", "subjects": [{"label": "Leuven"}]}
    with runtime.transaction() as session:
        assert session.get(HarvestRecord, ("item", item)).datestamp > before


def test_moving_an_object_to_another_shelf_is_no_change_for_harvesters(runtime: Runtime) -> None:
    from heritage.models import Location

    item = add(runtime, "L1")
    with runtime.transaction() as session:
        before = session.get(HarvestRecord, ("item", item)).datestamp
        shelf = Location(code="S1", name="Shelf 1", kind="shelf")
        session.add(shelf)
        session.flush()
        session.get(Item, item).location_id = shelf.id
        session.get(Item, item).attributes = {"material": "paper"}
    with runtime.transaction() as session:
        assert session.get(HarvestRecord, ("item", item)).datestamp == before


def test_a_file_added_by_item_id_gives_the_item_its_manifest(runtime: Runtime) -> None:
    from heritage.models import File

    item = add(runtime, "L1")
    with runtime.transaction() as session:
        session.add(
            File(id="f1", item_id=item, role="master", original_name="a.tif", storage_key="masters/x", sha256="0" * 64,
                 md5="0" * 32, size=1, width=10, height=10, derivatives_ready=True)
        )  # fmt: skip
    with runtime.transaction() as session:
        row = session.get(HarvestRecord, ("item", item))
        assert row.manifest and row.manifest_since == row.datestamp
