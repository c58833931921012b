"""The board's decisions in the browser (issue 16): the decision with its rule in words, its approvals and the
roles missing, approve, refuse, override and carry out as the signed-in account, the destruction list and the
certificate; in Dutch and English, refusals with the service's message and a 4xx."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest

from heritage.runtime import Runtime
from tests.helpers import csrf_token, sign_in
from tests.heritage.policy.test_governance import board_catalogue

pytestmark = pytest.mark.db


@pytest.fixture
def catalogue(runtime: Runtime) -> dict[str, str]:
    return board_catalogue(runtime)


def _client(app: Any, username: str | None, lang: str = "nl") -> Any:
    client = app.test_client()
    client.set_cookie("lang", lang)
    if username:
        assert sign_in(client, username).status_code == 303
    return client


def _text(html: str) -> str:
    """What a reader sees of the page's main part (no tags, no attribute values)."""
    main = html.split("<main", 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def _post(client: Any, url: str, **data: Any) -> Any:
    return client.post(url, data={"csrf_token": csrf_token(client), **data})


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "nl",
            (
                "Vernietiging voorgesteld",
                "Selectielijst: vernietigen na de bewaartermijn",
                "Hoofd van de vormende eenheid",
                "nog nodig",
            ),
        ),
        (
            "en",
            (
                "Destruction proposed",
                "Selection list: destroy after the retention period",
                "Head of the creating unit",
                "still needed",
            ),
        ),
    ],
)
def test_the_decision_page_says_it_in_words(
    app: Any,
    catalogue: dict[str, str],
    lang: str,
    words: tuple[str, ...],
) -> None:
    page = _client(app, "dean", lang).get(f"/masterplan/decisions/{catalogue['old']}")
    assert page.status_code == 200
    seen = _text(page.get_data(as_text=True))
    for word in words:
        assert word in seen
    for code in ("destroy_proposed", "creator_unit_head", "university_archivist", "selection_list.V"):
        assert code not in seen  # labels, never codes
    assert 'name="role"' in page.get_data(as_text=True)  # the dean may approve, as the head of the unit


def test_who_may_see_a_decision(app: Any, catalogue: dict[str, str]) -> None:
    url = f"/masterplan/decisions/{catalogue['old']}"
    anonymous = _client(app, None).get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert _client(app, "lezer").get(url).status_code == 404
    assert _client(app, "board").get(url).status_code == 404  # the board decides deaccessions, not this file
    assert _client(app, "board").get(f"/masterplan/decisions/{catalogue['duplicate']}").status_code == 200
    assert _client(app, "lezer").get("/masterplan/destructions").status_code == 403


def test_forms_need_the_csrf_token(app: Any, catalogue: dict[str, str]) -> None:
    client = _client(app, "dean")
    url = f"/masterplan/decisions/{catalogue['old']}/approve"
    assert client.post(url, data={"role": "creator_unit_head"}).status_code == 400


def test_a_wrong_role_is_refused_with_the_services_message(app: Any, catalogue: dict[str, str]) -> None:
    """The central archivist sees the faculty's proposal (it approves as university archivist), but does not
    head the faculty; another unit's manager does not even see it."""
    url = f"/masterplan/decisions/{catalogue['old']}/approve"
    response = _post(_client(app, "ua", "en"), url, role="creator_unit_head")
    assert response.status_code == 403
    assert "account ua may not act as Head of the creating unit for item" in _text(response.get_data(as_text=True))
    dutch = _post(_client(app, "ua", "nl"), url, role="creator_unit_head")
    assert "account ua mag niet optreden als Hoofd van de vormende eenheid" in _text(dutch.get_data(as_text=True))
    assert _post(_client(app, "otherdean"), url, role="creator_unit_head").status_code == 404


def test_the_fabrica_override_is_refused_in_the_browser(app: Any, catalogue: dict[str, str]) -> None:
    client = _client(app, "cm")
    response = _post(
        client,
        f"/masterplan/decisions/{catalogue['fabrica']}/override",
        decision="deaccession_candidate",
        reason="sell it",
    )
    assert response.status_code == 400
    seen = _text(response.get_data(as_text=True))
    assert "Geweigerd: stuk" in seen and "kan niet worden overschreven naar „Afstoting voorgesteld”" in seen
    assert "harde regel „Beschermd stuk" in seen and "(kenmerk topstuk_listed) verbiedt het" in seen
    assert "deaccession_candidate" not in seen and "Topstukkenraad" in seen  # words, and the permission it needs
    again = client.get(f"/masterplan/decisions/{catalogue['fabrica']}")
    assert "Blijvend bewaren" in _text(again.get_data(as_text=True))


def test_a_board_member_refuses_a_deaccession(app: Any, catalogue: dict[str, str]) -> None:
    client = _client(app, "board", "en")
    url = f"/masterplan/decisions/{catalogue['duplicate']}"
    empty = _post(client, f"{url}/refuse", role="governing_body", reason=" ")
    assert empty.status_code == 400 and "needs a reason" in empty.get_data(as_text=True)
    done = _post(client, f"{url}/refuse", role="governing_body", reason="keep it for teaching")
    assert done.status_code == 303
    seen = _text(client.get(url).get_data(as_text=True))
    assert "Refused" in seen and "keep it for teaching" in seen and 'name="role"' not in seen


def test_approve_carry_out_certificate_list_and_tombstone(
    app: Any,
    runtime: Runtime,
    catalogue: dict[str, str],
) -> None:
    old = catalogue["old"]
    url = f"/masterplan/decisions/{old}"
    dean, ua = _client(app, "dean"), _client(app, "ua", "en")
    assert _post(dean, f"{url}/approve", role="creator_unit_head", comment="ok").status_code == 303
    early = _post(dean, f"{url}/carry-out", route="destruction", confirm="yes")
    assert early.status_code == 400
    assert "nog niet volledig goedgekeurd: nog nodig: Universiteitsarchivaris" in _text(early.get_data(as_text=True))
    assert _post(ua, f"{url}/approve", role="university_archivist").status_code == 303
    page = ua.get(url).get_data(as_text=True)
    assert "Approved" in _text(page) and 'action="/masterplan/decisions/' in page and "carry-out" in page
    response = dean.post(
        f"{url}/carry-out",
        data={
            "csrf_token": csrf_token(dean),
            "route": "destruction",
            "confirm": "yes",
            "note": "versnipperd",
            "document": (io.BytesIO(b"receipt of the shredding firm"), "bon.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    page = dean.get(url).get_data(as_text=True)
    number = re.search(r'href="/masterplan/certificates/(\d+)"', page)
    assert number, "the page links its certificate"
    for lang, words in (
        ("nl", ("Verklaring van vernietiging", "Hoofd van de vormende eenheid: dean")),
        ("en", ("Certificate of destruction", "Head of the creating unit: dean")),
    ):
        cert = _client(app, "board", lang).get(f"/masterplan/certificates/{number.group(1)}")
        assert cert.status_code == 200
        seen = _text(cert.get_data(as_text=True))
        assert "F.1.1 title" in seen and "bon.pdf" in seen and all(w in seen for w in words)
    listing = dean.get("/masterplan/destructions")
    assert listing.status_code == 200 and "F.1.1 title" in _text(listing.get_data(as_text=True))
    rows = list(csv.DictReader(io.StringIO(dean.get("/masterplan/destructions.csv").get_data(as_text=True))))
    assert [(r["item"], r["destroyed_by"]) for r in rows] == [(old, "dean")]
    assert dean.get("/masterplan/destructions.csv?from=2999-01-01").get_data(as_text=True).count("\n") == 1
    assert dean.get("/masterplan/destructions?from=tomorrow").status_code == 400
    tombstone = _client(app, None).get(f"/items/{old}")
    assert tombstone.status_code == 410
    assert "certificate of destruction" in tombstone.get_data(as_text=True)
    assert "dean" not in _text(tombstone.get_data(as_text=True))  # the public page names no approver
    assert dean.get("/masterplan/certificates/999").status_code == 404
    link = re.search(r'href="(/masterplan/decisions/[^"]+/documents/\d+)"', page)
    assert link, "the decision page lists the disposal's documents"
    assert dean.get(link.group(1)).get_data() == b"receipt of the shredding firm"
    assert _client(app, "lezer").get(link.group(1)).status_code == 404


def test_staff_override_with_a_reason(app: Any, catalogue: dict[str, str]) -> None:
    url = f"/masterplan/decisions/{catalogue['duplicate']}"
    cm = _client(app, "cm")
    empty = _post(cm, f"{url}/override", decision="retain_permanent", reason=" ")
    assert empty.status_code == 400 and "een overschrijving vraagt een reden" in _text(empty.get_data(as_text=True))
    board = _post(_client(app, "board", "en"), f"{url}/override", decision="retain_permanent", reason="keep")
    assert board.status_code == 403 and "Only staff of the item" in board.get_data(as_text=True)
    done = _post(cm, f"{url}/override", decision="retain_permanent", reason="gift of the founder")
    assert done.status_code == 303
    seen = _text(cm.get(url).get_data(as_text=True))
    assert "Blijvend bewaren" in seen and "gift of the founder" in seen and "Overschreven" in seen
    assert "Goedgekeurd" not in seen and 'name="role"' not in seen  # nothing left to approve


def test_the_board_works_from_the_review_queue_and_sees_refusals(app: Any, catalogue: dict[str, str]) -> None:
    board = _client(app, "board", "en")
    home = board.get("/").get_data(as_text=True)
    assert 'href="/masterplan/review"' in home  # the board's navigation leads to its queue
    queue = board.get("/masterplan/review?queue=all")
    assert queue.status_code == 200
    html = queue.get_data(as_text=True)
    # only the proposal asking for the governing body, not the destructions it has no role in
    assert f'href="/masterplan/decisions/{catalogue["duplicate"]}"' in html
    assert f'href="/masterplan/decisions/{catalogue["old"]}"' not in html
    assert "Proposed for transfer" not in html and "queue=needs_review" not in html
    done = _post(board, f"/masterplan/decisions/{catalogue['duplicate']}/refuse", role="governing_body", reason="no")
    assert done.status_code == 303
    after = _text(board.get("/masterplan/review?queue=proposed").get_data(as_text=True))
    assert "Deaccession proposed Refused" in after
    staff = _text(_client(app, "cm").get("/masterplan/review?queue=proposed").get_data(as_text=True))
    assert "Afstoting voorgesteld Geweigerd" in staff
    assert _client(app, "lezer").get("/masterplan/review").status_code == 403


def test_the_ministers_permission_for_a_topstuk_is_recorded_in_the_browser(
    app: Any, runtime: Runtime, catalogue: dict[str, str]
) -> None:
    """The Fabrica (a listed topstuk): its page asks for the minister's permission before any deaccession; a date in
    the future is refused in the page's language and nothing is kept; recorded, the question goes and the override
    the hard rule refused goes ahead."""
    from sqlalchemy import func, select

    from heritage.models import ExternalApproval

    def recorded() -> int:
        with runtime.sessions() as s:
            return s.scalar(
                select(func.count()).select_from(ExternalApproval).where(ExternalApproval.subject == fabrica)
            )

    fabrica = catalogue["fabrica"]
    url = f"/masterplan/decisions/{fabrica}"
    client = _client(app, "cm")
    page = _text(client.get(url).get_data(as_text=True))
    assert "De toestemming van buiten de universiteit vastleggen" in page and "Topstukkenraad" in page
    future = _post(client, f"{url}/external-approval", authority="minister", reference="MB 1", granted_on="2999-01-01")
    assert future.status_code == 400 and "een toestemming kan niet in de toekomst gegeven zijn" in _text(
        future.get_data(as_text=True)
    )
    assert recorded() == 0
    assert _post(_client(app, "lezer"), f"{url}/external-approval", authority="x", reference="y").status_code in (
        403,
        404,
    )
    done = _post(
        client,
        f"{url}/external-approval",
        authority="Vlaamse minister van Cultuur",
        reference="MB 2026/113",
        granted_on="2026-05-01",
    )
    assert done.status_code == 303 and recorded() == 1
    assert "De toestemming van buiten de universiteit vastleggen" not in _text(client.get(url).get_data(as_text=True))
    overridden = _post(client, f"{url}/override", decision="deaccession_candidate", reason="transfer to KBR")
    assert overridden.status_code == 303


def test_an_administrator_lifts_a_legal_hold_in_the_browser(
    app: Any, runtime: Runtime, catalogue: dict[str, str]
) -> None:
    from heritage.models import Item

    held = catalogue["held"]
    url = f"/masterplan/decisions/{held}"
    staff = _client(app, "dean", "nl")  # the collection manager of the item's unit, not an administrator
    assert "De juridische blokkade opheffen" not in _text(staff.get(url).get_data(as_text=True))
    refused = _post(staff, f"{url}/lift-hold", hold_reason="zaak gesloten")  # typed without the form: refused
    assert refused.status_code == 403 and "mag geen juridische blokkade opheffen" in _text(
        refused.get_data(as_text=True)
    )
    root = _client(app, "root", "en")
    assert "Lift the legal hold" in _text(root.get(url).get_data(as_text=True))
    empty = _post(root, f"{url}/lift-hold", hold_reason=" ")
    assert empty.status_code == 400 and "lifting a legal hold needs a reason" in _text(empty.get_data(as_text=True))
    done = _post(root, f"{url}/lift-hold", hold_reason="case 2024/17 closed")
    assert done.status_code == 303
    with runtime.sessions() as s:
        assert "legal_hold" not in (s.get(Item, held).attributes or {}).get("flags", [])
    assert "Lift the legal hold" not in _text(root.get(url).get_data(as_text=True))
