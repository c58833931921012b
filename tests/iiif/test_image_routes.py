"""The Image API 3 service over HTTP: info.json, declared tiles, full-image sizes, errors and headers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from heritage.models import File
from heritage.runtime import Runtime
from ingest.pipeline import ingest
from tests.helpers import make_image

pytestmark = pytest.mark.db


@pytest.fixture
def image_id(runtime: Runtime, tmp_path: Path) -> str:
    make_image(tmp_path / "batch" / "plate" / "p1.png", (1000, 700), seed=4)
    ingest(runtime, tmp_path / "batch", "plates")
    with runtime.sessions() as s:
        return s.scalars(select(File.id)).one()


def _image(response) -> Image.Image:  # type: ignore[no-untyped-def]
    return Image.open(io.BytesIO(response.data))


def test_info_json(client, image_id: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/iiif/image/3/{image_id}/info.json")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    info = response.get_json()
    assert info["id"] == f"http://localhost/iiif/image/3/{image_id}"
    assert (info["type"], info["profile"], info["width"], info["height"]) == ("ImageService3", "level2", 1000, 700)
    assert info["tiles"] == [{"width": 256, "height": 256, "scaleFactors": [1, 2, 4]}]
    assert info["sizes"][-1] == {"width": 1000, "height": 700}
    ld = client.get(f"/iiif/image/3/{image_id}/info.json", headers={"Accept": "application/ld+json"})
    assert ld.headers["Content-Type"].startswith("application/ld+json")


def test_base_uri_redirects_to_info(client, image_id: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/iiif/image/3/{image_id}")
    assert response.status_code == 303 and response.headers["Location"].endswith("/info.json")


def test_every_declared_tile_answers_with_its_size(client, image_id: str) -> None:  # type: ignore[no-untyped-def]
    info = client.get(f"/iiif/image/3/{image_id}/info.json").get_json()
    width, height, tile = info["width"], info["height"], 256
    for scale in info["tiles"][0]["scaleFactors"]:
        span = tile * scale
        for y in range(0, height, span):
            for x in range(0, width, span):
                w, h = min(span, width - x), min(span, height - y)
                out_w, out_h = -(-w // scale), -(-h // scale)
                for size in (f"{out_w},", f"{out_w},{out_h}"):
                    response = client.get(f"/iiif/image/3/{image_id}/{x},{y},{w},{h}/{size}/0/default.jpg")
                    assert response.status_code == 200, (x, y, w, h, size)
                    assert abs(_image(response).size[1] - out_h) <= 1 and _image(response).size[0] == out_w


def test_full_image_sizes_and_transformations(client, image_id: str) -> None:  # type: ignore[no-untyped-def]
    base = f"/iiif/image/3/{image_id}"
    assert _image(client.get(f"{base}/full/max/0/default.jpg")).size == (1000, 700)
    assert _image(client.get(f"{base}/full/500,/0/default.jpg")).size == (500, 350)
    assert _image(client.get(f"{base}/full/!200,200/0/default.png")).size == (200, 140)
    assert _image(client.get(f"{base}/full/250,/90/default.jpg")).size == (175, 250)
    assert _image(client.get(f"{base}/square/100,/0/gray.jpg")).mode == "L"
    assert _image(client.get(f"{base}/full/100,/0/bitonal.png")).mode == "1"
    reference = _image(client.get(f"{base}/0,0,100,100/max/0/default.png"))
    mirrored = _image(client.get(f"{base}/0,0,100,100/max/!0/default.png"))
    assert reference.getpixel((0, 50)) == mirrored.getpixel((99, 50))
    link = client.get(f"{base}/full/500,/0/default.jpg").headers["Link"]
    assert f'{base}/full/500,350/0/default.jpg>;rel="canonical"' in link


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("full/full/0/default.jpg", 400),
        ("full/2000,/0/default.jpg", 400),
        ("0,0,0,0/max/0/default.jpg", 400),
        ("5000,5000,10,10/max/0/default.jpg", 400),
        ("full/max/0/default.jp2", 501),
        ("full/max/0/sepia.jpg", 400),
        ("full/^100000,100000/0/default.jpg", 400),
        ("full/pct:100000/0/default.jpg", 400),
    ],
)
def test_bad_requests_get_the_status_the_spec_says(client, image_id: str, path: str, status: int) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/iiif/image/3/{image_id}/{path}")
    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("ident", ["nosuchimage0", "..%2F..%2Fetc", "%2e%2e", "a" * 300])
def test_unknown_or_hostile_ids_are_404(client, ident: str) -> None:  # type: ignore[no-untyped-def]
    assert client.get(f"/iiif/image/3/{ident}/info.json").status_code == 404
