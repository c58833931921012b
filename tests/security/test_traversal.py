"""Path traversal in every path parameter (IIIF identifiers and their region, size, rotation and
quality segments, viewer assets, static files, masterplan figures, item and batch ids, uploaded file names),
plain and encoded (`%2e%2e%2f`, `..%5c`, double encoding): 400 or 404, and no byte of a file outside what
the route serves (the secret key, a file beside the data directory, /etc/passwd). An uploaded name that
leaves its folder, is absolute or holds a control character refuses the whole upload by that name."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.helpers import csrf_token
from tests.security.conftest import data_dir
from tests.security.hostile import Hostile

pytestmark = pytest.mark.db

CANARY = "CANARY-c4e1b7-outside"
# ways of writing "../" (and the Windows "..\") that a decoder at some layer might turn back into one
UPS = ["../", "..%2f", "%2e%2e/", "%2e%2e%2f", "..%5c", "..\\", "%252e%252e%252f", "..%252f", "%c0%ae%c0%ae/", "....//"]
TARGETS = ["etc/passwd", "canary.txt", "data/secret_key", "secret_key"]


def escapes(depth: int = 6) -> list[str]:
    return [up * depth + target for up in UPS for target in TARGETS] + ["/etc/passwd", "%2fetc%2fpasswd"]


@pytest.fixture(scope="module")
def canaries(site: Hostile) -> list[str]:
    """Files a traversal would reach: one beside the data directory, one in it, and the secret key."""
    data = data_dir(site)
    (data.parent / "canary.txt").write_text(CANARY, encoding="utf-8")
    (data / "canary.txt").write_text(CANARY, encoding="utf-8")
    return [CANARY, (data / "secret_key").read_text(encoding="utf-8").strip(), "root:x:0:0"]


def assert_refused(response, canaries: list[str], url: str) -> None:  # type: ignore[no-untyped-def]
    if response.status_code == 308:  # werkzeug merges a doubled slash: a redirect to our own path, then refused
        assert response.headers["Location"].startswith(("/", "http://localhost/")), response.headers["Location"]
        return
    if response.status_code == 302:  # staff pages send the public to the sign-in form first
        assert "/login?next=" in response.headers["Location"], response.headers["Location"]
        return
    assert response.status_code in (400, 401, 403, 404, 405), (url, response.status_code)
    body = response.get_data(as_text=True)
    assert not any(c in body for c in canaries), url


def image_id(public, site: Hostile) -> str:  # type: ignore[no-untyped-def]
    manifest = public.get(f"/iiif/presentation/3/{site.file}/manifest").get_json()
    return manifest["items"][0]["items"][0]["items"][0]["body"]["service"][0]["id"].rsplit("/", 1)[1]


def test_every_path_parameter_refuses_escapes(public, staff, site: Hostile, canaries: list[str]) -> None:  # type: ignore[no-untyped-def]
    image = image_id(public, site)
    patterns = [
        "/iiif/image/3/{}/info.json",
        "/iiif/image/3/{}",
        "/iiif/image/3/{}/full/max/0/default.jpg",
        f"/iiif/image/3/{image}/{{}}/max/0/default.jpg",
        f"/iiif/image/3/{image}/full/{{}}/0/default.jpg",
        f"/iiif/image/3/{image}/full/max/{{}}/default.jpg",
        f"/iiif/image/3/{image}/full/max/0/{{}}",
        f"/iiif/image/3/{image}/full/max/0/default.{{}}",
        "/iiif/presentation/3/{}/manifest",
        "/iiif/presentation/3/collection/{}",
        "/iiif/presentation/3/{}/collection",
        "/assets/openseadragon/{}",
        "/assets/{}/openseadragon.min.js",
        "/static/{}",
        "/masterplan/figures/{}.csv",
        "/masterplan/figures/holdings.{}",
        "/items/{}",
        "/items/{}/citation.bib",
        "/browse/{}",
        "/embed/{}",
        "/api/items/{}",
        "/api/items/{}/record",
        "/archivist/batches/{}",
        "/archivist/batches/{}.json",
    ]
    for client in (public, staff):  # staff pass the sign-in, so staff routes are tried for real
        for pattern in patterns:
            for escape in escapes():
                url = pattern.format(escape)
                assert_refused(client.get(url), canaries, url)


def test_a_real_file_is_still_served(public, site: Hostile) -> None:  # type: ignore[no-untyped-def]
    """The routes above do serve files: the refusals are not because nothing works."""
    image = image_id(public, site)
    assert public.get(f"/iiif/image/3/{image}/full/max/0/default.jpg").status_code == 200
    assert public.get("/static/style.css").status_code == 200
    assert public.get("/masterplan/figures/holdings.csv").status_code == 200


def test_uploaded_names_leaving_the_folder_are_refused(staff, site: Hostile, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = data_dir(site)
    names = ["../../evil.txt", "..\\..\\evil.txt", "/tmp/evil.txt", "a/../../evil.txt", "../evil.txt"]
    files = [(io.BytesIO(b"evil"), name) for name in names]
    files.append((io.BytesIO(b"identifier,title\nA,Fine\n"), "batch/sheet.csv"))
    response = staff.post(
        "/archivist/upload",
        data={"collection": "uploaded", "files": files, "csrf_token": csrf_token(staff)},
        content_type="multipart/form-data",
    )
    assert response.status_code in (303, 400)
    outside = [p for p in data.parent.rglob("evil.txt") if data not in p.parents]
    assert outside == [] and not (data / "evil.txt").exists() and not (data / "uploads" / "evil.txt").exists()
    assert not Path("/tmp/evil.txt").exists() or Path("/tmp/evil.txt").read_bytes() != b"evil"
    for stored in data.rglob("evil.txt"):  # a name that was made safe stays inside one upload's folder
        assert ".." not in stored.relative_to(data).parts
    page = staff.get(response.headers["Location"]) if response.status_code == 303 else response
    assert "refused" in page.get_data(as_text=True) or response.status_code == 400


# uploaded names that must never be stored, each with (part of) what the refusal says
UNSAFE_UPLOAD_NAMES = {
    "../evil.txt": "leaves the uploaded folder",
    "batch/../../evil.txt": "leaves the uploaded folder",
    "..\\..\\evil.txt": "leaves the uploaded folder",
    "batch/./../../../evil.txt": "leaves the uploaded folder",
    "/tmp/evil.txt": "an absolute path",
    "//server/share/evil.txt": "an absolute path",
    "C:\\Users\\evil.txt": "an absolute path",
    "c:/evil.txt": "an absolute path",
    "batch/a\x00b.txt": "control character",
    "batch/a\x01b.txt": "control character",
    "batch/line\nbreak.txt": "control character",
    "batch/tab\there.txt": "control character",
    "batch/del\x7f.txt": "control character",
    "batch/\x1b[31mred.txt": "control character",
    "batch/c1\x85.txt": "control character",
    "./": "the name is empty",
}


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    """A form as a script can send it: every file name as RFC 5987 `filename*`, so that any character reaches
    the server as it is (a quoted `filename` loses backslashes and line breaks on the way)."""
    from urllib.parse import quote

    boundary = "hostile-boundary-7f3a"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    for name, data in files:
        disposition = f"form-data; name=\"files\"; filename*=UTF-8''{quote(name, safe='')}"
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: application/octet-stream\r\n\r\n"
        parts.append(head.encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_each_unsafe_upload_name_is_refused_by_name_and_nothing_is_kept(staff, site: Hostile) -> None:  # type: ignore[no-untyped-def]
    from web.upload_names import shown

    data = data_dir(site)
    before = sorted((data / "uploads").rglob("*")) if (data / "uploads").exists() else []
    for name, reason in UNSAFE_UPLOAD_NAMES.items():
        body, content_type = multipart(
            {"collection": "uploaded-unsafe", "csrf_token": csrf_token(staff)},
            [("batch/sheet.csv", b"identifier,title\nA,Fine\n"), (name, b"evil")],
        )
        response = staff.post("/archivist/upload?lang=en", data=body, content_type=content_type)
        text = response.get_data(as_text=True)
        assert response.status_code == 400, (name, response.status_code)
        assert shown(name) in text and reason in text, (name, text[-1500:])
    after = sorted((data / "uploads").rglob("*")) if (data / "uploads").exists() else []
    assert after == before  # not even the sheet beside them was kept
    assert [p for p in data.parent.rglob("evil.txt") if data not in p.parents] == []
    assert not Path("/tmp/evil.txt").exists() or Path("/tmp/evil.txt").read_bytes() != b"evil"
