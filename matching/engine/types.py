"""The engine's plain data: who can help (`Supply`), who asks (`Needs`), what the engine found (`Candidates`,
`Assignment`, `Shortfall`), and the knobs (`Weights`, `Rules`). Numpy arrays and dataclasses, no Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

UNLIMITED_DAY = np.int32(2**30)
NO_DAY = np.int32(-(2**30))

# What a supply row is: one person (a volunteer profile) or an organisation's offer of several people.
VOLUNTEER, OFFER = 0, 1
# Where a need is done.
ON_SITE, REMOTE, HYBRID = 0, 1, 2
# Availability bits.
WEEKDAYS, EVENINGS, WEEKENDS = 1, 2, 4

COMPONENTS = ("required", "nice", "theme", "distance", "availability", "waiting", "load")

# The hard rules, in the order the kernel checks them (cheapest and most selective first). A pair's verdict
# is a bit set: bit k set means rule RULES[k] rules the pair out.
RULES = ("skills", "language", "hours", "dates", "availability", "capacity", "distance", "remote")


def rule_bit(name: str) -> int:
    return 1 << RULES.index(name)


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
    """Parameters of the hard rules, of the objective and of the search."""

    min_required_coverage: float = 0.5  # share of the required skills a candidate must have
    waiting_full_days: float = 60.0  # a need waiting this long gets the whole waiting component
    top_k: int = 50  # candidates each need keeps (its best), in every round
    # Rounds for places left empty, until no assignment could fill more (see `propose`): a cap on time only;
    # with the default shortlist the benchmark markets need 0–2, with a shortlist of one up to 11.
    cut_rounds: int = 32
    # Rounds of pricing after the assignment, until no feasible pair could raise its value (see `propose`):
    # a cap on time only; a batch that reaches it is not proven optimal.
    pricing_rounds: int = 32
    # The objective, after filling as many places as possible: a need's r-th person is worth
    # first_place_value / r (1, 1/2, 1/3, …), plus the pair's score (0–1).
    first_place_value: float = 1.0


@dataclass
class Supply:
    """Who can help, one row per volunteer or offer. Skills and the bit sets are over fixed vocabularies.

    A row is named by its `kind` (VOLUNTEER or OFFER) and `ids` (the volunteer's or the offer's id); the
    pair is unique. Ties between equal scores go to volunteers before offers, then to the lower id."""

    ids: np.ndarray  # int64: the volunteer's or the offer's id
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
    kind: np.ndarray | None = None  # int8 VOLUNTEER / OFFER; all volunteers when not given
    _derived: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        if self.serves is None:
            self.serves = np.zeros(len(self.ids), dtype=np.uint32)
        if self.kind is None:
            self.kind = np.full(len(self.ids), VOLUNTEER, dtype=np.int8)

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, rows) -> Supply:
        """The given rows only (a new object)."""
        rows = np.asarray(rows, dtype=np.int64)
        return Supply(**{name: getattr(self, name)[rows] for name in _fields(Supply)})

    def row_of(self, kind: int, supply_id: int) -> int | None:
        """The row of a volunteer or an offer, or None."""
        rows = np.flatnonzero((self.ids == supply_id) & (self.kind == kind))
        return int(rows[0]) if len(rows) else None

    def forget_derived(self) -> None:
        """Call after changing skills or other static columns in place (tests do)."""
        self._derived.clear()


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
    filled: np.ndarray | None = None  # int32 places already taken (the next one is filled + 1st)

    def __post_init__(self):
        if self.filled is None:
            self.filled = np.zeros(len(self.ids), dtype=np.int32)

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, rows) -> Needs:
        rows = np.asarray(rows, dtype=np.int64)
        return Needs(**{name: getattr(self, name)[rows] for name in _fields(Needs)})


@dataclass
class Candidates:
    """Scored feasible pairs, grouped by need (need index ascending, best first, ties by supply). Every
    column comes from the kernel's one evaluation of the pair: the score and the components it was summed
    from, and the facts the explanations are written from."""

    need: np.ndarray  # int32 need index
    supply: np.ndarray  # int32 supply index
    score: np.ndarray  # float64
    components: np.ndarray  # (L × len(COMPONENTS)) float32, each in [0, 1]
    distance_km: np.ndarray  # float32, nan when remote
    required_covered: np.ndarray  # int16: required skills the supply row has
    required_total: np.ndarray  # int16: required skills of the need
    shared_languages: np.ndarray  # uint64: the need's languages the supply row speaks
    shared_themes: np.ndarray  # int16
    load: np.ndarray  # int16: the supply row's proposals and matches elsewhere
    pairs_scored: int = 0

    def __len__(self) -> int:
        return len(self.need)

    def take(self, rows) -> Candidates:
        rows = np.asarray(rows, dtype=np.int64)
        out = {name: getattr(self, name)[rows] for name in _fields(Candidates) if name != "pairs_scored"}
        return Candidates(**out, pairs_scored=self.pairs_scored)


@dataclass
class Assignment:
    """The chosen pairs: `rows` index the candidates they were chosen from."""

    rows: np.ndarray
    need: np.ndarray
    supply: np.ndarray
    score: np.ndarray
    total: float  # sum of the chosen pairs' scores
    objective: float  # the value maximised: place values plus scores (see `assignment`)
    # Proven best: from `propose`, over EVERY feasible pair (most places, then the objective); from `assign`,
    # over the candidates it was given.
    optimal: bool
    extra: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.need)


@dataclass(frozen=True)
class Shortfall:
    """Who is missing for one need: of the supply, how many each hard rule rules out.

    `with_skills` have enough of the required skills; among them `ruled_out[rule]` break that rule (a person
    can break several) and `only[rule]` break that rule and no other (they would fit if it were relaxed);
    `fit` break none."""

    people: int
    with_skills: int
    fit: int
    ruled_out: dict
    only: dict
    location: int
    required_total: int


def _fields(cls) -> list[str]:
    return [name for name in cls.__dataclass_fields__ if not name.startswith("_")]


def concatenate(parts: list[Supply]) -> Supply:
    """One supply of several (volunteers and offers)."""
    out = {}
    for name in _fields(Supply):
        values = [getattr(part, name) for part in parts]
        out[name] = sparse.vstack(values, format="csr") if name == "skills" else np.concatenate(values)
    return Supply(**out)


def great_circle_km(centres) -> np.ndarray:
    """Distances (km) between (latitude, longitude) centres, as a square matrix."""
    lat = np.radians(np.array([c[0] for c in centres], dtype=np.float64))
    lon = np.radians(np.array([c[1] for c in centres], dtype=np.float64))
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    return (2 * 6371.0 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))).astype(np.float32)


def bits(indices) -> np.uint64:
    value = 0
    for i in indices:
        value |= 1 << int(i)
    return np.uint64(value)


# The defaults of the engine's functions (the portal passes its settings: `matching.services.runs`).
DEFAULT_WEIGHTS = Weights()
DEFAULT_RULES = Rules()
