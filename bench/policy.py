"""Evaluate the default policy over generated items and report items per second (target: 50,000/s on one core).

    python bench/policy.py [--items 1000000] [--seed 7]

Items are generated up front (not timed) with a realistic mix: selection-list series with trigger dates,
legal holds, protected pieces, hazardous materials in unsafe places, scored and unscored objects. The
timed loop is what `heritage policy evaluate` does per item once the facts are loaded: the decision
(hard rules, then the significance index) and the digitisation priority. One process, one core.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from heritage.policy.engine import Facts, decide, priority
from heritage.policy.loader import default_document
from heritage.policy.model import compile_policy

CRITERIA = (
    "historic",
    "artistic",
    "scientific_research_informative",
    "history_of_science_university",
    "social_spiritual_community",
    "experience_aesthetic",
    "use_teaching_research",
    "use_exhibition_public",
)


def generate(n: int, seed: int, series: list[str], materials: list[str]) -> list[Facts]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        kind = rng.random()
        facts = Facts(item=f"i{i:07d}")
        if kind < 0.45:  # archival records under a selection list
            facts.series = rng.choice(series)
            year = rng.randint(1950, 2026)
            facts.dates = {
                "closing": date(year, 12, 31),
                "end_of_academic_year": date(year, 9, 30),
                "deregistration": date(year, 12, 31),
                "end_of_year": date(year, 12, 31),
                "last_publication": date(year, 12, 31),
            }
            if rng.random() < 0.5:
                facts.dates["date_of_birth"] = date(rng.randint(1900, 2000), 1, 1)
        else:  # objects, books and specimens with a significance assessment (or none yet)
            facts.material = rng.choice(materials)
            if rng.random() < 0.9:
                facts.significance = {c: rng.randint(0, 3) for c in rng.sample(CRITERIA, rng.randint(1, 6))}
            if rng.random() < 0.3:
                facts.modifiers = {"rarity_representativeness": rng.choice(["common_duplicate", "normal", "rare"])}
        r = rng.random()
        if r < 0.01:
            facts.flags = frozenset({"legal_hold"})
        elif r < 0.03:
            facts.flags = frozenset({"topstuk_candidate"})
        elif r < 0.08:
            facts.flags = frozenset({"duplicate"})
        if rng.random() < 0.005:
            facts.unsafe_hazards = ("flammable_solid_nitrate",)
            facts.location = "LEU-CD-R1"
        facts.requests_per_year = rng.choice((0, 0, 1, 5, 20, 80))
        facts.deterioration = rng.choice((None, "stable", "slow", "active_decay"))
        facts.fragile = rng.random() < 0.2
        facts.has_surrogate = rng.random() < 0.1
        facts.rights_class = rng.choice(("public_domain", "university_owned", "in_copyright_third_party", None))
        out.append(facts)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    policy = compile_policy(default_document().data)
    t0 = time.perf_counter()
    items = generate(args.items, args.seed, sorted(policy.schedule), sorted(policy.materials))
    generated = time.perf_counter() - t0
    today = date(2026, 6, 15)
    counts: Counter[str] = Counter()
    start = time.process_time()
    wall = time.perf_counter()
    for facts in items:
        decision = decide(policy, facts, today)
        priority(policy, facts, decision.significance)
        counts[decision.decision] += 1
    cpu = time.process_time() - start
    elapsed = time.perf_counter() - wall
    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cpus, Python {platform.python_version()}")
    print(f"generated {args.items:,} items in {generated:.1f} s (not timed)")
    print(f"evaluated {args.items:,} items in {elapsed:.2f} s wall, {cpu:.2f} s CPU on one core")
    print(f"throughput: {args.items / elapsed:,.0f} items/s wall, {args.items / cpu:,.0f} items/s CPU (target 50,000)")
    print("decisions: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
