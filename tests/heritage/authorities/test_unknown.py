"""A name that only says the maker is unknown is no agent: it gathers no facet, authority or citation."""

from __future__ import annotations

import pytest

from heritage.authorities.linking import names_of
from heritage.authorities.unknown import is_unknown_agent, known_names
from metadata_schemas.core import Agent, CoreRecord


@pytest.mark.parametrize(
    "name",
    ["Onbekend", "onbekend", "Unknown", "Anoniem", "Anonymous", "Anonymus", "N.N.", "NN", "s.n.", "S. n.",
     "onbekende maker", "Onbekende cartograaf", "inconnu", "Unbekannt", "Anónimo", "Unknown artist"],
)  # fmt: skip
def test_statements_of_an_unknown_maker_are_not_agents(name: str) -> None:
    assert is_unknown_agent(name)


@pytest.mark.parametrize(
    "name", ["Andreas Vesalius", "Onbekendheid", "Anonymous Press Ltd", "Nicolaas Nn", "Atelier te Leuven", "", None]
)
def test_names_are_agents(name: str | None) -> None:
    assert not is_unknown_agent(name)


def test_known_names_keep_their_order() -> None:
    assert known_names(["Onbekend", "Atelier te Leuven", "N.N.", "Jan Peeters"]) == ["Atelier te Leuven", "Jan Peeters"]


def test_no_authority_gathers_the_unknown_makers() -> None:
    core = CoreRecord(title="Kandelaar", agents=[Agent("Onbekend", "maker"), Agent("Atelier te Antwerpen", "maker")])
    assert [ref.name for ref in names_of(core)] == ["Atelier te Antwerpen"]
