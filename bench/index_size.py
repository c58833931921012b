"""Where the bytes of a catalogue index go: per file, per Whoosh field, per stored key, per facet column and
common-word array (issue 22: at most 2 GB per million records in all).

    .venv/bin/python bench/index_size.py /tmp/heritage-bench-search/search-100000/index

Whoosh's posting blocks are compressed pickles of (ids, weights, positions): the share of the positions in a
field's postings is found by writing each block again without them. The stored result lines are split by
key by pickling a sample of them key by key. Run it after `bench/search.py` has built and warmed the index
(the facet columns and common-word arrays are made by the first search).
"""

from __future__ import annotations

import argparse
import pickle
import sys
import zlib
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from whoosh.codec.whoosh3 import W3LeafMatcher  # noqa: E402
from whoosh.filedb.compound import CompoundStorage  # noqa: E402
from whoosh.filedb.filestore import FileStorage  # noqa: E402

from heritage.search import result_line  # noqa: E402
from heritage.search.whoosh_index import WhooshIndex  # noqa: E402

MB = 2**20
POSITION_FIELDS = ("text", "fulltext")
STORED_SAMPLE = 5000


def _mb(size: float) -> str:
    return f"{size / MB:,.1f}"


def _files(folder: Path) -> dict[str, int]:
    """Bytes by kind of file (the part of the name after the segment id), a compound segment by its parts."""
    kinds: dict[str, int] = defaultdict(int)
    storage = FileStorage(str(folder))
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(folder)
        if rel.parts[0] == "facets":
            kinds[f"facets/{'.'.join(rel.name.split('.')[1:])}"] += path.stat().st_size
        elif path.suffix == ".seg":
            compound = CompoundStorage(storage.open_file(path.name))
            for name, entry in compound._dir.items():
                kinds[f"seg: {'.'.join(name.split('.')[1:])}"] += entry["length"]
            compound.close()
        else:
            kinds[".".join(path.name.split(".")[1:]) or path.name] += path.stat().st_size
    return dict(kinds)


def _postings(reader: Any, fieldname: str) -> tuple[int, int, int]:
    """(terms, posting bytes, of which positions) of one field in one segment."""
    terms = total = positions = 0
    measure = fieldname in POSITION_FIELDS
    for text, info in reader.iter_field(fieldname):
        terms += 1
        if info.is_inlined():
            continue
        _offset, length = info.extent()
        total += length[0] if isinstance(length, tuple) else length  # (Whoosh unpacks it as a 1-tuple)
        if not measure:
            continue
        matcher = reader.postings(fieldname, text)
        while not isinstance(matcher, W3LeafMatcher) and hasattr(matcher, "child"):
            matcher = matcher.child
        while matcher.is_active():
            matcher._read_data()
            ids, weights, values = matcher._data
            full = len(zlib.compress(pickle.dumps((ids, weights, values), 2), 3))
            bare = len(zlib.compress(pickle.dumps((ids, weights, None), 2), 3))
            positions += full - bare
            matcher._next_block()
    return terms, total, positions


def _stored_items(stored: Any) -> list[tuple[str, Any]]:
    """The values a stored result line keeps, by key (a packed line keeps fewer: `result_line`)."""
    if not isinstance(stored, tuple):
        return list((stored or {}).items())
    _mark, present, rebuilt, kept, *extra = stored
    keys = [k for bit, k in enumerate(result_line.KEYS) if present >> bit & 1 and not rebuilt >> bit & 1]
    return [*zip(keys, kept, strict=True), *(extra[0].items() if extra else [])]


def _stored(reader: Any) -> dict[str, int]:
    """Pickled bytes by key of a sample of the stored result lines, scaled to the segment."""
    n = reader.doc_count_all()
    step = max(1, n // STORED_SAMPLE)
    sizes: dict[str, int] = defaultdict(int)
    taken = 0
    for docnum in range(0, n, step):
        fields = reader.stored_fields(docnum)
        taken += 1
        for key, value in _stored_items(fields.get("stored")):
            sizes[f"stored.{key}"] += len(pickle.dumps(value, 2))
        for key in ("id", "pages"):
            if key in fields:
                sizes[key] += len(pickle.dumps(fields[key], 2))
    return {k: v * n // taken for k, v in sizes.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index", type=Path, help="the index folder (with CURRENT)")
    args = parser.parse_args()
    index = WhooshIndex(args.index)
    folder = index.current_dir()
    index.warm()
    files = _files(folder)
    total = sum(files.values())
    print(f"{folder}: {_mb(total)} MB")
    print("\n| file | MB |\n| --- | ---: |")
    for kind, size in sorted(files.items(), key=lambda kv: -kv[1]):
        print(f"| {kind} | {_mb(size)} |")
    fields: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    stored: dict[str, int] = defaultdict(int)
    with index._searcher() as (searcher, _store):
        for sub in searcher.leaf_searchers() if hasattr(searcher, "leaf_searchers") else [searcher]:
            reader = sub[0].reader() if isinstance(sub, tuple) else sub.reader()
            for fieldname in reader.indexed_field_names():
                got = _postings(reader, fieldname)
                for i in range(3):
                    fields[fieldname][i] += got[i]
            for key, size in _stored(reader).items():
                stored[key] += size
    print("\n| Whoosh field | terms | postings MB | of which positions MB |\n| --- | ---: | ---: | ---: |")
    for name, (terms, size, positions) in sorted(fields.items(), key=lambda kv: -kv[1][1]):
        print(f"| {name} | {terms:,} | {_mb(size)} | {_mb(positions) if name in POSITION_FIELDS else ''} |")
    print("\n| stored value (pickled, estimated from a sample) | MB |\n| --- | ---: |")
    for key, size in sorted(stored.items(), key=lambda kv: -kv[1]):
        print(f"| {key} | {_mb(size)} |")
    facets = folder / "facets"
    print("\n| facet store array | MB |\n| --- | ---: |")
    parts: dict[str, int] = defaultdict(int)
    for path in facets.glob("*.npz"):
        with np.load(path, allow_pickle=True) as data:
            for key in data.files:
                parts[key] += data[key].nbytes if data[key].dtype != object else len(pickle.dumps(data[key]))
    for path in facets.glob("*.postings/*.npy"):
        parts[f"common words: {path.stem}"] += path.stat().st_size
    for key, size in sorted(parts.items(), key=lambda kv: -kv[1]):
        if size >= MB // 100:
            print(f"| {key} | {_mb(size)} |")


if __name__ == "__main__":
    main()
