"""What Darwin Core has no column for but the core record qualifies its values with: the role and kind of
each name in recordedBy and identifiedBy (an EAD creator, a LIDO publisher, a corporate body), the type of
each date in verbatimEventDate (inclusive, issued, production), the years of a date its text does not
give (`c1999`, read by MARC as 1999) and the heading of each typed note. They go
to dynamicProperties (Darwin Core's own place for what it has no term for), as one JSON object, and are
read back from it, so that a record of another standard keeps them through a Darwin Core Archive."""

from __future__ import annotations

import json
from typing import Any

from metadata_schemas.core import Agent, CoreRecord, DateRange
from metadata_schemas.dates import parse_date

KEYS = {"recordedBy", "identifiedBy", "verbatimEventDate", "noteLabels"}


def _agent(agent: Agent, role: str) -> dict[str, Any]:
    out: dict[str, Any] = {} if agent.role == role else {"role": agent.role}
    return out | ({"kind": agent.kind} if agent.kind else {})


def _date(date: DateRange) -> dict[str, Any]:
    """A date's type, and its years and certainty where its text read again would not give them."""
    again = parse_date(date.text)
    out: dict[str, Any] = {"type": date.type} if date.type else {}
    for name in ("start", "end", "certainty"):
        if getattr(date, name) != getattr(again, name):
            out[name] = getattr(date, name)
    return out


def written(core: CoreRecord, collectors: list[Agent], identifiers: list[Agent], others: list[DateRange]) -> str:
    """The dynamicProperties JSON for `core` (collectors, identifiers and other dates in the order their
    columns hold them), or "" when there is nothing Darwin Core leaves out."""
    out: dict[str, Any] = {}
    for key, agents, role in (("recordedBy", collectors, "collector"), ("identifiedBy", identifiers, "identifier")):
        qualified = [_agent(a, role) for a in agents]
        if any(qualified):
            out[key] = qualified
    dates = [_date(d) for d in others]
    if any(dates):
        out["verbatimEventDate"] = dates
    labels: dict[str, list[str | None]] = {}
    for note in core.typed_notes:
        labels.setdefault(note.type, []).append(note.label)
    labels = {kind: given for kind, given in labels.items() if any(given)}
    if labels:
        out["noteLabels"] = labels
    return json.dumps(out, ensure_ascii=False, separators=(",", ":")) if out else ""


def read(core: CoreRecord) -> None:
    """Apply the qualifiers `written` put in a dynamicProperties note, and drop that note; any other
    dynamicProperties (a publisher's own) stays the note it is."""
    note = next((n for n in core.typed_notes if n.type == "dynamicProperties"), None)
    if note is None:
        return
    try:
        given = json.loads(note.text)
    except ValueError:
        return
    if not isinstance(given, dict) or not given or not set(given) <= KEYS:
        return
    for key, role in (("recordedBy", "collector"), ("identifiedBy", "identifier")):
        agents = [a for a in core.agents if a.role == role]
        if isinstance(given.get(key), list) and len(agents) == len(given[key]):
            for agent, qualifiers in zip(agents, given[key], strict=True):
                agent.role = qualifiers.get("role", agent.role)
                agent.kind = qualifiers.get("kind")
    others = [d for d in core.dates if d.type is None]
    if isinstance(given.get("verbatimEventDate"), list) and len(others) == len(given["verbatimEventDate"]):
        for date, qualifiers in zip(others, given["verbatimEventDate"], strict=True):
            for name in ("type", "start", "end", "certainty"):
                setattr(date, name, qualifiers.get(name, getattr(date, name)))
    core.typed_notes.remove(note)
    for kind, labels in (given.get("noteLabels") or {}).items():
        for item, label in zip((n for n in core.typed_notes if n.type == kind), labels, strict=False):
            item.label = label
