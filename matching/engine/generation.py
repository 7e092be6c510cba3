"""Candidate generation: which pairs the assignment gets to choose from.

Each need keeps its best `top_k` feasible supply rows. A later round (`assignment.propose`) asks again for
needs that still have room, among the rows that are still free, so people outside every top list are
reached where they are needed; a round of pricing asks for the pairs that would raise the assignment's
value at current prices. Scores, components and facts all come from one kernel evaluation of each
kept pair (`kernel.evaluate`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from . import kernel
from .types import DEFAULT_RULES, DEFAULT_WEIGHTS, OFFER, VOLUNTEER, Candidates, Needs, Rules, Supply, Weights

# A later round whose free rows are fewer than this share of the supply scans a sub-supply of just them.
SUBSET_SHARE = 0.5


def candidates(
    needs: Needs,
    supply: Supply,
    distances: np.ndarray,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    rules: Rules = DEFAULT_RULES,
    exclude=frozenset(),
) -> Candidates:
    """The best `rules.top_k` feasible, scored candidates of every need. `exclude` holds pairs proposed
    before, never proposed again: triples (need id, VOLUNTEER or OFFER, volunteer or offer id), or
    (need id, volunteer id) for a volunteer."""
    return generate(
        needs, supply, distances, weights=weights, rules=rules, k=rules.top_k, ex=exclusions(needs, supply, exclude)
    )


def generate(
    needs: Needs,
    supply: Supply,
    distances: np.ndarray,
    *,
    weights: Weights,
    rules: Rules,
    k: int,
    ex: tuple[np.ndarray, np.ndarray],
    slots=None,
    capacity=None,
    prices=None,
) -> Candidates:
    """Candidates from one scan. `slots` and `capacity` (default: the needs' and the supply's own) say which
    needs still have room and which rows can still give people; the pairs are scored as usual. With
    `prices` (integer prices of the needs, their floors, the supply rows' prices and the scale of the scores),
    a need keeps only pairs whose score and row price together exceed its own price, highest first
    (`kernel.scan`)."""
    if not len(needs) or not len(supply):
        return empty(len(needs) * len(supply))
    w = weights.as_array()
    d = np.ascontiguousarray(distances, dtype=np.float64)
    n_arrays = kernel.need_arrays(needs, rules, slots=slots)
    free = None if capacity is None else np.flatnonzero(capacity > 0)
    if free is not None and len(free) < SUBSET_SHARE * len(supply):
        # Few rows can still give people (a later round): walk only their postings, not everyone's.
        part = supply.subset(free)
        part.capacity = capacity[free].astype(np.int32)
        s_arrays = kernel.supply_arrays(part)
        position = np.full(len(supply), -1, dtype=np.int64)
        position[free] = np.arange(len(free))
        ex_need = np.repeat(np.arange(len(needs)), np.diff(ex[0]))
        ex_row = position[ex[1]]
        keep = ex_row >= 0
        counts = np.bincount(ex_need[keep], minlength=len(needs))
        ex = (np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), ex_row[keep])
        back = free
        if prices is not None:
            prices = (prices[0], prices[1], prices[2][free], prices[3])
    else:
        s_arrays = kernel.supply_arrays(supply, capacity=capacity)
        back = None
    n_rows = len(s_arrays.row) - s_arrays.all_start  # the last posting list holds every row once
    none = np.zeros(0, np.int64)
    need_price, need_floor, row_price, scale = prices if prices is not None else (none, none, none, 0)
    if prices is not None:
        s_arrays = kernel.by_price(s_arrays, row_price)
    rows = kernel.scan(
        max(k, 1),
        w,
        n_arrays,
        s_arrays,
        d,
        ex[0],
        ex[1],
        n_rows,
        np.ascontiguousarray(need_price, dtype=np.int64),
        np.ascontiguousarray(need_floor, dtype=np.int64),
        np.ascontiguousarray(row_price, dtype=np.int64),
        float(scale),
    )
    pair_need, rank = np.nonzero(rows >= 0)
    pair_row = rows[pair_need, rank]
    if back is not None:
        pair_row = back[pair_row]
    return build(
        needs,
        supply,
        distances,
        pair_need.astype(np.int64),
        pair_row.astype(np.int64),
        weights=weights,
        rules=rules,
        pairs_scored=len(needs) * len(supply),
        n_arrays=n_arrays,
    )


def build(needs, supply, distances, pair_need, pair_row, *, weights, rules, pairs_scored, n_arrays=None) -> Candidates:
    """Candidates for the given pairs (duplicates dropped), evaluated by the kernel and ordered by need,
    best first, ties by supply rank."""
    n_rows = max(len(supply), 1)
    keys = np.unique(pair_need.astype(np.int64) * n_rows + pair_row.astype(np.int64))
    pair_need, pair_row = keys // n_rows, keys % n_rows
    n_arrays = n_arrays if n_arrays is not None else kernel.need_arrays(needs, rules)
    s_arrays = kernel.supply_arrays(supply)
    broken, score, comps, distance, covered, languages, themes, load = kernel.evaluate(
        pair_need, pair_row, weights.as_array(), n_arrays, s_arrays, np.ascontiguousarray(distances, np.float64)
    )
    # The kernel applied the same rules when it found these pairs. Only capacity may differ: a later round
    # and a volunteer's page ask with other capacities than the supply's own.
    if np.any(broken & ~kernel.CAPACITY):
        raise AssertionError("the scan kept a pair the rules rule out")
    order = np.lexsort((supply_rank(supply)[pair_row], -score, pair_need))
    return Candidates(
        need=pair_need[order].astype(np.int32),
        supply=pair_row[order].astype(np.int32),
        score=score[order],
        components=comps[order],
        distance_km=distance[order],
        required_covered=covered[order],
        required_total=n_arrays.req_total[pair_need[order]].astype(np.int16),
        shared_languages=languages[order],
        shared_themes=themes[order],
        load=load[order],
        pairs_scored=pairs_scored,
    )


def empty(pairs_scored: int = 0) -> Candidates:
    return Candidates(
        need=np.zeros(0, np.int32),
        supply=np.zeros(0, np.int32),
        score=np.zeros(0),
        components=np.zeros((0, kernel.N_COMPONENTS), np.float32),
        distance_km=np.zeros(0, np.float32),
        required_covered=np.zeros(0, np.int16),
        required_total=np.zeros(0, np.int16),
        shared_languages=np.zeros(0, np.uint64),
        shared_themes=np.zeros(0, np.int16),
        load=np.zeros(0, np.int16),
        pairs_scored=pairs_scored,
    )


def union(needs, supply, first: Candidates, second: Candidates) -> Candidates:
    """Both sets of candidates, each pair once, ordered as `build` orders them."""
    if not len(second):
        return first
    both = {
        name: np.concatenate([getattr(first, name), getattr(second, name)])
        for name in Candidates.__dataclass_fields__
        if name != "pairs_scored"
    }
    rank = supply_rank(supply)
    keep = _merge(first.need, first.score, rank[first.supply], second.need, second.score, rank[second.supply])
    return Candidates(**{name: value[keep] for name, value in both.items()}, pairs_scored=first.pairs_scored)


@njit(cache=True)
def _merge(need_a, score_a, rank_a, need_b, score_b, rank_b):
    """The order of two runs, each sorted by need, score descending, then supply rank, as one run; a pair
    in both (same need and rank, so the same score) is taken once, from the first."""
    a, b, n_a = 0, 0, len(need_a)
    out = np.empty(n_a + len(need_b), dtype=np.int64)
    count = 0
    while a < n_a or b < len(need_b):
        if b == len(need_b):
            take_a = True
        elif a == n_a:
            take_a = False
        elif need_a[a] != need_b[b]:
            take_a = need_a[a] < need_b[b]
        elif rank_a[a] == rank_b[b]:
            b += 1  # the same pair
            continue
        elif score_a[a] != score_b[b]:
            take_a = score_a[a] > score_b[b]
        else:
            take_a = rank_a[a] < rank_b[b]
        if take_a:
            out[count] = a
            a += 1
        else:
            out[count] = n_a + b
            b += 1
        count += 1
    return out[:count]


def supply_rank(supply: Supply) -> np.ndarray:
    """Each row's place in (kind, id) order: volunteers before offers, lower ids first."""
    ranks = supply._derived.get("rank")
    if ranks is None:
        order = np.lexsort((supply.ids, supply.kind))
        ranks = np.empty(len(supply), dtype=np.int64)
        ranks[order] = np.arange(len(supply))
        supply._derived["rank"] = ranks
    return ranks


def supply_rows(supply: Supply, kinds, ids) -> np.ndarray:
    """The rows of the given (kind, id) pairs; -1 for a pair that is not in the supply."""
    wanted = np.asarray(kinds, dtype=np.int64) << np.int64(40) | np.asarray(ids, dtype=np.int64)
    if not len(supply):
        return np.full(len(wanted), -1, dtype=np.int64)
    index = supply._derived.get("keys")
    if index is None:
        key = supply.kind.astype(np.int64) << np.int64(40) | supply.ids.astype(np.int64)
        order = np.argsort(key, kind="stable")
        index = supply._derived["keys"] = (key[order], order)
    sorted_keys, order = index
    at = np.minimum(np.searchsorted(sorted_keys, wanted), len(sorted_keys) - 1)
    return np.where(sorted_keys[at] == wanted, order[at], -1).astype(np.int64)


def need_rows(needs: Needs, ids) -> np.ndarray:
    order = np.argsort(needs.ids, kind="stable")
    sorted_ids = needs.ids[order]
    wanted = np.asarray(ids, dtype=np.int64)
    if not len(sorted_ids):
        return np.full(len(wanted), -1)
    at = np.minimum(np.searchsorted(sorted_ids, wanted), len(sorted_ids) - 1)
    return np.where(sorted_ids[at] == wanted, order[at], -1)


def exclusions(needs: Needs, supply: Supply, exclude) -> tuple[np.ndarray, np.ndarray]:
    """Pairs never to propose again, as a CSR over the needs of supply rows."""
    items = list(exclude)
    if not items:
        return np.zeros(len(needs) + 1, dtype=np.int64), np.zeros(0, dtype=np.int64)
    triples = [item if len(item) == 3 else (item[0], VOLUNTEER, item[1]) for item in items]
    need_ids, kinds, ids = (np.array(column, dtype=np.int64) for column in zip(*triples, strict=True))
    if np.any((kinds != VOLUNTEER) & (kinds != OFFER)):
        raise ValueError("A supply kind is VOLUNTEER or OFFER.")
    n = need_rows(needs, need_ids)
    s = supply_rows(supply, kinds, ids)
    keep = (n >= 0) & (s >= 0)
    n, s = n[keep], s[keep]
    order = np.lexsort((s, n))
    n, s = n[order], s[order]
    ptr = np.zeros(len(needs) + 1, dtype=np.int64)
    np.add.at(ptr, n + 1, 1)
    return np.cumsum(ptr), s.astype(np.int64)


def best_needs(
    needs: Needs,
    supply: Supply,
    row: int,
    distances: np.ndarray,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    rules: Rules = DEFAULT_RULES,
    limit: int = 10,
) -> Candidates:
    """The needs that fit supply row `row` best (score descending, ties by need id), whatever proposals hold
    their places or the row's people: what a volunteer is shown as "recommended for you"."""
    if not len(needs):
        return empty()
    slots = np.maximum(needs.slots, 1)
    capacity = supply.capacity.copy()
    capacity[row] = max(int(capacity[row]), 1)
    n_arrays = kernel.need_arrays(needs, rules, slots=slots)
    s_arrays = kernel.supply_arrays(supply, capacity=capacity)
    pair_need = np.arange(len(needs), dtype=np.int64)
    broken, score, *_facts = kernel.evaluate(
        pair_need,
        np.full(len(needs), row, dtype=np.int64),
        weights.as_array(),
        n_arrays,
        s_arrays,
        np.ascontiguousarray(distances, np.float64),
    )
    fits = np.flatnonzero(broken == 0)
    best = fits[np.lexsort((needs.ids[fits], -score[fits]))][:limit]
    found = build(
        needs,
        supply,
        distances,
        best,
        np.full(len(best), row, dtype=np.int64),
        weights=weights,
        rules=rules,
        pairs_scored=len(needs),
        n_arrays=n_arrays,
    )
    return found.take(np.lexsort((needs.ids[found.need], -found.score)))


def with_pairs(ex: tuple[np.ndarray, np.ndarray], cands: Candidates, m: int) -> tuple[np.ndarray, np.ndarray]:
    """An exclusion CSR over m needs that also holds the candidates' pairs (to look only for new ones)."""
    ptr, rows = ex
    need = np.concatenate([np.repeat(np.arange(m), np.diff(ptr)), cands.need.astype(np.int64)])
    row = np.concatenate([rows, cands.supply.astype(np.int64)])
    # Both parts are grouped by need already (two sorted runs); a need's rows may come in any order.
    order = np.argsort(need, kind="stable")
    counts = np.bincount(need, minlength=m)
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), row[order].astype(np.int64)
