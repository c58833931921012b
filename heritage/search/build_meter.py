"""How far a rebuild has got, in documents' worth of work, across the processes that write it.

Counting the documents handed to the writing processes put `heritage reindex`'s bar at 100 % while the
processes still sorted and wrote their postings and made the search arrays: a quarter of a rebuild's time
at a million records. Each step reports its share here instead, where it is done: a document's analysis,
its part of its segment's postings as each field is written, its part of the segment's arrays. The shares
are what the steps cost in a profile of a rebuild (analysis and the per-document writer about three
quarters, writing the postings a sixth, the arrays a tenth), so the bar moves about evenly with time.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable

ANALYSIS = 0.75  # of a document's work: analysed and added to its writer's pool
POSTINGS = 0.15  # its segment's postings and terms written
ARRAYS = 0.10  # its segment's facet columns and common-word arrays made


class BuildMeter:
    """Work done, shared by the rebuild's processes (a `multiprocessing.Value` inherited by each).

    `report(done)` is called in the process that made the meter, as work is added there or when
    `poll()` is called (the parent polls while it waits for its processes), at most every `every` seconds.
    """

    def __init__(self, report: Callable[[int], None] | None = None, every: float = 0.5) -> None:
        self._done = multiprocessing.Value("d", 0.0)
        self._report = report
        self._every = every
        self._owner = os.getpid()
        self._last = float("-inf")

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "_report": None}  # a process started by spawn reports through the value only

    @property
    def done(self) -> float:
        """Documents' worth of work done so far."""
        return float(self._done.value)

    def add(self, documents: float) -> None:
        """Record `documents`' worth of work as done (a share times a number of documents)."""
        if documents <= 0:
            return
        with self._done.get_lock():
            self._done.value += documents
        self.poll()

    def poll(self, force: bool = False) -> None:
        """Report the work done, in the process that made the meter, if `every` seconds have passed."""
        if self._report is None or os.getpid() != self._owner:
            return
        now = time.monotonic()
        if force or now - self._last >= self._every:
            self._last = now
            self._report(int(self.done))
