"""A loan's world: the masterplan tests' location tree, another museum's lit gallery, and three objects in the
paper store (a drawing in fugitive media, an oil painting, a mixed museum object)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from tests.heritage.policy import builders

VENUE = "ANT-MAS-Z3"


@dataclass
class World:
    drawing: str
    painting: str
    model: str

    @property
    def ids(self) -> list[str]:
        return [self.drawing, self.painting, self.model]


def world(session: Session, *, drawing_flags: list[str] | None = None) -> World:
    places = builders.tree(session)
    site = builders.location(session, "ANT", kind="site")
    museum = builders.location(session, "ANT-MAS", site, kind="building", security_level="S3")
    # 50 lux for 3,000 lit hours a year: 411 lx·h a day on open display
    builders.location(
        session,
        VENUE,
        museum,
        functions=["exhibition"],
        env_setpoint={"t": 18, "rh": 50},
        security_level="S3",
        light={"max_lux": 50, "lit_hours_yr": 3000},
    )
    paper = places["paper"]
    drawing = builders.item(
        session,
        "museum",
        "drawing",
        domain="museum",
        material="manuscript_fugitive_media",
        location=paper,
        **({"flags": drawing_flags} if drawing_flags else {}),
    )
    painting = builders.item(session, "museum", "painting", domain="museum", material="oil_painting", location=paper)
    model = builders.item(session, "museum", "model", domain="museum", material="mixed_museum_object", location=paper)
    return World(drawing.id, painting.id, model.id)
