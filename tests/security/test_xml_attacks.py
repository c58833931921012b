"""XML attacks in metadata, through every door (`heritage metadata validate`, `heritage ingest`, the upload
page): billion laughs, an external entity reading a local file (XXE), a parameter entity and an external DTD
fetched from a server. Each is refused with a message naming the file, nothing is read or fetched, nothing
is stored."""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from heritage.cli import main
from heritage.models import Collection, Item
from heritage.runtime import Runtime
from tests.helpers import add_user, csrf_token, sign_in

pytestmark = pytest.mark.db

CANARY = "CANARY-9d2f-local-file"
MODS = '<mods xmlns="http://www.loc.gov/mods/v3" version="3.8"><titleInfo><title>{}</title></titleInfo></mods>'
LAUGHS = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' if i else '<!ENTITY lol0 "lol">' for i in range(10))


@pytest.fixture
def fetches() -> Iterator[tuple[str, list[str]]]:
    """A server that records every request: an external DTD or entity fetched from it shows up here."""
    seen: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/xml-dtd")
            self.end_headers()
            self.wfile.write(b'<!ENTITY leak "FETCHED-FROM-THE-NETWORK">')

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()


def attacks(tmp_path: Path, remote: str) -> dict[str, str]:
    canary = tmp_path / "canary.txt"
    canary.write_text(CANARY, encoding="utf-8")
    local_dtd = tmp_path / "local.dtd"
    local_dtd.write_text(f'<!ENTITY leak SYSTEM "file://{canary}">', encoding="utf-8")
    return {
        "billion-laughs": f"<?xml version='1.0'?><!DOCTYPE mods [{LAUGHS}]>" + MODS.format("&lol9;"),
        "xxe-file": f'<?xml version="1.0"?><!DOCTYPE mods [<!ENTITY x SYSTEM "file://{canary}">]>' + MODS.format("&x;"),
        "xxe-passwd": '<?xml version="1.0"?><!DOCTYPE mods [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + MODS.format("&x;"),
        "parameter-entity": f'<?xml version="1.0"?><!DOCTYPE mods [<!ENTITY % p SYSTEM "{remote}/p.dtd"> %p;]>'
        + MODS.format("&leak;"),
        "remote-dtd": f'<?xml version="1.0"?><!DOCTYPE mods SYSTEM "{remote}/mods.dtd">' + MODS.format("&leak;"),
        "remote-dtd-ead": f'<?xml version="1.0"?><!DOCTYPE ead SYSTEM "{remote}/ead.dtd"><ead><eadheader>'
        '<eadid>x</eadid></eadheader><archdesc level="fonds"><did><unittitle>F &leak;</unittitle></did></archdesc>'
        "</ead>",
        "local-dtd": f'<?xml version="1.0"?><!DOCTYPE mods SYSTEM "file://{local_dtd}">' + MODS.format("&leak;"),
    }


def leaked(text: str) -> bool:
    return CANARY in text or "root:x:0:0" in text or "FETCHED-FROM-THE-NETWORK" in text or "lollollol" in text


def stored(runtime: Runtime) -> tuple[int, int]:
    with runtime.sessions() as s:
        return s.scalar(select(func.count(Item.id))) or 0, s.scalar(select(func.count(Collection.id))) or 0


def test_validate_refuses_each_attack_and_reads_nothing(cli_env, tmp_path: Path, fetches) -> None:  # type: ignore[no-untyped-def]
    remote, seen = fetches
    for name, xml in attacks(tmp_path, remote).items():
        path = tmp_path / f"{name}.xml"
        path.write_text(xml, encoding="utf-8")
        result = CliRunner(env=cli_env).invoke(main, ["metadata", "validate", str(path)])
        assert result.exit_code == 1, (name, result.output)
        assert f"{path}:" in result.output and not leaked(result.output), (name, result.output)
        assert any(word in result.output for word in ("entit", "DOCTYPE", "billion laughs")), (name, result.output)
    assert seen == []  # no DTD or entity was fetched


def test_ingest_refuses_each_attack_and_stores_nothing(cli_env, runtime: Runtime, tmp_path: Path, fetches) -> None:  # type: ignore[no-untyped-def]
    remote, seen = fetches
    for name, xml in attacks(tmp_path, remote).items():
        batch = tmp_path / f"batch-{name}"
        batch.mkdir()
        (batch / "record.xml").write_text(xml, encoding="utf-8")
        result = CliRunner(env=cli_env).invoke(main, ["ingest", str(batch), "--collection", f"atk-{name}"])
        assert result.exit_code != 0, (name, result.output)
        assert "record.xml" in result.output and not leaked(result.output), (name, result.output)
    assert stored(runtime) == (0, 0)
    assert seen == []


def test_the_upload_page_refuses_each_attack_and_stores_nothing(
    client, runtime: Runtime, tmp_path: Path, fetches
) -> None:  # type: ignore[no-untyped-def]
    remote, seen = fetches
    add_user(runtime, "beheerder", "administrator")
    assert sign_in(client, "beheerder").status_code == 303
    for name, xml in attacks(tmp_path, remote).items():
        response = client.post(
            "/archivist/upload",
            data={
                "collection": f"atk-{name}",
                "csrf_token": csrf_token(client),
                "files": [(io.BytesIO(xml.encode()), "batch/record.xml")],
            },
            content_type="multipart/form-data",
        )
        text = response.get_data(as_text=True)
        assert response.status_code == 400, (name, response.status_code)
        assert "record.xml" in text and not leaked(text), name
    assert stored(runtime) == (0, 0)
    assert seen == []
