"""The image service as a museum's viewer and a hostile client see it: stored tiles sent as they are,
renders cached on disk within a bound, validators (ETag, 304), CORS on everything, limits, bad input."""

from __future__ import annotations

import dataclasses
import io

import pytest
from PIL import Image
from sqlalchemy import select

from heritage.models import File, Item
from heritage.pyramid import Pyramid
from heritage.runtime import Runtime
from heritage.settings import Settings
from iiif.image_service import Limits, choose_scale
from ingest.pipeline import ingest
from tests.helpers import make_image

pytestmark = pytest.mark.db


def _app(settings: Settings, **changes: object):  # type: ignore[no-untyped-def]
    from web import create_app

    rt = Runtime.open(dataclasses.replace(settings, **changes))
    make_image(settings.data_dir.parent / "batch" / "plate" / "p1.png", (1000, 700), seed=4)
    ingest(rt, settings.data_dir.parent / "batch", "plates")
    app = create_app(runtime=rt)
    app.testing = True
    with rt.sessions() as s:
        file = s.scalars(select(File)).one()
        image_id, root = file.id, rt.storage.derivative_dir(file.sha256)
    return app.test_client(), rt, image_id, root


@pytest.fixture
def served(settings: Settings):  # type: ignore[no-untyped-def]
    client, rt, image_id, root = _app(settings)
    yield client, image_id, root, rt
    rt.close()


def test_a_declared_tile_is_the_stored_file_with_validators(served) -> None:  # type: ignore[no-untyped-def]
    client, image_id, root, _ = served
    response = client.get(f"/iiif/image/3/{image_id}/256,256,256,256/256,/0/default.jpg")
    assert response.status_code == 200
    assert response.data == (root / "tiles" / "1" / "1_1.jpg").read_bytes()
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert (
        f'/iiif/image/3/{image_id}/256,256,256,256/256,256/0/default.jpg>;rel="canonical"' in response.headers["Link"]
    )
    assert '<http://iiif.io/api/image/3/level2.json>;rel="profile"' in response.headers["Link"]
    etag = response.headers["ETag"]
    again = client.get(
        f"/iiif/image/3/{image_id}/256,256,256,256/256,256/0/default.jpg", headers={"If-None-Match": etag}
    )
    assert again.status_code == 304 and again.data == b"" and again.headers["Access-Control-Allow-Origin"] == "*"
    # the edge tile of the coarsest-but-one level, asked as OpenSeadragon asks (w,h)
    edge = client.get(f"/iiif/image/3/{image_id}/512,512,488,188/244,94/0/default.jpg")
    assert edge.status_code == 200 and edge.data == (root / "tiles" / "2" / "1_1.jpg").read_bytes()


def test_renders_are_cached_on_disk_and_answered_from_there(served, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    client, image_id, _, _ = served
    url = f"/iiif/image/3/{image_id}/pct:10,10,50,50/!300,300/90/gray.png"
    first = client.get(url)
    assert first.status_code == 200
    im = Image.open(io.BytesIO(first.data))
    assert (im.mode, im.size) == ("L", (210, 300))
    cached = list((settings.data_dir / "cache" / "iiif").rglob("*.png"))
    assert len(cached) == 1 and cached[0].read_bytes() == first.data
    assert client.get(url).data == first.data
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert f'/iiif/image/3/{image_id}/100,70,500,350/300,210/90/gray.png>;rel="canonical"' in first.headers["Link"]


def test_the_render_cache_stays_within_its_bound(settings: Settings) -> None:
    client, rt, image_id, _ = _app(settings, iiif_cache_mb=1)
    try:
        for width in range(300, 700, 10):  # 40 distinct PNG renders of roughly 100-500 KB
            assert client.get(f"/iiif/image/3/{image_id}/full/{width},/0/default.png").status_code == 200
        files = [p for p in (settings.data_dir / "cache" / "iiif").rglob("*") if p.is_file()]
        total = sum(p.stat().st_size for p in files)
        assert 0 < total <= 1.1 * 1024 * 1024 + 600_000, total  # the bound, plus at most one trim interval
        assert len(files) < 40
        # a render larger than the whole bound is answered from memory, every time, and never kept
        big = client.get(f"/iiif/image/3/{image_id}/full/^2000,/0/default.tif")
        assert big.status_code == 200 and len(big.data) > 1024 * 1024
        assert Image.open(io.BytesIO(big.data)).size == (2000, 1400)
        assert int(big.headers["Content-Length"]) == len(big.data)
        again = client.get(f"/iiif/image/3/{image_id}/full/^2000,/0/default.tif")
        assert again.status_code == 200 and again.data == big.data
        assert _cache_bytes(settings) <= 1.1 * 1024 * 1024 + 600_000
    finally:
        rt.close()


def _cache_bytes(settings: Settings) -> int:
    """Every byte under the cache folder, whatever its name."""
    return sum(p.stat().st_size for p in (settings.data_dir / "cache" / "iiif").rglob("*") if p.is_file())


def test_every_file_in_the_render_cache_counts_against_its_bound(settings: Settings) -> None:
    """What a writer killed mid-render leaves (its temporary file) and every variant of one request (format,
    quality, rotation) count against HERITAGE_IIIF_CACHE_MB like any entry, and go oldest first."""
    import os

    client, rt, image_id, _ = _app(settings, iiif_cache_mb=1)
    try:
        leftover = settings.data_dir / "cache" / "iiif" / "ab" / ".part-killed"
        leftover.parent.mkdir(parents=True)
        leftover.write_bytes(os.urandom(1_500_000))  # as a worker killed while writing a big render leaves it
        os.utime(leftover, (1, 1))
        for variant in ("default.png", "gray.png", "default.tif", "bitonal.png", "color.webp", "default.gif"):
            for rotation in ("0", "!0", "90", "45"):
                url = f"/iiif/image/3/{image_id}/full/600,/{rotation}/{variant}"
                assert client.get(url).status_code == 200, url
        assert not leftover.exists()
        assert 0 < _cache_bytes(settings) <= 1.1 * 1024 * 1024 + 600_000, _cache_bytes(settings)
    finally:
        rt.close()


def test_limits_are_announced_and_kept(settings: Settings) -> None:
    client, rt, image_id, _ = _app(settings, iiif_max_width=500, iiif_max_area=200_000)
    try:
        info = client.get(f"/iiif/image/3/{image_id}/info.json").get_json()
        assert (info["maxWidth"], info["maxArea"]) == (500, 200_000)
        assert all(s["width"] <= 500 and s["width"] * s["height"] <= 200_000 for s in info["sizes"])
        full = client.get(f"/iiif/image/3/{image_id}/full/max/0/default.jpg")
        assert Image.open(io.BytesIO(full.data)).size == (500, 350)
        assert f"/iiif/image/3/{image_id}/full/max/0/default.jpg>" in full.headers["Link"]
        too_wide = client.get(f"/iiif/image/3/{image_id}/full/600,/0/default.jpg")
        assert (
            too_wide.status_code == 400 and "larger than this server allows" in too_wide.get_json()["error"]["message"]
        )
    finally:
        rt.close()


def test_the_bounds_hold_after_rotation(settings: Settings) -> None:
    """`max` turned by any angle is drawn within maxArea and maxWidth (the turned image is what is sent); an
    explicit or upscaled size whose turned image would pass them is a 400."""
    client, rt, image_id, _ = _app(settings, iiif_max_width=500, iiif_max_area=200_000)
    try:
        for url in ("full/max/45/default.png", "full/^max/45/default.png", "full/max/30/gray.jpg",
                    "full/max/300/default.webp", "square/max/!135/default.tif", "full/max/90/default.png"):  # fmt: skip
            response = client.get(f"/iiif/image/3/{image_id}/{url}")
            assert response.status_code == 200, (url, response.get_data(as_text=True))
            width, height = Image.open(io.BytesIO(response.data)).size
            assert width <= 500 and width * height <= 200_000, (url, width, height)
            assert width * height > 150_000, (url, width, height)  # as large as fits, not needlessly small
        turned = client.get(f"/iiif/image/3/{image_id}/full/max/45/default.png")
        assert f"/iiif/image/3/{image_id}/full/max/45/default.png>" in turned.headers["Link"]
        for url in ("full/^440,308/45/default.png", "full/440,/45/default.jpg", "full/pct:44/30/default.jpg",
                    "full/!500,500/45/default.webp"):  # fmt: skip
            refused = client.get(f"/iiif/image/3/{image_id}/{url}")
            assert refused.status_code == 400, url
            assert "larger than this server allows" in refused.get_json()["error"]["message"], url
        assert client.get(f"/iiif/image/3/{image_id}/full/440,/0/default.jpg").status_code == 200  # unturned, it fits
    finally:
        rt.close()


def test_upscaling_needs_the_caret_and_says_so_in_the_canonical_link(served) -> None:  # type: ignore[no-untyped-def]
    client, image_id, _, _ = served
    assert client.get(f"/iiif/image/3/{image_id}/0,0,100,100/200,/0/default.jpg").status_code == 400
    up = client.get(f"/iiif/image/3/{image_id}/0,0,100,100/^200,/0/default.jpg")
    assert Image.open(io.BytesIO(up.data)).size == (200, 200)
    assert "/0,0,100,100/^200,200/0/default.jpg>" in up.headers["Link"]


def test_no_request_allocates_more_than_the_work_budget() -> None:
    """A distorted request over a huge image is assembled from a level that fits in 4 x maxArea."""
    pyramid = Pyramid(40000, 30000, 256)
    limits = Limits(max_area=1_000_000)
    for box, out in [
        ((0, 0, 40000, 30000), (40000, 1)),
        ((0, 0, 40000, 30000), (1000, 750)),
        ((0, 0, 256, 256), (256, 256)),
    ]:
        scale = choose_scale(pyramid, box, out, limits.work_pixels)
        level_pixels = (-(-box[2] // scale) + 1) * (-(-box[3] // scale) + 1)
        assert level_pixels <= limits.work_pixels, (box, out, scale)
    assert choose_scale(pyramid, (0, 0, 256, 256), (256, 256), limits.work_pixels) == 1


def test_a_closed_item_has_no_images_and_errors_carry_cors(served) -> None:  # type: ignore[no-untyped-def]
    _client, image_id, _, rt = served
    with rt.transaction() as s:
        s.scalars(select(Item)).one().access = "closed"
    from web import create_app

    fresh = create_app(runtime=rt).test_client()  # a new process's resolver: nothing remembered
    for path in ("info.json", "full/max/0/default.jpg", "0,0,256,256/256,/0/default.jpg"):
        response = fresh.get(f"/iiif/image/3/{image_id}/{path}")
        assert response.status_code == 404, path
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.get_json()["error"]["status"] == 404


HOSTILE = [
    "/iiif/image/3/..%2F..%2F..%2Fetc%2Fpasswd/info.json",
    "/iiif/image/3/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/iiif/image/3/..%252F..%252Fetc/info.json",
    "/iiif/image/3/{id}/full/max/0/default.jpg%00.png",
    "/iiif/image/3/{id}/full/max/0/default.jpg/..",
    "/iiif/image/3/{id}/-10,0,100,100/max/0/default.jpg",
    "/iiif/image/3/{id}/2000,0,10,10/max/0/default.jpg",
    "/iiif/image/3/{id}/full/pct:100000/0/default.jpg",
    "/iiif/image/3/{id}/full/^pct:100000/0/default.jpg",
    "/iiif/image/3/{id}/full/100000,100000/0/default.jpg",
    "/iiif/image/3/{id}/full/^100000,100000/0/default.jpg",
    "/iiif/image/3/{id}/full/^!100000,100000/0/default.jpg",
    "/iiif/image/3/{id}/full/0,0/0/default.jpg",
    "/iiif/image/3/{id}/pct:99.99999,99.99999,0.0000001,0.0000001/max/0/default.jpg",
    "/iiif/image/3/{id}/full/max/-90/default.jpg",
    "/iiif/image/3/{id}/full/max/0/default.bmp",
    "/iiif/image/3/{id}/full/max/0/default.",
    "/iiif/image/3/{id}/full/max/0/.jpg",
    "/iiif/image/3/{id}/full/max/0/default.jpg.jpg",
    "/iiif/image/3/{id}/" + "9" * 5000 + ",0,1,1/max/0/default.jpg",
    "/iiif/image/3/" + "a" * 5000 + "/info.json",
    "/iiif/image/3/{id}/full/max/0/default.pdf",
]


def test_hostile_requests_get_a_4xx_or_501_with_cors_never_a_500(served) -> None:  # type: ignore[no-untyped-def]
    client, image_id, _, _ = served
    wrong = {}
    for template in HOSTILE:
        response = client.get(template.replace("{id}", image_id))
        ok = 400 <= response.status_code < 500 or response.status_code == 501
        if not ok or response.headers.get("Access-Control-Allow-Origin") != "*" or b"root:" in response.data:
            wrong[template] = response.status_code
    assert wrong == {}


def test_a_region_past_the_edge_is_cropped_to_the_image(served) -> None:  # type: ignore[no-untyped-def]
    client, image_id, _, _ = served
    response = client.get(f"/iiif/image/3/{image_id}/900,600,100000,100000/max/0/default.jpg")
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.data)).size == (100, 100)
    assert "/900,600,100,100/100,100/0/default.jpg>" in response.headers["Link"]


def test_any_request_path_gets_a_status_the_spec_allows(served) -> None:  # type: ignore[no-untyped-def]
    """Fuzz the four segments over HTTP: 200, 400, 404 or 501, always with CORS, never a 500."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    client, image_id, _, _ = served
    part = st.one_of(
        st.text(alphabet="0123456789,.:!^%pctfulsqaremx-", min_size=1, max_size=16),
        st.sampled_from(["full", "square", "max", "^max", "pct:50", "!100,100", "0", "90", "!45", "0,0,300,300"]),
    )
    quality = st.sampled_from(["default", "color", "gray", "bitonal", "grey", "x"])
    fmt = st.sampled_from(["jpg", "png", "webp", "tif", "gif", "jp2", "pdf", "bmp", ""])

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(part, part, part, quality, fmt)
    def check(region: str, size: str, rotation: str, q: str, f: str) -> None:
        from urllib.parse import quote

        path = "/".join(quote(p, safe=",:!^") for p in (region, size, rotation)) + f"/{q}.{f}"
        response = client.get(f"/iiif/image/3/{image_id}/{path}")
        assert response.status_code in (200, 400, 404, 501), (path, response.status_code)
        assert response.headers["Access-Control-Allow-Origin"] == "*"

    check()


def test_the_stored_tile_fast_path_answers_like_the_iiif_route(served) -> None:  # type: ignore[no-untyped-def]
    """The first request of an image goes through Flask (and its access rules); repeats take the fast path."""
    client, image_id, root, _ = served
    url = f"/iiif/image/3/{image_id}/512,0,256,256/256,/0/default.jpg"
    through_flask = client.get(url)
    fast = client.get(url)
    assert "Last-Modified" in through_flask.headers and "Last-Modified" not in fast.headers  # two paths taken
    compared = ("Content-Type", "Content-Length", "ETag", "Cache-Control", "Link", "Access-Control-Allow-Origin",
                "X-Content-Type-Options")  # fmt: skip
    assert {h: fast.headers.get(h) for h in compared} == {h: through_flask.headers.get(h) for h in compared}
    assert fast.data == through_flask.data == (root / "tiles" / "1" / "2_0.jpg").read_bytes()
    not_modified = client.get(url, headers={"If-None-Match": fast.headers["ETag"]})
    assert not_modified.status_code == 304 and not_modified.headers["ETag"] == fast.headers["ETag"]
    assert not_modified.headers["Access-Control-Allow-Origin"] == "*"
    # requests the fast path does not answer still get Flask's answers
    assert client.get(f"/iiif/image/3/{image_id}/512,0,256,256/256,/0/sepia.jpg").status_code == 400
    assert client.get(f"/iiif/image/3/{image_id}/512,0,256,256/128,/0/default.jpg").status_code == 200
