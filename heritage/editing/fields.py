"""The editable fields (`fields.toml`) and their vocabularies (`data/*.csv`): read once, shared by every surface."""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from heritage.models import Domain, Item
from heritage.rights import offered_statements

HERE = Path(__file__).parent
KINDS = frozenset(
    {"text", "longtext", "lines", "agents", "terms", "date_lines", "choice", "date", "taxon", "coordinates"}
)
# The field domains and the collection domains (heritage.models.Domain) they belong to.
DOMAINS = {"archives": Domain.ARCHIVE.value, "library": Domain.LIBRARY.value, "science": Domain.SCIENCE.value}
DOMAINS["museum"] = Domain.MUSEUM.value


@dataclass(frozen=True)
class Choice:
    value: str
    labels: dict[str, str]

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.value


@dataclass(frozen=True)
class FieldSpec:
    """One editable field: its name (as the form, the API, the CSV and the history call it), kind and labels."""

    name: str
    kind: str
    domain: str  # "all" or a field domain: archives, library, science, museum
    labels: dict[str, str]
    help: dict[str, str]
    vocabulary: str | None = None  # a CSV file in data/ (value, nl, en), or "rights" (heritage.rights)
    column: str | None = None  # the export's column that held it before the field existed

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels["en"]

    def help_in(self, lang: str) -> str:
        return self.help.get(lang) or self.help.get("en", "")

    @property
    def choices(self) -> list[Choice]:
        return vocabulary(self.vocabulary) if self.vocabulary else []

    @property
    def is_detail(self) -> bool:
        """Kept in the core record's `details` (the fields of one domain)."""
        return self.domain != "all"

    @property
    def csv_column(self) -> str:
        return self.column or self.name


@cache
def all_fields() -> tuple[FieldSpec, ...]:
    """Every field of fields.toml, in its order.

    Raises:
        ValueError: the file names an unknown kind or domain, or a vocabulary that is not there.
    """
    data = tomllib.loads((HERE / "fields.toml").read_text(encoding="utf-8"))
    specs = []
    for row in data["field"]:
        spec = FieldSpec(
            name=row["name"],
            kind=row["kind"],
            domain=row["domain"],
            labels=dict(row["label"]),
            help=dict(row.get("help", {})),
            vocabulary=row.get("vocabulary"),
            column=row.get("column"),
        )
        if spec.kind not in KINDS or (spec.domain != "all" and spec.domain not in DOMAINS):
            raise ValueError(f"fields.toml: field {spec.name!r} has kind {spec.kind!r}, domain {spec.domain!r}")
        if spec.vocabulary:
            vocabulary(spec.vocabulary)
        specs.append(spec)
    return tuple(specs)


RIGHTS_VOCABULARY = "rights"  # not a file here: the statements `heritage.rights` offers, labelled once there


@cache
def vocabulary(name: str) -> list[Choice]:
    """The choices of a vocabulary file in data/ (columns value, nl, en), or of the rights table."""
    if name == RIGHTS_VOCABULARY:
        return [Choice(s.uri, s.labels) for s in offered_statements()]
    with (HERE / "data" / name).open(encoding="utf-8", newline="") as fh:
        return [Choice(row["value"], {"nl": row["nl"], "en": row["en"]}) for row in csv.DictReader(fh)]


FACT_KINDS = frozenset({"scores", "levels", "choice", "set", "trigger_dates", "size", "longtext", "date"})


@cache
def masterplan_fields() -> tuple[FieldSpec, ...]:
    """The masterplan's facts of masterplan.toml (`masterplan.<attribute>`, kept in `items.attributes`), in order;
    their choices come from the policy in force for the item (heritage.editing.masterplan_facts).

    Raises:
        ValueError: the file names an unknown kind, or a name outside `masterplan.`.
    """
    data = tomllib.loads((HERE / "masterplan.toml").read_text(encoding="utf-8"))
    specs = []
    for row in data["field"]:
        spec = FieldSpec(
            name=row["name"], kind=row["kind"], domain="all", labels=dict(row["label"]), help=dict(row.get("help", {}))
        )
        if spec.kind not in FACT_KINDS or not spec.name.startswith("masterplan."):
            raise ValueError(f"masterplan.toml: field {spec.name!r} has kind {spec.kind!r}")
        specs.append(spec)
    return tuple(specs)


def field_named(name: str) -> FieldSpec | None:
    """A field of fields.toml or a masterplan fact of masterplan.toml."""
    return next((spec for spec in (*all_fields(), *masterplan_fields()) if spec.name == name), None)


def field_domain(collection_domain: str | None) -> str | None:
    """The field domain of a collection's domain ("archive" -> "archives")."""
    return next((name for name, value in DOMAINS.items() if value == collection_domain), None)


def editable_fields(item: Item | None = None, domain: str | None = None) -> list[FieldSpec]:
    """The fields of the core record and those of one domain: the item's collection's, or `domain` (a field
    domain such as "museum", or a collection domain such as "archive"); without either, every field."""
    if item is not None:
        domain = field_domain(item.collection.domain)
    elif domain is not None and domain not in DOMAINS:
        domain = field_domain(domain)
    if item is None and domain is None:
        return list(all_fields())
    return [spec for spec in all_fields() if spec.domain in ("all", domain)]
