"""BagIt bags (RFC 8493) of born-digital material: validated with the `bagit` library, then planned.

Every payload file is checked against the bag's manifests; a file whose checksum differs, a file the
manifest lists but the bag lacks, and a file the manifest does not list are each put aside with that
reason. A Payload-Oxum that does not add up is a problem of the whole batch (reported, exit status 1);
the files that do match their manifest still go in, each kept as it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import bagit

from heritage.errors import InvalidInput
from ingest.discover import Batch, PlannedItem
from metadata_schemas.core import Agent, CoreRecord
from metadata_schemas.registry import ParsedRecord

PAYLOAD = "data"


def _first(info: dict[str, object], *names: str) -> str | None:
    for name in names:
        value = info.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        if value:
            return str(value).strip()
    return None


def _reason(detail: bagit.ManifestErrorDetail) -> str:
    if isinstance(detail, bagit.ChecksumMismatch):
        return (
            f"checksum differs from the bag's manifest ({detail.algorithm}: expected {detail.expected}, "
            f"found {detail.found})"
        )
    if isinstance(detail, bagit.FileMissing):
        return "listed in the bag's manifest but missing from the bag"
    if isinstance(detail, bagit.UnexpectedFile):
        return "in the bag but not in its manifest"
    return str(detail)


def _payload_path(path: str) -> str:
    parts = Path(path)
    return parts.relative_to(PAYLOAD).as_posix() if parts.parts[:1] == (PAYLOAD,) else path


def _mismatched_entries(bag: bagit.Bag, skip: set[str]) -> dict[str, str]:
    """Checksums against the manifests for the files present, when bagit stopped at completeness."""
    bad: dict[str, str] = {}
    root = Path(bag.path)
    for path, digests in bag.payload_entries().items():
        target = root / path
        if _payload_path(path) in skip or not target.is_file():
            continue
        hashers = {alg: hashlib.new(alg) for alg in digests if alg in hashlib.algorithms_available}
        with target.open("rb") as fh:
            while chunk := fh.read(1024 * 1024):
                for hasher in hashers.values():
                    hasher.update(chunk)
        for alg, hasher in hashers.items():
            if hasher.hexdigest() != digests[alg].lower():
                bad[_payload_path(path)] = _reason(bagit.ChecksumMismatch(path, alg, digests[alg], hasher.hexdigest()))
                break
    return bad


def validate_bag(bag: bagit.Bag) -> tuple[dict[str, str], list[str]]:
    """Bad payload files (path inside `data/` -> reason) and problems of the whole bag."""
    problems: list[str] = []
    bad: dict[str, str] = {}
    for _attempt in range(2):
        try:
            bag.validate(processes=1)
            break
        except bagit.BagValidationError as exc:
            if exc.details:
                for detail in exc.details:
                    bad[_payload_path(str(detail.path))] = _reason(detail)
                if not any(isinstance(d, bagit.ChecksumMismatch) for d in exc.details):
                    bad.update(_mismatched_entries(bag, set(bad)))  # bagit stops before checksums
                break
            problems.append(f"invalid bag: {exc.message}")
            if "Payload-Oxum" not in bag.info:
                break
            bag.info.pop("Payload-Oxum")  # find which files are at fault, file by file
        except bagit.BagError as exc:
            problems.append(f"invalid bag: {exc}")
            break
    return bad, problems


def discover_bag(path: Path, plan_folder: Callable[[Path], Batch]) -> Batch:
    """Validate the bag at `path` and plan its payload.

    Raises:
        InvalidInput: the folder has a bagit.txt but is not a bag the library can read.
    """
    try:
        bag = bagit.Bag(str(path))
    except bagit.BagError as exc:
        raise InvalidInput(f"{path}: not a valid BagIt bag: {exc}") from None
    payload = path / PAYLOAD
    bad, problems = validate_bag(bag)
    if not payload.is_dir():
        raise InvalidInput(f"{path}: the bag has no {PAYLOAD}/ folder")
    info = dict(bag.info)
    inner = plan_folder(payload)
    if inner.metadata_file is None:
        files = sorted(p.relative_to(payload).as_posix() for p in payload.rglob("*") if p.is_file() or p.is_symlink())
        title = _first(info, "Title", "External-Description", "Internal-Sender-Description") or path.name
        local_id = _first(info, "External-Identifier", "Bag-Group-Identifier") or path.name
        core = CoreRecord(title=title.splitlines()[0][:500], identifiers=[local_id], level="file", type="born-digital")
        organisation = _first(info, "Source-Organization")
        if organisation:
            core.agents.append(Agent(organisation, "source"))
        core.description = _first(info, "External-Description")
        tag_file = path / "bag-info.txt"
        original = tag_file.read_text(encoding="utf-8", errors="replace") if tag_file.is_file() else None
        record = ParsedRecord(core, "bagit", 1, original=original, local_id=local_id)
        inner = Batch(payload, [PlannedItem(record, files)], metadata_file=tag_file if original else None)
    for planned in inner.items:
        planned.files = [f for f in planned.files if f not in bad]
    inner.rejected += sorted(bad.items())
    inner.kind = "bag"
    inner.problems = problems + inner.problems
    return inner
