"""`heritage loans ...`, `heritage condition ...` and `heritage objects ...` (entry, exit, acquisition): thin
commands over heritage.museum's services, each with `--json`."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import click

from heritage.policy.cli import default_agent


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=1, default=str))


def _runtime() -> Any:
    from heritage.cli import open_runtime

    return open_runtime()


def _split(values: tuple[str, ...]) -> list[str]:
    """Repeated options or comma-separated values, as one list."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@click.group("loans")
def loans_group() -> None:
    """Loans out and in: request, check, approve, agree, dispatch, receive, return, close."""


@loans_group.command("create")
@click.option("--direction", type=click.Choice(["out", "in"]), default="out", show_default=True)
@click.option("--party", required=True, help="The borrower (out) or lender (in).")
@click.option("--venue", required=True, help="The venue's location code.")
@click.option("--from", "date_from", required=True, help="First day (YYYY-MM-DD).")
@click.option("--to", "date_to", required=True, help="Last day (YYYY-MM-DD).")
@click.option("--item", "items", multiple=True, required=True, help="An object's item id (repeat or comma-separate).")
@click.option("--terms")
@click.option("--insurance", "insurance_kind", help="insurance or indemnity")
@click.option("--value", "insurance_value", help="Insurance or indemnity value.")
@click.option("--courier")
@click.option("--facility-report", help="The venue's facility report (text or a file reference).")
@click.option("--by", "agent", default=default_agent)
@click.option("--json", "as_json", is_flag=True)
def create_cmd(as_json: bool, items: tuple[str, ...], **fields: Any) -> None:
    """Request a loan of objects to (out) or from (in) a venue."""
    from heritage.museum import loans

    with _runtime().transaction() as session:
        loan = loans.create(session, items=_split(items), **fields)
        data = loans.details(session, loan)
    _echo_json(data) if as_json else click.echo(f"loan {data['id']} requested ({len(data['objects'])} objects)")


@loans_group.command("terms")
@click.argument("loan_id")
@click.option("--terms")
@click.option("--insurance", "insurance_kind")
@click.option("--value", "insurance_value")
@click.option("--courier")
@click.option("--facility-report")
@click.option("--by", "agent", default=default_agent)
def terms_cmd(loan_id: str, **fields: Any) -> None:
    """Set the agreement's terms, insurance, courier or facility report before dispatch."""
    from heritage.museum import loans

    with _runtime().transaction() as session:
        loans.update_terms(session, loan_id, **fields)
    click.echo(f"loan {loan_id}: terms saved")


@loans_group.command("show")
@click.argument("loan_id")
@click.option("--json", "as_json", is_flag=True)
def show_cmd(loan_id: str, as_json: bool) -> None:
    """A loan with its objects, terms and history."""
    from heritage.museum import loans

    with _runtime().sessions() as session:
        data = loans.details(session, loans.get_loan(session, loan_id))
    if as_json:
        _echo_json(data)
        return
    click.echo(f"loan {data['id']} {data['direction']} {data['state']}: {data['party']} at {data['venue']}")
    click.echo(f"  {data['from']} to {data['to']}; objects {', '.join(data['objects'])}")
    for step in data["history"]:
        click.echo(f"  {step['at'][:16]} {step['by']}: {step['detail']}")


@loans_group.command("list")
@click.option("--state")
@click.option("--direction", type=click.Choice(["out", "in"]))
@click.option("--on-loan", "on_loan", is_flag=True, help="Only the loans whose objects are away today.")
@click.option("--due", is_flag=True, help="Only the loans due back within 30 days (or overdue).")
@click.option("--json", "as_json", is_flag=True)
def list_cmd(state: str | None, direction: str | None, on_loan: bool, due: bool, as_json: bool) -> None:
    """Loans, newest first."""
    from heritage.museum import loans

    with _runtime().sessions() as session:
        if due:
            found = loans.due_back(session)
        elif on_loan:
            found = loans.on_loan_today(session)
        else:
            found = loans.list_loans(session, state=state, direction=direction)
        rows = [loans.summary(session, loan) for loan in found]
    if as_json:
        _echo_json({"loans": rows})
        return
    for r in rows:
        click.echo(f"{r['id']:>5} {r['direction']:<3} {r['state']:<10} {r['venue']:<16} {r['from']} {r['to']}")


@loans_group.command("check")
@click.argument("loan_id")
@click.option("--json", "as_json", is_flag=True)
def check_cmd(loan_id: str, as_json: bool) -> None:
    """Run the checks before approval; exit 1 when one fails (each named)."""
    from heritage.museum import loans

    with _runtime().sessions() as session:
        results = loans.checks(session, loan_id)
    if as_json:
        _echo_json({"loan": int(loan_id), "checks": [c.as_json() for c in results]})
    else:
        for c in results:
            click.echo(f"{'ok  ' if c.ok else 'FAIL'} {c.item} {c.rule}: {c.reason}")
    if any(not c.ok for c in results):
        raise SystemExit(1)


@loans_group.command("permission")
@click.argument("loan_id")
@click.argument("item_id")
@click.option("--authority", required=True)
@click.option("--reference", required=True)
@click.option("--date", "granted_on", required=True)
@click.option("--by", "person", default=default_agent, help="The account recording it.")
def permission_cmd(loan_id: str, item_id: str, **fields: Any) -> None:
    """Record the external permission a protected object of the loan needs (e.g. a listed topstuk)."""
    from heritage.museum import loans

    with _runtime().transaction() as session:
        loans.record_permission(session, loan_id, item_id, **fields)
    click.echo(f"loan {loan_id}: permission for {item_id} recorded")


def _action(name: str, help_text: str) -> click.Command:
    @click.argument("loan_id")
    @click.option("--by", "agent", default=default_agent)
    @click.option("--json", "as_json", is_flag=True)
    def command(loan_id: str, agent: str, as_json: bool, **extra: Any) -> None:
        from heritage.museum import loans

        scanned = _split(extra.pop("scanned", ()) or ())
        with _runtime().transaction() as session:
            loan = loans.act(session, loan_id, name, agent=agent, scanned=scanned, **extra)
            data = loans.details(session, loan)
        _echo_json(data) if as_json else click.echo(f"loan {data['id']} is {data['state']}")

    command.__doc__ = help_text
    if name == "approve":
        command = click.option("--override", help="Approve over failed checks, on your authority: the reason.")(command)
    if name == "return":
        command = click.option(
            "--scanned", multiple=True, help="The objects found on return (item ids or local ids): the audit."
        )(command)
    return loans_group.command(name)(command)


_action("approve", "Approve a requested loan after its checks (refused with the failed checks named).")
_action("agree", "Record the signed agreement (terms and insurance or indemnity needed).")
_action("dispatch", "Dispatch the objects (a loan out needs a dispatch condition check of each).")
_action("receive", "The objects arrived at the venue.")
_action("return", "The objects came back: return condition checks and the audit of what was scanned.")
_action("close", "Close a returned loan.")


@click.group("condition")
def condition_group() -> None:
    """Condition checks and conservation treatments."""


@condition_group.command("record")
@click.argument("item_id")
@click.option("--condition", required=True, help="excellent, good, fair, poor or unacceptable")
@click.option("--notes")
@click.option("--date", "checked_on")
@click.option("--hazard", "hazards", multiple=True)
@click.option("--file", "file_ids", multiple=True, help="A file id of the item showing its condition.")
@click.option(
    "--photo",
    "photos",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path),
    help="A photograph (JPEG, PNG or TIFF) of the condition, added to the item as a staff file (repeatable).",
)
@click.option("--loan", "loan_id")
@click.option("--stage", default="routine", show_default=True, help="routine, dispatch or return")
@click.option("--by", default=default_agent)
@click.option("--json", "as_json", is_flag=True)
def condition_record_cmd(
    item_id: str,
    as_json: bool,
    hazards: tuple[str, ...],
    file_ids: tuple[str, ...],
    photos: tuple[Path, ...],
    **fields: Any,
) -> None:
    """Record a condition check of ITEM_ID."""
    from heritage.file_adder import Upload, load_adder
    from heritage.museum import condition

    runtime = _runtime()
    uploads = [Upload(path.name, path.read_bytes()) for path in photos]
    adder = load_adder(runtime) if uploads else None
    with adder or contextlib.nullcontext(), runtime.transaction() as session:  # the adder closes after the commit
        check = condition.record(
            session,
            item_id,
            hazards=_split(hazards),
            file_ids=_split(file_ids),
            photos=uploads,
            adder=adder,
            **fields,
        )
        data = condition.as_json(check)
    _echo_json(data) if as_json else click.echo(f"condition check {data['id']} of {item_id}: {data['condition']}")


@condition_group.command("list")
@click.argument("item_id", required=False)
@click.option("--loan", "loan_id", type=int)
@click.option("--json", "as_json", is_flag=True)
def condition_list_cmd(item_id: str | None, loan_id: int | None, as_json: bool) -> None:
    """Condition checks of an item or a loan, newest first."""
    from heritage.museum import condition

    with _runtime().sessions() as session:
        rows = [condition.as_json(c) for c in condition.checks_of(session, item_id, loan_id)]
    if as_json:
        _echo_json({"checks": rows})
        return
    for r in rows:
        click.echo(f"{r['date']} {r['item']} {r['condition']:<12} {r['stage']:<8} {r['by']}: {r['notes'] or ''}")


@condition_group.command("treat")
@click.argument("item_id")
@click.option("--treatment", required=True)
@click.option("--material", "materials", multiple=True, required=True)
@click.option("--date", "treated_on")
@click.option("--by", default=default_agent)
def condition_treat_cmd(item_id: str, materials: tuple[str, ...], **fields: Any) -> None:
    """Record a conservation treatment of ITEM_ID with its materials."""
    from heritage.museum import condition

    with _runtime().transaction() as session:
        row = condition.treat(session, item_id, materials=list(materials), **fields)
    click.echo(f"treatment {row.id} of {item_id} recorded")


@click.group("objects")
def objects_group() -> None:
    """Object entry and exit with receipts, and acquisition with the accession number."""


def _passage(direction: str) -> click.Command:
    @click.option("--reason", required=True)
    @click.option("--party", required=True, help="The depositor, enquirer or recipient.")
    @click.option("--item", "items", multiple=True, required=True)
    @click.option("--date", "on")
    @click.option("--notes")
    @click.option("--by", "agent", default=default_agent)
    @click.option("--json", "as_json", is_flag=True)
    def command(items: tuple[str, ...], as_json: bool, **fields: Any) -> None:
        from heritage.museum import entries

        with _runtime().transaction() as session:
            row = entries.pass_objects(session, direction, items=_split(items), **fields)
            data = entries.passage_json(row)
        _echo_json(data) if as_json else click.echo(f"receipt {data['receipt']}")

    command.__doc__ = f"Record an object {direction} with its receipt number."
    return objects_group.command(direction)(command)


_passage("entry")
_passage("exit")


@objects_group.command("acquire")
@click.argument("item_id")
@click.option("--accession", "accession_number", required=True)
@click.option("--method", required=True)
@click.option("--source", required=True)
@click.option("--document", "documents", multiple=True, required=True)
@click.option("--date", "acquired_on")
@click.option("--by", "agent", default=default_agent)
@click.option("--json", "as_json", is_flag=True)
def acquire_cmd(item_id: str, documents: tuple[str, ...], as_json: bool, **fields: Any) -> None:
    """Record the acquisition of ITEM_ID with its accession number and documents."""
    from heritage.museum import entries

    with _runtime().transaction() as session:
        data = entries.acquisition_json(entries.acquire(session, item_id, documents=list(documents), **fields))
    _echo_json(data) if as_json else click.echo(f"{item_id} accessioned as {data['accession_number']}")


@objects_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def passages_cmd(as_json: bool) -> None:
    """Object entries and exits, newest first."""
    from heritage.museum import entries

    with _runtime().sessions() as session:
        rows = [entries.passage_json(r) for r in entries.passages(session)]
    if as_json:
        _echo_json({"passages": rows})
        return
    for r in rows:
        click.echo(f"{r['receipt']} {r['direction']:<5} {r['reason']:<16} {r['party']}: {', '.join(r['objects'])}")
