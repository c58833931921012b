"""The leak matrix for an item held back by its ingest (one of its scans was refused): for the public and
for readers it does not exist on any surface, as a closed item; staff of its unit see it. Every surface
of `test_leak_matrix` is asked as a client would ask it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from heritage.catalogue import ensure_unit
from heritage.cli import main
from heritage.models import File, Item
from heritage.runtime import Runtime
from heritage.settings import Settings
from tests.conftest import fresh_database_url
from tests.helpers import ACCESS_WORDS, add_user, make_image, sign_in, write_sheet
from tests.security.test_decompression_bomb import bomb_png
from tests.web.test_leak_matrix import SURFACES, Matrix, _never, _page_xml

pytestmark = pytest.mark.db

CASE = "held_back"
ROLES = ("public", "reader", "archivist_own_unit", "archivist_other_unit", "administrator")
STAFF = {"archivist_own_unit", "administrator"}
# the surfaces that count the leak matrix's fonds and one file per status are asked here by tests of their own
COUNTING = ("collection counts (API)", "subjects as one types, counts (API)")
ASKED = {name: ask for name, (ask, _rule) in SURFACES.items() if name not in COUNTING}
NEVER = {name for name, (_ask, rule) in SURFACES.items() if rule is _never}  # shown to no one, staff included


def held_back_batch(folder: Path) -> Path:
    """A public fonds with a public file whose second scan is a decompression bomb (held back), beside a file
    that goes in whole (so that the fonds has a IIIF collection for the public)."""
    make_image(folder / "scans" / "pagina-1.png", (520, 380), seed=5)
    make_image(folder / "scans" / "heel.png", (520, 380), seed=6)
    (folder / "scans" / "pagina-2.png").write_bytes(bomb_png())
    # its first page's text comes with the batch, so the full-text and IIIF text surfaces have a page to show
    (folder / "scans" / "pagina-1.page.xml").write_text(_page_xml(CASE, "pagina-1.png"), encoding="utf-8")
    word = ACCESS_WORDS[CASE]
    rows = [
        {"identifier": "LEK", "level": "fonds", "title": "Lekproef fonds", "access": "public", "files": ""},
        {
            "identifier": "LEK.1",
            "parent": "LEK",
            "level": "file",
            "title": f"Lekproef achtergehouden zaak{word}",
            "subject": f"onderwerp{word}",
            "date": "1950",
            "access": "public",
            "files": "scans/pagina-1.png|scans/pagina-2.png",
        },
        {"identifier": "LEK.2", "parent": "LEK", "level": "file", "title": "Lekproef heel", "files": "scans/heel.png"},
    ]
    return write_sheet(folder / "sheet.csv", rows).parent


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    from web import create_app

    folder = tmp_path_factory.mktemp("held")
    with fresh_database_url(folder) as url:
        settings = Settings.load({"data_dir": folder / "data", "database_url": url}, environ={})
        runtime = Runtime.open(settings)
        runner = CliRunner(env={**settings.as_env(), "REDIS_URL": ""})
        try:
            batch = held_back_batch(folder / "batch")
            result = runner.invoke(main, ["ingest", str(batch), "--collection", "lek", "--unit", "archief"])
            assert result.exit_code == 1 and "pagina-2.png: decompression bomb" in result.output, result.output
            with runtime.sessions() as s:
                held = s.scalar(select(Item).where(Item.local_id == "LEK.1"))
                assert held is not None and held.held_back is not None
                fonds = s.scalar(select(Item.id).where(Item.local_id == "LEK"))
                image = s.scalar(select(File.id).where(File.item_id == held.id))
                items, images = {CASE: held.id}, {CASE: image}
            with runtime.transaction() as s:
                ensure_unit(s, "bib", "Bibliotheek")
            add_user(runtime, "lezer", "reader")
            add_user(runtime, "ua", "archivist", "archief")
            add_user(runtime, "bibarchivaris", "archivist", "bib")
            add_user(runtime, "beheer", "administrator")
            app = create_app(runtime=runtime)
            app.testing = True
            users = {"reader": "lezer", "archivist_own_unit": "ua", "archivist_other_unit": "bibarchivaris"}
            users["administrator"] = "beheer"
            clients = {"public": app.test_client()}
            for role, username in users.items():
                clients[role] = app.test_client()
                assert sign_in(clients[role], username).status_code == 303
            yield Matrix(runtime, clients, items, images, fonds, runner)
        finally:
            runtime.close()


@pytest.mark.parametrize("surface", list(ASKED))
@pytest.mark.parametrize("role", ROLES)
def test_a_held_back_item_is_seen_by_its_staff_only(matrix: Matrix, role: str, surface: str) -> None:
    shown = ASKED[surface](matrix, matrix.clients[role], CASE)
    public_view = surface in ("sitemap", "OAI-PMH GetRecord", "OAI-PMH ListIdentifiers")
    expected = role in STAFF and not public_view and surface not in NEVER
    assert shown == expected, f"{role} {'should' if expected else 'should not'} see the held-back item on the {surface}"


def test_collection_counts_leave_a_held_back_item_out(matrix: Matrix) -> None:
    for role in ROLES:
        counts = {c["slug"]: c["items"] for c in matrix.clients[role].get("/api/collections").get_json()["collections"]}
        assert counts["lek"] == (3 if role in STAFF else 2), role


def test_suggestions_as_one_types_leave_a_held_back_item_out(matrix: Matrix) -> None:
    word = ACCESS_WORDS[CASE]
    for role in ROLES:
        client = matrix.clients[role]
        asked = client.get(f"/api/suggest?q=onderwerp{word[:2]}&limit=20").get_json()["suggestions"]
        subjects = {s["text"] for s in asked}
        assert (f"onderwerp{word}" in subjects) == (role in STAFF), role
        counts = {s["text"]: s["count"] for s in client.get("/api/suggest?q=lekpro").get_json()["suggestions"]}
        assert counts["lekproef"] == (3 if role in STAFF else 2), (role, counts)  # the fonds, LEK.2, LEK.1 for staff


@pytest.mark.parametrize("fmt", ["csv", "ead", "dc"])
def test_public_exports_leave_a_held_back_item_out(matrix: Matrix, fmt: str, tmp_path: Path) -> None:
    word = ACCESS_WORDS[CASE]
    public, everything = tmp_path / f"public.{fmt}", tmp_path / f"all.{fmt}"
    for out, scope in ((public, "public"), (everything, "all")):
        args = ["export", "--collection", "lek", "--format", fmt, "--scope", scope, "-o", str(out)]
        result = matrix.runner.invoke(main, args)
        assert result.exit_code == 0, result.output
    assert f"zaak{word}" not in public.read_text(encoding="utf-8")
    assert f"zaak{word}" in everything.read_text(encoding="utf-8")
