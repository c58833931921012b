"""Format identification by PRONOM signatures with FIDO (`opf-fido`, which ships the PRONOM signature
file): the PUID a file's bytes match, whatever its name says.

FIDO keeps per-file state in its matcher, so one shared instance is used under a lock (a match takes a
few milliseconds; loading the signatures half a second, once per process).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

_lock = threading.Lock()


@dataclass(frozen=True)
class PronomMatch:
    puid: str
    name: str
    signatures: str  # the PRONOM signature file FIDO matched with (e.g. formats-v109.xml)
    how: str  # signature or container

    def as_dict(self) -> dict[str, str]:
        return {"puid": self.puid, "name": self.name, "signatures": self.signatures, "how": self.how}


@cache
def _fido() -> tuple[Any, list[tuple[str, list[tuple[str, str]], str]], str]:
    import xml.etree.ElementTree as ET

    from fido import CONFIG_DIR
    from fido.fido import Fido

    versions = ET.parse(Path(CONFIG_DIR) / "versions.xml").getroot()
    signatures = versions.findtext("pronomSignature") or "formats.xml"
    container = versions.findtext("pronomContainerSignature")
    found: list[tuple[str, list[tuple[str, str]], str]] = []

    def handle(filename: str, matches: list[Any], _seconds: float, how: str) -> None:
        found.append((filename, [(f.findtext("puid") or "", f.findtext("name") or "") for f, _s in matches], how))

    fido = Fido(quiet=True, format_files=[signatures], handle_matches=handle)
    if container:
        fido.containersignature_file = container
    return fido, found, signatures


def identify(path: Path) -> PronomMatch | None:
    """The PRONOM format of a file by signature (None when no signature matches)."""
    with _lock:
        fido, found, signatures = _fido()
        found.clear()
        fido.identify_file(str(path), extension=False)
        results = [(puid, name, how) for _f, matches, how in found for puid, name in matches if puid]
    if not results:
        return None
    puid, name, how = results[0]
    return PronomMatch(puid, name, signatures, how)
