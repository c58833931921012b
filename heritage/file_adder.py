"""The one way a service adds an uploaded file to an existing item, as a Protocol.

Storing a file (checksums, format identification, technical data, derivatives, the master stored once) is the
ingest pipeline's work, and `heritage` never imports `ingest`: a service that takes uploads (a condition check
with its photographs) is handed the ingest's implementation, `ingest.adding.FileAdder`, by its surface.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from heritage.models import File
from heritage.runtime import Runtime

# The adder's implementation, for surfaces inside `heritage` (its CLI) that may not import it: resolved by name,
# as job functions are.
IMPLEMENTATION = "ingest.adding.FileAdder"


@dataclass(frozen=True)
class Upload:
    """A file as it was uploaded: the name it came with and its bytes."""

    name: str
    data: bytes


class FileAdder(Protocol):
    """Adds uploads to an item as new files: every upload is checked before the first is stored. Close it once
    the transaction it added to has ended (committed or not): what no committed file refers to is removed."""

    max_bytes: int  # the largest upload it takes

    def __enter__(self) -> FileAdder: ...

    def __exit__(self, *exc: object) -> None: ...

    def close(self) -> None:
        """Remove what it stored that no committed file refers to (a rolled-back add); call after the commit."""
        ...

    def add(
        self,
        session: Session,
        item_id: str,
        uploads: Sequence[Upload],
        *,
        role: str,
        agent: str,
        families: frozenset[str],
    ) -> list[File]:
        """Store the uploads as files of `item_id` with this role (rows and events in `session`).

        Raises:
            BadRequest: an upload is empty, too big, not of one of `families` (by its content), unreadable, or
                already a file of the item; nothing is stored then.
        """
        ...


def load_adder(runtime: Runtime) -> FileAdder:
    """The ingest's adder for `runtime`, resolved by name."""
    from heritage.jobs import resolve

    return resolve(IMPLEMENTATION)(runtime)  # type: ignore[no-any-return]
