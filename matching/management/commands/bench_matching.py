"""`make bench-matching`: the engine at the association's scale on synthetic data, in memory.

Prints the figures as it goes and, as its last line, one JSON object (see docs/PERFORMANCE.md).
"""

import json
import resource
import time

import numpy as np
from django.core.management.base import BaseCommand

from matching import engine, reference, synthetic


class Command(BaseCommand):
    help = "Benchmark the matching engine on synthetic data (no database)."

    def add_arguments(self, parser):
        parser.add_argument("--volunteers", type=int, default=100_000)
        parser.add_argument("--needs", type=int, default=10_000)
        parser.add_argument("--sample", type=int, default=4, help="needs checked against the per-pair loop")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, volunteers, needs, sample, seed, **options):
        say = self.stdout.write
        supply = synthetic.make_supply(volunteers, seed=seed)
        demand = synthetic.make_needs(needs, seed=seed + 4)
        distances = synthetic.region_distances(synthetic.CENTRES)
        say(f"{volunteers} volunteers, {needs} open needs; compiling the kernel …")
        engine.candidates(synthetic.make_needs(8, seed=1), supply, distances)  # compile and warm

        started = time.perf_counter()
        cands = engine.candidates(demand, supply, distances)
        scored_s = time.perf_counter() - started
        assign_started = time.perf_counter()
        assignment = engine.assign(demand, supply, cands)
        assign_s = time.perf_counter() - assign_started
        full_batch_s = time.perf_counter() - started
        say(
            f"candidates {scored_s:.2f} s ({len(cands.need)} kept), assignment {assign_s:.2f} s, "
            f"optimal {assignment.optimal}"
        )

        one = synthetic.make_needs(1, seed=seed + 99)
        runs = []
        for _ in range(7):
            t = time.perf_counter()
            engine.candidates(one, supply, distances)
            runs.append(time.perf_counter() - t)
        single_need_ms = float(np.median(runs) * 1000)

        greedy = engine.greedy(demand, supply, cands)
        greedy_ratio = assignment.total / greedy.total if greedy.total else 1.0
        coverage = engine.fully_staffed_share(demand, assignment)
        coverage_greedy = engine.fully_staffed_share(demand, greedy)

        pre = reference.Preloaded(demand, supply, distances)
        sample_rows = np.linspace(0, needs - 1, sample).astype(int).tolist()
        t = time.perf_counter()
        agrees = True
        for i in sample_rows:
            fast = supply.ids[cands.supply[cands.need == i]].tolist()
            slow = reference.top_k(pre, i, engine.Rules().top_k)
            agrees &= fast == slow
        naive_s = (time.perf_counter() - t) / (len(sample_rows) * volunteers) * volunteers * needs
        naive_ratio = naive_s / full_batch_s

        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        say(
            f"single need {single_need_ms:.1f} ms; per-pair loop would take {naive_s:.0f} s; "
            f"global/greedy score {greedy_ratio:.4f}, fully staffed {coverage:.4f} vs {coverage_greedy:.4f}"
        )
        self.stdout.write(
            json.dumps(
                {
                    "volunteers": volunteers,
                    "needs": needs,
                    "full_batch_s": round(full_batch_s, 2),
                    "candidates_s": round(scored_s, 2),
                    "assign_s": round(assign_s, 2),
                    "optimal": assignment.optimal,
                    "single_need_ms": round(single_need_ms, 1),
                    "peak_rss_mb": round(peak_rss_mb),
                    "naive_ratio": round(naive_ratio),
                    "topk_agrees": bool(agrees),
                    "greedy_ratio": round(greedy_ratio, 4),
                    "coverage_vs_greedy": round(coverage / coverage_greedy, 4) if coverage_greedy else 1.0,
                    "pairs_kept": int(len(cands.need)),
                    "proposals": int(len(assignment.need)),
                }
            )
        )
