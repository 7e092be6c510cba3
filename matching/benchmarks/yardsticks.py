"""Yardsticks for the engine, over EVERY feasible pair (no shortlist): what a first-come greedy would
propose, the most places any assignment can fill, and the best value of the engine's objective. Slow and
memory-hungry next to the engine; for the benchmark and the tests only.

All read the feasible pairs from the engine's kernel (`kernel.feasible_pairs`), so they obey exactly the
rules the engine obeys; they share nothing else with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from matching.engine import COMPONENTS, Needs, Rules, Supply, Weights, kernel
from matching.engine.generation import supply_rank


@dataclass
class Pairs:
    """All feasible pairs, grouped by need: need i's are rows[ptr[i]:ptr[i + 1]] with their scores."""

    ptr: np.ndarray
    rows: np.ndarray
    scores: np.ndarray

    def __len__(self) -> int:
        return len(self.rows)


def all_pairs(
    needs: Needs, supply: Supply, distances: np.ndarray, *, weights: Weights = Weights(), rules: Rules = Rules()
) -> Pairs:
    ptr, rows, scores = kernel.feasible_pairs(
        weights.as_array(),
        kernel.need_arrays(needs, rules),
        kernel.supply_arrays(supply),
        np.ascontiguousarray(distances, np.float64),
    )
    return Pairs(ptr, rows, scores)


def greedy(needs: Needs, supply: Supply, pairs: Pairs) -> tuple[np.ndarray, np.ndarray]:
    """First come, first served over every feasible pair: the best-scoring pair first (ties: lower need id,
    then volunteers before offers and lower ids) while both sides have room. Returns (need, supply) rows."""
    m, n = len(needs), len(supply)
    need_bits = max(int(m - 1).bit_length(), 1)
    rank_bits = max(int(n - 1).bit_length(), 1)
    score_bits = 63 - need_bits - rank_bits
    if score_bits < 24:
        raise ValueError("Market too large for packed greedy keys.")
    resolution = (1 << score_bits) - 1
    need_rank = np.argsort(np.argsort(needs.ids, kind="stable"), kind="stable").astype(np.int64)
    keys = _keys(pairs.ptr, pairs.rows, pairs.scores, need_rank, supply_rank(supply), resolution, need_bits, rank_bits)
    keys.sort()
    need_of_rank = np.argsort(needs.ids, kind="stable").astype(np.int64)
    row_of_rank = np.argsort(supply_rank(supply), kind="stable").astype(np.int64)
    return _take(
        keys,
        need_bits,
        rank_bits,
        need_of_rank,
        row_of_rank,
        needs.slots.astype(np.int64),
        supply.capacity.astype(np.int64),
    )


@njit(cache=True)
def _keys(ptr, rows, scores, need_rank, row_rank, resolution, need_bits, rank_bits):
    keys = np.empty(len(rows), dtype=np.int64)
    for i in range(len(ptr) - 1):
        for e in range(ptr[i], ptr[i + 1]):
            worse = resolution - np.int64(np.round(scores[e] * resolution))
            keys[e] = (worse << (need_bits + rank_bits)) | (need_rank[i] << rank_bits) | row_rank[rows[e]]
    return keys


@njit(cache=True)
def _take(keys, need_bits, rank_bits, need_of_rank, row_of_rank, slots, capacity):
    need_mask = (np.int64(1) << need_bits) - 1
    rank_mask = (np.int64(1) << rank_bits) - 1
    out_need = np.empty(min(len(keys), slots.sum()), dtype=np.int64)
    out_row = np.empty(len(out_need), dtype=np.int64)
    count = 0
    for key in keys:
        i = need_of_rank[(key >> rank_bits) & need_mask]
        j = row_of_rank[key & rank_mask]
        if slots[i] > 0 and capacity[j] > 0:
            slots[i] -= 1
            capacity[j] -= 1
            out_need[count] = i
            out_row[count] = j
            count += 1
    return out_need[:count], out_row[:count]


def most_places(needs: Needs, supply: Supply, pairs: Pairs) -> int:
    """The most places any assignment over the feasible pairs can fill: a maximum flow source → need
    (its slots) → supply row (one person per pair) → sink (the row's capacity), by Dinic's algorithm."""
    return int(
        _max_flow(
            pairs.ptr,
            pairs.rows,
            np.maximum(needs.slots, 0).astype(np.int64),
            np.maximum(supply.capacity, 0).astype(np.int64),
        )
    )


@njit(cache=True)
def _max_flow(ptr, rows, slots, cap):  # noqa: PLR0912, PLR0915 - Dinic's algorithm in one function
    m, n = len(slots), len(cap)
    flow = np.zeros(len(rows), dtype=np.uint8)
    used_need = np.zeros(m, dtype=np.int64)
    used = np.zeros(n, dtype=np.int64)
    offset = np.zeros(n + 1, dtype=np.int64)
    for j in range(n):
        offset[j + 1] = offset[j] + cap[j]
    held_pair = np.empty(offset[n], dtype=np.int64)  # the pairs holding each row's people
    held_need = np.empty(offset[n], dtype=np.int64)
    # A first-come start; the phases below only have to add what it missed.
    for i in range(m):
        for e in range(ptr[i], ptr[i + 1]):
            j = rows[e]
            if used_need[i] < slots[i] and used[j] < cap[j]:
                flow[e] = 1
                held_pair[offset[j] + used[j]] = e
                held_need[offset[j] + used[j]] = i
                used[j] += 1
                used_need[i] += 1
    level_need = np.empty(m, dtype=np.int64)
    level_row = np.empty(n, dtype=np.int64)
    it_need = np.empty(m, dtype=np.int64)
    it_row = np.empty(n, dtype=np.int64)
    queue = np.empty(m + n, dtype=np.int64)  # needs as i, rows as m + j
    stack = np.empty(2 * (m + n) + 2, dtype=np.int64)
    via = np.empty(2 * (m + n) + 2, dtype=np.int64)
    while True:
        level_need[:] = -1
        level_row[:] = -1
        head = tail = 0
        for i in range(m):
            if used_need[i] < slots[i]:
                level_need[i] = 0
                queue[tail] = i
                tail += 1
        sink_level = -1
        while head < tail:
            u = queue[head]
            head += 1
            if u < m:
                if sink_level >= 0 and level_need[u] + 1 >= sink_level:
                    continue
                for e in range(ptr[u], ptr[u + 1]):
                    j = rows[e]
                    if flow[e] == 0 and level_row[j] < 0:
                        level_row[j] = level_need[u] + 1
                        if used[j] < cap[j]:
                            if sink_level < 0:
                                sink_level = level_row[j] + 1
                        else:
                            queue[tail] = m + j
                            tail += 1
            else:
                j = u - m
                if sink_level >= 0 and level_row[j] + 1 >= sink_level:
                    continue
                for a in range(offset[j], offset[j] + used[j]):
                    i = held_need[a]
                    if level_need[i] < 0:
                        level_need[i] = level_row[j] + 1
                        queue[tail] = i
                        tail += 1
        if sink_level < 0:
            break
        for i in range(m):
            it_need[i] = ptr[i]
        it_row[:] = 0
        for s in range(m):
            if level_need[s] != 0:
                continue
            while used_need[s] < slots[s]:
                depth = 0
                stack[0] = s
                found = False
                while depth >= 0:
                    u = stack[depth]
                    if u >= m and used[u - m] < cap[u - m] and level_row[u - m] + 1 == sink_level:
                        found = True
                        break
                    advanced = False
                    if u < m:
                        while it_need[u] < ptr[u + 1]:
                            e = it_need[u]
                            j = rows[e]
                            if flow[e] == 0 and level_row[j] == level_need[u] + 1:
                                via[depth + 1] = e
                                stack[depth + 1] = m + j
                                depth += 1
                                advanced = True
                                break
                            it_need[u] += 1
                    else:
                        j = u - m
                        while it_row[j] < used[j]:
                            a = offset[j] + it_row[j]
                            i = held_need[a]
                            if level_need[i] == level_row[j] + 1:
                                via[depth + 1] = a
                                stack[depth + 1] = i
                                depth += 1
                                advanced = True
                                break
                            it_row[j] += 1
                    if not advanced:
                        if u < m:
                            level_need[u] = -2
                        else:
                            level_row[u - m] = -2
                        depth -= 1
                        if depth >= 0:
                            parent = stack[depth]
                            if parent < m:
                                it_need[parent] += 1
                            else:
                                it_row[parent - m] += 1
                if not found:
                    break
                # Augment along the stack: need → row takes a pair, row → need hands one back.
                used_need[s] += 1
                for d in range(1, depth + 1):
                    v = stack[d]
                    if v >= m:
                        j = v - m
                        e = via[d]
                        i = stack[d - 1]
                        flow[e] = 1
                        if d == depth:
                            slot = offset[j] + used[j]
                            used[j] += 1
                        else:
                            slot = offset[j] + it_row[j]  # the hand-back below frees this slot
                            a = via[d + 1]
                            flow[held_pair[a]] = 0
                        held_pair[slot] = e
                        held_need[slot] = i
    return used_need.sum()


def best_value(needs: Needs, supply: Supply, pairs: Pairs, *, rules: Rules = Rules()) -> tuple[int, float]:
    """The most places any assignment over the feasible pairs fills and, among those, the highest value
    (place values plus scores, the engine's objective): a min-cost maximum flow over EVERY feasible pair
    (OR-Tools), costs in millionths as the engine rounds them. Needs memory for all the pairs' arcs."""
    from ortools.graph.python import min_cost_flow

    m, n = len(needs), len(supply)
    slots = np.maximum(needs.slots, 0).astype(np.int64)
    place_need = np.repeat(np.arange(m), slots)
    rank = np.arange(len(place_need)) - np.repeat(np.cumsum(slots) - slots, slots)
    place_value = rules.first_place_value / (needs.filled[place_need] + rank + 1.0)
    need_of = np.repeat(np.arange(m), np.diff(pairs.ptr))
    capacity = np.maximum(supply.capacity, 0).astype(np.int64)
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([np.zeros(len(place_need)), 2 + need_of, 2 + m + np.arange(n)]).astype(np.int32),
        np.concatenate([2 + place_need, 2 + m + pairs.rows, np.ones(n)]).astype(np.int32),
        np.concatenate([np.ones(len(place_need) + len(pairs)), capacity]).astype(np.int64),
        np.concatenate([-np.round(place_value * 1e6), -np.round(pairs.scores * 1e6), np.zeros(n)]).astype(np.int64),
    )
    supplies = np.zeros(2 + m + n, dtype=np.int64)
    supplies[0] = min(len(place_need), int(capacity.sum()))
    supplies[1] = -supplies[0]
    solver.set_nodes_supplies(np.arange(2 + m + n, dtype=np.int32), supplies)
    if solver.solve_max_flow_with_min_cost() != solver.OPTIMAL:
        raise AssertionError("the min-cost flow over every feasible pair found no optimum")
    return int(solver.maximum_flow()), -solver.optimal_cost() / 1e6


@dataclass
class Figures:
    places: int
    fully_staffed: int
    with_one: int
    coverage: float  # mean share of the need's required skills a proposed person has, over places filled
    coverage_per_need: float  # mean over needs wanting people of that share (0 for a need left empty)
    total_score: float

    def as_dict(self) -> dict:
        return {
            "places": self.places,
            "fully_staffed": self.fully_staffed,
            "with_one": self.with_one,
            "coverage": round(self.coverage, 4),
            "coverage_per_need": round(self.coverage_per_need, 4),
            "total_score": round(self.total_score, 2),
        }


def figures(
    needs: Needs,
    supply: Supply,
    distances: np.ndarray,
    need_rows: np.ndarray,
    supply_rows: np.ndarray,
    *,
    weights: Weights = Weights(),
    rules: Rules = Rules(),
) -> Figures:
    """What a coordinator would look at in an assignment, each pair re-evaluated by the kernel."""
    need_rows = np.asarray(need_rows, dtype=np.int64)
    supply_rows = np.asarray(supply_rows, dtype=np.int64)
    broken, score, comps, *_facts = kernel.evaluate(
        need_rows,
        supply_rows,
        weights.as_array(),
        kernel.need_arrays(needs, rules),
        kernel.supply_arrays(supply),
        np.ascontiguousarray(distances, np.float64),
    )
    if np.any(broken & ~kernel.CAPACITY):
        raise AssertionError("an assignment holds a pair the rules rule out")
    got = np.bincount(need_rows, minlength=len(needs))
    wanted = needs.slots > 0
    required = comps[:, COMPONENTS.index("required")].astype(np.float64) if len(comps) else np.zeros(0)
    per_need = np.zeros(len(needs))
    np.add.at(per_need, need_rows, required)
    per_need = np.where(got > 0, per_need / np.maximum(got, 1), 0.0)
    return Figures(
        places=len(need_rows),
        fully_staffed=int(((got >= needs.slots) & wanted).sum()),
        with_one=int(((got > 0) & wanted).sum()),
        coverage=float(required.mean()) if len(required) else 0.0,
        coverage_per_need=float(per_need[wanted].mean()) if wanted.any() else 0.0,
        total_score=float(score.sum()),
    )
