"""Every sentence of the interface (templates, web/*.py and the editing service's messages, as babel.cfg extracts
them) has its Dutch translation in web/translations/nl/LC_MESSAGES/messages.po: no page, staff pages included,
falls back to English in the middle of a Dutch page."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def test_every_message_has_a_dutch_translation() -> None:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    with (ROOT / "web" / "translations" / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    missing, seen = [], 0
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords={"_": None, "gettext": None, "ngettext": (1, 2), "bad": None, "said": None},
    ):
        msgid = message if isinstance(message, str) else message[0]
        seen += 1
        found = catalog.get(msgid)
        if not msgid or found is None or not (found.string if isinstance(found.string, str) else all(found.string)):
            missing.append(f"{filename}:{lineno}: {msgid!r}")
    assert seen > 200, "the templates and web/*.py were read"
    assert missing == []
