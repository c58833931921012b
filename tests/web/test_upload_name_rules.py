"""The rules for uploaded names on their own: any list of names gives stored paths inside the upload's
folder, in NFC and distinct as files on the data directory's file system, or a refusal naming one of them."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from web.upload_names import Limits, RefusedName, plan_names, shown, stored_parts

FOLDER = Path("/srv/heritage/uploads/0123456789abcdef")
REASONS = {
    "encoding",
    "control",
    "absolute",
    "traversal",
    "empty",
    "name_too_long",
    "path_too_long",
    "path_too_many_chars",
    "collision",
}
WHYS = {"twice", "nfc", "case", "spelling", "file_and_folder"}
# names built from what makes names interesting: separators, dots, accents both ways, capitals, controls
PIECES = st.sampled_from(
    ["a", "A", "é", "e\u0301", "日本", ".", "..", "/", "\\", "//", "C:", "\x00", "\n", " ", "x" * 90]
)
NAMES = st.lists(st.lists(PIECES, min_size=1, max_size=6).map("".join) | st.text(max_size=40), min_size=1, max_size=6)


@given(NAMES, st.booleans())
def test_any_names_are_stored_inside_the_folder_distinctly_or_refused_by_name(names: list[str], fold: bool) -> None:
    limits = Limits(case_insensitive=fold)
    try:
        planned = plan_names(names, FOLDER, limits)
    except RefusedName as exc:
        assert exc.reason in REASONS and exc.name in names
        assert exc.reason != "collision" or (exc.other in names and exc.why in WHYS)
        return
    assert len(planned) == len(names)
    keys = set()
    for parts in planned:
        path = "/".join(parts)
        assert all(p not in ("", ".", "..") and "/" not in p and "\\" not in p for p in parts)
        assert not any(unicodedata.category(c) == "Cc" for c in path)
        assert unicodedata.is_normalized("NFC", path)
        assert PurePosixPath(os.path.normpath(FOLDER.joinpath(*parts))).is_relative_to(FOLDER)
        assert all(len(p.encode()) <= limits.name_bytes for p in parts) and len(path) <= limits.path_chars
        keys.add(path.casefold() if fold else path)
    assert len(keys) == len(planned)  # no two files on one name
    files = {tuple(k.split("/")) for k in keys}
    assert not any(f[:depth] in files for f in files for depth in range(1, len(f)))  # no file is another's folder


def test_names_are_kept_as_uploaded_in_nfc() -> None:
    assert stored_parts("Liège.jpg") == ("Liège.jpg",)
    assert stored_parts("日本語.jpg") == ("日本語.jpg",)
    assert stored_parts(unicodedata.normalize("NFD", "map/Liège.jpg")) == ("map", "Liège.jpg")
    assert stored_parts("map\\sub\\scan 1.tif") == ("map", "sub", "scan 1.tif")
    assert stored_parts("map/./scan.tif") == ("map", "scan.tif")
    assert plan_names(["map/é.jpg", "map/e.jpg"], FOLDER, Limits()) == [("map", "é.jpg"), ("map", "e.jpg")]


def test_capitals_collide_only_where_the_file_system_ignores_them() -> None:
    assert plan_names(["Scan.jpg", "scan.jpg"], FOLDER, Limits()) == [("Scan.jpg",), ("scan.jpg",)]
    with pytest.raises(RefusedName) as refused:
        plan_names(["map/Scan.jpg", "MAP/scan.JPG"], FOLDER, Limits(case_insensitive=True))
    assert (refused.value.reason, refused.value.name, refused.value.other) == (
        "collision",
        "map/Scan.jpg",
        "MAP/scan.JPG",
    )


def test_the_limits_are_read_from_the_file_system(tmp_path: Path) -> None:
    limits = Limits.of(tmp_path)
    assert limits.name_bytes == os.pathconf(tmp_path, "PC_NAME_MAX") and limits.path_bytes > limits.name_bytes
    assert limits.case_insensitive is False  # Linux file systems tell capitals apart
    assert list(tmp_path.iterdir()) == []  # the probe leaves nothing behind


def test_a_long_or_strange_name_is_shown_short_and_visible() -> None:
    assert shown("a\x00b\x1b.jpg") == "a\\x00b\\x1b.jpg"
    long = shown("x" * 5000)
    assert len(long) < 100 and long.endswith("(5000 characters)")


@pytest.mark.parametrize(
    ("names", "why"),
    [
        (["a.jpg", "a.jpg"], "twice"),
        (["é.jpg", unicodedata.normalize("NFD", "é.jpg")], "nfc"),
        (["map/x.jpg", "map//x.jpg"], "spelling"),
        (["map/x.jpg", "map\\x.jpg"], "spelling"),
        (["map/a", "map/a/b.jpg"], "file_and_folder"),
        (["map/a/b.jpg", "map/a"], "file_and_folder"),
    ],
)
def test_a_collision_says_why_the_two_names_are_one(names: list[str], why: str) -> None:
    with pytest.raises(RefusedName) as refused:
        plan_names(names, FOLDER, Limits())
    assert (refused.value.name, refused.value.other, refused.value.why) == (names[0], names[1], why)
