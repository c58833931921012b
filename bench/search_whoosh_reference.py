"""The reference for bench/search.py: the same searches answered by Whoosh alone (its query matchers,
scoring and `groupedby` facet counting), on an index bench/search.py built.

    .venv/bin/python bench/search_whoosh_reference.py /tmp/heritage-bench-search/search-100000
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from whoosh import sorting  # noqa: E402
from whoosh.query import And, Every, NumericRange, Or, Term  # noqa: E402

from bench.search import PUBLIC, percentile, query_sets  # noqa: E402
from heritage.search import MULTI_FACETS, facets_for  # noqa: E402
from heritage.search.query import make_parser  # noqa: E402
from heritage.search.whoosh_index import WhooshIndex  # noqa: E402


def main() -> None:
    index = WhooshIndex(Path(sys.argv[1]) / "index")
    ix = index._index()
    facets = {
        name: sorting.FieldFacet(name, allow_overlap=name in MULTI_FACETS, maptype=sorting.Count)
        for name in facets_for(False)
    }
    access = Or([Term("access", a) for a in PUBLIC])
    with ix.searcher() as searcher:
        parser = make_parser(ix.schema)
        for name, queries in query_sets().items():
            times = []
            for spec in queries[:10]:  # Whoosh is slow: ten of each
                q = parser.parse(spec["q"]) if spec.get("q") else Every()
                clauses = [access]
                for field, values in spec.get("filters", {}).items():
                    clauses.append(Or([Term(field, v) for v in values]))
                if "year_from" in spec:
                    clauses.append(NumericRange("date_to", spec["year_from"], None))
                    clauses.append(NumericRange("date_from", None, spec["year_to"]))
                started = time.perf_counter()
                results = searcher.search(q, limit=20, filter=And(clauses), groupedby=facets)
                for facet in facets:
                    results.groups(facet)
                times.append((time.perf_counter() - started) * 1000)
            p50, p95 = percentile(times, 50), percentile(times, 95)
            print(f"  {name:<18} p50 {p50:>8.1f} ms  p95 {p95:>8.1f} ms  (Whoosh alone)", flush=True)


if __name__ == "__main__":
    main()
