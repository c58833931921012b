"""The whole item as one PDF (GET /items/<id>/pdf): one page per image, made from the access copies at the
size the rights allow, cached on disk until the item or its rights change, and nothing for whoever may not
see the images (404, as the IIIF images answer)."""

from __future__ import annotations

import io
from pathlib import Path

import lxml.html
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from heritage import auth
from heritage.editing import update_item
from heritage.models import Item
from heritage.runtime import Runtime
from ingest.pipeline import ingest
from tests.helpers import add_user, make_image

pytestmark = pytest.mark.db
IN_COPYRIGHT = "http://rightsstatements.org/vocab/InC/1.0/"  # closure_rules.yaml: downloads of at most 800 px


@pytest.fixture
def plates(runtime: Runtime, tmp_path: Path) -> str:
    """An item of three scanned pages, one larger than an access copy (2000 px)."""
    make_image(tmp_path / "batch" / "plate" / "p1.png", (2600, 1800), seed=3)
    make_image(tmp_path / "batch" / "plate" / "p2.png", (900, 1300), seed=4)
    make_image(tmp_path / "batch" / "plate" / "p3.png", (1000, 700), seed=5)
    ingest(runtime, tmp_path / "batch", "plates")
    with runtime.sessions() as s:
        return s.scalars(select(Item.id)).one()


def _pages(data: bytes) -> list[tuple[int, int]]:
    """The pixel size of the one image on each page, read by pypdf (not the library that wrote the file)."""
    sizes = []
    for page in PdfReader(io.BytesIO(data)).pages:
        (image,) = page.images
        sizes.append(image.image.size)
    return sizes


def _set_rights(runtime: Runtime, item_id: str, rights: str) -> None:
    add_user(runtime, "root", "administrator")
    with runtime.transaction() as session:
        who = auth.viewer_of(session, auth.get_user(session, "root"), None)
        update_item(session, item_id, {"rights": rights}, viewer=who, agent="root", base_version=None)


def test_the_pdf_has_a_page_per_image_from_the_access_copies_and_is_cached(client, runtime, plates) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/items/{plates}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f"attachment; filename={plates}.pdf"
    assert _pages(response.data) == [(2000, 1385), (900, 1300), (1000, 700)]  # access copies: never the master
    assert "public" in response.headers["Cache-Control"]
    cached = list((runtime.settings.data_dir / "pdf" / plates).glob("*.pdf"))
    assert len(cached) == 1 and cached[0].read_bytes() == response.data
    again = client.get(f"/items/{plates}/pdf", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304  # the same file, not made again

    _set_rights(runtime, plates, IN_COPYRIGHT)
    smaller = client.get(f"/items/{plates}/pdf")
    assert smaller.status_code == 200 and smaller.headers["ETag"] != response.headers["ETag"]
    assert _pages(smaller.data) == [(800, 554), (554, 800), (800, 560)]  # at most the edge the rights allow
    assert [p.name for p in (runtime.settings.data_dir / "pdf" / plates).glob("*.pdf")] != [cached[0].name]


def _download_links(client, item_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    doc = lxml.html.fromstring(client.get(f"/items/{item_id}?lang=en").get_data(as_text=True))
    return [a.get("href") for a in doc.cssselect(".page-downloads a")]


def test_the_record_page_offers_the_sizes_the_rights_allow_and_the_pdf(client, runtime, plates) -> None:  # type: ignore[no-untyped-def]
    links = _download_links(client, plates)
    assert [h.rsplit("/full/", 1)[-1] for h in links[:-1]] == [
        f"!{n},{n}/0/default.jpg" for n in (400, 800, 1200, 2000)
    ]  # public domain: up to the access copy's edge
    assert links[-1] == f"/items/{plates}/pdf"
    _set_rights(runtime, plates, IN_COPYRIGHT)
    links = _download_links(client, plates)
    assert [h.rsplit("/full/", 1)[-1] for h in links[:-1]] == ["!400,400/0/default.jpg", "!800,800/0/default.jpg"]


@pytest.mark.parametrize("access", ["restricted", "closed"])
def test_no_pdf_for_whoever_may_not_see_the_images(client, runtime, plates, access: str) -> None:  # type: ignore[no-untyped-def]
    assert client.get(f"/items/{plates}/pdf").status_code == 200  # while it is public
    with runtime.transaction() as session:
        session.get(Item, plates).access = access
    hidden = client.get(f"/items/{plates}/pdf")
    unknown = client.get("/items/zzzzzzzzzzzz/pdf")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.get_data(as_text=True).replace(plates, "X") == unknown.get_data(as_text=True).replace(
        "zzzzzzzzzzzz", "X"
    )
