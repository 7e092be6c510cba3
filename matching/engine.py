"""The matching engine: plain data in, scored, explained and assigned pairs out. No Django here.

Needs ask for people; supply rows offer them (a volunteer is a row with capacity 1, an offer a row with
capacity = its remaining people). The engine

1. generates candidates per need from the inverted skill index (a sparse product of the needs' required
   skills with the supply's skills), so a need only ever looks at people who have at least one skill it
   requires (needs that require no skill look at everyone);
2. prunes them with the hard constraints, all in one place (`feasible`): open/active (the caller passes
   only those), overlapping dates, a shared language, travel distance unless remote, enough hours, capacity
   left, never a pair that was proposed before;
3. scores the survivors with named, weighted components (`score_components`), vectorised with numpy;
4. keeps the top k per need (ties broken by supply id, so the result is deterministic);
5. chooses the pairs that maximise the total score under every need's and supply's capacity, as a
   min-cost flow (OR-Tools), proven optimal — not first-come greedy.

Explanations are built from the same components as the score (`explain`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numba import njit, prange
from scipy import sparse

UNLIMITED_DAY = np.int32(2**30)
NO_DAY = np.int32(-(2**30))

# Locations of a need.
ON_SITE, REMOTE, HYBRID = 0, 1, 2
# Availability bits.
WEEKDAYS, EVENINGS, WEEKENDS = 1, 2, 4

COMPONENTS = ("required", "nice", "theme", "distance", "availability", "waiting", "load")


@dataclass(frozen=True)
class Weights:
    """How much each component counts; they sum to 1 so a score is between 0 and 1."""

    required: float = 0.40
    nice: float = 0.10
    theme: float = 0.12
    distance: float = 0.15
    availability: float = 0.05
    waiting: float = 0.10
    load: float = 0.08

    def as_array(self) -> np.ndarray:
        return np.array([getattr(self, name) for name in COMPONENTS], dtype=np.float64)


@dataclass(frozen=True)
class Rules:
    """Parameters of the hard constraints and of the search."""

    min_required_coverage: float = 0.5  # share of the required skills a candidate must have
    top_k: int = 50  # candidates kept per need before the global assignment
    waiting_full_days: float = 60.0  # a need waiting this long gets the whole waiting component
    chunk: int = 1024  # needs per vectorised block


@dataclass
class Supply:
    """Who can help, one row per volunteer or offer. Skills and the bit sets are over fixed vocabularies."""

    ids: np.ndarray  # int64, unique
    municipality: np.ndarray  # int16 index into the distance matrix, -1 unknown
    travel_km: np.ndarray  # float32
    remote_ok: np.ndarray  # bool
    hours_per_month: np.ndarray  # float32
    hours_total: np.ndarray  # float32: hours one person can give to one need (inf for a volunteer)
    availability: np.ndarray  # uint8 bits WEEKDAYS | EVENINGS | WEEKENDS
    skills: sparse.csr_matrix  # (n × n_skills), value = level 1..3
    languages: np.ndarray  # uint64 bit set
    themes: np.ndarray  # uint64 bit set
    load: np.ndarray  # int16: open proposals and matches already
    capacity: np.ndarray  # int32: people this row can still give
    start_day: np.ndarray  # int32, NO_DAY when open
    end_day: np.ndarray  # int32, UNLIMITED_DAY when open
    # Municipalities an offer serves, as bits by municipality index; 0 = use the travel distance instead.
    serves: np.ndarray | None = None
    _derived: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        if self.serves is None:
            self.serves = np.zeros(len(self.ids), dtype=np.uint32)

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, rows) -> Supply:
        """The given rows only (a new object)."""
        rows = np.asarray(rows, dtype=np.int64)
        names = [f for f in self.__dataclass_fields__ if not f.startswith("_")]
        return Supply(**{name: getattr(self, name)[rows] for name in names})

    def derived(self) -> dict:
        """Arrays derived once from the skills (bit sets, the inverted index), kept for warm runs."""
        if not self._derived:
            bits = _skill_bits(self.skills)
            postings = _binary(self.skills).T.tocsr()
            self._derived.update(
                sk0=bits[:, 0].copy(),
                sk1=bits[:, 1].copy(),
                post_ptr=postings.indptr.astype(np.int64),
                post_rows=postings.indices.astype(np.int64),
                municipality=self.municipality.astype(np.int64),
                travel=self.travel_km.astype(np.float64),
                month=self.hours_per_month.astype(np.float64),
                total=self.hours_total.astype(np.float64),
                start=self.start_day.astype(np.int64),
                end=self.end_day.astype(np.int64),
            )
        return self._derived


@dataclass
class Needs:
    ids: np.ndarray  # int64, unique
    municipality: np.ndarray  # int16, -1 when remote
    location: np.ndarray  # int8 ON_SITE / REMOTE / HYBRID
    required: sparse.csr_matrix  # (m × n_skills) 0/1
    nice: sparse.csr_matrix  # (m × n_skills) 0/1
    languages: np.ndarray  # uint64, 0 = any
    themes: np.ndarray  # uint64
    availability: np.ndarray  # uint8, 0 = any time
    monthly_hours: np.ndarray  # float32 per volunteer
    total_hours: np.ndarray  # float32 per volunteer
    slots: np.ndarray  # int32 people still wanted
    start_day: np.ndarray  # int32
    end_day: np.ndarray  # int32
    waited_days: np.ndarray  # float32

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class Candidates:
    """Scored feasible pairs, grouped by need (need index ascending, best first, ties by supply id)."""

    need: np.ndarray  # int32 need index
    supply: np.ndarray  # int32 supply index
    score: np.ndarray  # float64
    components: np.ndarray  # (L × len(COMPONENTS)) float32, each in [0, 1]
    distance_km: np.ndarray  # float32, nan when remote
    pairs_scored: int = 0


@dataclass
class Assignment:
    need: np.ndarray
    supply: np.ndarray
    score: np.ndarray
    total: float
    optimal: bool
    extra: dict = field(default_factory=dict)


def great_circle_km(centres) -> np.ndarray:
    """Distances (km) between (latitude, longitude) centres, as a square matrix."""
    lat = np.radians(np.array([c[0] for c in centres], dtype=np.float64))
    lon = np.radians(np.array([c[1] for c in centres], dtype=np.float64))
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    return (2 * 6371.0 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))).astype(np.float32)


def concatenate(parts: list[Supply]) -> Supply:
    """One supply of several (volunteers and offers)."""
    names = [f for f in Supply.__dataclass_fields__ if not f.startswith("_")]
    out = {}
    for name in names:
        values = [getattr(part, name) for part in parts]
        out[name] = sparse.vstack(values, format="csr") if name == "skills" else np.concatenate(values)
    return Supply(**out)


# Bit sets ------------------------------------------------------------------------------------------


def bits(indices) -> np.uint64:
    value = 0
    for i in indices:
        value |= 1 << int(i)
    return np.uint64(value)


def _popcount(values: np.ndarray) -> np.ndarray:
    return np.bitwise_count(values).astype(np.float32)


def _skill_bits(matrix: sparse.csr_matrix) -> np.ndarray:
    """Each row's skills as two 64-bit words (vocabularies of up to 128 skills)."""
    n_rows, n_cols = matrix.shape
    if n_cols > 128:
        raise ValueError("At most 128 skills are supported.")
    words = np.zeros((n_rows, 2), dtype=np.uint64)
    coo = matrix.tocoo()
    word = (coo.col // 64).astype(np.intp)
    bit = np.left_shift(np.uint64(1), (coo.col % 64).astype(np.uint64))
    np.bitwise_or.at(words, (coo.row, word), bit)
    return words


def _common(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Popcount of the intersection of two arrays of two-word skill bit sets."""
    return _popcount(a[:, 0] & b[:, 0]) + _popcount(a[:, 1] & b[:, 1])


# Hard constraints and scores -----------------------------------------------------------------------


def feasible(
    needs: Needs,
    supply: Supply,
    distances: np.ndarray,
    n: np.ndarray,
    s: np.ndarray,
    rules: Rules,
    required_covered: np.ndarray,
    required_total: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Which of the pairs (n[i], s[i]) break no hard constraint; also the distance of each pair."""
    location = needs.location[n]
    need_muni = needs.municipality[n]
    supply_muni = supply.municipality[s]
    known = (need_muni >= 0) & (supply_muni >= 0)
    distance = np.where(known, distances[np.maximum(need_muni, 0), np.maximum(supply_muni, 0)], np.inf)
    serves = supply.serves[s].astype(np.uint64)
    served = (need_muni >= 0) & (((serves >> np.maximum(need_muni, 0).astype(np.uint64)) & np.uint64(1)) == 1)
    distance = np.where(serves != 0, np.where(served, 0.0, np.inf), distance)
    within = distance <= np.where(serves != 0, np.inf, supply.travel_km[s])
    remote_ok = supply.remote_ok[s]
    place = np.where(location == ON_SITE, within, np.where(location == REMOTE, remote_ok, within | remote_ok))
    need_languages = needs.languages[n]
    language = (need_languages == 0) | ((need_languages & supply.languages[s]) != 0)
    hours = (supply.hours_per_month[s] >= needs.monthly_hours[n]) & (supply.hours_total[s] >= needs.total_hours[n])
    dates = (supply.start_day[s] <= needs.end_day[n]) & (needs.start_day[n] <= supply.end_day[s])
    need_avail = needs.availability[n]
    when = (need_avail == 0) | ((need_avail & supply.availability[s]) != 0)
    skills = (required_total == 0) | (required_covered >= np.ceil(rules.min_required_coverage * required_total - 1e-9))
    capacity = (supply.capacity[s] > 0) & (needs.slots[n] > 0)
    ok = place & language & hours & dates & when & skills & capacity
    shown_distance = np.where(location == REMOTE, np.nan, distance).astype(np.float32)
    return ok, shown_distance


def score_components(
    needs: Needs,
    supply: Supply,
    n: np.ndarray,
    s: np.ndarray,
    distance: np.ndarray,
    rules: Rules,
    required_covered,
    required_total,
    nice_covered,
    nice_total,
) -> np.ndarray:
    """The named components of the score, each in [0, 1], one row per pair."""
    required = np.where(required_total > 0, required_covered / np.maximum(required_total, 1), 1.0)
    nice = np.where(nice_total > 0, nice_covered / np.maximum(nice_total, 1), 0.5)
    need_themes = needs.themes[n]
    theme_total = _popcount(need_themes)
    theme = np.where(theme_total > 0, _popcount(need_themes & supply.themes[s]) / np.maximum(theme_total, 1), 0.5)
    travel = np.maximum(supply.travel_km[s], 1.0)
    near = np.where(np.isnan(distance), 1.0, np.clip(1.0 - np.nan_to_num(distance) / travel, 0.0, 1.0))
    need_avail = needs.availability[n]
    avail_total = _popcount(need_avail.astype(np.uint64))
    availability = np.where(
        avail_total > 0,
        _popcount((need_avail & supply.availability[s]).astype(np.uint64)) / np.maximum(avail_total, 1),
        1.0,
    )
    waiting = np.minimum(needs.waited_days[n] / rules.waiting_full_days, 1.0)
    load = 1.0 / (1.0 + supply.load[s])
    return np.column_stack([required, nice, theme, near, availability, waiting, load]).astype(np.float32)


# Candidate generation ------------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _insert(best_score, best_id, best_idx, count, k, score, sid, idx):
    """Keep the k best (score descending, supply id ascending) in sorted arrays; returns the new count."""
    if count == k:
        last = k - 1
        if score < best_score[last] or (score == best_score[last] and sid > best_id[last]):
            return count
        pos = last
    else:
        pos = count
        count += 1
    while pos > 0 and (score > best_score[pos - 1] or (score == best_score[pos - 1] and sid < best_id[pos - 1])):
        best_score[pos] = best_score[pos - 1]
        best_id[pos] = best_id[pos - 1]
        best_idx[pos] = best_idx[pos - 1]
        pos -= 1
    best_score[pos] = score
    best_id[pos] = sid
    best_idx[pos] = idx
    return count


@njit(cache=True, parallel=True)
def _scan(  # noqa: PLR0913 - a fused kernel takes its arrays flat
    k,
    w,
    min_cov,
    wait_full,
    n_req_ptr,
    n_req_skills,
    post_ptr,
    post_rows,
    n_req0,
    n_req1,
    n_nice0,
    n_nice1,
    n_lang,
    n_theme,
    n_avail,
    n_muni,
    n_loc,
    n_month,
    n_total,
    n_slots,
    n_start,
    n_end,
    n_wait,
    s_sk0,
    s_sk1,
    s_lang,
    s_theme,
    s_avail,
    s_muni,
    s_travel,
    s_remote,
    s_month,
    s_total,
    s_cap,
    s_start,
    s_end,
    s_load,
    s_ids,
    s_serves,
    distances,
):
    """Every need against every supply row: hard constraints first (cheapest and most selective first),
    then the score, keeping the top k per need. Returns (m × k) supply indices (-1 empty) and scores."""
    m = len(n_req0)
    n = len(s_ids)
    out_idx = np.full((m, k), -1, dtype=np.int64)
    out_score = np.zeros((m, k), dtype=np.float64)
    lanes = min(8, m)
    for lane in prange(lanes):
        # Each lane keeps its own scratch: the stamp marks supply rows already looked at for this need.
        stamp = np.zeros(n, dtype=np.int64)
        buffer = np.empty(n, dtype=np.int64)
        best_score = np.empty(k, dtype=np.float64)
        best_id = np.empty(k, dtype=np.int64)
        best_idx = np.empty(k, dtype=np.int64)
        for i in range(lane, m, lanes):
            if n_slots[i] <= 0:
                continue
            # Candidates: everyone holding one of the required skills (the inverted index), or everyone.
            size = 0
            if n_req_ptr[i + 1] > n_req_ptr[i]:
                for q in range(n_req_ptr[i], n_req_ptr[i + 1]):
                    skill = n_req_skills[q]
                    for p in range(post_ptr[skill], post_ptr[skill + 1]):
                        j = post_rows[p]
                        if stamp[j] != i + 1:
                            stamp[j] = i + 1
                            buffer[size] = j
                            size += 1
            else:
                for j in range(n):
                    buffer[j] = j
                size = n
            count = _scan_need(
                i,
                buffer,
                size,
                k,
                w,
                min_cov,
                wait_full,
                best_score,
                best_id,
                best_idx,
                n_req0,
                n_req1,
                n_nice0,
                n_nice1,
                n_lang,
                n_theme,
                n_avail,
                n_muni,
                n_loc,
                n_month,
                n_total,
                n_start,
                n_end,
                n_wait,
                s_sk0,
                s_sk1,
                s_lang,
                s_theme,
                s_avail,
                s_muni,
                s_travel,
                s_remote,
                s_month,
                s_total,
                s_cap,
                s_start,
                s_end,
                s_load,
                s_ids,
                s_serves,
                distances,
            )
            for r in range(count):
                out_idx[i, r] = best_idx[r]
                out_score[i, r] = best_score[r]
    return out_idx, out_score


@njit(cache=True, nogil=True)
def _scan_need(  # noqa: PLR0913
    i,
    buffer,
    size,
    k,
    w,
    min_cov,
    wait_full,
    best_score,
    best_id,
    best_idx,
    n_req0,
    n_req1,
    n_nice0,
    n_nice1,
    n_lang,
    n_theme,
    n_avail,
    n_muni,
    n_loc,
    n_month,
    n_total,
    n_start,
    n_end,
    n_wait,
    s_sk0,
    s_sk1,
    s_lang,
    s_theme,
    s_avail,
    s_muni,
    s_travel,
    s_remote,
    s_month,
    s_total,
    s_cap,
    s_start,
    s_end,
    s_load,
    s_ids,
    s_serves,
    distances,
):
    """One need against the candidate rows in buffer[:size]; fills the top k, returns how many."""
    if True:
        count = 0
        req_total = _bitcount(n_req0[i]) + _bitcount(n_req1[i])
        need_cov = np.ceil(min_cov * req_total - 1e-9)
        nice_total = _bitcount(n_nice0[i]) + _bitcount(n_nice1[i])
        theme_total = _bitcount(n_theme[i])
        avail_total = _bitcount(np.uint64(n_avail[i]))
        waiting = min(n_wait[i] / wait_full, 1.0)
        for b in range(size):
            j = buffer[b]
            covered = _bitcount(n_req0[i] & s_sk0[j]) + _bitcount(n_req1[i] & s_sk1[j])
            if req_total > 0 and covered < need_cov:
                continue
            if n_lang[i] != 0 and (n_lang[i] & s_lang[j]) == 0:
                continue
            if s_month[j] < n_month[i] or s_total[j] < n_total[i]:
                continue
            if s_start[j] > n_end[i] or n_start[i] > s_end[j]:
                continue
            if n_avail[i] != 0 and (n_avail[i] & s_avail[j]) == 0:
                continue
            if s_cap[j] <= 0:
                continue
            dist = np.inf
            if s_serves[j] != 0:
                within = (
                    n_muni[i] >= 0 and ((np.uint64(s_serves[j]) >> np.uint64(max(n_muni[i], 0))) & np.uint64(1)) == 1
                )
                if within:
                    dist = 0.0
            else:
                if n_muni[i] >= 0 and s_muni[j] >= 0:
                    dist = distances[n_muni[i], s_muni[j]]
                within = dist <= s_travel[j]
            if n_loc[i] == 0:
                if not within:
                    continue
            elif n_loc[i] == 1:
                if not s_remote[j]:
                    continue
            elif not (within or s_remote[j]):
                continue
            required = covered / req_total if req_total > 0 else 1.0
            nice = (
                (_bitcount(n_nice0[i] & s_sk0[j]) + _bitcount(n_nice1[i] & s_sk1[j])) / nice_total
                if nice_total > 0
                else 0.5
            )
            theme = _bitcount(n_theme[i] & s_theme[j]) / theme_total if theme_total > 0 else 0.5
            if n_loc[i] == 1:
                near = 1.0
            else:
                near = min(max(1.0 - dist / max(s_travel[j], 1.0), 0.0), 1.0)
            availability = _bitcount(np.uint64(n_avail[i] & s_avail[j])) / avail_total if avail_total > 0 else 1.0
            load = 1.0 / (1.0 + s_load[j])
            score = (
                w[0] * np.float32(required)
                + w[1] * np.float32(nice)
                + w[2] * np.float32(theme)
                + w[3] * np.float32(near)
                + w[4] * np.float32(availability)
                + w[5] * np.float32(waiting)
                + w[6] * np.float32(load)
            )
            count = _insert(best_score, best_id, best_idx, count, k, score, s_ids[j], j)
    return count


@njit(cache=True, inline="always")
def _bitcount(x):
    x = np.uint64(x)
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return float((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


def candidates(
    needs: Needs,
    supply: Supply,
    distances: np.ndarray,
    *,
    weights: Weights = Weights(),
    rules: Rules = Rules(),
    exclude=frozenset(),
) -> Candidates:
    """The top-k feasible, scored candidates of every need. `exclude` holds (need id, supply id) pairs
    proposed before: never proposed again (the scan keeps a few extra per need to make up for them)."""
    excluded = _excluded_keys(needs, supply, exclude)
    extra = int(np.bincount(excluded // max(len(supply), 1)).max()) if len(excluded) else 0
    k = rules.top_k + extra
    sup = supply.derived()
    r_bits = _skill_bits(needs.required)
    nice_bits = _skill_bits(needs.nice)
    required = needs.required.tocsr()
    idx, score = _scan(
        k,
        weights.as_array(),
        rules.min_required_coverage,
        rules.waiting_full_days,
        required.indptr.astype(np.int64),
        required.indices.astype(np.int64),
        sup["post_ptr"],
        sup["post_rows"],
        r_bits[:, 0],
        r_bits[:, 1],
        nice_bits[:, 0],
        nice_bits[:, 1],
        needs.languages,
        needs.themes,
        needs.availability,
        needs.municipality.astype(np.int64),
        needs.location.astype(np.int64),
        needs.monthly_hours.astype(np.float64),
        needs.total_hours.astype(np.float64),
        needs.slots,
        needs.start_day.astype(np.int64),
        needs.end_day.astype(np.int64),
        needs.waited_days.astype(np.float64),
        sup["sk0"],
        sup["sk1"],
        supply.languages,
        supply.themes,
        supply.availability,
        sup["municipality"],
        sup["travel"],
        supply.remote_ok,
        sup["month"],
        sup["total"],
        supply.capacity,
        sup["start"],
        sup["end"],
        supply.load.astype(np.float64),
        supply.ids,
        supply.serves,
        distances.astype(np.float64),
    )
    rows, ranks = np.nonzero(idx >= 0)
    n = rows.astype(np.int64)
    s_idx = idx[rows, ranks]
    sc = score[rows, ranks]
    if len(excluded):
        keep = ~np.isin(n * len(supply) + s_idx, excluded)
        n, s_idx, sc = n[keep], s_idx[keep], sc[keep]
        keep = _top_k(n, s_idx, sc, supply.ids, rules.top_k)
        n, s_idx, sc = n[keep], s_idx[keep], sc[keep]
    comps, distance = pair_components(needs, supply, distances, n, s_idx, rules)
    return Candidates(
        n.astype(np.int32), s_idx.astype(np.int32), sc, comps, distance, pairs_scored=len(needs) * len(supply)
    )


def _binary(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    out = matrix.tocsr(copy=True)
    out.data = np.ones_like(out.data, dtype=np.float32)
    return out


def pair_components(needs, supply, distances, n, s, rules=Rules()):
    """Components (and distance) of given pairs, for explanations; the same formulas as the kernel."""
    s_bits, r_bits, nice_bits = _skill_bits(supply.skills), _skill_bits(needs.required), _skill_bits(needs.nice)
    required_covered = _common(r_bits[n], s_bits[s])
    required_total = np.asarray(needs.required.getnnz(axis=1), dtype=np.float32)[n]
    nice_covered = _common(nice_bits[n], s_bits[s])
    nice_total = np.asarray(needs.nice.getnnz(axis=1), dtype=np.float32)[n]
    _ok, distance = feasible(needs, supply, distances, n, s, rules, required_covered, required_total)
    comps = score_components(
        needs, supply, n, s, distance, rules, required_covered, required_total, nice_covered, nice_total
    )
    return comps, distance


def _top_k(n, s, score, supply_ids, k):
    """Indices of the best k pairs of each need: grouped by need, best first, ties by supply id."""
    order = np.lexsort((supply_ids[s], -score, n))
    n_sorted = n[order]
    starts = np.flatnonzero(np.r_[True, n_sorted[1:] != n_sorted[:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    return order[rank < k]


def _excluded_keys(needs: Needs, supply: Supply, exclude) -> np.ndarray:
    if not exclude:
        return np.zeros(0, dtype=np.int64)
    need_index = {int(v): i for i, v in enumerate(needs.ids)}
    supply_index = {int(v): i for i, v in enumerate(supply.ids)}
    keys = [need_index[a] * len(supply) + supply_index[b] for a, b in exclude if a in need_index and b in supply_index]
    return np.array(sorted(keys), dtype=np.int64)


# Global assignment ---------------------------------------------------------------------------------

SCALE = 1_000_000  # scores become integer costs with this resolution


def assign(needs: Needs, supply: Supply, cands: Candidates) -> Assignment:
    """Choose pairs maximising the total score, each need getting at most its slots and each supply row at
    most its capacity: a min-cost flow source → need → supply → sink, with a free bypass arc so that
    leaving a slot empty is allowed. Integer costs make the optimum exact; ties are broken by the order
    of the arcs, which is deterministic."""
    from ortools.graph.python import min_cost_flow

    if not len(cands.need):
        empty = np.zeros(0, dtype=np.int32)
        return Assignment(empty, empty, np.zeros(0), 0.0, True)
    used_needs, need_node = np.unique(cands.need, return_inverse=True)
    used_supply, supply_node = np.unique(cands.supply, return_inverse=True)
    n_need, n_supply = len(used_needs), len(used_supply)
    source, sink = 0, 1
    need_base, supply_base = 2, 2 + n_need
    flow_cap = int(min(needs.slots[used_needs].sum(), supply.capacity[used_supply].sum()))

    tails = np.concatenate(
        [
            np.full(n_need, source),
            need_base + need_node,
            supply_base + np.arange(n_supply),
            [source],
        ]
    )
    heads = np.concatenate(
        [
            need_base + np.arange(n_need),
            supply_base + supply_node,
            np.full(n_supply, sink),
            [sink],
        ]
    )
    caps = np.concatenate(
        [
            needs.slots[used_needs],
            np.ones(len(cands.need), dtype=np.int64),
            supply.capacity[used_supply],
            [flow_cap],
        ]
    )
    # A small tie-break term prefers lower supply ids for equal scores, so the result is unique.
    costs = np.concatenate(
        [
            np.zeros(n_need, dtype=np.int64),
            -np.round(cands.score * SCALE).astype(np.int64),
            np.zeros(n_supply, dtype=np.int64),
            [0],
        ]
    )
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64), costs.astype(np.int64)
    )
    supplies = np.zeros(2 + n_need + n_supply, dtype=np.int64)
    supplies[source], supplies[sink] = flow_cap, -flow_cap
    solver.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
    status = solver.solve()
    optimal = status == solver.OPTIMAL
    pair_arcs = np.arange(n_need, n_need + len(cands.need))
    flows = solver.flows(pair_arcs)
    chosen = flows > 0
    return Assignment(
        need=cands.need[chosen],
        supply=cands.supply[chosen],
        score=cands.score[chosen],
        total=float(cands.score[chosen].sum()),
        optimal=bool(optimal),
    )


def greedy(needs: Needs, supply: Supply, cands: Candidates) -> Assignment:
    """First-come greedy on the same candidates: best pairs first while both sides have room. For
    comparison only."""
    order = np.lexsort((supply.ids[cands.supply], needs.ids[cands.need], -cands.score))
    slots = needs.slots.astype(np.int64).copy()
    capacity = supply.capacity.astype(np.int64).copy()
    chosen = []
    for i in order:
        a, b = cands.need[i], cands.supply[i]
        if slots[a] > 0 and capacity[b] > 0:
            slots[a] -= 1
            capacity[b] -= 1
            chosen.append(i)
    chosen = np.array(chosen, dtype=np.int64)
    return Assignment(
        cands.need[chosen], cands.supply[chosen], cands.score[chosen], float(cands.score[chosen].sum()), False
    )


def fully_staffed_share(needs: Needs, assignment: Assignment) -> float:
    wanted = needs.slots > 0
    if not wanted.any():
        return 1.0
    got = np.bincount(assignment.need, minlength=len(needs))
    return float(((got >= needs.slots) & wanted).sum() / wanted.sum())


# Explanations --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """One part of an explanation: a message id and its values; the caller translates it."""

    code: str
    values: dict


def explain(
    components: np.ndarray,
    *,
    required_covered: int,
    required_total: int,
    distance_km: float | None,
    shared_languages: list[str],
    shared_themes: int,
) -> list[Reason]:
    """The reasons behind a pair's score, in the order a reader cares about."""
    reasons = []
    if required_total:
        reasons.append(Reason("required", {"covered": required_covered, "total": required_total}))
    if distance_km is None or np.isnan(distance_km):
        reasons.append(Reason("remote", {}))
    else:
        reasons.append(Reason("distance", {"km": int(round(distance_km))}))
    for language in shared_languages:
        reasons.append(Reason("language", {"language": language}))
    if shared_themes:
        reasons.append(Reason("themes", {"count": shared_themes}))
    if components[COMPONENTS.index("load")] < 0.5:
        reasons.append(Reason("busy", {}))
    if components[COMPONENTS.index("waiting")] >= 1.0:
        reasons.append(Reason("waiting", {}))
    return reasons
