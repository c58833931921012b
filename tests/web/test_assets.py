"""Viewer assets: installed by an explicit command, served at /assets/, and pages that degrade without them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from heritage.cli import main
from heritage.models import Item
from heritage.runtime import Runtime
from heritage.settings import Settings
from ingest.pipeline import ingest
from tests.helpers import make_image

pytestmark = pytest.mark.db


def _item_with_image(runtime: Runtime, tmp_path: Path) -> str:
    make_image(tmp_path / "batch" / "plate" / "p1.png", (900, 600), seed=2)
    ingest(runtime, tmp_path / "batch", "plates")
    with runtime.sessions() as s:
        return s.scalars(select(Item.id)).one()


def test_without_assets_pages_show_a_plain_image(client, runtime: Runtime, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    item_id = _item_with_image(runtime, tmp_path)
    missing = client.get("/assets/openseadragon/openseadragon.min.js")
    assert missing.status_code == 404
    assert "heritage assets install" in missing.get_data(as_text=True)
    page = client.get(f"/embed/{item_id}").get_data(as_text=True)
    assert "openseadragon.min.js" not in page
    assert '/full/!1200,1200/0/default.jpg"' in page
    result = CliRunner(env=runtime.settings.as_env()).invoke(main, ["assets", "list"])
    assert result.exit_code == 0 and "openseadragon 6.1.1: not installed" in result.output


@pytest.fixture
def assets_client(settings: Settings, viewer_assets_dir: Path):  # type: ignore[no-untyped-def]
    from web import create_app

    rt = Runtime.open(dataclasses.replace(settings, assets_dir=viewer_assets_dir))
    app = create_app(runtime=rt)
    app.testing = True
    yield app.test_client(), rt
    rt.close()


def test_installed_assets_are_served_and_used(assets_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client, rt = assets_client
    item_id = _item_with_image(rt, tmp_path)
    script = client.get("/assets/openseadragon/openseadragon.min.js")
    assert script.status_code == 200 and "javascript" in script.headers["Content-Type"]
    assert b"OpenSeadragon" in script.data
    assert client.get("/assets/mirador/mirador.min.js").status_code == 200
    assert client.get("/assets/openseadragon/images/home_rest.png").status_code == 200
    for hostile in (
        "/assets/openseadragon/../../package.json",
        "/assets/openseadragon/%2e%2e/%2e%2e/package.json",
        "/assets/nosuch/x.js",
    ):
        assert client.get(hostile).status_code == 404, hostile

    embed = client.get(f"/embed/{item_id}")
    assert embed.status_code == 200 and "X-Frame-Options" not in embed.headers
    page = embed.get_data(as_text=True)
    assert '<script src="/assets/openseadragon/openseadragon.min.js">' in page
    assert "/iiif/image/3/" in page and "/assets/openseadragon/images/" in page
    mirador = client.get(f"/embed/{item_id}?viewer=mirador").get_data(as_text=True)
    assert "/assets/mirador/mirador.min.js" in mirador and f"/iiif/presentation/3/{item_id}/manifest" in mirador

    record = client.get(f"/items/{item_id}").get_data(as_text=True)
    manifest = f"http://localhost/iiif/presentation/3/{item_id}/manifest"
    assert f'href="{manifest}?manifest=http%3A//localhost/iiif/presentation/3/{item_id}/manifest"' in record
    assert f'<iframe src="http://localhost/embed/{item_id}" width="800" height="600"' in record


def test_install_without_npm_says_what_is_missing(settings: Settings, tmp_path: Path) -> None:
    env = {**settings.as_env(), "HERITAGE_ASSETS": str(tmp_path / "assets"), "PATH": str(tmp_path / "empty")}
    result = CliRunner(env=env).invoke(main, ["assets", "install"])
    assert result.exit_code == 1
    assert "npm is not on PATH" in result.output
    assert not (tmp_path / "assets").exists()
