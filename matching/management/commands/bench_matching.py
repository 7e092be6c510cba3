"""`make bench-matching`: the engine on synthetic markets in memory, against what a coordinator could have
used instead.

Two scenarios from the same generator (`matching.benchmarks.synthetic`): *plentiful*, 100,000 volunteers for
10,000 needs (about five people per place), and *tight*, 20,000 volunteers for the same 10,000 needs (about
as many people as places, so needs compete for them). For each it prints, for the engine, for a first-come
greedy over every pair feasible under the same hard rules (no shortlist), for the most places any
assignment can fill (a maximum flow over every feasible pair) and, when the market has at most 20 million
feasible pairs, for the best value of the engine's objective (a min-cost flow over all of them): places
filled, needs fully staffed, needs with at least one person, mean required-skill coverage, total score and
time. The last line is one JSON object with every figure (see docs/PERFORMANCE.md).
"""

import json
import os
import platform
import resource
import time

import numpy as np
from django.core.management.base import BaseCommand

from matching import engine
from matching.benchmarks import reference, synthetic, yardsticks

SCENARIOS = {"plentiful": (100_000, 10_000), "tight": (20_000, 10_000)}
TARGETS = {"places_vs_max": 0.98, "full_batch_s": 10.0, "single_need_ms": 50.0, "peak_rss_mb": 2000}
# The best value over every feasible pair is a min-cost flow over all of them: only for markets this small.
BEST_VALUE_MAX_PAIRS = 20_000_000


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BaseCommand):
    help = "Benchmark the matching engine on synthetic markets (no database)."

    def add_arguments(self, parser):
        parser.add_argument("--scenario", choices=[*SCENARIOS, "both"], default="both")
        parser.add_argument("--volunteers", type=int, help="override the scenario's volunteers (small trial runs)")
        parser.add_argument("--needs", type=int, help="override the scenario's needs")
        parser.add_argument("--sample", type=int, default=4, help="needs checked against the per-pair reference")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--no-yardsticks", action="store_true", help="skip the greedy and the maximum flow")

    def handle(self, *args, scenario, volunteers, needs, sample, seed, no_yardsticks, **options):
        names = list(SCENARIOS) if scenario == "both" else [scenario]
        distances = synthetic.region_distances(synthetic.CENTRES)
        markets = {}
        for name in names:
            n_volunteers = volunteers or SCENARIOS[name][0]
            n_needs = needs or SCENARIOS[name][1]
            markets[name] = (
                synthetic.make_supply(n_volunteers, seed=seed),
                synthetic.make_needs(n_needs, seed=seed + 4),
            )
        self.say("compiling / loading the kernel …")
        warm_supply = synthetic.make_supply(500, seed=1)
        engine.propose(synthetic.make_needs(20, seed=1), warm_supply, distances)

        # The engine first, so its peak memory is measured before the yardsticks load every pair.
        results = {}
        for name in names:
            results[name] = self.engine_figures(name, *markets[name], distances, sample)
        peak_rss_mb = _peak_mb()
        if not no_yardsticks:
            for name in names:
                results[name].update(self.yardstick_figures(name, *markets[name], distances, results[name]))
        for name, result in results.items():
            result["targets_met"] = self.targets_met(name, result, peak_rss_mb)
        summary = {
            "machine": {
                "cpus": os.cpu_count(),
                "load_avg_1m": round(os.getloadavg()[0], 2),
                "python": platform.python_version(),
            },
            "peak_rss_mb": round(peak_rss_mb),
            "targets": TARGETS,
            "scenarios": results,
        }
        self.stdout.write(json.dumps(summary))

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def engine_figures(self, name, supply, demand, distances, sample) -> dict:
        self.say(f"[{name}] {len(supply)} volunteers, {len(demand)} needs, {int(demand.slots.sum())} places")
        started = time.perf_counter()
        proposal = engine.propose(demand, supply, distances)
        full_batch_s = time.perf_counter() - started
        chosen = proposal.assignment
        figures = yardsticks.figures(demand, supply, distances, chosen.need, chosen.supply)
        self.say(
            f"[{name}] engine: {full_batch_s:.2f} s ("
            + ", ".join(f"{part} {seconds:.2f} s" for part, seconds in proposal.seconds.items())
            + f"), {len(proposal.candidates)} candidates, {proposal.rounds} extra rounds, "
            f"{proposal.pricing_rounds} pricing rounds, optimal {chosen.optimal}, "
            f"most places proven {proposal.most_places}"
        )
        self.say(f"[{name}] engine: {self.line(figures)}")

        one = synthetic.make_needs(1, seed=99)
        runs = []
        for _ in range(7):
            t = time.perf_counter()
            engine.propose(one, supply, distances)
            runs.append(time.perf_counter() - t)
        single_need_ms = float(np.median(runs) * 1000)

        shortlist = engine.candidates(demand, supply, distances)
        pre = reference.Preloaded(demand, supply, distances)
        rows = np.linspace(0, len(demand) - 1, sample).astype(int).tolist()
        t = time.perf_counter()
        agrees = True
        for i in rows:
            fast = [(int(supply.kind[j]), int(supply.ids[j])) for j in shortlist.supply[shortlist.need == i]]
            agrees &= fast == reference.top_k(pre, i, engine.Rules().top_k)
        naive_s = (time.perf_counter() - t) / max(len(rows), 1) * len(demand)
        self.say(f"[{name}] one new need {single_need_ms:.1f} ms; per-pair reference would take {naive_s:.0f} s")
        return {
            "volunteers": len(supply),
            "needs": len(demand),
            "places_wanted": int(demand.slots.sum()),
            "engine": {
                **figures.as_dict(),
                "time_s": round(full_batch_s, 2),
                "seconds": {part: round(value, 2) for part, value in proposal.seconds.items()},
                "candidates": len(proposal.candidates),
                "extra_rounds": proposal.rounds,
                "pricing_rounds": proposal.pricing_rounds,
                "optimal": chosen.optimal,
                "most_places_proven": proposal.most_places,
                "objective": round(chosen.objective, 2),
            },
            "full_batch_s": round(full_batch_s, 2),
            "single_need_ms": round(single_need_ms, 1),
            "naive_ratio": round(naive_s / full_batch_s),
            "topk_agrees": bool(agrees),
        }

    def yardstick_figures(self, name, supply, demand, distances, result) -> dict:
        t = time.perf_counter()
        pairs = yardsticks.all_pairs(demand, supply, distances)
        pairs_s = time.perf_counter() - t
        t = time.perf_counter()
        need_rows, supply_rows = yardsticks.greedy(demand, supply, pairs)
        greedy_s = time.perf_counter() - t
        greedy = yardsticks.figures(demand, supply, distances, need_rows, supply_rows)
        t = time.perf_counter()
        most = yardsticks.most_places(demand, supply, pairs)
        max_s = time.perf_counter() - t
        self.say(f"[{name}] {len(pairs)} feasible pairs ({pairs_s:.1f} s)")
        self.say(f"[{name}] greedy over all feasible pairs ({greedy_s:.1f} s): {self.line(greedy)}")
        self.say(f"[{name}] most places any assignment can fill ({max_s:.1f} s): {most}")
        best = None
        if len(pairs) <= BEST_VALUE_MAX_PAIRS:
            t = time.perf_counter()
            best_places, best = yardsticks.best_value(demand, supply, pairs)
            self.say(
                f"[{name}] best value any assignment can reach ({time.perf_counter() - t:.1f} s): "
                f"{best:.2f} with {best_places} places"
            )
        mine = result["engine"]
        checks = {
            "places_vs_max": round(mine["places"] / most, 4) if most else 1.0,
            "fully_staffed_vs_greedy": mine["fully_staffed"] - greedy.fully_staffed,
            "coverage_vs_greedy": round(mine["coverage"] - greedy.coverage, 4),
            "coverage_per_need_vs_greedy": round(mine["coverage_per_need"] - greedy.coverage_per_need, 4),
            "total_score_vs_greedy": round(mine["total_score"] - greedy.total_score, 2),
            # Within rounding (a millionth per arc) of 0 when the engine's objective is the best there is.
            "objective_vs_best": None if best is None else round(mine["objective"] - best, 2),
        }
        self.say(f"[{name}] engine vs yardsticks: {checks}")
        return {
            "feasible_pairs": len(pairs),
            "greedy": {**greedy.as_dict(), "time_s": round(greedy_s + pairs_s, 2)},
            "max_places": most,
            "best_value": None if best is None else round(best, 2),
            "max_places_time_s": round(max_s + pairs_s, 2),
            "checks": checks,
        }

    @staticmethod
    def targets_met(name: str, result: dict, peak_rss_mb: float) -> dict:
        met = {
            "single_need_ms": result["single_need_ms"] <= TARGETS["single_need_ms"],
            "peak_rss_mb": peak_rss_mb <= TARGETS["peak_rss_mb"],
        }
        if name == "plentiful":
            met["full_batch_s"] = result["full_batch_s"] <= TARGETS["full_batch_s"]
        checks = result.get("checks")
        if checks:
            met |= {
                "places_vs_max": checks["places_vs_max"] >= TARGETS["places_vs_max"],
                "fully_staffed_vs_greedy": checks["fully_staffed_vs_greedy"] >= 0,
                "coverage_vs_greedy": checks["coverage_vs_greedy"] >= 0,
                "total_score_vs_greedy": checks["total_score_vs_greedy"] >= 0,
            }
        return met

    @staticmethod
    def line(figures: yardsticks.Figures) -> str:
        return (
            f"places {figures.places}, fully staffed {figures.fully_staffed}, with someone {figures.with_one}, "
            f"coverage {figures.coverage:.4f} (per need {figures.coverage_per_need:.4f}), "
            f"total score {figures.total_score:.1f}"
        )
