"""The one access decision, for the public and for staff."""

from __future__ import annotations

from datetime import date

from heritage.access import PUBLIC, Viewer, Visibility, effective_access, visibility
from heritage.models import Access, Collection, Item


def _item(access: str, closed_until: date | None = None, unit_id: int = 1) -> Item:
    coll = Collection(slug="c", title="C", domain="archive", unit_id=unit_id)
    return Item(id="aaaaaaaaaaaa", collection=coll, level="file", title="T", access=access, closed_until=closed_until)


def test_public_sees_public_fully_restricted_metadata_closed_nothing() -> None:
    assert visibility(PUBLIC, _item("public")) == Visibility.FULL
    assert visibility(PUBLIC, _item("restricted")) == Visibility.METADATA
    assert visibility(PUBLIC, _item("closed")) == Visibility.NONE


def test_closure_lapses_on_its_date() -> None:
    assert effective_access("closed", date(2000, 1, 1), today=date(2026, 1, 1)) == Access.PUBLIC
    assert effective_access("closed", date(2090, 1, 1), today=date(2026, 1, 1)) == Access.CLOSED
    assert visibility(PUBLIC, _item("closed", date(1990, 1, 1))) == Visibility.FULL


def test_staff_see_their_own_units_closed_items_only() -> None:
    archivist = Viewer("an", frozenset({("archivist", 1)}))
    assert visibility(archivist, _item("closed", unit_id=1)) == Visibility.FULL
    assert visibility(archivist, _item("closed", unit_id=2)) == Visibility.NONE
    admin = Viewer("root", frozenset({("administrator", None)}))
    assert visibility(admin, _item("closed", unit_id=2)) == Visibility.FULL


def test_rights_statements_decide_the_download_size() -> None:
    from heritage.access import download_edge
    from heritage.closure import load_rules

    rules = load_rules()
    limits, default = rules.download_limits, rules.download_default
    in_copyright = "http://rightsstatements.org/vocab/InC/1.0/"
    public_domain = "http://creativecommons.org/publicdomain/mark/1.0/"
    assert download_edge(PUBLIC, _item("public"), in_copyright, limits, default) == 800
    assert download_edge(PUBLIC, _item("public"), public_domain, limits, default) == 2000
    assert download_edge(PUBLIC, _item("restricted"), public_domain, limits, default) == 0  # no images at all
    staff = Viewer("an", frozenset({("archivist", 1)}))
    assert download_edge(staff, _item("public"), in_copyright, limits, default) == 2000
