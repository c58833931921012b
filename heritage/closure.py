"""Closure rules: until when an item with personal or administrative information stays closed.

The rules are data (`heritage/data/closure_rules.yaml`, or the file `HERITAGE_ACCESS_RULES` names),
configurable per collection; this module reads them and applies them through `heritage.access_changes`,
so each closure is an `access_change` event naming its rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from heritage.access_changes import AccessChange, set_access
from heritage.errors import ConfigurationError
from heritage.models import Access, Collection, Item
from heritage.policy.facts import effective_attributes, trigger_dates

DEFAULT_RULES = Path(__file__).parent / "data" / "closure_rules.yaml"
SCHEMA = "heritage-closure-rules/1"


@dataclass(frozen=True)
class Term:
    date: str
    years: int


@dataclass(frozen=True)
class ClosureClass:
    name: str
    label: str
    alternatives: tuple[tuple[Term, ...], ...]

    def opens_on(self, dates: dict[str, date]) -> tuple[date, str] | None:
        """The day the item opens, by the first alternative whose dates are known, and how it was reckoned."""
        for terms in self.alternatives:
            if all(t.date in dates for t in terms):
                days = [(_add_years(dates[t.date], t.years), f"{t.date} + {t.years} y") for t in terms]
                day, how = max(days)
                return day, how
        return None


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class ClosureRules:
    source: str
    classes: dict[str, ClosureClass]
    series: dict[str, str]
    collections: dict[str, dict[str, Any]]
    download_limits: tuple[tuple[str, int], ...] = ()  # (part of a rights URI, longest edge in pixels)
    download_default: int = 2000

    def class_for(self, name: str, collection: str | None) -> ClosureClass | None:
        own = (self.collections.get(collection or "") or {}).get("classes") or {}
        if name in own:
            return _closure_class(name, own[name], f"{self.source}: collections.{collection}.classes")
        return self.classes.get(name)

    def classify(self, item: Item) -> ClosureClass | None:
        attrs = effective_attributes(item)
        slug = item.collection.slug if item.collection else None
        name = attrs.get("access_class") or self.series.get(str(attrs.get("series") or ""))
        if not name:
            name = (self.collections.get(slug or "") or {}).get("class")
        return self.class_for(str(name), slug) if name else None


def _closure_class(name: str, spec: Any, where: str) -> ClosureClass:
    if not isinstance(spec, dict) or not isinstance(spec.get("open_after"), list) or not spec["open_after"]:
        raise ConfigurationError(f"{where}.{name}: needs open_after, a list of alternatives")
    alternatives: list[tuple[Term, ...]] = []
    for n, alternative in enumerate(spec["open_after"], 1):
        if not isinstance(alternative, list) or not alternative:
            raise ConfigurationError(f"{where}.{name}.open_after[{n}]: a list of {{date, years}} terms")
        terms: list[Term] = []
        for term in alternative:
            if (
                not isinstance(term, dict)
                or not isinstance(term.get("date"), str)
                or not isinstance(term.get("years"), int)
                or term["years"] < 0
            ):
                raise ConfigurationError(
                    f"{where}.{name}.open_after[{n}]: each term is {{date: NAME, years: WHOLE NUMBER}}, got {term!r}"
                )
            terms.append(Term(term["date"], term["years"]))
        alternatives.append(tuple(terms))
    return ClosureClass(name, str(spec.get("label") or name), tuple(alternatives))


def load_rules(path: Path | None = None) -> ClosureRules:
    """Read and check a closure rules file.

    Raises:
        ConfigurationError: the file is missing, not YAML, or not of the expected shape (named with the place).
    """
    path = path or DEFAULT_RULES
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(f"closure rules {path}: {exc.strerror} (HERITAGE_ACCESS_RULES)") from None
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"closure rules {path}: not YAML: {exc}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ConfigurationError(f"closure rules {path}: expected `schema: {SCHEMA}`")
    raw_classes = data.get("classes") or {}
    if not isinstance(raw_classes, dict):
        raise ConfigurationError(f"closure rules {path}: classes must be a mapping")
    classes = {name: _closure_class(name, spec, f"{path}: classes") for name, spec in raw_classes.items()}
    series = {str(k): str(v) for k, v in (data.get("series") or {}).items()}
    collections = data.get("collections") or {}
    if not isinstance(collections, dict):
        raise ConfigurationError(f"closure rules {path}: collections must be a mapping")
    for code, name in series.items():
        if name not in classes:
            raise ConfigurationError(f"closure rules {path}: series {code} names unknown class {name!r}")
    for slug, spec in collections.items():
        own = (spec or {}).get("classes") or {}
        for name, cls in own.items():
            _closure_class(name, cls, f"{path}: collections.{slug}.classes")
        chosen = (spec or {}).get("class")
        if chosen and chosen not in classes and chosen not in own:
            raise ConfigurationError(f"closure rules {path}: collections.{slug}.class names unknown class {chosen!r}")
    limits, default = _downloads(data.get("downloads") or {}, path)
    return ClosureRules(str(path), classes, series, collections, limits, default)


def _downloads(spec: Any, path: Path) -> tuple[tuple[tuple[str, int], ...], int]:
    if not isinstance(spec, dict):
        raise ConfigurationError(f"closure rules {path}: downloads must be a mapping")
    default = spec.get("default", 2000)
    if not isinstance(default, int) or default <= 0:
        raise ConfigurationError(f"closure rules {path}: downloads.default must be a positive whole number")
    limits: list[tuple[str, int]] = []
    for n, rule in enumerate(spec.get("rights") or [], 1):
        if (
            not isinstance(rule, dict)
            or not isinstance(rule.get("match"), str)
            or not isinstance(rule.get("max_px"), int)
            or rule["max_px"] < 0
        ):
            raise ConfigurationError(f"closure rules {path}: downloads.rights[{n}] is {{match: TEXT, max_px: N}}")
        limits.append((rule["match"], rule["max_px"]))
    return tuple(limits), default


@lru_cache(maxsize=4)
def _cached(path: str, _mtime_ns: int) -> ClosureRules:
    return load_rules(Path(path))


def current_rules(path: Path | None = None) -> ClosureRules:
    """The rules file, read again only when it changed (pages ask on every request)."""
    chosen = path or DEFAULT_RULES
    try:
        mtime = chosen.stat().st_mtime_ns
    except OSError:
        mtime = 0
    return _cached(str(chosen), mtime)


@dataclass(frozen=True)
class Closure:
    item_id: str
    rule: str  # class name and how the date was reckoned
    until: date


def closure_of(item: Item, rules: ClosureRules) -> Closure | None:
    """The closure the rules give this item (None: no class, or no date known to reckon from)."""
    cls = rules.classify(item)
    if cls is None:
        return None
    opens = cls.opens_on(trigger_dates(item, effective_attributes(item)))
    if opens is None:
        return None
    day, how = opens
    return Closure(item.id, f"{cls.name} ({how})", day)


def _items(session: Session, collection: str | None, item_id: str | None) -> Iterator[Item]:
    query = select(Item).options(selectinload(Item.collection)).order_by(Item.id)
    if collection:
        query = query.join(Collection).where(Collection.slug == collection)
    if item_id:
        query = query.where(Item.id == item_id)
    yield from session.scalars(query)


def apply_rules(
    session: Session,
    rules: ClosureRules,
    *,
    collection: str | None = None,
    item_id: str | None = None,
    today: date | None = None,
    agent: str = "closure rules",
) -> list[AccessChange]:
    """Close every matching item until its date, unless it is closed longer already (strictest wins).

    A closure whose date has passed changes nothing: the item is as open as its status says.
    """
    today = today or date.today()
    changes: list[AccessChange] = []
    for item in list(_items(session, collection, item_id)):
        closure = closure_of(item, rules)
        if closure is None or closure.until <= today:
            continue
        if item.access == Access.CLOSED.value and (item.closed_until is None or item.closed_until >= closure.until):
            continue
        change = set_access(
            session,
            item.id,
            Access.CLOSED.value,
            until=closure.until,
            reason=f"closure rule {closure.rule}",
            agent=agent,
            rule=closure.rule,
        )
        if change.changed:
            changes.append(change)
    return changes
