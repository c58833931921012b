"""A registered reader asks for a restricted item; staff of its unit approve; the images open to that reader only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from heritage.cli import main
from heritage.models import Event, File, Item
from heritage.runtime import Runtime
from tests.helpers import access_batch, add_user, csrf_token, sign_in

pytestmark = pytest.mark.db


def test_request_approve_and_see_the_images(app, runner, runtime: Runtime, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        main, ["ingest", str(access_batch(tmp_path / "b")), "--collection", "lek", "--unit", "archief"]
    )
    assert result.exit_code == 0, result.output
    with runtime.sessions() as s:
        item = s.scalar(select(Item.id).where(Item.local_id == "LEK.2"))  # restricted
        image = s.scalar(select(File.id).where(File.item_id == item))
    add_user(runtime, "lezer", "reader")
    add_user(runtime, "ua", "archivist", "archief")
    reader = app.test_client()
    anonymous_page = reader.get(f"/items/{item}").get_data(as_text=True)
    assert "Meld u aan om toegang te vragen" in anonymous_page
    # the sign-in link brings the reader back to the page as it was asked for, query string included
    with_query = reader.get(f"/items/{item}?page=2").get_data(as_text=True)
    link = re.search(r'href="([^"]*)">Meld u aan om toegang te vragen', with_query)
    assert link is not None and link.group(1) == f"/login?next=/items/{item}?page%3D2"
    sign_in(reader, "lezer")
    page = reader.get(f"/items/{item}").get_data(as_text=True)
    assert "Toegang vragen" in page
    info = f"/iiif/image/3/{image}/info.json"
    assert reader.get(info).status_code == 401  # known, not open: how to get access (IIIF Authorization Flow)
    asked = reader.post(f"/items/{item}/request", data={"reason": "thesis", "csrf_token": csrf_token(reader)})
    assert asked.status_code == 303
    assert "Uw verzoek wacht op een beslissing" in reader.get(f"/items/{item}").get_data(as_text=True)
    assert reader.post(f"/items/{item}/request", data={"reason": "no token"}).status_code == 400  # CSRF
    staff = app.test_client()
    sign_in(staff, "ua")
    queue = staff.get("/archivist/requests").get_data(as_text=True)
    assert "lezer" in queue and "thesis" in queue
    request_id = re.search(r"/archivist/requests/(\d+)", queue).group(1)
    decided = staff.post(
        f"/archivist/requests/{request_id}", data={"decision": "approve", "csrf_token": csrf_token(staff)}
    )
    assert decided.status_code == 303
    assert reader.get(info).status_code == 200  # at once
    assert app.test_client().get(info).status_code == 401  # the public still not
    with runtime.sessions() as s:
        kinds = list(s.scalars(select(Event.type).where(Event.item_id == item).order_by(Event.id)))
    assert kinds[-2:] == ["access request", "access grant"]
    other = app.test_client()
    add_user(runtime, "bib", "reader")
    sign_in(other, "bib")
    assert other.get("/archivist/requests").status_code == 403
