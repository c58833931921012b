"""An archivist's upload saved as a batch folder in the data directory, and batches named on pages without
showing where the server keeps them (an upload is named by the folder that was uploaded)."""

from __future__ import annotations

import re
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from werkzeug.datastructures import FileStorage

from web.upload_names import Limits, plan_names

UPLOADS = "uploads"


@dataclass(frozen=True)
class SavedUpload:
    """Where an upload went: its own folder, and the batch in it (the one folder chosen, or all the files)."""

    folder: Path
    root: Path

    def discard(self) -> None:
        """Remove the upload (it was refused after it was saved)."""
        shutil.rmtree(self.folder, ignore_errors=True)


def chosen_files(files: Sequence[FileStorage]) -> list[FileStorage]:
    """The parts that hold a file (a form's empty file input sends a part without a name)."""
    return [f for f in files if f and f.filename]


def save_upload(files: Sequence[FileStorage], data_dir: Path) -> SavedUpload:
    """Save the files under their uploaded names, every name checked before the first byte is written.

    Raises:
        RefusedName: a name is unsafe, too long, or would be stored under the same name as another.
    """
    uploads = data_dir / UPLOADS
    uploads.mkdir(parents=True, exist_ok=True)
    folder = uploads / secrets.token_hex(8)
    planned = plan_names([f.filename or "" for f in files], folder, Limits.of(uploads))
    saved = SavedUpload(folder, folder)
    try:
        for upload, parts in zip(files, planned, strict=True):
            destination = folder.joinpath(*parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            upload.save(destination)
    except BaseException:
        saved.discard()
        raise
    tops = {parts[0] for parts in planned}
    if len(tops) == 1 and all(len(parts) > 1 for parts in planned):
        return SavedUpload(folder, folder / tops.pop())  # one folder chosen: that folder is the batch
    return saved


def upload_folder_of(source: str, data_dir: Path) -> tuple[Path, str] | None:
    """For a batch uploaded through the web: its upload's folder and the name of what was uploaded ('' for
    loose files); None for any other batch."""
    for uploads in {data_dir / UPLOADS, (data_dir / UPLOADS).resolve()}:
        path = Path(source)
        if path.is_relative_to(uploads) and path != uploads:
            rest = path.relative_to(uploads).parts
            return uploads / rest[0], "/".join(rest[1:])
    return None


def shown_source(source: str, data_dir: Path, loose: str) -> str:
    """A batch's source as a page shows it: the uploaded folder's name (`loose` for loose files), a folder
    of the data directory by its place in it, any other folder (of `heritage ingest`) as it was given."""
    upload = upload_folder_of(source, data_dir)
    if upload is not None:
        return upload[1] or loose
    return without_server_paths(source, data_dir)


def without_server_paths(text: str, data_dir: Path, root: Path | None = None, root_name: str = ".") -> str:
    """`text` (a message, a path) with the batch folder and the data directory taken out: what lies in the
    batch by its path in it, the batch itself as `root_name`, the rest of the data directory relative to it."""
    places: list[tuple[Path, str]] = []
    if root is not None:
        places += [(root, root_name), (root.resolve(), root_name)]
    places += [(data_dir, "."), (data_dir.resolve(), ".")]
    for place, name in sorted(set(places), key=lambda p: -len(str(p[0]))):
        prefix = re.escape(str(place))
        text = re.sub(prefix + "/", "", text)
        text = re.sub(prefix + r"(?![\w.-])", lambda _m, name=name: name, text)
    return text
