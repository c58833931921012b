"""Small builders for test batches: real image files and sheets written to a folder."""

from __future__ import annotations

import contextlib
import csv
import os
import signal
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw


def make_image(path: Path, size: tuple[int, int] = (600, 400), seed: int = 0, fmt: str | None = None) -> Path:
    """A real image with structure (so derivatives and tiles differ from place to place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    im = Image.new("RGB", size, (200 + seed % 50, 190, 170))
    draw = ImageDraw.Draw(im)
    for i in range(0, size[0], 37):
        draw.line([(i, 0), (size[0] - i, size[1])], fill=((i * 7 + seed) % 255, 60, 90), width=3)
    draw.rectangle((10, 10, 60, 40), fill=(seed % 255, 20, 200))
    im.save(path, fmt)
    return path


def write_sheet(path: Path, rows: list[dict[str, str]]) -> Path:
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def small_batch(folder: Path) -> Path:
    """A fonds with a series and two files, the second with two scanned pages."""
    folder.mkdir(parents=True, exist_ok=True)
    make_image(folder / "scans" / "a1.tif", (700, 500), seed=1, fmt="TIFF")
    make_image(folder / "scans" / "b1.jpg", (640, 480), seed=2)
    make_image(folder / "scans" / "b2.png", (300, 900), seed=3)
    write_sheet(
        folder / "sheet.csv",
        [
            {
                "identifier": "F1",
                "parent": "",
                "level": "fonds",
                "title": "Archief van de Pedel",
                "title_en": "Records of the Beadle",
                "date": "1850-1900",
                "files": "",
            },
            {
                "identifier": "F1.1",
                "parent": "F1",
                "level": "series",
                "title": "Brieven",
                "date": "1850-1870",
                "files": "",
            },
            {
                "identifier": "F1.1.1",
                "parent": "F1.1",
                "level": "file",
                "title": "Règlement van de pedel",
                "date": "ca. 1855",
                "creator": "Jan Peeters (creator)",
                "files": "scans/a1.tif",
            },
            {
                "identifier": "F1.1.2",
                "parent": "F1.1",
                "level": "file",
                "title": "Register van de pedel",
                "date": "1860",
                "files": "scans/b1.jpg|scans/b2.png",
                "subject": "Tucht",
            },
        ],
    )
    return folder


PASSWORD = "correct horse battery"


def add_user(runtime, username: str, role: str, unit: str | None = None, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    """A user made the way `heritage user add` makes one."""
    from heritage import auth

    with runtime.transaction() as session:
        auth.add_user(session, username, password, role, unit)


def csrf_token(client) -> str:  # type: ignore[no-untyped-def]
    """The CSRF token of the client's session, read from the sign-in form as a browser would."""
    import re

    html = client.get("/login?next=/").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the sign-in form carries a CSRF token"
    return found.group(1)


def sign_in(client, username: str, password: str = PASSWORD, next: str = "/"):  # type: ignore[no-untyped-def]
    """Sign in through the form; returns the response (303 to `next` on success)."""
    return client.post(
        "/login", data={"username": username, "password": password, "next": next, "csrf_token": csrf_token(client)}
    )


# An item per access status (each with a scanned page) under one public fonds: the leak matrix's catalogue.
ACCESS_CASES = {
    "public": ("public", ""),
    "restricted": ("restricted", ""),
    "closed": ("closed", ""),
    "closed_past": ("closed", "2001-01-01"),
    "closed_future": ("closed", "2999-01-01"),
}


# A word per case that no other case's words contain (search and the pages are checked for it).
ACCESS_WORDS = {
    "public": "alfa",
    "restricted": "bravo",
    "closed": "charlie",
    "closed_past": "delta",
    "closed_future": "echo",
    "held_back": "foxtrot",  # not an access status: an item held back by its ingest (test_held_back_surfaces)
}


def access_batch(folder: Path) -> Path:
    """A fonds `LEK` with one file per access status, titled `Lekproef zaak<word>` with subject `onderwerp<word>`."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [{"identifier": "LEK", "level": "fonds", "title": "Lekproef fonds", "access": "public", "files": ""}]
    for n, (case, (status, until)) in enumerate(ACCESS_CASES.items(), 1):
        make_image(folder / "scans" / f"{case}.png", (520, 380), seed=n)
        rows.append(
            {
                "identifier": f"LEK.{n}",
                "parent": "LEK",
                "level": "file",
                "title": f"Lekproef {case.replace('_', ' ')} zaak{ACCESS_WORDS[case]}",
                "subject": f"onderwerp{ACCESS_WORDS[case]}",
                "date": "1950",
                "access": status,
                "closed_until": until,
                "files": f"scans/{case}.png",
            }
        )
    return write_sheet(folder / "sheet.csv", rows).parent


def power_cut(process: subprocess.Popen[str]) -> None:
    """kill -9 of an rq worker started in a session of its own and of the work horse running its job: rq puts
    the horse in a process group of its own, so a kill of the worker's group alone leaves it running."""
    horses = [
        int(child)
        for task in Path(f"/proc/{process.pid}/task").iterdir()
        for child in (task / "children").read_text().split()
    ]
    os.killpg(process.pid, signal.SIGKILL)
    for pid in horses:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait()


def runner_pids(batch_id: str) -> list[int]:
    """The live processes running this batch in the background (`python -m ingest.background BATCH`), found as
    `ps` would find them."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0") if entry.name.isdigit() else []
        except OSError:
            continue
        if b"ingest.background" in argv and batch_id.encode() in argv:
            found.append(int(entry.name))
    return found


def wait_for_batch(client, location: str, headers: dict[str, str] | None = None, limit: float = 240):  # type: ignore[no-untyped-def]
    """Follow a batch page's JSON (as its page does) until the batch is finished and its background run has
    ended (it hands the items to the policy engine and the preservation store after the last file); returns
    the report.

    An upload answers at once and the batch runs in the background: tests wait for it as an archivist would.
    The limit only stops a test that would otherwise hang (a run that died); it asserts nothing about speed.
    """
    import time

    deadline = time.monotonic() + limit
    while True:
        data = client.get(location + ".json", headers=headers or {}).get_json()
        if data["status"] == "finished" and not runner_pids(data["batch"]):
            return data
        assert not data["progress"].get("stalled"), f"the batch's run stopped: {data['progress']}"
        assert time.monotonic() < deadline, f"the batch did not finish: {data['progress']}"
        time.sleep(0.2)


def pedel_catalogue(runner, runtime, tmp_path: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The small batch ingested in unit `archief` (F1 > F1.1 > F1.1.1, F1.1.2), an archivist of that unit
    (`els`) and one of unit `elders` (`piet`): local identifier -> item id."""
    from sqlalchemy import select

    from heritage.catalogue import ensure_unit
    from heritage.cli import main
    from heritage.models import Item

    result = runner.invoke(
        main, ["ingest", str(small_batch(tmp_path / "batch")), "--collection", "pedel", "--unit", "archief"]
    )
    assert result.exit_code == 0, result.output
    with runtime.transaction() as session:
        ensure_unit(session, "elders")
    add_user(runtime, "els", "archivist", "archief")
    add_user(runtime, "piet", "archivist", "elders")
    with runtime.sessions() as s:
        return {local: item_id for item_id, local in s.execute(select(Item.id, Item.local_id))}
