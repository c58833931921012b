"""A registrar photographs damage and uploads the photos with the condition check (multipart, CSRF, no
JavaScript): the check shows them to its unit's staff through the IIIF image service, while the public and
other units' staff get 404 on their images, and they never reach the public manifest, the record page, the
item JSON, the search index or an export. A refused photo is named in the page's language and stores nothing."""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from heritage.cli import main
from heritage.file_adder import Upload
from heritage.models import ConditionCheck, File, FileRole, HarvestRecord
from heritage.museum import loans
from heritage.runtime import Runtime
from heritage.search.indexer import index_items
from ingest.adding import FileAdder
from tests.helpers import add_user, csrf_token, make_image, sign_in
from tests.heritage.museum.builders import VENUE, World, world

pytestmark = pytest.mark.db


@pytest.fixture
def w(runtime: Runtime, tmp_path: Path) -> World:
    """The loan world, the painting with a public scan of its own (so it has a manifest), and its staff."""
    with runtime.transaction() as session:
        made = world(session)
        scan = make_image(tmp_path / "painting.tif", (640, 480), seed=9, fmt="TIFF").read_bytes()
        FileAdder(runtime).add(
            session,
            made.painting,
            [Upload("painting.tif", scan)],
            role=FileRole.MASTER.value,
            agent="test",
            families=frozenset({"tiff"}),
        )
    index_items(runtime, made.ids)
    add_user(runtime, "registrar", "collection_manager", "central-archive")
    add_user(runtime, "elders", "collection_manager", "faculty-science")
    return made


def _client(app: Any, username: str) -> Any:
    client = app.test_client()
    assert sign_in(client, username).status_code == 303
    return client


def _photo(tmp_path: Path, name: str, seed: int) -> tuple[io.BytesIO, str]:
    return io.BytesIO(make_image(tmp_path / name, (400, 300), seed=seed).read_bytes()), name


def _datestamp(runtime: Runtime, item_id: str) -> datetime:
    with runtime.sessions() as session:
        row = session.get(HarvestRecord, ("item", item_id))
        assert row is not None
        return row.datestamp


def _condition_files(runtime: Runtime) -> list[str]:
    with runtime.sessions() as session:
        return list(session.scalars(select(File.id).where(File.role == FileRole.CONDITION.value)))


def test_a_registrar_uploads_photos_with_the_check_and_only_staff_see_them(
    app: Any, runtime: Runtime, w: World, tmp_path: Path, runner: CliRunner
) -> None:
    registrar = _client(app, "registrar")
    harvested = _datestamp(runtime, w.painting)
    form = registrar.get(f"/loans/objects/{w.painting}?lang=en").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and 'type="file" multiple accept="image/jpeg' in form
    sent = registrar.post(
        f"/loans/objects/{w.painting}/condition",
        data={
            "csrf_token": csrf_token(registrar),
            "condition": "poor",
            "notes": "tear upper right",
            "photos": [_photo(tmp_path, "tear.jpg", 1), _photo(tmp_path, "detail.jpg", 2)],
        },
        content_type="multipart/form-data",
    )
    assert sent.status_code == 303, sent.get_data(as_text=True)
    photos = _condition_files(runtime)
    assert len(photos) == 2
    with runtime.sessions() as session:
        (check,) = session.scalars(select(ConditionCheck))
        assert sorted(check.file_ids) == sorted(photos)
    assert _datestamp(runtime, w.painting) == harvested  # harvesters are not told of a staff record

    page = registrar.get(f"/loans/objects/{w.painting}?lang=en").get_data(as_text=True)
    for photo in photos:
        assert f"/iiif/image/3/{photo}/full/!160,160/0/default.jpg" in page
    assert 'alt="Photograph tear.jpg"' in page
    thumb = registrar.get(f"/iiif/image/3/{photos[0]}/full/!160,160/0/default.jpg")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert "private" in thumb.headers["Cache-Control"]

    anonymous = app.test_client()
    other_unit = _client(app, "elders")
    for who in (anonymous, other_unit):
        for photo in photos:
            assert who.get(f"/iiif/image/3/{photo}/info.json").status_code == 404
            assert who.get(f"/iiif/image/3/{photo}/full/max/0/default.jpg").status_code == 404

    manifest = anonymous.get(f"/iiif/presentation/3/{w.painting}/manifest")
    assert manifest.status_code == 200
    record = anonymous.get(f"/items/{w.painting}").get_data(as_text=True)
    item = anonymous.get(f"/api/items/{w.painting}").get_json()
    assert len(item["files"]) == 1 and item["files"][0]["role"] == "master"
    search = anonymous.get("/api/items?q=painting").get_data(as_text=True)
    out = tmp_path / "export.csv"
    bag = tmp_path / "bag"
    premis = tmp_path / "mets.xml"
    for args in (
        ["--collection", "museum", "--format", "csv", "-o", str(out)],
        ["--collection", "museum", "--format", "bagit", "-o", str(bag)],
        ["--item", w.painting, "--format", "mets-premis", "-o", str(premis)],
    ):
        done = runner.invoke(main, ["export", *args])
        assert done.exit_code == 0, done.output
    exported = out.read_text() + premis.read_text()
    exported += "".join(p.name + p.read_text(errors="replace") for p in bag.rglob("*") if p.is_file())
    for published in (manifest.get_data(as_text=True), record, json.dumps(item), search, exported):
        for photo in photos:
            assert photo not in published
        assert "tear.jpg" not in published and "detail.jpg" not in published
    assert "painting.tif" in exported  # the export did list the item's own file


def test_a_refused_photo_is_named_in_dutch_and_stores_nothing(
    app: Any, runtime: Runtime, w: World, tmp_path: Path
) -> None:
    registrar = _client(app, "registrar")
    refused = registrar.post(
        f"/loans/objects/{w.painting}/condition?lang=nl",
        data={
            "csrf_token": csrf_token(registrar),
            "condition": "poor",
            "photos": [_photo(tmp_path, "good.jpg", 3), (io.BytesIO(b"%PDF-1.4 not a photo\n" * 9), "scan.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    text = re.sub(r"\s+", " ", refused.get_data(as_text=True))
    assert "scan.pdf is Portable Document Format" in text and "niet een van de formaten" in text
    assert _condition_files(runtime) == []
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ConditionCheck)) == 0
    without = registrar.post(
        f"/loans/objects/{w.painting}/condition",
        data={"condition": "poor", "photos": [_photo(tmp_path, "x.jpg", 4)]},
        content_type="multipart/form-data",
    )
    assert without.status_code == 400  # no CSRF token
    assert _condition_files(runtime) == []


def test_a_loans_dispatch_check_takes_photos_and_the_loan_page_shows_them_to_staff(
    app: Any, runtime: Runtime, w: World, tmp_path: Path
) -> None:
    start = date.today() + timedelta(days=10)
    with runtime.transaction() as session:
        loan = loans.create(
            session,
            direction="out",
            party="M Leuven",
            venue=VENUE,
            date_from=start,
            date_to=start + timedelta(days=30),
            items=[w.painting, w.model],
            agent="registrar",
        )
        loan_id = loan.id
    registrar = _client(app, "registrar")
    form = registrar.get(f"/loans/{loan_id}/condition?item={w.model}&lang=en").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and 'name="photos"' in form
    assert "at most 50 MB each" in form
    sent = registrar.post(
        f"/loans/{loan_id}/condition",
        data={
            "csrf_token": csrf_token(registrar),
            "item": w.model,
            "stage": "dispatch",
            "condition": "good",
            "photos": [_photo(tmp_path, "crate.jpg", 5)],
        },
        content_type="multipart/form-data",
    )
    assert sent.status_code == 303, sent.get_data(as_text=True)
    (photo,) = _condition_files(runtime)
    shown = registrar.get(f"/loans/{loan_id}?lang=en").get_data(as_text=True)
    assert f"/iiif/image/3/{photo}/full/!160,160/0/default.jpg" in shown and 'alt="Photograph crate.jpg"' in shown
    other = _client(app, "elders")  # staff of another unit: the loan's objects are not theirs
    seen_by_other = other.get(f"/loans/{loan_id}?lang=en")
    assert seen_by_other.status_code == 200 and photo not in seen_by_other.get_data(as_text=True)
    again = registrar.get(f"/loans/{loan_id}/condition?item={w.model}&lang=en").get_data(as_text=True)
    assert f'value="{photo}"' in again  # an earlier check's photo may be referenced again, by its unit's staff
