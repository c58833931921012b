"""Object entry and exit (Spectrum 5.1 "object entry", "object exit") with receipt numbers, and acquisition
with its documents and accession number. Each is written into the items' histories as an event."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from heritage import catalogue, events
from heritage.errors import BadRequest, Input, NotFound, bad
from heritage.models import Acquisition, ObjectPassage
from heritage.museum import days
from heritage.museum.vocabulary import checked

PREFIX = {"entry": "ENT", "exit": "EXI"}
# The inputs a refusal names: in English as the CLI's options, on a page by its form's labels.
REASON = Input("reason", "--reason")
PARTY = Input("party", "--party")
ITEMS = Input("items", "--item")
DATE = Input("date", "--date")
ACCESSION = Input("accession_number", "--accession")
METHOD = Input("method", "--method")
SOURCE = Input("source", "--source")
DOCUMENTS = Input("documents", "--document")


def _day(value: date | str | None, what: Input) -> date:
    """The day of an entry, exit or acquisition: today when left out."""
    return days.day(value, what, empty_is_today=True)


def _receipt(session: Session, direction: str, day: date) -> str:
    """The next receipt number of the year: ENT-2026-0001, EXI-2026-0001, ..."""
    stem = f"{PREFIX[direction]}-{day.year}-"
    count = session.scalar(
        select(func.count()).select_from(ObjectPassage).where(ObjectPassage.receipt.like(f"{stem}%"))
    )
    return f"{stem}{(count or 0) + 1:04d}"


def pass_objects(
    session: Session,
    direction: str,
    *,
    reason: str,
    party: str,
    items: list[str],
    agent: str,
    on: date | str | None = None,
    notes: str | None = None,
) -> ObjectPassage:
    """Record objects entering (a deposit, an enquiry, ...) or leaving (a return to the owner, ...) with a receipt.

    Raises:
        BadRequest: a direction or reason not in the lists, no party, no objects. NotFound: no such item.
    """
    if direction not in PREFIX:
        raise BadRequest(f"direction {direction!r}: one of entry, exit")
    code = checked(f"{direction}_reason", reason, REASON)
    if not (party or "").strip():
        if direction == "entry":
            raise bad("an object entry names the depositor, enquirer or recipient (%(field)s)", field=PARTY)
        raise bad("an object exit names the depositor, enquirer or recipient (%(field)s)", field=PARTY)
    found = [catalogue.get_item(session, i.strip()).id for i in items if i.strip()]
    if not found:
        if direction == "entry":
            raise bad("an object entry needs at least one object (%(field)s)", field=ITEMS)
        raise bad("an object exit needs at least one object (%(field)s)", field=ITEMS)
    day = _day(on, DATE)
    row = ObjectPassage(
        receipt=_receipt(session, direction, day),
        direction=direction,
        reason=code,
        party=party.strip(),
        item_ids=found,
        on=day,
        notes=(notes or "").strip() or None,
        agent=agent,
    )
    session.add(row)
    session.flush()
    for item_id in found:
        events.record(
            session,
            f"object {direction}",
            item_id=item_id,
            agent=agent,
            detail=f"receipt {row.receipt}: {code.replace('_', ' ')}, {party.strip()}",
            receipt=row.receipt,
            reason=code,
        )
    return row


def passages(session: Session, direction: str | None = None) -> list[ObjectPassage]:
    """Entries and exits, newest first; only one direction when given.

    Raises:
        BadRequest: a direction other than entry or exit.
    """
    query = select(ObjectPassage).order_by(ObjectPassage.id.desc())
    if direction is not None:
        if direction not in PREFIX:
            raise BadRequest(f"direction {direction!r}: one of entry, exit")
        query = query.where(ObjectPassage.direction == direction)
    return list(session.scalars(query))


def get_passage(session: Session, receipt: str) -> ObjectPassage:
    """The entry or exit with this receipt number.

    Raises:
        NotFound: no such receipt.
    """
    row = session.scalar(select(ObjectPassage).where(ObjectPassage.receipt == receipt))
    if row is None:
        raise NotFound(f"receipt {receipt!r} does not exist")
    return row


def passage_json(row: ObjectPassage) -> dict[str, Any]:
    return {
        "receipt": row.receipt,
        "direction": row.direction,
        "reason": row.reason,
        "party": row.party,
        "objects": list(row.item_ids or []),
        "date": row.on.isoformat(),
        "notes": row.notes,
        "by": row.agent,
    }


def acquire(
    session: Session,
    item_id: str,
    *,
    accession_number: str,
    method: str,
    source: str,
    agent: str,
    acquired_on: date | str | None = None,
    documents: list[str] | None = None,
) -> Acquisition:
    """Record the acquisition of an item with its accession number and documents (an event in its history).

    Raises:
        NotFound: no such item. BadRequest: no accession number or one in use, the item acquired already, a
            method not in the list, no source, no document.
    """
    item = catalogue.get_item(session, item_id)
    number = (accession_number or "").strip()
    if not number:
        raise bad("an acquisition needs its accession number (%(field)s)", field=ACCESSION)
    taken = session.scalar(select(Acquisition).where(Acquisition.accession_number == number))
    if taken is not None:
        raise bad(
            "accession number %(number)s is item %(item)s's already", field=ACCESSION, number=number, item=taken.item_id
        )
    if session.scalar(select(Acquisition).where(Acquisition.item_id == item.id)) is not None:
        raise bad("item %(item)s has an acquisition recorded already", item=item.id)
    code = checked("acquisition_method", method, METHOD)
    if not (source or "").strip():
        raise bad("an acquisition names its source: donor, seller, ... (%(field)s)", field=SOURCE)
    docs = [d.strip() for d in documents or [] if d.strip()]
    if not docs:
        raise bad("an acquisition needs its documents: deed of gift, invoice, ... (%(field)s)", field=DOCUMENTS)
    row = Acquisition(
        item_id=item.id,
        accession_number=number,
        method=code,
        source=source.strip(),
        acquired_on=_day(acquired_on, DATE),
        documents=docs,
        agent=agent,
        extra={},
    )
    session.add(row)
    session.flush()
    events.record(
        session,
        "acquisition",
        item_id=item.id,
        agent=agent,
        detail=f"accession number {number}: {code.replace('_', ' ')} from {source.strip()} ({'; '.join(docs)})",
        accession_number=number,
        method=code,
        documents=docs,
    )
    return row


def acquisition_json(row: Acquisition) -> dict[str, Any]:
    return {
        "item": row.item_id,
        "accession_number": row.accession_number,
        "method": row.method,
        "source": row.source,
        "date": row.acquired_on.isoformat(),
        "documents": list(row.documents or []),
        "by": row.agent,
    }


def acquisition_of(session: Session, item_id: str) -> Acquisition | None:
    """The item's acquisition, if one is recorded."""
    return session.scalar(select(Acquisition).where(Acquisition.item_id == item_id))
