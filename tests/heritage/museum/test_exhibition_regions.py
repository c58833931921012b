"""An image region of a story page, as a curator types it: `full` or x,y,w,h inside the image, or a named error."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from heritage.errors import BadRequest
from heritage.models import File
from heritage.museum.exhibitions import REGION, _region

IMAGE = File(width=2000, height=3000)


@given(st.text(max_size=40))
def test_any_text_is_a_region_inside_the_image_or_a_named_error(text: str) -> None:
    try:
        region = _region(text, IMAGE, "page 1: image 1")
    except BadRequest as exc:
        assert str(exc).startswith("page 1: image 1: region")
        return
    if region != "full":
        match = REGION.match(region)
        assert match is not None
        x, y, w, h = (int(g) for g in match.groups())
        assert w > 0 and h > 0 and x + w <= 2000 and y + h <= 3000


@given(st.integers(0, 2500), st.integers(0, 3500), st.integers(0, 2500), st.integers(0, 3500))
def test_numbers_inside_the_image_are_kept_as_typed(x: int, y: int, w: int, h: int) -> None:
    text = f"{x},{y},{w},{h}"
    inside = w > 0 and h > 0 and x + w <= 2000 and y + h <= 3000
    try:
        assert _region(text, IMAGE, "here") == text and inside
    except BadRequest:
        assert not inside
