"""Image API 3.0 parameters: every form parses to its canonical value; anything else is a named error."""

from __future__ import annotations

import pytest

from iiif.errors import IIIFError, NotImplementedFeature, ParameterError
from iiif.parameters import ImageRequest, Region, Rotation, Size, rotated_bounds


@pytest.mark.parametrize(
    ("text", "resolved"),
    [
        ("full", (0, 0, 1000, 800)),
        ("square", (100, 0, 800, 800)),
        ("10,20,30,40", (10, 20, 30, 40)),
        ("pct:10,10,50,50", (100, 80, 500, 400)),
        ("900,700,500,500", (900, 700, 100, 100)),
    ],
)
def test_regions(text: str, resolved: tuple[int, int, int, int]) -> None:
    assert Region.parse(text).resolve(1000, 800) == resolved


@pytest.mark.parametrize("text", ["", "0,0,0,10", "1,2,3", "-1,0,10,10", "pct:101,0,1,1", "a,b,c,d", "full "])
def test_bad_regions(text: str) -> None:
    with pytest.raises(ParameterError):
        Region.parse(text)


def test_region_outside_image_is_400() -> None:
    with pytest.raises(ParameterError, match="outside"):
        Region.parse("1000,0,10,10").resolve(1000, 800)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("max", (400, 200)),
        ("200,", (200, 100)),
        (",100", (200, 100)),
        ("pct:50", (200, 100)),
        ("100,100", (100, 100)),
        ("!100,100", (100, 50)),
        ("^800,", (800, 400)),
        ("^pct:150", (600, 300)),
        ("^max", (400, 200)),
    ],
)
def test_sizes(text: str, size: tuple[int, int]) -> None:
    assert Size.parse(text).resolve(400, 200) == size


@pytest.mark.parametrize("text", ["full", "0,", ",0", "pct:0", "pct:101", "!100,", ",", "abc", "1.5,"])
def test_bad_sizes(text: str) -> None:
    with pytest.raises(ParameterError):
        Size.parse(text)


def test_upscaling_without_caret_is_400() -> None:
    with pytest.raises(ParameterError, match="\\^"):
        Size.parse("800,").resolve(400, 200)


def test_max_area_limits_max_and_refuses_bigger_explicit_sizes() -> None:
    assert Size.parse("max").resolve(4000, 4000, max_area=1_000_000) == (1000, 1000)
    with pytest.raises(ParameterError, match="larger than this server allows"):
        Size.parse("^100000,100000").resolve(4000, 4000, max_area=1_000_000)


def _within(size: tuple[int, int], degrees: float, max_area: int, max_width: int | None = None) -> bool:
    w, h = rotated_bounds(*size, degrees)
    return w * h <= max_area and (max_width is None or w <= max_width)


@pytest.mark.parametrize("degrees", [45, 30, 1, 89.5, 135, 200, 315])
def test_the_bounds_hold_for_the_rotated_image(degrees: float) -> None:
    """The image sent is the turned one: `max` is drawn as large as fits in maxArea (and maxWidth) once turned;
    an explicit size whose turned image would not fit is refused, as it would be unturned."""
    area = 16_777_216
    size = Size.parse("max").resolve(4096, 4096, max_area=area, degrees=degrees)
    assert _within(size, degrees, area) and size[0] == size[1] and size[0] > 2800
    assert not _within((size[0] + 2, size[1] + 2), degrees, area)  # as large as fits, give or take rounding
    wide = Size.parse("max").resolve(6000, 2000, max_area=area, max_width=3000, degrees=degrees)
    assert _within(wide, degrees, area, 3000) and abs(wide[0] / wide[1] - 3) < 0.01
    for text in ("^4096,4096", "4096,", "pct:100", "4096,4096", "!4096,4096"):
        with pytest.raises(ParameterError, match="larger than this server allows"):
            Size.parse(text).resolve(4096, 4096, max_area=area, degrees=degrees)
    assert Size.parse("^2000,2000").resolve(4096, 4096, max_area=area, degrees=degrees) == (2000, 2000)


@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
def test_right_angles_only_swap_the_sides(degrees: float) -> None:
    turned = rotated_bounds(400, 200, degrees)
    assert turned == ((200, 400) if degrees in (90, 270) else (400, 200))
    assert Size.parse("max").resolve(4000, 2000, max_area=2_000_000, degrees=degrees) == (2000, 1000)


@pytest.mark.parametrize(("text", "canonical"), [("0", "0"), ("90.0", "90"), ("!22.50", "!22.5"), ("360", "0")])
def test_rotations(text: str, canonical: str) -> None:
    assert Rotation.parse(text).canonical() == canonical


@pytest.mark.parametrize("text", ["-90", "361", "abc", "!", "1e3"])
def test_bad_rotations(text: str) -> None:
    with pytest.raises(ParameterError):
        Rotation.parse(text)


def test_quality_and_format() -> None:
    request = ImageRequest.parse("full", "max", "0", "gray.png")
    assert (request.quality, request.format, request.media_type) == ("gray", "png", "image/png")
    with pytest.raises(ParameterError):
        ImageRequest.parse("full", "max", "0", "sepia.jpg")
    with pytest.raises(ParameterError):
        ImageRequest.parse("full", "max", "0", "default.exe")
    with pytest.raises(NotImplementedFeature):
        ImageRequest.parse("full", "max", "0", "default.jp2")


@pytest.mark.parametrize(
    "segments", [("..", "max", "0", "default.jpg"), ("full", "max", "0", "default"), ("%2F", "%2F", "%2F", "%2F")]
)
def test_only_named_errors(segments: tuple[str, str, str, str]) -> None:
    with pytest.raises(IIIFError):
        ImageRequest.parse(*segments)


# Any text in any segment parses to a value or raises one of our named errors; nothing else escapes,
# and whatever parses also plans against an image or raises a named error (never an arithmetic error).
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SEGMENT_ALPHABET = "0123456789,.:!^%pctfulsqaremxdjgn-/ "
segment = st.one_of(
    st.text(alphabet=SEGMENT_ALPHABET, max_size=24),
    st.text(max_size=12),
    st.sampled_from(["full", "square", "max", "^max", "pct:50", "!100,100", "0", "!90", "default.jpg", "gray.png"]),
    st.integers(min_value=0, max_value=10**30).map(str),
    st.tuples(st.integers(0, 10**12), st.integers(0, 10**12)).map(lambda t: f"{t[0]},{t[1]}"),
)


@settings(max_examples=400, deadline=None)
@given(segment, segment, segment, segment, st.integers(1, 50000), st.integers(1, 50000))
def test_any_segments_give_a_value_or_a_named_error(
    region: str, size: str, rotation: str, qf: str, w: int, h: int
) -> None:
    try:
        request = ImageRequest.parse(region, size, rotation, qf)
    except IIIFError:
        return
    try:
        x, y, rw, rh = request.region.resolve(w, h)
        ow, oh = request.size.resolve(rw, rh, max_area=16_777_216, degrees=request.rotation.degrees)
    except ParameterError:
        return
    assert 0 <= x < w and 0 <= y < h and 0 < rw <= w and 0 < rh <= h
    turned_w, turned_h = rotated_bounds(ow, oh, request.rotation.degrees)
    assert 0 < ow * oh <= turned_w * turned_h <= 16_777_216
    assert Size.parse(request.size.canonical()) == request.size
    assert Rotation.parse(request.rotation.canonical()) == request.rotation


@pytest.mark.parametrize("text", ["1" * 5000 + ",0,10,10", "0,0," + "9" * 400 + ",1", "pct:" + "1" * 500 + ",0,1,1"])
def test_absurdly_long_numbers_are_400(text: str) -> None:
    with pytest.raises(ParameterError):
        Region.parse(text)
    with pytest.raises(ParameterError):
        Size.parse("9" * 5000 + ",")


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 300), st.integers(1, 300), st.one_of(st.sampled_from([0, 45, 90, 135, 180, 270, 359.9]),
       st.floats(0, 360, allow_nan=False).map(lambda d: round(d, 3))))  # fmt: skip
def test_the_bounds_hold_the_image_pillow_turns(w: int, h: int, degrees: float) -> None:
    """`rotated_bounds` is never smaller than what the renderer's rotation makes, and at most two pixels larger."""
    from PIL import Image

    from iiif.image_service import rotate

    made = rotate(Image.new("L", (w, h)), degrees, "jpg").size
    bound = rotated_bounds(w, h, degrees)
    assert made[0] <= bound[0] <= made[0] + 2 and made[1] <= bound[1] <= made[1] + 2, (made, bound)
