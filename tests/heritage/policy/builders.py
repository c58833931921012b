"""A small catalogue for the masterplan tests: units, a location tree, collections and items with facts."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from heritage import catalogue
from heritage.models import Item, Location


def location(
    session: Session,
    code: str,
    parent: Location | None = None,
    *,
    kind: str = "room",
    unit: str | None = None,
    **attributes: Any,
) -> Location:
    unit_id = catalogue.ensure_unit(session, unit).id if unit else None
    loc = Location(code=code, name=code, kind=kind, parent=parent, attributes=attributes, unit_id=unit_id)
    session.add(loc)
    session.flush()
    return loc


def tree(session: Session) -> dict[str, Location]:
    """A central depot (paper store, cold store, spirit store, nitrate vault), a faculty basement, a lit hall."""
    catalogue.ensure_unit(session, "central-archive", "Universiteitsarchief", kind="central_archive")
    catalogue.ensure_unit(session, "faculty-science", "Faculteit Wetenschappen", kind="faculty", central=False)
    site = location(session, "LEU", kind="site")
    depot = location(
        session, "LEU-CD", site, kind="building", unit="central-archive", flags=["above_ground"], security_level="S3"
    )
    out = {
        "paper": location(
            session,
            "LEU-CD-R1",
            depot,
            functions=["storage"],
            env_setpoint={"t": 16, "rh": 48},
            capacity={"linear_m": 100},
            used={"linear_m": 40},
        ),
        "full": location(
            session,
            "LEU-CD-R2",
            depot,
            functions=["storage"],
            env_setpoint={"t": 16, "rh": 48},
            capacity={"linear_m": 50},
            used={"linear_m": 50},
        ),
        "cold": location(session, "LEU-CD-KOEL", depot, functions=["storage"], env_setpoint={"t": 4, "rh": 35}),
        "spirit": location(
            session,
            "LEU-CD-ETH",
            depot,
            functions=["storage"],
            env_setpoint={"t": 16, "rh": None},
            flags=["flammables_store", "mechanical_ventilation"],
            security_level="S2",
        ),
        "nitrate": location(
            session,
            "LEU-CD-NITR",
            depot,
            functions=["storage"],
            env_setpoint={"t": 3, "rh": 25},
            flags=["nitrate_vault"],
        ),
        "reading": location(
            session, "LEU-CD-LEES", depot, functions=["reading_room"], env_setpoint={"t": 20, "rh": 50}
        ),
    }
    faculty = location(session, "LEU-WET", site, kind="building", unit="faculty-science")
    out["basement"] = location(
        session,
        "LEU-WET-ARCH",
        faculty,
        functions=["storage"],
        env_setpoint={"t": 18, "rh": 50},
        security_level="S1",
        flags=["below_ground"],
        capacity={"linear_m": 20},
        used={"linear_m": 5},
    )
    out["hall"] = location(
        session,
        "LEU-WET-ZAAL",
        faculty,
        functions=["exhibition"],
        env_setpoint={"t": 18, "rh": 48},
        security_level="S2",
        light={"max_lux": 50, "lit_hours_yr": 4000},
        flags=["above_ground"],
    )
    return out


def item(
    session: Session,
    collection: str,
    local_id: str,
    *,
    parent: Item | None = None,
    level: str = "file",
    date_from: int | None = None,
    date_to: int | None = None,
    location: Location | None = None,
    unit: str = "central-archive",
    domain: str = "archive",
    **attributes: Any,
) -> Item:
    coll = catalogue.ensure_collection(session, collection, domain=domain, unit_slug=unit)
    node = Item(
        id=catalogue.item_id_for(coll, local_id),
        collection=coll,
        local_id=local_id,
        parent=parent,
        level=level,
        title=f"{local_id} title",
        date_from=date_from,
        date_to=date_to,
        access="public",
        location_id=location.id if location else None,
        attributes=attributes,
    )
    session.add(node)
    session.flush()
    return node
