"""The global assignment: which of the candidate pairs become proposals.

What it maximises, in order:

1. the number of places filled;
2. among the ways to fill that many, the sum over needs of their places' values (a need's 1st person counts
   `first_place_value`, its 2nd half that, its r-th 1/r of it; a need that already has people continues
   where it stands) plus the sum of the chosen pairs' scores.

As a min-cost flow: source → need through one arc per open place (cost: minus that place's value, so a
need's first places are the cheapest to fill) → supply row (cost: minus the pair's score) → sink (the row's
capacity). OR-Tools computes the maximum flow of least cost, which is exactly 1 then 2; integer costs make it
exact. `propose` adds rounds of candidates for places left empty, and checks with a minimum cut over every
feasible pair whether more places could be filled at all.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from . import generation
from .types import DEFAULT_RULES, DEFAULT_WEIGHTS, Assignment, Candidates, Needs, Rules, Supply, Weights

SCALE = 1_000_000  # values and scores become integer costs with this resolution


def place_values(filled: int, places: int, rules: Rules) -> np.ndarray:
    """The value of each next place of a need that has `filled` people: first_place_value / r for the r-th."""
    return rules.first_place_value / np.arange(filled + 1, filled + places + 1, dtype=np.float64)


def assign(needs: Needs, supply: Supply, cands: Candidates, *, rules: Rules = DEFAULT_RULES) -> Assignment:
    """The best assignment of the candidates: the most places, then the highest value (module docstring).
    Each need gets at most its slots and each supply row gives at most its capacity, one person per pair.
    Ties are broken by the order of the arcs (needs and supply rows in candidate order), so the result is
    the same for the same input."""
    from ortools.graph.python import min_cost_flow

    if not len(cands):
        return _chosen(needs, cands, np.zeros(0, dtype=np.int64), rules, optimal=True)
    used_needs, need_node = np.unique(cands.need, return_inverse=True)
    used_supply, supply_node = np.unique(cands.supply, return_inverse=True)
    n_need, n_supply = len(used_needs), len(used_supply)
    source, sink = 0, 1
    need_base, supply_base = 2, 2 + n_need
    # A need can take no more people than it has candidates.
    places = np.minimum(needs.slots[used_needs], np.bincount(need_node, minlength=n_need)).astype(np.int64)
    places = np.maximum(places, 0)
    slot_need = np.repeat(np.arange(n_need), places)
    slot_rank = np.arange(len(slot_need)) - np.repeat(np.cumsum(places) - places, places)
    slot_value = rules.first_place_value / (needs.filled[used_needs][slot_need] + slot_rank + 1.0)
    capacity = np.maximum(supply.capacity[used_supply], 0).astype(np.int64)

    tails = np.concatenate([np.full(len(slot_need), source), need_base + need_node, supply_base + np.arange(n_supply)])
    heads = np.concatenate([need_base + slot_need, supply_base + supply_node, np.full(n_supply, sink)])
    caps = np.concatenate([np.ones(len(slot_need), np.int64), np.ones(len(cands), np.int64), capacity])
    costs = np.concatenate(
        [
            -np.round(slot_value * SCALE).astype(np.int64),
            -np.round(cands.score * SCALE).astype(np.int64),
            np.zeros(n_supply, dtype=np.int64),
        ]
    )
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64), costs.astype(np.int64)
    )
    most = int(min(len(slot_need), capacity.sum()))
    supplies = np.zeros(2 + n_need + n_supply, dtype=np.int64)
    supplies[source], supplies[sink] = most, -most
    solver.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
    status = solver.solve_max_flow_with_min_cost()
    pair_arcs = np.arange(len(slot_need), len(slot_need) + len(cands))
    rows = np.flatnonzero(solver.flows(pair_arcs) > 0)
    return _chosen(needs, cands, rows, rules, optimal=status == solver.OPTIMAL)


def _chosen(needs: Needs, cands: Candidates, rows: np.ndarray, rules: Rules, *, optimal: bool) -> Assignment:
    score = cands.score[rows]
    return Assignment(
        rows=rows,
        need=cands.need[rows],
        supply=cands.supply[rows],
        score=score,
        total=float(score.sum()),
        objective=objective(needs, cands.need[rows], score, rules),
        optimal=bool(optimal),
    )


def objective(needs: Needs, need_rows: np.ndarray, scores: np.ndarray, rules: Rules = DEFAULT_RULES) -> float:
    """The value the assignment maximises after the number of places: place values plus scores."""
    got = np.bincount(need_rows, minlength=len(needs)).astype(np.int64)
    need = np.repeat(np.arange(len(needs)), got)
    rank = np.arange(len(need)) - np.repeat(np.cumsum(got) - got, got)
    places = rules.first_place_value / (needs.filled[need] + rank + 1.0)
    return float(places.sum()) + float(np.sum(scores))


@dataclass
class Proposal:
    """What `propose` found: the candidates it chose from, the assignment, and how it got there."""

    candidates: Candidates
    assignment: Assignment
    rounds: int  # rounds of candidates for places left empty, after the first
    most_places: bool  # proven: no assignment over all feasible pairs fills more places
    seconds: dict = field(default_factory=dict)  # where the time went: candidates, rounds, assign


def propose(
    needs: Needs,
    supply: Supply,
    distances: np.ndarray,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    rules: Rules = DEFAULT_RULES,
    exclude=frozenset(),
) -> Proposal:
    """The whole batch. Pairs in `exclude` (as for `candidates`) are never proposed.

    1. Every need's best `rules.top_k` candidates.
    2. Rounds for places left empty: a maximum flow over the candidates and its minimum cut (the needs
       and rows on the source side). The cut bounds the places ANY assignment can fill unless a feasible
       pair leads from a need on the source side (it has room, or could get it by a swap) to a row on the
       sink side (free, or could be freed). The kernel looks for exactly those pairs, among those needs
       and rows only; they join the candidates, and the round repeats. When none is left, no assignment
       over all feasible pairs fills more places than the candidates allow (`most_places`).
    3. The assignment over everything found (`assign`)."""
    from ortools.graph.python import max_flow

    clock = time.perf_counter()
    seconds = {}
    ex = generation.exclusions(needs, supply, exclude)
    cands = generation.generate(needs, supply, distances, weights=weights, rules=rules, k=rules.top_k, ex=ex)
    seconds["candidates"], clock = time.perf_counter() - clock, time.perf_counter()
    rounds, most = 0, True
    while len(cands):
        need_side, row_side = _source_side(needs, supply, cands, max_flow)
        slots = np.where(need_side, needs.slots, 0).astype(np.int64)
        # A row on the source side cannot cross the cut: to the scan it has nobody left to give.
        capacity = np.where(row_side, 0, supply.capacity).astype(np.int64)
        if not (slots > 0).any() or not (capacity > 0).any():
            break
        crossing = generation.generate(
            needs,
            supply,
            distances,
            weights=weights,
            rules=rules,
            k=rules.top_k,
            ex=generation.with_pairs(ex, cands, len(needs)),
            slots=slots,
            capacity=capacity,
        )
        if not len(crossing):
            break
        if rounds == rules.cut_rounds:
            most = False
            break
        rounds += 1
        cands = generation.union(needs, supply, cands, crossing)
    seconds["rounds"], clock = time.perf_counter() - clock, time.perf_counter()
    result = assign(needs, supply, cands, rules=rules)
    seconds["assign"] = time.perf_counter() - clock
    return Proposal(cands, result, rounds, most, seconds)


def _source_side(needs: Needs, supply: Supply, cands: Candidates, max_flow) -> tuple[np.ndarray, np.ndarray]:
    """The needs and supply rows on the source side of a minimum cut of the candidate graph (source → need,
    its slots → supply row, one person per pair → sink, the row's capacity)."""
    used_needs, need_node = np.unique(cands.need, return_inverse=True)
    used_supply, supply_node = np.unique(cands.supply, return_inverse=True)
    n_need, n_supply = len(used_needs), len(used_supply)
    source, sink = 0, 1
    tails = np.concatenate([np.full(n_need, source), 2 + need_node, 2 + n_need + np.arange(n_supply)])
    heads = np.concatenate([2 + np.arange(n_need), 2 + n_need + supply_node, np.full(n_supply, sink)])
    caps = np.concatenate(
        [
            np.maximum(needs.slots[used_needs], 0),
            np.ones(len(cands), np.int64),
            np.maximum(supply.capacity[used_supply], 0),
        ]
    ).astype(np.int64)
    flow = max_flow.SimpleMaxFlow()
    flow.add_arcs_with_capacity(tails.astype(np.int32), heads.astype(np.int32), caps)
    flow.solve(source, sink)
    side = np.asarray(flow.get_source_side_min_cut(), dtype=np.int64)
    need_side = np.zeros(len(needs), dtype=bool)
    need_side[used_needs[side[(side >= 2) & (side < 2 + n_need)] - 2]] = True
    # A need without candidates has all its places on the source side: any feasible pair would cross.
    without = np.ones(len(needs), dtype=bool)
    without[used_needs] = False
    need_side |= without & (needs.slots > 0)
    row_side = np.zeros(len(supply), dtype=bool)
    row_side[used_supply[side[side >= 2 + n_need] - 2 - n_need]] = True
    return need_side, row_side


def fully_staffed(needs: Needs, need_rows: np.ndarray) -> int:
    got = np.bincount(need_rows, minlength=len(needs))
    return int(((got >= needs.slots) & (needs.slots > 0)).sum())


def warm_up(
    supply: Supply, distances: np.ndarray, *, weights: Weights = DEFAULT_WEIGHTS, rules: Rules = DEFAULT_RULES
) -> None:
    """Build the supply's derived arrays and load every compiled kernel once, with one made-up need, so
    the first real call in a process is as fast as the rest."""
    from scipy import sparse

    from .explanations import shortfall
    from .types import NO_DAY, ON_SITE, UNLIMITED_DAY

    width = max(supply.skills.shape[1], 1)
    one = Needs(
        ids=np.zeros(1, dtype=np.int64),
        municipality=np.full(1, -1, dtype=np.int16),
        location=np.full(1, ON_SITE, dtype=np.int8),
        required=sparse.csr_matrix((1, width), dtype=np.float32),
        nice=sparse.csr_matrix((1, width), dtype=np.float32),
        languages=np.zeros(1, dtype=np.uint64),
        themes=np.zeros(1, dtype=np.uint64),
        availability=np.zeros(1, dtype=np.uint8),
        monthly_hours=np.zeros(1, dtype=np.float32),
        total_hours=np.zeros(1, dtype=np.float32),
        slots=np.ones(1, dtype=np.int32),
        start_day=np.full(1, NO_DAY, dtype=np.int32),
        end_day=np.full(1, UNLIMITED_DAY, dtype=np.int32),
        waited_days=np.zeros(1, dtype=np.float32),
    )
    propose(one, supply, distances, weights=weights, rules=rules)
    if len(supply):
        shortfall(one, supply, distances, rules=rules)
        generation.best_needs(one, supply, 0, distances, weights=weights, rules=rules)
