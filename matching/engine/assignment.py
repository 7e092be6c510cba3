"""The global assignment: which of the candidate pairs become proposals.

What it maximises, in order:

1. the number of places filled;
2. among the ways to fill that many, the sum over needs of their places' values (a need's 1st person counts
   `first_place_value`, its 2nd half that, its r-th 1/r of it; a need that already has people continues
   where it stands) plus the sum of the chosen pairs' scores.

As a min-cost flow: source → need through one arc per open place (cost: minus that place's value, so a
need's first places are the cheapest to fill) → supply row (cost: minus the pair's score) → sink (the row's
capacity). OR-Tools computes the maximum flow of least cost, which is exactly 1 then 2; integer costs make it
exact. `propose` makes that exact over EVERY feasible pair, not only the candidates: rounds of candidates for
places left empty, until a minimum cut shows no feasible pair could fill more; then rounds of pricing, until
the flow's potentials show no feasible pair could raise the value (`duals`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from . import generation
from .types import DEFAULT_RULES, DEFAULT_WEIGHTS, Assignment, Candidates, Needs, Rules, Supply, Weights

SCALE = 1_000_000  # values and scores become integer costs with this resolution


# Pricing also brings in pairs within this much (0.02 of a score) of entering: the re-solved flow often wants
# them next, and a round saved is a solve saved. Only a negative reduced cost keeps the rounds going.
MARGIN = 20_000


def place_values(filled: int, places: int, rules: Rules) -> np.ndarray:
    """The value of each next place of a need that has `filled` people: first_place_value / r for the r-th."""
    return rules.first_place_value / np.arange(filled + 1, filled + places + 1, dtype=np.float64)


def assign(needs: Needs, supply: Supply, cands: Candidates, *, rules: Rules = DEFAULT_RULES) -> Assignment:
    """The best assignment of the candidates: the most places, then the highest value (module docstring).
    Each need gets at most its slots and each supply row gives at most its capacity, one person per pair.
    Ties are broken by the order of the arcs (needs and supply rows in candidate order), so the result is
    the same for the same input. `optimal` says the solver proved it best over these candidates."""
    return _solve(needs, supply, cands, rules)[0]


@dataclass
class _Flow:
    """The min-cost flow over the candidates and the flow found: nodes source 0, sink 1, then the needs in
    `used_needs`, then the supply rows in `used_supply`; arcs: the places, then one per candidate, then one
    per supply row to the sink."""

    used_needs: np.ndarray
    used_supply: np.ndarray
    tails: np.ndarray
    heads: np.ndarray
    caps: np.ndarray
    costs: np.ndarray
    flows: np.ndarray
    n_places: int


def _solve(needs: Needs, supply: Supply, cands: Candidates, rules: Rules) -> tuple[Assignment, _Flow | None]:
    from ortools.graph.python import min_cost_flow

    if not len(cands):
        return _chosen(needs, cands, np.zeros(0, dtype=np.int64), rules, optimal=True), None
    used_needs, need_node = np.unique(cands.need, return_inverse=True)
    used_supply, supply_node = np.unique(cands.supply, return_inverse=True)
    n_need, n_supply = len(used_needs), len(used_supply)
    source, sink = 0, 1
    need_base, supply_base = 2, 2 + n_need
    # Every open place of a need gets its arc, also beyond its candidates: the potentials must hold for all.
    places = np.maximum(needs.slots[used_needs], 0).astype(np.int64)
    slot_need = np.repeat(np.arange(n_need), places)
    slot_rank = np.arange(len(slot_need)) - np.repeat(np.cumsum(places) - places, places)
    slot_value = rules.first_place_value / (needs.filled[used_needs][slot_need] + slot_rank + 1.0)
    capacity = np.maximum(supply.capacity[used_supply], 0).astype(np.int64)

    tails = np.concatenate([np.full(len(slot_need), source), need_base + need_node, supply_base + np.arange(n_supply)])
    heads = np.concatenate([need_base + slot_need, supply_base + supply_node, np.full(n_supply, sink)])
    caps = np.concatenate([np.ones(len(slot_need), np.int64), np.ones(len(cands), np.int64), capacity])
    costs = np.concatenate(
        [-np.round(slot_value * SCALE).astype(np.int64), -_cost(cands.score), np.zeros(n_supply, dtype=np.int64)]
    )
    tails, heads = tails.astype(np.int32), heads.astype(np.int32)
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    most = int(min(len(slot_need), capacity.sum()))
    supplies = np.zeros(2 + n_need + n_supply, dtype=np.int64)
    supplies[source], supplies[sink] = most, -most
    solver.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
    status = solver.solve_max_flow_with_min_cost()
    flows = np.asarray(solver.flows(np.arange(len(tails))), dtype=np.int64)
    rows = np.flatnonzero(flows[len(slot_need) : len(slot_need) + len(cands)] > 0)
    flow = _Flow(used_needs, used_supply, tails, heads, caps, costs, flows, len(slot_need))
    return _chosen(needs, cands, rows, rules, optimal=status == solver.OPTIMAL), flow


def _cost(scores: np.ndarray) -> np.ndarray:
    """Scores as the integer costs the flow uses (the pricing scan rounds the same way)."""
    return np.round(scores * SCALE).astype(np.int64)


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


def _prices(needs: Needs, supply: Supply, flow: _Flow) -> tuple[np.ndarray, np.ndarray] | None:
    """Integer prices from the potentials of the optimal flow (`duals`): a need's potential and a supply
    row's, relative to the sink's; a row outside the network is at the sink's (its only arc leads there).
    A pair not in the network would lower the cost exactly when score + its row's price > its need's price.
    None when the potentials do not certify the flow (the solver stopped short)."""
    from . import duals

    n_need, n_supply = len(flow.used_needs), len(flow.used_supply)
    pi, ok = duals.potentials(2 + n_need + n_supply, flow.tails, flow.heads, flow.caps, flow.costs, flow.flows, 1)
    if not ok:
        return None
    pi = pi - pi[1]
    pairs = slice(flow.n_places, len(flow.tails) - n_supply)
    to_sink = slice(len(flow.tails) - n_supply, len(flow.tails))
    rows = duals.lowest_rows(
        pi,
        np.arange(2 + n_need, 2 + n_need + n_supply, dtype=np.int64),
        flow.tails[pairs].astype(np.int64),
        flow.heads[pairs].astype(np.int64),
        flow.costs[pairs],
        flow.flows[pairs],
        flow.flows[to_sink],
        flow.caps[to_sink],
        1,
    )
    pi[2 + n_need :] = rows
    if not duals.all_reduced_costs_nonnegative(pi, flow.tails, flow.heads, flow.caps, flow.costs, flow.flows):
        return None
    # A need outside the network has no feasible pair at all (its first scan found none): never priced.
    need_price = np.full(len(needs), np.iinfo(np.int64).max // 4, dtype=np.int64)
    need_price[flow.used_needs] = pi[2 : 2 + n_need]
    row_price = np.zeros(len(supply), dtype=np.int64)
    row_price[flow.used_supply] = rows
    return need_price, row_price


def _kth_cost(needs: Needs, first: Candidates, k: int) -> np.ndarray:
    """Per need, the integer cost of the k-th best of its first candidates: no pair outside them scores
    higher. -1 for a need with fewer than k: its first scan found every feasible pair it has."""
    counts = np.bincount(first.need, minlength=len(needs))
    kth = np.full(len(needs), -1, dtype=np.int64)
    full = np.flatnonzero(counts >= k)
    last = np.cumsum(counts) - 1  # candidates are grouped by need, best first
    kth[full] = _cost(first.score[last[full]])
    return kth


def _entering(needs, supply, distances, cands, prices, kth, ex, *, weights, rules) -> tuple[Candidates, bool]:
    """The feasible pairs outside the candidates whose reduced cost under `prices` is below `MARGIN`, a
    need's best `top_k` of them, and whether any is negative. A need is scanned only when its k-th best first
    candidate plus the highest row price could get there: no pair outside its first candidates scores more
    than that one."""
    need_price, row_price = prices
    reach = need_price - MARGIN
    scan = (kth >= 0) & (kth + max(int(row_price.max(initial=0)), 0) > reach)
    if not scan.any():
        return generation.empty(), False
    found = generation.generate(
        needs,
        supply,
        distances,
        weights=weights,
        rules=rules,
        k=rules.top_k,
        ex=generation.with_pairs(ex, cands, len(needs)),
        slots=np.where(scan, needs.slots, 0).astype(np.int64),
        # No pair outside its first candidates scores more than the k-th of them: a row must make up the rest.
        prices=(reach, reach - np.maximum(kth, 0), row_price, SCALE),
    )
    # The scan applied the same test; checked again on the candidates' own integer costs.
    reduced = need_price[found.need] - row_price[found.supply] - _cost(found.score)
    return found.take(np.flatnonzero(reduced < MARGIN)), bool(np.any(reduced < 0))


@dataclass
class Proposal:
    """What `propose` found: the candidates it chose from, the assignment, and how it got there."""

    candidates: Candidates
    assignment: Assignment  # `optimal`: proven best over ALL feasible pairs (see `propose`)
    rounds: int  # rounds of candidates for places left empty, after the first
    most_places: bool  # proven: no assignment over all feasible pairs fills more places
    seconds: dict = field(default_factory=dict)  # where the time went: candidates, rounds, assign, pricing
    pricing_rounds: int = 0  # rounds of candidates that raise the value at the same number of places


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
    3. The assignment over everything found (`assign`), then rounds of pricing (column generation): the
       potentials of the optimal flow (`duals`) price every feasible pair outside the candidates, the kernel
       finds each need's best pairs with a negative reduced cost (those that could raise the value at the
       same number of places, by a chain of swaps), they join the candidates and the assignment is solved
       again. When none is left, no assignment over all feasible pairs has a higher value:
       `assignment.optimal` is that proof (with `most_places`). The rounds are capped by
       `rules.pricing_rounds`; a batch that reaches the cap keeps its assignment, with `optimal` False."""
    from ortools.graph.python import max_flow

    clock = time.perf_counter()
    seconds = {}
    ex = generation.exclusions(needs, supply, exclude)
    cands = generation.generate(needs, supply, distances, weights=weights, rules=rules, k=rules.top_k, ex=ex)
    kth = _kth_cost(needs, cands, max(rules.top_k, 1))
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
    seconds["rounds"] = time.perf_counter() - clock
    seconds["assign"] = seconds["pricing"] = 0.0
    pricing, proven = 0, False
    while True:
        clock = time.perf_counter()
        result, flow = _solve(needs, supply, cands, rules)
        seconds["assign"] += time.perf_counter() - clock
        if flow is None:
            proven = most and result.optimal  # no candidates: no feasible pair at all
            break
        if not (most and result.optimal):
            break
        clock = time.perf_counter()
        prices = _prices(needs, supply, flow)
        if prices is None:
            break
        entering, negative = _entering(needs, supply, distances, cands, prices, kth, ex, weights=weights, rules=rules)
        seconds["pricing"] += time.perf_counter() - clock
        if not negative:
            proven = True
            break
        if pricing == rules.pricing_rounds:
            break
        pricing += 1
        cands = generation.union(needs, supply, cands, entering)
    result.optimal = proven
    return Proposal(cands, result, rounds, most, seconds, pricing)


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


def _warm_pricing() -> None:
    """Load the pricing's compiled parts once, on a one-pair flow (the types a real batch passes)."""
    from . import duals

    one = np.ones(3, dtype=np.int64)
    tails, heads, costs = np.array([0, 2, 3], np.int32), np.array([2, 3, 1], np.int32), np.array([-1, -1, 0])
    pi, _ok = duals.potentials(4, tails, heads, one, costs, one, 1)
    pair = (tails[1:2].astype(np.int64), heads[1:2].astype(np.int64), costs[1:2], one[:1])
    duals.lowest_rows(pi, np.array([3]), *pair, one[:1], one[:1], 1)
    duals.all_reduced_costs_nonnegative(pi, tails, heads, one, costs, one)
    no_need, no_score, no_rank = np.zeros(0, np.int32), np.zeros(0), np.zeros(0, np.int64)
    generation._merge(no_need, no_score, no_rank, no_need, no_score, no_rank)


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
    _warm_pricing()
    if len(supply):
        shortfall(one, supply, distances, rules=rules)
        generation.best_needs(one, supply, 0, distances, weights=weights, rules=rules)
