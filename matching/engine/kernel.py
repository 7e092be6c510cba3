"""The numba kernel: the one place where the hard rules are checked and the score's components computed.

`_verdict` applies the hard rules to one (need, supply) pair and says which ones rule it out; `_score`
computes the named components and their weighted sum. Every entry point below is built on those two, so the
scan that picks candidates, the evaluation that explains them, the counts of who is missing and the
enumeration of all feasible pairs cannot disagree.

Supply data is laid out in posting order: for every skill, the rows holding it, each with a copy of the
columns the rules read, and one last list holding every row (for needs that require no skill, and for
looking a row up by its index). A need then walks its required skills' lists front to back.
"""

from __future__ import annotations

import os
from collections import namedtuple

# GNU OpenMP (numba's default threading layer here) lets idle threads spin before they sleep; on a small
# shared machine each parallel call then waits ~8 ms for a spinning peer, longer than the kernel's work for
# one need. Read when libgomp loads at the first parallel call, so it must be set before; an explicit
# setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
from numba import njit, prange  # noqa: E402

from .types import HYBRID, ON_SITE, REMOTE, RULES, Needs, Rules, Supply

SKILLS = 1 << RULES.index("skills")
LANGUAGE = 1 << RULES.index("language")
HOURS = 1 << RULES.index("hours")
DATES = 1 << RULES.index("dates")
AVAILABILITY = 1 << RULES.index("availability")
CAPACITY = 1 << RULES.index("capacity")
DISTANCE = 1 << RULES.index("distance")
REMOTE_WORK = 1 << RULES.index("remote")
N_COMPONENTS = 7
LANES = 8  # needs are dealt round-robin to this many lanes, run on the available cores

NeedArrays = namedtuple(
    "NeedArrays",
    [
        "ids",
        "req0",
        "req1",
        "nice0",
        "nice1",
        "lang",
        "theme",
        "avail",
        "muni",
        "loc",
        "month",
        "total",
        "slots",
        "start",
        "end",
        "waiting",
        "req_total",
        "need_cov",
        "nice_total",
        "theme_total",
        "avail_total",
        "req_ptr",
        "req_skills",
    ],
)

SupplyArrays = namedtuple(
    "SupplyArrays",
    [
        "row",
        "sk0",
        "sk1",
        "lang",
        "theme",
        "avail",
        "muni",
        "travel",
        "remote",
        "month",
        "total",
        "cap",
        "start",
        "end",
        "load",
        "rank",
        "serves",
        "ptr",
        "all_list",
        "all_start",
    ],
)


# Packing the dataclasses into the kernel's arrays -----------------------------------------------------


def _skill_words(matrix) -> np.ndarray:
    """Each row's skills as two 64-bit words (vocabularies of up to 128 skills)."""
    n_rows, n_cols = matrix.shape
    if n_cols > 128:
        raise ValueError("At most 128 skills are supported.")
    words = np.zeros((n_rows, 2), dtype=np.uint64)
    coo = matrix.tocoo()
    keep = coo.data != 0
    word = (coo.col[keep] // 64).astype(np.intp)
    bit = np.left_shift(np.uint64(1), (coo.col[keep] % 64).astype(np.uint64))
    np.bitwise_or.at(words, (coo.row[keep], word), bit)
    return words


def _popcount(values: np.ndarray) -> np.ndarray:
    return np.bitwise_count(values).astype(np.float64)


def need_arrays(needs: Needs, rules: Rules, slots=None) -> NeedArrays:
    required = needs.required.tocsr()
    required.eliminate_zeros()
    req = _skill_words(required)
    nice = _skill_words(needs.nice)
    req_total = _popcount(req[:, 0]) + _popcount(req[:, 1])
    return NeedArrays(
        ids=needs.ids.astype(np.int64),
        req0=req[:, 0].copy(),
        req1=req[:, 1].copy(),
        nice0=nice[:, 0].copy(),
        nice1=nice[:, 1].copy(),
        lang=needs.languages.astype(np.uint64),
        theme=needs.themes.astype(np.uint64),
        avail=needs.availability.astype(np.uint64),
        muni=needs.municipality.astype(np.int64),
        loc=needs.location.astype(np.int64),
        month=needs.monthly_hours.astype(np.float64),
        total=needs.total_hours.astype(np.float64),
        slots=(needs.slots if slots is None else slots).astype(np.int64),
        start=needs.start_day.astype(np.int64),
        end=needs.end_day.astype(np.int64),
        waiting=np.minimum(needs.waited_days.astype(np.float64) / rules.waiting_full_days, 1.0),
        req_total=req_total,
        need_cov=np.ceil(rules.min_required_coverage * req_total - 1e-9),
        nice_total=_popcount(nice[:, 0]) + _popcount(nice[:, 1]),
        theme_total=_popcount(needs.themes.astype(np.uint64)),
        avail_total=_popcount(needs.availability.astype(np.uint64)),
        req_ptr=required.indptr.astype(np.int64),
        req_skills=required.indices.astype(np.int64),
    )


def supply_arrays(supply: Supply, capacity=None) -> SupplyArrays:
    """The supply in posting order. The static part is built once per supply object (kept for warm runs);
    capacity and load, which change between runs, are gathered every time."""
    static = supply._derived.get("arrays")
    if static is None:
        n = len(supply)
        skills = supply.skills.tocsr().copy()
        skills.eliminate_zeros()
        postings = skills.T.tocsr()
        postings.sort_indices()
        row = np.concatenate([postings.indices.astype(np.int64), np.arange(n, dtype=np.int64)])
        ptr = np.concatenate([postings.indptr.astype(np.int64), [postings.indptr[-1] + n]]).astype(np.int64)
        words = _skill_words(skills)
        order = np.lexsort((supply.ids, supply.kind))
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)  # ties go to volunteers before offers, then to the lower id
        static = {
            "row": row.astype(np.int32),
            "sk0": words[row, 0],
            "sk1": words[row, 1],
            "lang": supply.languages.astype(np.uint64)[row],
            "theme": supply.themes.astype(np.uint64)[row],
            "avail": supply.availability.astype(np.uint64)[row],
            "muni": supply.municipality.astype(np.int64)[row],
            "travel": supply.travel_km.astype(np.float32)[row],
            "remote": supply.remote_ok.astype(np.bool_)[row],
            "month": supply.hours_per_month.astype(np.float32)[row],
            "total": supply.hours_total.astype(np.float32)[row],
            "start": supply.start_day.astype(np.int32)[row],
            "end": supply.end_day.astype(np.int32)[row],
            "rank": rank[row],
            "serves": supply.serves.astype(np.uint64)[row],
            "ptr": ptr,
            "all_list": len(ptr) - 2,
            "all_start": int(ptr[-2]),
        }
        supply._derived["arrays"] = static
    row = static["row"]
    cap = (supply.capacity if capacity is None else capacity).astype(np.int32)[row]
    load = supply.load.astype(np.float32)[row]
    return SupplyArrays(cap=cap, load=load, **static)


def by_price(S: SupplyArrays, row_price: np.ndarray) -> SupplyArrays:
    """The same posting lists, each ordered by its rows' prices, highest first (ties in posting order)."""
    lists = np.repeat(np.arange(len(S.ptr) - 1), np.diff(S.ptr))
    order = np.lexsort((-row_price[S.row], lists))
    fixed = ("ptr", "all_list", "all_start")
    return S._replace(**{name: getattr(S, name)[order] for name in S._fields if name not in fixed})


# The rules and the score: one pair ------------------------------------------------------------------------


@njit(cache=True, inline="always")
def _bitcount(x):
    x = np.uint64(x)
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return float((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


@njit(cache=True, inline="always")
def _verdict(i, p, N, S, distances, stop):
    """The hard rules for need i and supply entry p, cheapest and most selective first. Returns the bits of
    the rules broken (0: the pair is feasible), the required skills covered and the distance (km; 0 inside an
    offer's municipalities; inf when unknown or outside them). With `stop`, returns at the first rule broken."""
    broken = 0
    covered = _bitcount(N.req0[i] & S.sk0[p]) + _bitcount(N.req1[i] & S.sk1[p])
    if N.req_total[i] > 0 and covered < N.need_cov[i]:
        broken |= SKILLS
        if stop:
            return broken, covered, np.inf
    if N.lang[i] != 0 and (N.lang[i] & S.lang[p]) == 0:
        broken |= LANGUAGE
        if stop:
            return broken, covered, np.inf
    if S.month[p] < N.month[i] or S.total[p] < N.total[i]:
        broken |= HOURS
        if stop:
            return broken, covered, np.inf
    if S.start[p] > N.end[i] or N.start[i] > S.end[p]:
        broken |= DATES
        if stop:
            return broken, covered, np.inf
    if N.avail[i] != 0 and (N.avail[i] & S.avail[p]) == 0:
        broken |= AVAILABILITY
        if stop:
            return broken, covered, np.inf
    if S.cap[p] <= 0 or N.slots[i] <= 0:
        broken |= CAPACITY
        if stop:
            return broken, covered, np.inf
    dist = np.inf
    if S.serves[p] != 0:
        within = N.muni[i] >= 0 and ((S.serves[p] >> np.uint64(max(N.muni[i], 0))) & np.uint64(1)) == 1
        if within:
            dist = 0.0
    else:
        if N.muni[i] >= 0 and S.muni[p] >= 0:
            dist = distances[N.muni[i], S.muni[p]]
        within = dist <= S.travel[p]
    location = N.loc[i]
    if location == ON_SITE:
        if not within:
            broken |= DISTANCE
    elif location == REMOTE:
        if not S.remote[p]:
            broken |= REMOTE_WORK
    elif not (within or S.remote[p]):
        broken |= DISTANCE
    return broken, covered, dist


@njit(cache=True, inline="always")
def _score(i, p, N, S, covered, dist, w, out):
    """The components (each in [0, 1], written to `out` as float32) and the weighted score of a pair."""
    required = covered / N.req_total[i] if N.req_total[i] > 0 else 1.0
    if N.nice_total[i] > 0:
        nice = (_bitcount(N.nice0[i] & S.sk0[p]) + _bitcount(N.nice1[i] & S.sk1[p])) / N.nice_total[i]
    else:
        nice = 0.5
    theme = _bitcount(N.theme[i] & S.theme[p]) / N.theme_total[i] if N.theme_total[i] > 0 else 0.5
    if N.loc[i] == REMOTE:
        near = 1.0
    else:
        near = min(max(1.0 - dist / max(np.float64(S.travel[p]), 1.0), 0.0), 1.0)
    availability = _bitcount(N.avail[i] & S.avail[p]) / N.avail_total[i] if N.avail_total[i] > 0 else 1.0
    load = 1.0 / (1.0 + S.load[p])
    out[0] = np.float32(required)
    out[1] = np.float32(nice)
    out[2] = np.float32(theme)
    out[3] = np.float32(near)
    out[4] = np.float32(availability)
    out[5] = np.float32(N.waiting[i])
    out[6] = np.float32(load)
    return w[0] * out[0] + w[1] * out[1] + w[2] * out[2] + w[3] * out[3] + w[4] * out[4] + w[5] * out[5] + w[6] * out[6]


@njit(cache=True, inline="always")
def _works_remotely(i, p, N, S, dist):
    """The pair works remotely: a remote need, or a hybrid one the person cannot reach but does remotely."""
    if N.loc[i] == REMOTE:
        return True
    if N.loc[i] == HYBRID:
        reach = dist == 0.0 if S.serves[p] != 0 else dist <= S.travel[p]
        return not reach
    return False


# Keeping the best k ---------------------------------------------------------------------------------------


@njit(cache=True, inline="always")
def _insert(best_score, best_key, best_idx, base, count, k, score, key, idx):
    """Keep the k best (score descending, key ascending) in best_*[base:base + k]; returns the new count."""
    if count == k:
        last = base + k - 1
        if score < best_score[last] or (score == best_score[last] and key > best_key[last]):
            return count
        pos = last
    else:
        pos = base + count
        count += 1
    while pos > base and (score > best_score[pos - 1] or (score == best_score[pos - 1] and key < best_key[pos - 1])):
        best_score[pos] = best_score[pos - 1]
        best_key[pos] = best_key[pos - 1]
        best_idx[pos] = best_idx[pos - 1]
        pos -= 1
    best_score[pos] = score
    best_key[pos] = key
    best_idx[pos] = idx
    return count


# Entry points -------------------------------------------------------------------------------------------


@njit(cache=True, parallel=True)
def scan(k, w, N, S, distances, ex_ptr, ex_rows, n_rows, need_price, need_floor, row_price, scale):  # noqa: PLR0912, PLR0915
    """Every need against the supply rows holding one of its required skills (all rows when it requires
    none): the rules, then the score. Keeps each need's best k (ties by supply rank). Pairs in
    `ex_rows[ex_ptr[i]:ex_ptr[i + 1]]` are skipped for need i. Returns (m × k) supply rows (-1 empty).

    Priced (`row_price` not empty, integer prices by supply row): a pair's value is its score as an integer
    cost (score × scale, rounded as the assignment rounds it) plus its row's price, and only pairs whose
    value exceeds their need's price (`need_price`) are kept, the highest values first. The lists must then
    be ordered by row price, highest first (`by_price`): a need stops walking a list at the first row priced
    at or below its floor (`need_floor`), as no row from there on can get there."""
    m = len(N.ids)
    priced = len(row_price) > 0
    out_row = np.full((m, k), -1, dtype=np.int64)
    lanes = min(LANES, m)
    for lane in prange(lanes):
        best_score = np.empty(k, dtype=np.float64)
        best_key = np.empty(k, dtype=np.int64)
        best_row = np.empty(k, dtype=np.int64)
        comps = np.empty(N_COMPONENTS, dtype=np.float32)
        blocked = np.zeros(n_rows, dtype=np.bool_)
        for i in range(lane, m, lanes):
            if N.slots[i] <= 0:
                continue
            has_excluded = ex_ptr[i + 1] > ex_ptr[i]
            for q in range(ex_ptr[i], ex_ptr[i + 1]):
                blocked[ex_rows[q]] = True
            count = 0
            first, last = N.req_ptr[i], N.req_ptr[i + 1]
            walk_all = first == last
            seen0 = np.uint64(0)
            seen1 = np.uint64(0)
            for q in range(first, last + 1 if walk_all else last):
                skill = S.all_list if walk_all else N.req_skills[q]
                for p in range(S.ptr[skill], S.ptr[skill + 1]):
                    j = S.row[p]
                    if priced and row_price[j] <= need_floor[i]:
                        break
                    # A row holding a required skill walked before was seen in that skill's list.
                    if (S.sk0[p] & seen0) != 0 or (S.sk1[p] & seen1) != 0:
                        continue
                    if has_excluded and blocked[j]:
                        continue
                    broken, covered, dist = _verdict(i, p, N, S, distances, True)
                    if broken:
                        continue
                    score = _score(i, p, N, S, covered, dist, w, comps)
                    if priced:
                        value = np.int64(np.rint(score * scale)) + row_price[j]
                        if value <= need_price[i]:
                            continue
                        score = np.float64(value)
                    count = _insert(best_score, best_key, best_row, 0, count, k, score, S.rank[p], j)
                if not walk_all:
                    if skill < 64:
                        seen0 |= np.uint64(1) << np.uint64(skill)
                    else:
                        seen1 |= np.uint64(1) << np.uint64(skill - 64)
            for r in range(count):
                out_row[i, r] = best_row[r]
            for q in range(ex_ptr[i], ex_ptr[i + 1]):
                blocked[ex_rows[q]] = False
    return out_row


@njit(cache=True, parallel=True)
def evaluate(pair_need, pair_row, w, N, S, distances):
    """The kernel's full account of the given pairs (need index, supply row): rules broken, score,
    components and the facts explanations are written from."""
    size = len(pair_need)
    broken = np.zeros(size, dtype=np.int64)
    score = np.zeros(size, dtype=np.float64)
    comps = np.zeros((size, N_COMPONENTS), dtype=np.float32)
    distance = np.zeros(size, dtype=np.float32)
    covered = np.zeros(size, dtype=np.int16)
    languages = np.zeros(size, dtype=np.uint64)
    themes = np.zeros(size, dtype=np.int16)
    load = np.zeros(size, dtype=np.int16)
    for r in prange(size):
        i = pair_need[r]
        p = S.all_start + pair_row[r]
        b, c, d = _verdict(i, p, N, S, distances, False)
        broken[r] = b
        score[r] = _score(i, p, N, S, c, d, w, comps[r])
        distance[r] = np.nan if _works_remotely(i, p, N, S, d) else d
        covered[r] = np.int16(c)
        languages[r] = N.lang[i] & S.lang[p]
        themes[r] = np.int16(_bitcount(N.theme[i] & S.theme[p]))
        load[r] = np.int16(S.load[p])
    return broken, score, comps, distance, covered, languages, themes, load


@njit(cache=True, parallel=True)
def verdicts(i, N, S, distances, n_rows):
    """Every rule each supply row breaks for need i (all of them, not only the first)."""
    out = np.zeros(n_rows, dtype=np.int64)
    for j in prange(n_rows):
        b, _c, _d = _verdict(i, S.all_start + j, N, S, distances, False)
        out[j] = b
    return out


@njit(cache=True, inline="always")
def _walk_feasible(i, N, S, distances, w, comps, rows, scores, base, fill):
    """Need i's feasible pairs: counts them, and with `fill` writes rows and scores from `base` on."""
    count = 0
    first, last = N.req_ptr[i], N.req_ptr[i + 1]
    walk_all = first == last
    seen0 = np.uint64(0)
    seen1 = np.uint64(0)
    for q in range(first, last + 1 if walk_all else last):
        skill = S.all_list if walk_all else N.req_skills[q]
        for p in range(S.ptr[skill], S.ptr[skill + 1]):
            if (S.sk0[p] & seen0) != 0 or (S.sk1[p] & seen1) != 0:
                continue
            broken, covered, dist = _verdict(i, p, N, S, distances, True)
            if broken:
                continue
            if fill:
                rows[base + count] = S.row[p]
                scores[base + count] = _score(i, p, N, S, covered, dist, w, comps)
            count += 1
        if not walk_all:
            if skill < 64:
                seen0 |= np.uint64(1) << np.uint64(skill)
            else:
                seen1 |= np.uint64(1) << np.uint64(skill - 64)
    return count


@njit(cache=True, parallel=True)
def feasible_pairs(w, N, S, distances):
    """Every feasible pair, grouped by need (CSR: need i's pairs are rows[ptr[i]:ptr[i + 1]], in posting
    order), with scores. Two passes over the candidates: count, then fill. A yardstick for benchmarks and
    tests; the batch itself keeps only the best candidates."""
    m = len(N.ids)
    counts = np.zeros(m, dtype=np.int64)
    no_rows = np.empty(0, dtype=np.int32)
    no_scores = np.empty(0, dtype=np.float64)
    for i in prange(m):
        if N.slots[i] > 0:
            comps = np.empty(N_COMPONENTS, dtype=np.float32)
            counts[i] = _walk_feasible(i, N, S, distances, w, comps, no_rows, no_scores, 0, False)
    ptr = np.zeros(m + 1, dtype=np.int64)
    for i in range(m):
        ptr[i + 1] = ptr[i] + counts[i]
    rows = np.empty(ptr[m], dtype=np.int32)
    scores = np.empty(ptr[m], dtype=np.float64)
    for i in prange(m):
        if N.slots[i] > 0:
            comps = np.empty(N_COMPONENTS, dtype=np.float32)
            _walk_feasible(i, N, S, distances, w, comps, rows, scores, ptr[i], True)
    return ptr, rows, scores
