"""Condition checks and conservation treatments (Spectrum 5.1 "condition checking", "conservation").

A check names the object's condition from the controlled list (data/procedures.toml), notes, the date, who
checked, hazards and images. Images are files of the item: ones it has (referenced by their file ids), and
photographs uploaded with the check, added to the item through the ingest path (`heritage.file_adder`) with the
role `condition`: staff records that are never published. A check may belong to a loan at its dispatch or its
return (`stage`), which the loan's steps require.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage import catalogue, events
from heritage.errors import Input, bad
from heritage.file_adder import FileAdder, Upload
from heritage.locations.reasons import Coded
from heritage.models import ConditionCheck, ConservationTreatment, File, FileRole, Loan
from heritage.museum import days
from heritage.museum.vocabulary import checked

PHOTO_FAMILIES = frozenset({"jpeg", "png", "tiff"})  # what a camera or a scanner gives; ingest's format families

# The inputs a refusal names: in English as the CLI's options, on a page by its form's labels.
BY = Input("by", "--by")
DATE = Input("date", "--date")
LOAN = Input("loan_id", "--loan")
TREATMENT = Input("treatment", "--treatment")
MATERIALS = Input("materials", "--material, one or more")


def _day(value: date | str | None, what: Input) -> date:
    """The day of a check: today when left out, never in the future."""
    day = days.day(value, what, empty_is_today=True)
    if day > date.today():
        raise bad("%(field)s %(day)s: a check cannot be dated in the future", field=what, day=day)
    return day


def record(
    session: Session,
    item_id: str,
    *,
    condition: str,
    by: str,
    notes: str | None = None,
    checked_on: date | str | None = None,
    hazards: list[str] | None = None,
    file_ids: list[str] | None = None,
    loan_id: int | str | None = None,
    stage: str = "routine",
    photos: Sequence[Upload] = (),
    adder: FileAdder | None = None,
) -> ConditionCheck:
    """Record a condition check of an item (an event in its history), with its photographs: `photos` are added
    to the item by `adder` as condition files, in the same transaction as the check.

    Raises:
        NotFound: no such item. BadRequest: a condition, hazard or stage not in the lists, a file that is not the
            item's, a loan the item is not on, a loan stage without a loan, no checker, a photograph refused
            (empty, too big, not JPEG, PNG or TIFF, unreadable, already a file of the item); nothing is stored.
    """
    from heritage.museum.loans import get_loan

    item = catalogue.get_item(session, item_id)
    code = checked("condition", condition, Input("condition", "condition"))
    stage = checked("condition_stage", stage or "routine", Input("stage", "stage"))
    if not (by or "").strip():
        raise bad("a condition check names who checked (%(field)s)", field=BY)
    found = [checked("hazard", h, Input("hazards", "hazard")) for h in hazards or [] if h.strip()]
    files = [f.strip() for f in file_ids or [] if f.strip()]
    own = set(session.scalars(select(File.id).where(File.item_id == item.id)))
    strange = [f for f in files if f not in own]
    if strange:
        raise bad("file %(files)s is not a file of item %(item)s", files=", ".join(strange), item=item.id)
    loan: Loan | None = None
    if loan_id not in (None, ""):
        loan = get_loan(session, loan_id)  # type: ignore[arg-type]
        if item.id not in {o.item_id for o in loan.objects}:
            raise bad("item %(item)s is not on loan %(loan)s", item=item.id, loan=loan.id)
    elif stage != "routine":
        raise bad("a %(stage)s check belongs to a loan (%(field)s)", stage=Coded("condition_stage", stage), field=LOAN)
    added: list[File] = []
    if photos:
        if adder is None:
            raise ValueError("photographs need the ingest's FileAdder (heritage.file_adder.load_adder)")
        added = adder.add(
            session, item.id, photos, role=FileRole.CONDITION.value, agent=by.strip(), families=PHOTO_FAMILIES
        )
        files += [f.id for f in added if f.id not in files]
    check = ConditionCheck(
        item_id=item.id,
        condition=code,
        notes=(notes or "").strip() or None,
        checked_on=_day(checked_on, DATE),
        checked_by=by.strip(),
        hazards=found,
        file_ids=files,
        loan_id=loan.id if loan else None,
        stage=stage,
    )
    session.add(check)
    session.flush()
    where = f" for loan {loan.id} ({stage})" if loan else ""
    events.record(
        session,
        "condition check",
        item_id=item.id,
        agent=by.strip(),
        detail=f"condition {code}{where}" + (f"; hazards {', '.join(found)}" if found else ""),
        check=check.id,
        condition=code,
        loan=loan.id if loan else None,
        stage=stage,
        photos=[{"file": f.id, "name": f.label} for f in added],  # staff records: exports leave them out
    )
    return check


def checks_of(session: Session, item_id: str | None = None, loan_id: int | None = None) -> list[ConditionCheck]:
    """Condition checks of an item or a loan, newest first."""
    query = select(ConditionCheck).order_by(ConditionCheck.checked_on.desc(), ConditionCheck.id.desc())
    if item_id is not None:
        query = query.where(ConditionCheck.item_id == catalogue.get_item(session, item_id).id)
    if loan_id is not None:
        query = query.where(ConditionCheck.loan_id == loan_id)
    return list(session.scalars(query))


def as_json(check: ConditionCheck) -> dict[str, Any]:
    return {
        "id": check.id,
        "item": check.item_id,
        "condition": check.condition,
        "notes": check.notes,
        "date": check.checked_on.isoformat(),
        "by": check.checked_by,
        "hazards": list(check.hazards or []),
        "files": list(check.file_ids or []),
        "loan": check.loan_id,
        "stage": check.stage,
    }


def treat(
    session: Session,
    item_id: str,
    *,
    treatment: str,
    materials: list[str],
    by: str,
    treated_on: date | str | None = None,
) -> ConservationTreatment:
    """Record a conservation treatment with the materials used (an event in the item's history).

    Raises:
        NotFound: no such item. BadRequest: no treatment described, no materials, no conservator named.
    """
    item = catalogue.get_item(session, item_id)
    if not (treatment or "").strip():
        raise bad("a treatment needs its description (%(field)s)", field=TREATMENT)
    used = [m.strip() for m in materials if m.strip()]
    if not used:
        raise bad("a treatment names the materials used (%(field)s)", field=MATERIALS)
    if not (by or "").strip():
        raise bad("a treatment names who carried it out (%(field)s)", field=BY)
    row = ConservationTreatment(
        item_id=item.id,
        treatment=treatment.strip(),
        materials=used,
        treated_on=_day(treated_on, DATE),
        treated_by=by.strip(),
    )
    session.add(row)
    session.flush()
    events.record(
        session,
        "conservation treatment",
        item_id=item.id,
        agent=by.strip(),
        detail=f"{treatment.strip()} (materials: {', '.join(used)})",
        treatment=row.id,
        materials=used,
    )
    return row


def treatments_of(session: Session, item_id: str) -> list[ConservationTreatment]:
    item = catalogue.get_item(session, item_id)
    return list(
        session.scalars(
            select(ConservationTreatment)
            .where(ConservationTreatment.item_id == item.id)
            .order_by(ConservationTreatment.treated_on.desc())
        )
    )
