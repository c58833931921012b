"""Changing access: `heritage access set|apply-rules|grant`, each an event, followed at once by search and caches."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from heritage.access import PUBLIC
from heritage.cli import main
from heritage.closure import ClosureRules, apply_rules, closure_of, load_rules
from heritage.errors import ConfigurationError
from heritage.models import AccessRequest, Event, Item
from heritage.runtime import Runtime
from tests.helpers import add_user
from tests.heritage.conftest import public_hits

pytestmark = pytest.mark.db


def test_access_set_is_an_event_reindexes_and_bumps_the_stamp(
    runner, runtime: Runtime, catalogue: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    item = catalogue["LEK.1"]
    assert item in public_hits(runtime, "zaakalfa")
    before = runtime.access_stamp.current()
    result = runner.invoke(
        main, ["access", "set", item, "closed", "--until", "2090-01-01", "--reason", "privacy", "--by", "els"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{item}: public -> closed until 2090-01-01"
    assert item not in public_hits(runtime, "zaakalfa")  # search and facet counts follow at once
    assert runtime.access_stamp.current() != before
    with runtime.sessions() as s:
        event = s.scalar(select(Event).where(Event.type == "access_change", Event.item_id == item))
        assert event.agent == "els" and event.data["access"] == "closed" and event.data["reason"] == "privacy"
        assert event.data["before"] == "public" and event.data["closed_until"] == "2090-01-01"
    again = runner.invoke(main, ["access", "set", item, "public"])
    assert again.exit_code == 0 and item in public_hits(runtime, "zaakalfa")


def test_access_set_refuses_bad_input_and_changes_nothing(runner, runtime: Runtime, catalogue: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    item = catalogue["LEK.1"]
    wrong = runner.invoke(main, ["access", "set", item, "restricted", "--until", "2090-01-01"])
    assert wrong.exit_code == 1 and "--until goes with closed" in wrong.output
    missing = runner.invoke(main, ["access", "set", "aaaaaaaaaaaa", "closed"])
    assert missing.exit_code == 1 and "'aaaaaaaaaaaa' does not exist" in missing.output
    unknown = runner.invoke(main, ["access", "set", item, "secret"])
    assert unknown.exit_code == 2
    with runtime.sessions() as s:
        assert s.get(Item, item).access == "public"
        assert s.scalar(select(Event).where(Event.type == "access_change")) is None


def test_the_stamp_changes_only_when_access_changes(runtime: Runtime, catalogue: dict[str, str]) -> None:
    stamp = runtime.access_stamp
    first = stamp.current()
    with runtime.transaction() as s:
        s.get(Item, catalogue["LEK.1"]).title = "Een andere titel"
    assert stamp.current() == first
    with runtime.transaction() as s:
        s.get(Item, catalogue["LEK.1"]).access = "restricted"
    assert stamp.current() != first


def test_the_image_resolver_forgets_at_once_when_access_changes(runtime: Runtime, catalogue: dict[str, str]) -> None:
    from iiif.errors import ImageNotFound
    from iiif.image_service import ImageResolver

    with runtime.sessions() as s:
        image_id = s.get(Item, catalogue["LEK.1"]).files[0].id
    resolver = ImageResolver(runtime.storage, runtime.sessions, ttl=3600, version=runtime.access_stamp.current)
    assert resolver.resolve(image_id, PUBLIC).public and resolver.peek(image_id) is not None
    with runtime.transaction() as s:
        s.get(Item, catalogue["LEK.1"]).access = "closed"
    assert resolver.peek(image_id) is None  # the fast path no longer answers from what it kept
    with pytest.raises(ImageNotFound):
        resolver.resolve(image_id, PUBLIC)


def test_default_rules_reckon_the_masterplan_closures(runtime: Runtime, catalogue: dict[str, str]) -> None:
    rules = load_rules()
    with runtime.transaction() as s:
        item = s.get(Item, catalogue["LEK.1"])  # dated 1950: closing falls on 1950-12-31
        item.attributes = {"series": "HR-01"}
        assert closure_of(item, rules).until == date(2025, 12, 31)  # birth unknown: closing + 75 y
        item.attributes = {"series": "HR-01", "dates": {"date_of_birth": "1930-05-02"}}
        assert closure_of(item, rules).until == date(2040, 5, 2)  # max(closing + 30, birth + 110)
        item.attributes = {"series": "HR-01", "dates": {"date_of_death": "2000-01-01", "date_of_birth": "1930-05-02"}}
        assert closure_of(item, rules).until == date(2025, 1, 1)  # death + 25, not before closing + 30
        item.attributes = {"access_class": "special_category"}
        assert closure_of(item, rules).until == date(2050, 12, 31)  # birth unknown: closing + 100 y
        item.attributes = {"series": "FIN-01"}
        assert closure_of(item, rules) is None


def test_apply_rules_closes_until_the_date_strictest_wins_per_collection(
    runner, runtime: Runtime, catalogue: dict[str, str], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with runtime.transaction() as s:
        s.get(Item, catalogue["LEK"]).attributes = {"series": "HR-01"}  # the fonds's files inherit the series
        s.get(Item, catalogue["LEK.5"]).attributes = {"access_class": "administrative"}  # closed to 2999 already
        s.get(Item, catalogue["LEK.1"]).attributes = {"dates": {"date_of_birth": "1950-01-01"}}
    result = runner.invoke(main, ["access", "apply-rules", "--collection", "lek", "--today", "2020-06-01"])
    assert result.exit_code == 0, result.output
    changed = {line.split(":")[0] for line in result.stdout.splitlines()}
    # the public (birth + 110 y), restricted and closed-past files (closing + 75 y) close; the fonds (no date),
    # LEK.3 (closed, no date) and LEK.5 (closed to 2999 already) stay as they are
    assert changed == {catalogue[k] for k in ("LEK.1", "LEK.2", "LEK.4")}
    with runtime.sessions() as s:
        assert s.get(Item, catalogue["LEK.1"]).closed_until == date(2060, 1, 1)
        assert s.get(Item, catalogue["LEK.2"]).closed_until == date(2025, 12, 31)
        assert s.get(Item, catalogue["LEK.3"]).closed_until is None
        assert s.get(Item, catalogue["LEK.5"]).closed_until == date(2999, 1, 1)
        event = s.scalar(select(Event).where(Event.type == "access_change", Event.item_id == catalogue["LEK.1"]))
        assert event.agent == "closure rules" and event.data["rule"] == "personal_file (date_of_birth + 110 y)"
    assert catalogue["LEK.1"] not in public_hits(runtime, "zaakalfa")
    # a collection may choose its own class and reckoning
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(
        (Path(load_rules().source).read_text(encoding="utf-8")).replace(
            "collections: {}",
            "collections:\n  lek:\n    classes:\n      personal_file:\n"
            "        open_after:\n          - [{date: closing, years: 100}]\n",
        ),
        encoding="utf-8",
    )
    custom = load_rules(rules_file)
    with runtime.transaction() as s:
        assert [c.after for c in apply_rules(s, custom, item_id=catalogue["LEK.2"], today=date(2020, 6, 1))] == [
            ("closed", date(2050, 12, 31))  # closing + 100 y: later than the closing + 75 y in force
        ]


def test_a_broken_rules_file_is_named_with_the_problem(tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "rules.yaml"
    bad.write_text(
        "schema: heritage-closure-rules/1\nclasses:\n  x:\n    open_after:\n      - [{date: closing, years: -3}]\n"
    )
    with pytest.raises(ConfigurationError, match=r"classes.x.open_after\[1\]: each term is"):
        load_rules(bad)
    bad.write_text("schema: heritage-closure-rules/1\nclasses: {}\nseries: {HR-01: nope}\n")
    with pytest.raises(ConfigurationError, match="series HR-01 names unknown class 'nope'"):
        load_rules(bad)
    result = runner.invoke(main, ["access", "apply-rules"], env={"HERITAGE_ACCESS_RULES": str(tmp_path / "none.yaml")})
    assert result.exit_code == 1 and "none.yaml" in result.output
    assert isinstance(load_rules(), ClosureRules)


def test_grant_and_refuse_a_reader(runner, runtime: Runtime, catalogue: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    add_user(runtime, "lezer", "reader")
    stamp = runtime.access_stamp.current()
    result = runner.invoke(main, ["access", "grant", "lezer", catalogue["LEK.2"], "--by", "els"])
    assert result.exit_code == 0, result.output
    assert runtime.access_stamp.current() != stamp
    with runtime.sessions() as s:
        row = s.scalar(select(AccessRequest))
        assert (row.status, row.decided_by) == ("approved", "els")
        assert (
            s.scalar(select(Event.type).where(Event.item_id == catalogue["LEK.2"], Event.agent == "els"))
            == "access grant"
        )
    refused = runner.invoke(main, ["access", "refuse", "lezer", catalogue["LEK.2"]])
    assert refused.exit_code == 0
    nobody = runner.invoke(main, ["access", "grant", "nobody", catalogue["LEK.2"]])
    assert nobody.exit_code == 1 and "no user 'nobody'" in nobody.output
