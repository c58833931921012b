"""The kill-test harness: real `heritage` commands as subprocesses on a site of their own (data directory,
database, replica, rq queue), killed with SIGKILL at seeded moments, and a journal of what happened.

A kill moment is picked in one of three ways, all drawn from the case's seed:
- `AtTime`: wall-clock seconds after the start, uniform over a clean run's measured duration (very early
  kills land in start-up and planning);
- `AtProgress`: as soon as the database or the store shows a state (the batch planned, the Nth file taken or
  done, the batch finished, the Nth OCFL object or replica file written, an access change committed),
  polled from the test while the command runs;
- `AtCall`: the Nth call into the project's code (or a part of it), counted inside the subprocess by
  `killpoint/sitecustomize.py`, uniform over the calls of a clean run: the most reproducible of the three.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from heritage.models import Batch, BatchFile, Item, utcnow
from heritage.runtime import Runtime
from heritage.settings import Settings
from tests.conftest import OCR_OFF
from tests.helpers import make_image, write_sheet

HERITAGE = Path(sys.executable).with_name("heritage")  # the console script of the venv running the tests
PROJECT = Path(__file__).resolve().parents[2]
KILLPOINT = Path(__file__).with_name("killpoint")
ALL_CODE = ("heritage", "ingest", "metadata_schemas", "iiif")
POLL = 0.01
COLLECTION = "kill"
# The OCR rules of the kill runs: off, as in the rest of the suite (tests/ocr_rules_off.yaml), unless a scenario
# asks for the shipped rules (archives are read: the OCR job, its text and its version run with the batch).
OCR_ON = PROJECT / "heritage" / "data" / "ocr_rules.yaml"


def within(*folders: str) -> tuple[str, ...]:
    """Path prefixes of project code (`heritage/preservation`, `ingest/process.py`) for `AtCall`."""
    return tuple(str(PROJECT / f) for f in folders)


# -- kill moments ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AtTime:
    seconds: float
    share: float | None = None  # of a clean run's duration

    def __str__(self) -> str:
        return f"after {self.seconds:.2f} s" + (f" ({self.share:.2f} of a clean run)" if self.share is not None else "")


@dataclass(frozen=True)
class AtProgress:
    state: str  # planned, touched, done, finished, objects, replica_files, access
    n: int = 1
    item: str | None = None  # for `access`: the item whose access the command changes
    access: str | None = None

    def __str__(self) -> str:
        if self.state == "access":
            return f"once {self.item} is {self.access} in the database"
        return f"once {self.state} >= {self.n}"


@dataclass(frozen=True)
class AtCall:
    n: int
    total: int | None
    prefixes: tuple[str, ...]
    function: str | None = None  # only calls of this function (by name) count

    def __str__(self) -> str:
        where = ", ".join(Path(p).relative_to(PROJECT).as_posix() for p in self.prefixes)
        what = f"{self.function}() in {where}" if self.function else where
        return f"at call {self.n}{f' of {self.total}' if self.total else ''} into {what}"


Moment = AtTime | AtProgress | AtCall


# -- a site: one data directory, database, replica and queue ---------------------------------------


@dataclass
class Ran:
    """What became of one command: killed (and where), or its exit status and output."""

    name: str
    killed: bool
    returncode: int | None
    seconds: float
    stdout: str
    stderr: str
    where: str = ""

    def summary(self) -> str:
        if self.killed:
            return f"{self.name}: killed {self.where} ({self.seconds:.2f} s in)"
        tail = (self.stderr.strip().splitlines() or [""])[-1][-160:]
        said = self.stdout.strip()[-200:]
        return f"{self.name}: exit {self.returncode} after {self.seconds:.2f} s ({said!r}; {tail!r})"


@dataclass
class Running:
    name: str
    proc: subprocess.Popen[bytes]
    started: float
    out: Path
    err: Path
    kill_log: Path | None = None
    since: datetime = field(default_factory=utcnow)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL to the command and everything it started, like a power cut: its process group and every
        descendant (an rq work horse puts itself in a process group of its own)."""
        doomed = [self.proc.pid, *descendants(self.proc.pid)]
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        for pid in doomed:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM (a worker finishes its job and stops), then SIGKILL if it does not."""
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def result(self, killed_by_us: bool, where: str = "") -> Ran:
        code = self.proc.wait()
        killed = killed_by_us or code == -signal.SIGKILL
        if killed and not where and self.kill_log is not None and self.kill_log.is_file():
            lines = self.kill_log.read_text().splitlines()
            if lines:
                _pid, calls, place, function = lines[-1].split(" ", 3)
                where = f"at call {calls} in {Path(place).relative_to(PROJECT)} {function}()"
        return Ran(
            self.name,
            killed,
            None if killed else code,
            time.monotonic() - self.started,
            self.out.read_text(errors="replace"),
            self.err.read_text(errors="replace"),
            where,
        )


def descendants(pid: int) -> list[int]:
    """The processes below `pid` (children, their children, ...), read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@dataclass
class Site:
    """Where one case runs: its folder, database URL, and optionally a replica and an rq queue."""

    folder: Path
    database_url: str
    replica: bool = False
    redis_url: str | None = None
    queue: str | None = None
    ocr: bool = False
    journal: list[str] = field(default_factory=list)
    _commands: int = 0
    _engine: Engine | None = None

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def replica_dir(self) -> Path:
        return self.folder / "replica"

    @property
    def ocfl(self) -> Path:
        return self.data / "ocfl"

    @property
    def ocr_rules(self) -> Path:
        return OCR_ON if self.ocr else OCR_OFF

    def settings(self) -> Settings:
        values: dict[str, object] = {
            "data_dir": self.data,
            "database_url": self.database_url,
            "ocr_rules": self.ocr_rules,
        }
        if self.replica:
            values["replica"] = self.replica_dir
        return Settings.load(values, environ={})

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HERITAGE_", "DATABASE_URL", "REDIS_URL"))}
        env.update(
            HERITAGE_DATA=str(self.data),
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url or "",
            HERITAGE_QUEUE=self.queue or "heritage",
            HERITAGE_REPLICA=str(self.replica_dir) if self.replica else "",
            HERITAGE_OCR_RULES=str(self.ocr_rules),
        )
        env.update(extra)
        return env

    def note(self, line: str) -> None:
        self.journal.append(line)

    @contextmanager
    def runtime(self) -> Iterator[Runtime]:
        """The site's catalogue, opened in the test (to read what the commands left)."""
        runtime = Runtime.open(self.settings())
        try:
            yield runtime
        finally:
            runtime.close()

    # -- commands ---------------------------------------------------------------------------------
    def start(
        self, *args: str, name: str | None = None, moment: Moment | None = None, env: dict[str, str] | None = None
    ) -> Running:
        """Start `heritage ARGS` in a process group of its own (output to files: a waiting command prints a lot)."""
        self._commands += 1
        logs = self.folder / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        label = name or args[0]
        stem = logs / f"{self._commands:02}-{label.replace(' ', '-')}"
        extra = dict(env or {})
        kill_log = None
        if isinstance(moment, AtCall):
            kill_log = stem.with_suffix(".kill")
            extra.update(
                PYTHONPATH=os.pathsep.join(filter(None, [str(KILLPOINT), os.environ.get("PYTHONPATH")])),
                HERITAGE_KILL_IN=os.pathsep.join(moment.prefixes),
                HERITAGE_KILL_AT=str(moment.n),
                HERITAGE_KILL_LOG=str(kill_log),
                HERITAGE_KILL_FUNCTION=moment.function or "",
            )
        out, err = stem.with_suffix(".out"), stem.with_suffix(".err")
        since = utcnow()
        with out.open("wb") as o, err.open("wb") as e:
            proc = subprocess.Popen(
                [str(HERITAGE), *args], env=self.env(**extra), stdout=o, stderr=e, start_new_session=True
            )
        return Running(label, proc, time.monotonic(), out, err, kill_log, since)

    def run(self, *args: str, name: str | None = None, timeout: float = 300, env: dict[str, str] | None = None) -> Ran:
        """Run a command to its end (killed after `timeout` seconds: a hang is a result too)."""
        running = self.start(*args, name=name, env=env)
        try:
            running.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            running.kill()
            ran = running.result(True, f"by the test: still running after {timeout:.0f} s")
            self.note(ran.summary())
            return ran
        ran = running.result(False)
        self.note(ran.summary())
        return ran

    def run_killed(
        self,
        *args: str,
        moment: Moment,
        name: str | None = None,
        timeout: float = 300,
        env: dict[str, str] | None = None,
    ) -> Ran:
        """Run a command and kill it at `moment` (it may end by itself before)."""
        running = self.start(*args, name=name, moment=moment, env=env)
        ran = self.kill_at(running, moment, timeout)
        self.note(ran.summary() if ran.killed else f"{ran.summary()} [before its kill moment: {moment}]")
        return ran

    def kill_at(self, running: Running, moment: Moment, timeout: float = 300) -> Ran:
        """Wait for `moment`, then SIGKILL the command's process group; its result either way."""
        if isinstance(moment, AtCall):
            try:
                running.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                running.kill()
                return running.result(True, "by the test: hung")
            return running.result(False)
        self.wait_for(moment, running.started, running.since, running.started + timeout, running.alive)
        if not running.alive():
            return running.result(False)
        running.kill()
        return running.result(True, str(moment))

    def wait_for(
        self, moment: AtTime | AtProgress, started: float, since: datetime, deadline: float, go_on: Callable[[], bool]
    ) -> bool:
        """Poll until `moment` (counted from `started`, or progress made since `since`); False when `go_on`
        turns false or the deadline passes first."""
        while go_on() and time.monotonic() < deadline:
            if isinstance(moment, AtTime):
                if time.monotonic() - started >= moment.seconds:
                    return True
            elif self.reached(moment, since):
                return True
            time.sleep(POLL)
        return False

    # -- progress, as the database and the store show it -------------------------------------------
    @property
    def engine(self) -> Engine:
        if self._engine is None:
            url = self.database_url
            if url.startswith("postgresql://"):
                url = url.replace("postgresql://", "postgresql+psycopg://", 1)
            self._engine = create_engine(url)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def count(self, query: Any) -> int:
        """The count a `select(func.count())` query gives now (0 before the tables exist)."""
        try:
            with self.engine.connect() as conn:
                return int(conn.execute(query).scalar() or 0)
        except SQLAlchemyError:
            return 0  # the tables are not made yet

    def reached(self, moment: AtProgress, since: datetime) -> bool:
        """Whether the command started at `since` has got as far as `moment` (what earlier runs did is not counted)."""
        state, n = moment.state, moment.n
        count = select(func.count())
        if state == "planned":
            return self.count(count.select_from(Batch).where(Batch.started_at >= since)) >= 1
        if state in ("touched", "done"):
            query = count.select_from(BatchFile).where(BatchFile.updated_at >= since)
            query = query.where(BatchFile.state == "done" if state == "done" else BatchFile.state != "pending")
            return self.count(query) >= n
        if state == "finished":
            query = count.select_from(Batch).where(Batch.status == "finished", Batch.finished_at >= since)
            return self.count(query) >= 1
        if state == "objects":
            return len(written_since(self.ocfl, "inventory.json", since)) >= n
        if state == "replica_files":
            return len(written_since(self.replica_dir, None, since)) >= n
        if state == "access":
            query = count.select_from(Item).where(Item.id == moment.item, Item.access == moment.access)
            return self.count(query) == 1
        raise ValueError(f"unknown progress state {state!r}")


def written_since(root: Path, name: str | None, since: datetime) -> list[Path]:
    """Files under `root` (named `name`, when given) written since `since`."""
    found = []
    stamp = since.timestamp()
    for dirpath, _dirs, files in os.walk(root):
        for file in files:
            if name is None or file == name:
                path = Path(dirpath) / file
                try:
                    if path.stat().st_mtime >= stamp:
                        found.append(path)
                except FileNotFoundError:
                    pass
    return found


# -- calibration: how long and how many calls a clean run takes ----------------------------------------


@dataclass(frozen=True)
class Calibration:
    """A clean run's duration, and its calls into our code per source file."""

    seconds: float
    calls: dict[str, int]

    def calls_into(self, prefixes: tuple[str, ...]) -> int:
        return sum(n for name, n in self.calls.items() if name.startswith(prefixes))

    def moment(
        self,
        rng: random.Random,
        choices: Callable[[random.Random], AtProgress] | None,
        kinds: tuple[str, ...] = ("time", "call", "progress"),
        prefixes: tuple[str, ...] = within(*ALL_CODE),
    ) -> Moment:
        """A seeded kill moment: by time, by the Nth call into `prefixes`, or by progress (when the scenario
        offers states)."""
        kind = rng.choice([k for k in kinds if k != "progress" or choices])
        share = rng.random()
        if kind == "time":
            return AtTime(round(share * self.seconds, 2), share)
        if kind == "call":
            total = self.calls_into(prefixes)
            return AtCall(max(1, round(share * total)), total, prefixes)
        assert choices is not None
        return choices(rng)


def count_calls(site: Site, *args: str, timeout: float = 300) -> tuple[dict[str, int], Ran]:
    """Run a command once with the call counter on: its calls into our code, per source file."""
    count_file = site.folder / f"calls-{site._commands + 1}.json"
    env = {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(KILLPOINT), os.environ.get("PYTHONPATH")])),
        "HERITAGE_KILL_IN": os.pathsep.join(within(*ALL_CODE)),
        "HERITAGE_KILL_COUNT": str(count_file),
    }
    running = site.start(*args, name=f"{args[0]}-counting", env=env)
    running.proc.wait(timeout)
    ran = running.result(False)
    site.note(f"{ran.summary()} [counting calls]")
    return json.loads(count_file.read_text()) if count_file.is_file() else {}, ran


# -- a generated batch ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    title: str
    files: tuple[str, ...]
    identifier: str | None = None
    parent: str | None = None
    level: str = "file"

    @property
    def key(self) -> str:
        """How the row's item is recognised from the outside: its identifier, else its (unique) title."""
        return self.identifier or self.title


@dataclass(frozen=True)
class BatchSpec:
    folder: Path
    rows: tuple[Row, ...]
    identifiers: bool

    @property
    def paths(self) -> list[str]:
        return [p for row in self.rows for p in row.files]


ALTO_OF_A_SCAN = """<?xml version="1.0" encoding="UTF-8"?>
<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"><Description><MeasurementUnit>pixel</MeasurementUnit>
</Description><Layout><Page WIDTH="{w}" HEIGHT="{h}" PHYSICAL_IMG_NR="1"><PrintSpace><TextBlock>
<TextLine HPOS="60" VPOS="50" WIDTH="500" HEIGHT="40"><String CONTENT="Proefblad" HPOS="60" VPOS="50" WIDTH="260"
HEIGHT="40" WC="0.93"/><SP/><String CONTENT="{n}" HPOS="340" VPOS="50" WIDTH="220" HEIGHT="40" WC="0.88"/></TextLine>
</TextBlock></PrintSpace></Page></Layout></alto>
"""


def make_batch(
    folder: Path,
    *,
    scans: int = 16,
    identifiers: bool = True,
    fonds: bool = True,
    size: tuple[int, int] = (1200, 900),
    text: bool = False,
) -> BatchSpec:
    """Scans (JPEG and TIFF in turn) and a CSV sheet: one row per scan, the last row with two pages; with
    identifiers (and, with `fonds`, a fonds row they hang under) or without an identifier column at all.
    With `text`, each scan comes with its ALTO beside it (`s000.alto.xml`): a site with OCR on takes it in
    as the page's text (the OCR job, its event and its version) without waiting for Tesseract."""
    paths = []
    for i in range(scans):
        tiff = i % 2 == 1
        path = f"scans/s{i:03}.{'tif' if tiff else 'jpg'}"
        make_image(folder / path, size, seed=i + 1, fmt="TIFF" if tiff else "JPEG")
        if text:
            alto = (folder / path).with_name(f"s{i:03}.alto.xml")
            alto.write_text(ALTO_OF_A_SCAN.format(w=size[0], h=size[1], n=f"s{i:03}"), encoding="utf-8")
        paths.append(path)
    groups = [(p,) for p in paths[:-2]] + [tuple(paths[-2:])]
    rows: list[Row] = []
    if identifiers and fonds:
        rows.append(Row("Archief van de proef", (), "KT", None, "fonds"))
    for n, files in enumerate(groups, start=1):
        identifier = f"KT.{n}" if identifiers else None
        parent = "KT" if identifiers and fonds else None
        rows.append(Row(f"Proefblad {n}", files, identifier, parent))
    sheet = []
    for row in rows:
        line = {"identifier": row.identifier or ""} if identifiers else {}
        if identifiers:
            line["parent"] = row.parent or ""
        line.update(level=row.level, title=row.title, files="|".join(row.files))
        sheet.append(line)
    write_sheet(folder / "sheet.csv", sheet)
    return BatchSpec(folder, tuple(rows), identifiers)


def replay_hint(seed: int | None, nodeid: str) -> str:
    """The command line that runs this case again (the same seed, the same database kind)."""
    chosen = f"HERITAGE_KILL_SEED={seed} " if seed is not None else ""
    database = os.environ.get("HERITAGE_TEST_DATABASE_URL")
    chosen += f"HERITAGE_TEST_DATABASE_URL={database} " if database else ""
    return f"replay: {chosen}.venv/bin/python -m pytest '{nodeid}'"


def wait_until(condition: Callable[[], bool], timeout: float, poll: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll)
    return condition()


def verdict(site: Site, checks: dict[str, list[str]], seed: int | None, nodeid: str, shown: int = 12) -> str | None:
    """None when every check holds; else the seed, how to replay it, what happened and every problem."""
    failing = {name: problems for name, problems in checks.items() if problems}
    if not failing:
        return None
    case = f"seed {seed}: " if seed is not None else ""
    lines = [f"{case}{len(failing)} of {len(checks)} checks fail", replay_hint(seed, nodeid), "what happened:"]
    lines += [f"  {n}. {line}" for n, line in enumerate(site.journal, start=1)]
    for name, problems in failing.items():
        lines.append(f"FAILED {name} ({len(problems)}):")
        lines += [f"  - {p}" for p in problems[:shown]]
        if len(problems) > shown:
            lines.append(f"  ... and {len(problems) - shown} more")
    return "\n".join(lines)
