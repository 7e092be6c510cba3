"""Synthetic supply and needs with the region's shape, for the benchmark and the engine's tests.

Deterministic for a seed: skills follow a Zipf-like popularity, most people speak Dutch and many English,
municipalities are weighted towards the cities, travel distances and hours vary like real profiles do.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from matching.engine import HYBRID, NO_DAY, ON_SITE, REMOTE, UNLIMITED_DAY, Needs, Supply, great_circle_km

N_SKILLS = 65
N_THEMES = 14
# Language bits: 0 Dutch, 1 English, then German, French, Spanish, Polish, Ukrainian, Russian, Turkish, Arabic…
LANGUAGE_SHARE = [0.85, 0.60, 0.15, 0.08, 0.05, 0.03, 0.03, 0.02, 0.04, 0.04, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01]


def region_distances(centres) -> np.ndarray:
    return great_circle_km(centres)


# The 21 municipality centres of the region (from members/data/municipalities.csv) and rough weights.
CENTRES = [
    (51.4040, 5.7480),
    (51.3190, 5.3590),
    (51.5075, 5.3900),
    (51.3680, 5.2200),
    (51.2930, 5.5870),
    (51.4610, 5.7960),
    (51.3570, 5.3180),
    (51.4416, 5.4697),
    (51.4210, 5.5600),
    (51.5560, 5.6900),
    (51.3830, 5.5720),
    (51.4793, 5.6570),
    (51.5340, 5.6170),
    (51.4705, 5.5523),
    (51.5050, 5.3130),
    (51.3630, 5.1640),
    (51.3850, 5.7110),
    (51.5140, 5.4930),
    (51.3510, 5.4590),
    (51.4180, 5.4040),
    (51.3870, 5.4450),
]
WEIGHTS = np.array([2, 2, 3, 2, 2, 3, 2, 24, 4, 3, 2, 10, 2, 3, 2, 1, 2, 2, 3, 5, 2], dtype=np.float64)


def _skill_popularity(rng) -> np.ndarray:
    ranks = np.arange(1, N_SKILLS + 1)
    p = 1.0 / ranks**0.8
    return rng.permutation(p / p.sum())


def _language_bits(rng, n) -> np.ndarray:
    value = np.zeros(n, dtype=np.uint64)
    for bit, share in enumerate(LANGUAGE_SHARE):
        value |= np.where(rng.random(n) < share, np.uint64(1) << np.uint64(bit), np.uint64(0))
    nobody = value == 0
    value[nobody] = np.uint64(1)
    return value


def _theme_bits(rng, n, low, high) -> np.ndarray:
    counts = rng.integers(low, high + 1, n)
    value = np.zeros(n, dtype=np.uint64)
    for i in range(high):
        pick = rng.integers(0, N_THEMES, n).astype(np.uint64)
        value |= np.where(i < counts, np.uint64(1) << pick, np.uint64(0))
    return value


def _skills(rng, n, low, high, popularity, levels=True) -> sparse.csr_matrix:
    counts = rng.integers(low, high + 1, n)
    rows = np.repeat(np.arange(n), counts)
    cols = rng.choice(N_SKILLS, size=counts.sum(), p=popularity)
    data = rng.integers(1, 4, len(cols)).astype(np.float32) if levels else np.ones(len(cols), np.float32)
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=(n, N_SKILLS))
    matrix.sum_duplicates()
    matrix.data = np.minimum(matrix.data, 3)
    return matrix


def make_supply(n: int, *, seed: int = 7) -> Supply:
    rng = np.random.default_rng(seed)
    popularity = _skill_popularity(np.random.default_rng(seed + 1000))
    return Supply(
        ids=np.arange(1, n + 1, dtype=np.int64),
        municipality=rng.choice(len(CENTRES), n, p=WEIGHTS / WEIGHTS.sum()).astype(np.int16),
        travel_km=rng.choice([5, 10, 15, 20, 25, 30, 40], n, p=[0.1, 0.2, 0.25, 0.2, 0.1, 0.1, 0.05]).astype(
            np.float32
        ),
        remote_ok=rng.random(n) < 0.6,
        hours_per_month=rng.choice([2, 4, 6, 8, 12, 16], n, p=[0.15, 0.3, 0.2, 0.2, 0.1, 0.05]).astype(np.float32),
        hours_total=np.full(n, np.inf, dtype=np.float32),
        availability=rng.choice([1, 2, 3, 4, 5, 6, 7], n).astype(np.uint8),
        skills=_skills(rng, n, 2, 6, popularity),
        languages=_language_bits(rng, n),
        themes=_theme_bits(rng, n, 0, 3),
        load=rng.choice([0, 0, 0, 1, 2], n).astype(np.int16),
        capacity=np.ones(n, dtype=np.int32),
        start_day=np.full(n, NO_DAY, dtype=np.int32),
        end_day=np.full(n, UNLIMITED_DAY, dtype=np.int32),
    )


def make_needs(m: int, *, seed: int = 11) -> Needs:
    rng = np.random.default_rng(seed)
    popularity = _skill_popularity(np.random.default_rng(7 + 1000))
    location = rng.choice([ON_SITE, REMOTE, HYBRID], m, p=[0.75, 0.1, 0.15]).astype(np.int8)
    municipality = rng.choice(len(CENTRES), m, p=WEIGHTS / WEIGHTS.sum()).astype(np.int16)
    municipality[location == REMOTE] = -1
    language = np.where(rng.random(m) < 0.8, np.uint64(1), np.uint64(0))  # most ask for Dutch
    language[rng.random(m) < 0.05] = np.uint64(1 << 6)  # some ask for Ukrainian
    start = rng.integers(0, 270, m).astype(np.int32)
    flexible = rng.random(m) < 0.3
    total_hours = rng.choice([4, 8, 16, 24, 40], m).astype(np.float32)
    return Needs(
        ids=np.arange(1, m + 1, dtype=np.int64),
        municipality=municipality,
        location=location,
        required=_skills(rng, m, 1, 3, popularity, levels=False),
        nice=_skills(rng, m, 0, 2, popularity, levels=False),
        languages=language,
        themes=_theme_bits(rng, m, 1, 2),
        availability=rng.choice([0, 1, 2, 4, 3, 6], m).astype(np.uint8),
        monthly_hours=np.minimum(total_hours, rng.choice([2, 4, 8], m)).astype(np.float32),
        total_hours=total_hours,
        slots=rng.choice([1, 1, 1, 2, 3, 5], m).astype(np.int32),
        start_day=np.where(flexible, NO_DAY, start).astype(np.int32),
        end_day=np.where(flexible, UNLIMITED_DAY, start + rng.integers(1, 120, m)).astype(np.int32),
        waited_days=rng.integers(0, 120, m).astype(np.float32),
    )
