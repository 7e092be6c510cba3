"""A straightforward per-pair Python implementation of the engine's rules, for checking the fast path and
measuring how much faster it is. Same hard constraints, same score formula, one pair at a time."""

from __future__ import annotations

import math

import numpy as np

from .engine import COMPONENTS, REMOTE, Needs, Rules, Supply, Weights


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


def score_pair(pre: Preloaded, i: int, j: int, *, weights=Weights(), rules=Rules()):
    """The score of need i with supply row j, or None when a hard constraint is broken."""
    needs, s = pre.needs, pre.s
    required = _bits_of(needs.required, i)
    nice = _bits_of(needs.nice, i)
    have = pre.supply_skills[j]
    covered = len(required & have)
    if required and covered < math.ceil(rules.min_required_coverage * len(required) - 1e-9):
        return None
    need_lang = int(needs.languages[i])
    if need_lang and not (need_lang & s["languages"][j]):
        return None
    if s["hours_per_month"][j] < needs.monthly_hours[i] or s["hours_total"][j] < needs.total_hours[i]:
        return None
    if s["start_day"][j] > needs.end_day[i] or needs.start_day[i] > s["end_day"][j]:
        return None
    need_avail = int(needs.availability[i])
    if need_avail and not (need_avail & s["availability"][j]):
        return None
    if s["capacity"][j] <= 0 or needs.slots[i] <= 0:
        return None
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
    location = needs.location[i]
    if location == 0 and not within:
        return None
    if location == REMOTE and not s["remote_ok"][j]:
        return None
    if location == 2 and not (within or s["remote_ok"][j]):
        return None
    need_themes = int(needs.themes[i])
    parts = {
        "required": covered / len(required) if required else 1.0,
        "nice": len(nice & have) / len(nice) if nice else 0.5,
        "theme": _popcount(need_themes & s["themes"][j]) / _popcount(need_themes) if need_themes else 0.5,
        "distance": 1.0 if location == REMOTE else min(max(1.0 - distance / max(s["travel_km"][j], 1.0), 0.0), 1.0),
        "availability": _popcount(need_avail & s["availability"][j]) / _popcount(need_avail) if need_avail else 1.0,
        "waiting": min(float(needs.waited_days[i]) / rules.waiting_full_days, 1.0),
        "load": 1.0 / (1.0 + s["load"][j]),
    }
    total = 0.0
    for name in COMPONENTS:
        total += getattr(weights, name) * float(np.float32(parts[name]))
    return total


def top_k(pre: Preloaded, i: int, k: int, **kwargs) -> list[int]:
    """Supply ids of need i's best k, best first, ties by supply id."""
    scored = []
    for j in range(len(pre.supply)):
        score = score_pair(pre, i, j, **kwargs)
        if score is not None:
            scored.append((-score, pre.s["ids"][j]))
    scored.sort()
    return [supply_id for _score, supply_id in scored[:k]]
