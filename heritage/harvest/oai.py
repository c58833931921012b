"""The OAI-PMH 2.0 provider, without HTTP: a request's arguments in, the response document out.

Every record comes from the harvest ledger (what the public was ever shown), so removed and closed
items are reported as deleted (`deletedRecord` is persistent) and items never public do not exist.
Each item shown is asked of the one access function again. Lists are ordered by (datestamp, id) and
resumed from a signed keyset position, so tokens survive changes made during a harvest.
Every bad request gets the protocol's error code; nothing here raises to the caller.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from lxml import etree
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from heritage.access import PUBLIC, Visibility, visibility
from heritage.catalogue import core_of
from heritage.harvest import ledger, tokens
from heritage.harvest.formats import MetadataFormat, formats
from heritage.models import Collection, HarvestRecord, Item, Unit, utcnow
from metadata_schemas import same_standard
from metadata_schemas.xmlsafe import XSI

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
SECOND = timedelta(seconds=1)
VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {  # verb: (required, optional) arguments
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset({"resumptionToken"})),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set", "resumptionToken"})),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set", "resumptionToken"})),
}
SET_KINDS = {"collection": "Collections", "unit": "Custodial units", "domain": "Domains"}
_SET_SPEC = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$")
_PREFIX = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+$")  # metadataPrefixType of the OAI-PMH schema
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Repository:
    """Who answers: the base URL, the names in Identify, the token secret and list sizes."""

    base_url: str  # the OAI endpoint, e.g. https://heritage.example.org/oai
    site_url: str  # the catalogue's base URL, for permalinks in oai_dc
    name: str
    admin_email: str
    secret: bytes
    page_size: int = 100
    token_lifetime: timedelta = timedelta(hours=24)

    @property
    def namespace(self) -> str:
        """The repository identifier of `oai:<namespace>:<item id>` identifiers: the host name."""
        host = re.sub(r"^[a-z]+://", "", self.base_url).split("/")[0].split(":")[0]
        return host or "localhost"


class OaiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def respond(
    session: Session, args: Mapping[str, Sequence[str]], repository: Repository, now: datetime | None = None
) -> bytes:
    """The OAI-PMH response to one request (`args`: every value of every argument, as sent)."""
    now = now or utcnow()
    ledger.refresh(session, now.date())
    root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI} {OAI_SCHEMA}")
    etree.SubElement(root, f"{{{OAI}}}responseDate").text = _stamp(now)
    request = etree.SubElement(root, f"{{{OAI}}}request")
    request.text = repository.base_url
    try:
        verb, params = _arguments(args)
        for name, value in params.items():
            request.set(name, value)
        request.set("verb", verb)
        body = _Handler(session, repository, now).dispatch(verb, params)
        root.append(body)
    except OaiError as exc:
        if exc.code in ("badVerb", "badArgument"):
            request.attrib.clear()  # the protocol: echo only the base URL for these
        error = etree.SubElement(root, f"{{{OAI}}}error", code=exc.code)
        error.text = str(exc)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _arguments(args: Mapping[str, Sequence[str]]) -> tuple[str, dict[str, str]]:
    verbs = list(args.get("verb", []))
    if not verbs:
        raise OaiError("badVerb", "no verb given; one of " + ", ".join(VERBS))
    if len(verbs) > 1:
        raise OaiError("badVerb", "the verb argument is repeated")
    verb = verbs[0]
    if verb not in VERBS:
        raise OaiError("badVerb", f"{verb!r} is not an OAI-PMH verb; one of " + ", ".join(VERBS))
    required, optional = VERBS[verb]
    params: dict[str, str] = {}
    for name, values in args.items():
        if name == "verb":
            continue
        if name not in required | optional:
            raise OaiError("badArgument", f"{verb} takes no argument {name!r}")
        if len(values) != 1:
            raise OaiError("badArgument", f"the argument {name!r} is repeated")
        if _NOT_XML.search(values[0]):
            raise OaiError("badArgument", f"the argument {name!r} holds control characters")
        params[name] = values[0]
    if "resumptionToken" in params:
        if len(params) > 1:
            others = ", ".join(sorted(set(params) - {"resumptionToken"}))
            raise OaiError("badArgument", f"resumptionToken is an exclusive argument; {others} may not go with it")
        return verb, params
    missing = sorted(required - set(params))
    if missing:
        raise OaiError("badArgument", f"{verb} needs the argument(s) {', '.join(missing)}")
    # what is echoed in the request element must be valid there, whatever error comes later: checked first
    prefix = params.get("metadataPrefix")
    if prefix is not None and not _PREFIX.match(prefix):
        raise OaiError("badArgument", f"metadataPrefix {prefix!r} is not a metadata prefix (see ListMetadataFormats)")
    for name in ("from", "until"):
        if name in params:
            _parse_when(name, params[name])
    if "set" in params and not _SET_SPEC.match(params["set"]):
        raise OaiError("badArgument", f"set {params['set']!r} is not a setSpec")
    return verb, params


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_when(name: str, value: str) -> tuple[datetime, bool]:
    """(moment, day granularity). Raises OaiError(badArgument) for any other form."""
    try:
        if _DAY.match(value):
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC), True
        if _SECONDS.match(value):
            return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC), False
    except ValueError:
        pass
    raise OaiError("badArgument", f"{name}={value!r} is not a UTC date (YYYY-MM-DD) or time (YYYY-MM-DDThh:mm:ssZ)")


def _past(until: datetime, day: bool) -> datetime:
    """The first moment after an inclusive `until` (the next day, or the next second). Past the last day
    datetime can hold (9999-12-31, a legal UTC date) nothing is later: the list is unbounded, as without it."""
    try:
        return until + (timedelta(days=1) if day else SECOND)
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC)


@dataclass
class _List:
    """A list request's frozen arguments and position."""

    verb: str
    prefix: str
    set_spec: str | None
    start: datetime | None  # datestamp >= start
    end: datetime  # datestamp < end
    after: tuple[datetime, str] | None = None
    cursor: int = 0
    size: int | None = None

    def state(self) -> dict[str, Any]:
        return {
            "v": self.verb,
            "p": self.prefix,
            "s": self.set_spec,
            "f": self.start.isoformat() if self.start else None,
            "u": self.end.isoformat(),
            "a": [self.after[0].isoformat(), self.after[1]] if self.after else None,
            "c": self.cursor,
            "n": self.size,
        }

    @classmethod
    def from_state(cls, verb: str, state: dict[str, Any]) -> _List:
        try:
            if state["v"] != verb:
                raise OaiError("badResumptionToken", f"this resumption token continues {state['v']}, not {verb}")
            after = state["a"]
            return cls(
                verb=verb,
                prefix=str(state["p"]),
                set_spec=state["s"],
                start=datetime.fromisoformat(state["f"]) if state["f"] else None,
                end=datetime.fromisoformat(state["u"]),
                after=(datetime.fromisoformat(after[0]), str(after[1])) if after else None,
                cursor=int(state["c"]),
                size=int(state["n"]) if state["n"] is not None else None,
            )
        except (KeyError, TypeError, ValueError, IndexError):
            raise OaiError("badResumptionToken", "the resumption token cannot be read") from None


class _Handler:
    def __init__(self, session: Session, repository: Repository, now: datetime) -> None:
        self.session = session
        self.repository = repository
        self.now = now

    def dispatch(self, verb: str, params: dict[str, str]) -> etree._Element:
        method = {
            "Identify": self.identify,
            "ListMetadataFormats": self.list_metadata_formats,
            "ListSets": self.list_sets,
            "GetRecord": self.get_record,
            "ListIdentifiers": self.list_records,
            "ListRecords": self.list_records,
        }[verb]
        return method(verb, params)

    def _el(self, name: str, parent: etree._Element | None = None, text: str | None = None) -> etree._Element:
        el = etree.Element(f"{{{OAI}}}{name}") if parent is None else etree.SubElement(parent, f"{{{OAI}}}{name}")
        if text is not None:
            el.text = text
        return el

    # --- Identify, ListMetadataFormats, ListSets ----------------------------------------------------

    def identify(self, verb: str, params: dict[str, str]) -> etree._Element:
        out = self._el("Identify")
        self._el("repositoryName", out, self.repository.name)
        self._el("baseURL", out, self.repository.base_url)
        self._el("protocolVersion", out, "2.0")
        self._el("adminEmail", out, self.repository.admin_email)
        earliest = self.session.scalar(select(func.min(HarvestRecord.datestamp)).where(HarvestRecord.kind == "item"))
        self._el("earliestDatestamp", out, _stamp(earliest or self.now))
        self._el("deletedRecord", out, "persistent")
        self._el("granularity", out, GRANULARITY)
        return out

    def _row(self, identifier: str) -> HarvestRecord:
        prefix = f"oai:{self.repository.namespace}:"
        row = None
        if identifier.startswith(prefix):
            row = self.session.get(HarvestRecord, (ledger.ITEM, identifier[len(prefix) :]))
        if row is None:
            raise OaiError("idDoesNotExist", f"{identifier!r} is not an identifier of this repository")
        return row

    def list_metadata_formats(self, verb: str, params: dict[str, str]) -> etree._Element:
        chosen = list(formats().values())
        if "identifier" in params:
            row = self._row(params["identifier"])
            chosen = [f for f in chosen if f.serves(row.domain, row.standard)]
        out = self._el("ListMetadataFormats")
        for fmt in chosen:
            el = self._el("metadataFormat", out)
            self._el("metadataPrefix", el, fmt.prefix)
            self._el("schema", el, fmt.schema)
            self._el("metadataNamespace", el, fmt.namespace)
        return out

    def sets(self) -> list[tuple[str, str]]:
        """(setSpec, setName) of every set the public can harvest: those with records, deleted ones included."""
        found = self.session.execute(
            select(HarvestRecord.collection, HarvestRecord.unit, HarvestRecord.domain)
            .where(HarvestRecord.kind == ledger.ITEM)
            .distinct()
        ).all()
        slugs = sorted({r.collection for r in found})
        unit_slugs = sorted({r.unit for r in found if r.unit})
        titles = dict(
            self.session.execute(select(Collection.slug, Collection.title).where(Collection.slug.in_(slugs))).all()
        )
        units = dict(self.session.execute(select(Unit.slug, Unit.name).where(Unit.slug.in_(unit_slugs))).all())
        out = [(kind, label) for kind, label in SET_KINDS.items()]
        out += [(f"collection:{slug}", titles.get(slug, slug)) for slug in slugs]
        out += [(f"unit:{slug}", units.get(slug, slug)) for slug in unit_slugs]
        out += [(f"domain:{d}", d) for d in sorted({r.domain for r in found})]
        return out

    def list_sets(self, verb: str, params: dict[str, str]) -> etree._Element:
        if "resumptionToken" in params:
            raise OaiError("badResumptionToken", "ListSets is never split, so no resumption token belongs to it")
        out = self._el("ListSets")
        for spec, name in self.sets():
            el = self._el("set", out)
            self._el("setSpec", el, spec)
            self._el("setName", el, name)
        return out

    # --- records ------------------------------------------------------------------------------------

    def _format(self, prefix: str) -> MetadataFormat:
        fmt = formats().get(prefix)
        if fmt is None:
            known = ", ".join(formats())
            raise OaiError("cannotDisseminateFormat", f"metadataPrefix {prefix!r} is not served here ({known})")
        return fmt

    def get_record(self, verb: str, params: dict[str, str]) -> etree._Element:
        fmt = self._format(params["metadataPrefix"])
        row = self._row(params["identifier"])
        if not fmt.serves(row.domain, row.standard):
            raise OaiError(
                "cannotDisseminateFormat",
                f"{params['identifier']} is not available as {fmt.prefix}; see ListMetadataFormats",
            )
        out = self._el("GetRecord")
        items = self._items([row])
        out.append(self._record(row, items.get(row.key), fmt))
        return out

    def _items(self, rows: Sequence[HarvestRecord]) -> dict[str, Item]:
        ids = [r.key for r in rows if not r.deleted]
        if not ids:
            return {}
        found = self.session.scalars(
            select(Item)
            .where(Item.id.in_(ids))
            .options(selectinload(Item.records), selectinload(Item.collection).selectinload(Collection.unit))
        ).all()
        return {item.id: item for item in found if visibility(PUBLIC, item, self.now.date()) > Visibility.NONE}

    def _header(self, row: HarvestRecord, deleted: bool) -> etree._Element:
        header = self._el("header")
        if deleted:
            header.set("status", "deleted")
        self._el("identifier", header, f"oai:{self.repository.namespace}:{row.key}")
        self._el("datestamp", header, _stamp(row.datestamp))
        self._el("setSpec", header, f"collection:{row.collection}")
        if row.unit:
            self._el("setSpec", header, f"unit:{row.unit}")
        self._el("setSpec", header, f"domain:{row.domain}")
        return header

    def _record(self, row: HarvestRecord, item: Item | None, fmt: MetadataFormat) -> etree._Element:
        record = self._el("record")
        record.append(self._header(row, item is None))
        if item is not None:
            core = core_of(item)
            if fmt.prefix == "oai_dc":  # aggregators link back through a dc:identifier URL
                core.identifiers = [*core.identifiers, f"{self.repository.site_url}/items/{item.id}"]
            primary = item.primary_record
            original = primary.original if primary is not None else None
            standard = primary.standard if primary is not None else None
            if original and standard and item.edited_at is not None:  # the original with the edits in place
                original = same_standard.current_original(original, standard, core_of(item))
            self._el("metadata", record).append(fmt.element(core, original, standard))
        return record

    def _query(self, listing: _List, fmt: MetadataFormat) -> Select[Any]:
        query = select(HarvestRecord).where(HarvestRecord.kind == ledger.ITEM, HarvestRecord.datestamp < listing.end)
        if listing.start is not None:
            query = query.where(HarvestRecord.datestamp >= listing.start)
        if "*" not in fmt.domains:
            query = query.where(
                or_(HarvestRecord.domain.in_(sorted(fmt.domains)), HarvestRecord.standard.in_(sorted(fmt.native)))
            )
        if listing.set_spec:
            kind, _, value = listing.set_spec.partition(":")
            column = {
                "collection": HarvestRecord.collection,
                "unit": HarvestRecord.unit,
                "domain": HarvestRecord.domain,
            }
            query = query.where(column[kind] == value) if value else query.where(column[kind].is_not(None))
        return query

    def _new_list(self, verb: str, params: dict[str, str]) -> _List:
        fmt_prefix = params["metadataPrefix"]
        self._format(fmt_prefix)
        start = end = None
        granularities = []
        if "from" in params:
            start, day = _parse_when("from", params["from"])
            granularities.append(day)
        if "until" in params:
            until, day = _parse_when("until", params["until"])
            end = _past(until, day)
            granularities.append(day)
        if len(set(granularities)) > 1:
            raise OaiError("badArgument", "from and until must have the same granularity")
        if start is not None and end is not None and start >= end:
            raise OaiError("badArgument", f"from ({params['from']}) is later than until ({params['until']})")
        set_spec = params.get("set")
        if set_spec is not None:
            if not _SET_SPEC.match(set_spec):
                raise OaiError("badArgument", f"set {set_spec!r} is not a setSpec")
            if set_spec not in {spec for spec, _ in self.sets()}:
                raise OaiError("badArgument", f"set {set_spec!r} does not exist here; see ListSets")
        # A list without `until` is frozen at this moment: what changes during the harvest comes next time.
        frozen = end if end is not None and end <= self.now else self.now + timedelta(microseconds=1)
        return _List(verb, fmt_prefix, set_spec, start, frozen)

    def list_records(self, verb: str, params: dict[str, str]) -> etree._Element:
        if "resumptionToken" in params:
            try:
                state = tokens.decode(params["resumptionToken"], self.repository.secret, self.now)
            except tokens.TokenError as exc:
                raise OaiError("badResumptionToken", f"the resumption token {exc}") from None
            listing = _List.from_state(verb, state)
            fmt = self._format(listing.prefix)
        else:
            listing = self._new_list(verb, params)
            fmt = self._format(listing.prefix)
            listing.size = self.session.scalar(self._query(listing, fmt).with_only_columns(func.count()).order_by(None))
        query = self._query(listing, fmt)
        if listing.after is not None:
            stamp, key = listing.after
            query = query.where(
                or_(HarvestRecord.datestamp > stamp, and_(HarvestRecord.datestamp == stamp, HarvestRecord.key > key))
            )
        rows = self.session.scalars(
            query.order_by(HarvestRecord.datestamp, HarvestRecord.key).limit(self.repository.page_size + 1)
        ).all()
        more = len(rows) > self.repository.page_size
        rows = rows[: self.repository.page_size]
        if not rows and listing.cursor == 0:
            raise OaiError("noRecordsMatch", "no record matches these arguments")
        out = self._el(verb)
        items = self._items(rows)
        if verb == "ListIdentifiers":
            for row in rows:
                out.append(self._header(row, row.key not in items))
        else:
            for row in rows:
                out.append(self._record(row, items.get(row.key), fmt))
        if more or listing.cursor > 0:
            token = self._el("resumptionToken", out)
            if listing.size is not None:
                token.set("completeListSize", str(listing.size))
            token.set("cursor", str(listing.cursor))
            if more:
                expires = self.now + self.repository.token_lifetime
                last = rows[-1]
                following = _List(
                    verb,
                    listing.prefix,
                    listing.set_spec,
                    listing.start,
                    listing.end,
                    (last.datestamp, last.key),
                    listing.cursor + len(rows),
                    listing.size,
                )
                token.set("expirationDate", _stamp(expires))
                token.text = tokens.encode(following.state(), self.repository.secret, expires)
        return out
