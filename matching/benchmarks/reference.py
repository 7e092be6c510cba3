"""A straightforward per-pair Python implementation of the engine's rules: the test oracle for the kernel,
and the baseline the benchmark measures it against. Same hard rules, same score formula, one pair at a time,
written independently of `matching.engine.kernel` on purpose. Not used at run time."""

from __future__ import annotations

import math

import numpy as np

from matching.engine import COMPONENTS, REMOTE, Needs, Rules, Supply, Weights


def _bits_of(matrix, row) -> set[int]:
    return set(matrix.indices[matrix.indptr[row] : matrix.indptr[row + 1]].tolist())


def _popcount(x: int) -> int:
    return int(x).bit_count()


class Preloaded:
    """Plain Python lists of everything, as a per-pair loop would read it."""

    def __init__(self, needs: Needs, supply: Supply, distances: np.ndarray):
        self.needs, self.supply = needs, supply
        self.distances = distances.tolist()
        skills = supply.skills.tocsr()
        self.supply_skills = [_bits_of(skills, j) for j in range(len(supply))]
        self.s = {
            name: getattr(supply, name).tolist()
            for name in (
                "ids",
                "kind",
                "municipality",
                "travel_km",
                "remote_ok",
                "hours_per_month",
                "hours_total",
                "availability",
                "languages",
                "themes",
                "load",
                "capacity",
                "start_day",
                "end_day",
                "serves",
            )
        }


def broken_rules(pre: Preloaded, i: int, j: int, *, rules=Rules()) -> set[str]:
    """The hard rules need i and supply row j break (all of them), by name as in `matching.engine.RULES`."""
    needs, s = pre.needs, pre.s
    required = _bits_of(needs.required, i)
    have = pre.supply_skills[j]
    broken = set()
    if required and len(required & have) < math.ceil(rules.min_required_coverage * len(required) - 1e-9):
        broken.add("skills")
    need_lang = int(needs.languages[i])
    if need_lang and not (need_lang & s["languages"][j]):
        broken.add("language")
    if s["hours_per_month"][j] < needs.monthly_hours[i] or s["hours_total"][j] < needs.total_hours[i]:
        broken.add("hours")
    if s["start_day"][j] > needs.end_day[i] or needs.start_day[i] > s["end_day"][j]:
        broken.add("dates")
    need_avail = int(needs.availability[i])
    if need_avail and not (need_avail & s["availability"][j]):
        broken.add("availability")
    if s["capacity"][j] <= 0 or needs.slots[i] <= 0:
        broken.add("capacity")
    distance, within = _reach(pre, i, j)
    location = needs.location[i]
    if location == 0 and not within:
        broken.add("distance")
    if location == REMOTE and not s["remote_ok"][j]:
        broken.add("remote")
    if location == 2 and not (within or s["remote_ok"][j]):
        broken.add("distance")
    return broken


def _reach(pre: Preloaded, i: int, j: int) -> tuple[float, bool]:
    needs, s = pre.needs, pre.s
    distance = math.inf
    serves = s["serves"][j]
    if serves:
        within = needs.municipality[i] >= 0 and bool(serves >> int(needs.municipality[i]) & 1)
        if within:
            distance = 0.0
    else:
        if needs.municipality[i] >= 0 and s["municipality"][j] >= 0:
            distance = pre.distances[needs.municipality[i]][s["municipality"][j]]
        within = distance <= s["travel_km"][j]
    return distance, within


def score_pair(pre: Preloaded, i: int, j: int, *, weights=Weights(), rules=Rules()):
    """The score of need i with supply row j, or None when a hard rule is broken."""
    if broken_rules(pre, i, j, rules=rules):
        return None
    total = 0.0
    # Added left to right, as the kernel does (the built-in sum() compensates rounding since Python 3.12).
    for name, value in components(pre, i, j, rules=rules).items():
        total += getattr(weights, name) * value
    return total


def components(pre: Preloaded, i: int, j: int, *, rules=Rules()) -> dict[str, float]:
    """The score's components of a feasible pair, each rounded to float32 as the engine stores them."""
    needs, s = pre.needs, pre.s
    required = _bits_of(needs.required, i)
    nice = _bits_of(needs.nice, i)
    have = pre.supply_skills[j]
    distance, _within = _reach(pre, i, j)
    location = needs.location[i]
    need_themes = int(needs.themes[i])
    need_avail = int(needs.availability[i])
    parts = {
        "required": len(required & have) / len(required) if required else 1.0,
        "nice": len(nice & have) / len(nice) if nice else 0.5,
        "theme": _popcount(need_themes & s["themes"][j]) / _popcount(need_themes) if need_themes else 0.5,
        "distance": 1.0 if location == REMOTE else min(max(1.0 - distance / max(s["travel_km"][j], 1.0), 0.0), 1.0),
        "availability": _popcount(need_avail & s["availability"][j]) / _popcount(need_avail) if need_avail else 1.0,
        "waiting": min(float(needs.waited_days[i]) / rules.waiting_full_days, 1.0),
        "load": 1.0 / (1.0 + s["load"][j]),
    }
    return {name: float(np.float32(parts[name])) for name in COMPONENTS}


def top_k(pre: Preloaded, i: int, k: int, **kwargs) -> list[tuple[int, int]]:
    """(kind, id) of need i's best k, best first, ties by kind (volunteers first) then id."""
    scored = []
    for j in range(len(pre.supply)):
        score = score_pair(pre, i, j, **kwargs)
        if score is not None:
            scored.append((-score, pre.s["kind"][j], pre.s["ids"][j]))
    scored.sort()
    return [(kind, supply_id) for _score, kind, supply_id in scored[:k]]
