"""From the database to the engine's arrays: needs and volunteers as plain numpy data.

Everyone who can help (active volunteers with consent, active offers) is loaded with a handful of flat
queries and kept in the process (a Celery worker and a web process stay warm), together with the
vocabularies (skills, languages, themes, municipalities map ids to columns and bits) and how loaded each
row is. Whether the cache is still current is one query of single-row lookups (`_version`): the latest id
and change time of volunteers and offers, the size of the reference tables, and the latest match and
status change.

The open needs are cached the same way for the volunteer's "recommended for you" page, which looks at all
of them; a matching run reads the needs it is asked about fresh.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from django.db import connection
from django.db.models import Q, Sum
from django.utils import timezone
from scipy import sparse

from members.models import (
    Municipality,
    Need,
    Offer,
    Skill,
    SpokenLanguage,
    Theme,
    Volunteer,
    VolunteerSkill,
    WorkLocation,
)

from . import engine
from .models import Match

# A need with flexible dates is taken to spread its hours over this many months.
FLEXIBLE_MONTHS = 3
# The open needs' cache also expires after this long: an edit to an open need's skills or languages does
# not show in the (indexed) check of which needs are open.
NEEDS_MAX_AGE_SECONDS = 300.0
LOCATIONS = {
    WorkLocation.ON_SITE: engine.ON_SITE,
    WorkLocation.REMOTE: engine.REMOTE,
    WorkLocation.HYBRID: engine.HYBRID,
}


@dataclass(frozen=True)
class Vocabulary:
    skills: dict[int, int]
    languages: dict[int, int]
    themes: dict[int, int]
    municipalities: dict[int, int]
    distances: np.ndarray
    language_codes: dict[int, str]

    @classmethod
    def load(cls) -> Vocabulary:
        municipalities = list(Municipality.objects.order_by("pk").values_list("pk", "latitude", "longitude"))
        centres = [(float(lat), float(lon)) for _pk, lat, lon in municipalities]
        languages = list(SpokenLanguage.objects.order_by("position", "pk").values_list("pk", "code"))
        return cls(
            skills={pk: i for i, pk in enumerate(Skill.objects.order_by("pk").values_list("pk", flat=True))},
            languages={pk: i for i, (pk, _code) in enumerate(languages[:64])},
            themes={pk: i for i, pk in enumerate(Theme.objects.order_by("pk").values_list("pk", flat=True)[:64])},
            municipalities={pk: i for i, (pk, _lat, _lon) in enumerate(municipalities)},
            distances=engine.great_circle_km(centres),
            language_codes=dict(languages),
        )

    def code_of_bit(self) -> dict[int, str]:
        """Language bit → language code, as stored in the reasons."""
        return {bit: self.language_codes[pk] for pk, bit in self.languages.items()}


# Vectorised id → row / bit lookups --------------------------------------------------------------------


def _lookup(mapping: dict[int, int]) -> np.ndarray:
    """A dense array: lookup[id] = row (or bit), -1 for ids not in the mapping."""
    size = (max(mapping) + 1) if mapping else 1
    out = np.full(size, -1, dtype=np.int64)
    if mapping:
        out[np.fromiter(mapping.keys(), dtype=np.int64)] = np.fromiter(mapping.values(), dtype=np.int64)
    return out


def _find(lookup: np.ndarray, ids: np.ndarray) -> np.ndarray:
    inside = (ids >= 0) & (ids < len(lookup))
    return np.where(inside, lookup[np.where(inside, ids, 0)], -1)


def _pairs(queryset, columns: int = 2) -> np.ndarray:
    rows = list(queryset)
    return np.array(rows, dtype=np.int64).reshape(len(rows), columns)


def _bitsets(pairs: np.ndarray, row_of: np.ndarray, bit_of: np.ndarray, size: int) -> np.ndarray:
    values = np.zeros(size, dtype=np.uint64)
    if len(pairs):
        rows, bits = _find(row_of, pairs[:, 0]), _find(bit_of, pairs[:, 1])
        keep = (rows >= 0) & (bits >= 0)
        np.bitwise_or.at(values, rows[keep], np.left_shift(np.uint64(1), bits[keep].astype(np.uint64)))
    return values


def _skills(triples: np.ndarray, row_of: np.ndarray, vocabulary: Vocabulary, n: int) -> sparse.csr_matrix:
    rows = _find(row_of, triples[:, 0]) if len(triples) else np.zeros(0, np.int64)
    cols = _find(_lookup(vocabulary.skills), triples[:, 1]) if len(triples) else np.zeros(0, np.int64)
    keep = (rows >= 0) & (cols >= 0)
    levels = triples[keep, 2].astype(np.float32) if len(triples) else np.zeros(0, np.float32)
    return sparse.csr_matrix((levels, (rows[keep], cols[keep])), shape=(n, max(len(vocabulary.skills), 1)))


def _availability(weekdays, evenings, weekends) -> int:
    return (
        (engine.WEEKDAYS if weekdays else 0)
        | (engine.EVENINGS if evenings else 0)
        | (engine.WEEKENDS if weekends else 0)
    )


# The supply -------------------------------------------------------------------------------------------


def _version() -> tuple[tuple, tuple]:
    """What the cache depends on, in one query of single-row lookups (no scan of volunteers or matches):

    - the supply: the latest id and the latest change of volunteers and offers (both indexed
      lookups), and the size of the four small reference tables;
    - the usage (each row's load and people left): the latest match, and the latest status change in each
      status (`match_status_changed_idx`). Every transition stamps `status_changed_at`, so a match leaving
      or joining the active statuses, or an offer's people confirmed on acceptance, changes it."""
    parts, params = [], []
    for model in (Volunteer, Offer):
        table = connection.ops.quote_name(model._meta.db_table)
        parts.append(f"(SELECT id FROM {table} ORDER BY id DESC LIMIT 1)")
        parts.append(f"(SELECT updated_at FROM {table} ORDER BY updated_at DESC LIMIT 1)")
    for model in (Skill, SpokenLanguage, Theme, Municipality):
        table = connection.ops.quote_name(model._meta.db_table)
        parts.append(f"(SELECT COUNT(*) FROM {table})")
        parts.append(f"(SELECT MAX(id) FROM {table})")
    supply_parts = len(parts)
    matches = connection.ops.quote_name(Match._meta.db_table)
    parts.append(f"(SELECT id FROM {matches} ORDER BY id DESC LIMIT 1)")
    for status in Match.Status.values:
        parts.append(
            f"(SELECT status_changed_at FROM {matches} WHERE status = %s ORDER BY status_changed_at DESC LIMIT 1)"
        )
        params.append(status)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = tuple(cursor.fetchone())
    return row[:supply_parts], row[supply_parts:]


@dataclass
class _Loaded:
    version: tuple
    vocabulary: Vocabulary
    supply: engine.Supply
    base_capacity: np.ndarray
    volunteer_row: np.ndarray  # volunteer id → row (-1)
    offer_row: np.ndarray  # offer id → row (-1)
    usage_version: tuple | None = None
    usage_since: object = None  # the latest status change read
    active: dict = field(default_factory=dict)  # active match id → (row, is an offer, people)


_cache: dict = {}
_lock = threading.Lock()


def current(*, usage: bool = True) -> tuple[Vocabulary, engine.Supply]:
    """The vocabularies and everyone who can help, as engine supply rows (kind VOLUNTEER with the
    volunteer's id, kind OFFER with the offer's id), cached per process while `_version` stays the same
    (one query per call). With `usage`, each row's load (its active matches) and people left are current
    too: re-read (two grouped queries) when a match was added or changed status since; without, they are
    as last read."""
    loaded = _cache.get("supply")
    version, usage_version = _version()
    if loaded is None or loaded.version != version:
        vocabulary = Vocabulary.load()
        supply = engine.concatenate([_volunteer_supply(vocabulary), _offer_supply(vocabulary)])
        is_volunteer = supply.kind == engine.VOLUNTEER
        loaded = _Loaded(
            version=version,
            vocabulary=vocabulary,
            supply=supply,
            base_capacity=supply.capacity.copy(),
            volunteer_row=_dense(supply.ids[is_volunteer], np.flatnonzero(is_volunteer)),
            offer_row=_dense(supply.ids[~is_volunteer], np.flatnonzero(~is_volunteer)),
        )
        engine.warm_up(loaded.supply, vocabulary.distances)  # derived arrays now, not in a later request
        with _lock:
            _cache["supply"] = loaded
    if usage and loaded.usage_version != usage_version:
        _refresh_usage(loaded)
        loaded.usage_version = usage_version
    return loaded.vocabulary, loaded.supply


def load_supply(vocabulary: Vocabulary | None = None) -> tuple[engine.Supply, np.ndarray]:
    """Everyone who can help (see `current`), and each row's volunteer id (0 for an offer's row), for
    callers that count volunteers. `vocabulary` is accepted for older callers; the cached one is used."""
    _vocabulary, supply = current()
    return supply, np.where(supply.kind == engine.VOLUNTEER, supply.ids, 0)


def supply_row(supply: engine.Supply, *, kind: int, supply_id: int) -> int | None:
    loaded = _cache.get("supply")
    if loaded is None or loaded.supply is not supply:
        return supply.row_of(kind, supply_id)
    lookup = loaded.volunteer_row if kind == engine.VOLUNTEER else loaded.offer_row
    row = int(_find(lookup, np.array([supply_id]))[0])
    return row if row >= 0 else None


def _dense(ids: np.ndarray, rows: np.ndarray) -> np.ndarray:
    out = np.full(int(ids.max()) + 1 if len(ids) else 1, -1, dtype=np.int64)
    out[ids] = rows
    return out


# A status change stamped this long before the latest one read may still commit after it was read.
USAGE_MARGIN = timedelta(minutes=10)


def _refresh_usage(loaded: _Loaded) -> None:
    """How loaded each volunteer is and how many people each offer still has. The first time, every active
    match is read; after that only the matches whose status changed since the last read (minus
    USAGE_MARGIN), each applied by its id, so reading one twice changes nothing. A match deleted outright
    (its need deleted) is noticed when the supply reloads."""
    if loaded.usage_since is None:
        loaded.active.clear()
        changed = Match.objects.active()
    else:
        changed = Match.objects.filter(
            status__in=Match.Status.values, status_changed_at__gt=loaded.usage_since - USAGE_MARGIN
        )
    rows = list(changed.values_list("pk", "volunteer_id", "offer_id", "people", "status", "status_changed_at"))
    if rows:
        _pk, volunteer_ids, offer_ids, _people, _status, changed_at = zip(*rows, strict=True)
        volunteer_rows = _find(loaded.volunteer_row, np.array([v or -1 for v in volunteer_ids], dtype=np.int64))
        offer_rows = _find(loaded.offer_row, np.array([o or -1 for o in offer_ids], dtype=np.int64))
        active_statuses = set(Match.ACTIVE_STATUSES)
        for (match_id, _v, offer_id, people, status, _at), v_row, o_row in zip(
            rows, volunteer_rows.tolist(), offer_rows.tolist(), strict=True
        ):
            loaded.active.pop(match_id, None)
            row = o_row if offer_id is not None else v_row
            if status in active_statuses and row >= 0:
                loaded.active[match_id] = (row, offer_id is not None, people)
        latest = max(changed_at)
        loaded.usage_since = latest if loaded.usage_since is None else max(latest, loaded.usage_since)
    elif loaded.usage_since is None:
        loaded.usage_since = timezone.now()
    held = np.array(list(loaded.active.values()), dtype=np.int64).reshape(-1, 3)
    supply = loaded.supply
    volunteers, offers = held[held[:, 1] == 0], held[held[:, 1] == 1]
    supply.load = np.minimum(np.bincount(volunteers[:, 0], minlength=len(supply)), 1000).astype(np.int16)
    taken = np.bincount(offers[:, 0], weights=offers[:, 2], minlength=len(supply)).astype(np.int64)
    supply.capacity = np.maximum(loaded.base_capacity - taken, 0).astype(np.int32)


def row_usage(supply: engine.Supply, row: int) -> engine.Supply:
    """One supply row with its load and capacity read fresh (one indexed query), for a page about it."""
    one = supply.subset([row])
    active = Match.objects.active()
    if one.kind[0] == engine.VOLUNTEER:
        one.load[:] = min(active.filter(volunteer_id=int(one.ids[0])).count(), 1000)
        one.capacity[:] = 1
    else:
        taken = active.filter(offer_id=int(one.ids[0])).aggregate(n=Sum("people"))["n"] or 0
        one.capacity[:] = max(int(one.capacity[0]) - taken, 0)
    return one


def forget_supply() -> None:
    """Drop every cached feature (tests do, between databases)."""
    with _lock:
        _cache.clear()


def _volunteer_supply(vocabulary: Vocabulary) -> engine.Supply:
    active = Volunteer.objects.active()
    rows = list(
        active.order_by("pk").values_list(
            "pk",
            "municipality_id",
            "travel_km",
            "remote_ok",
            "hours_per_month",
            "available_weekdays",
            "available_evenings",
            "available_weekends",
        )
    )
    n = len(rows)
    columns = list(zip(*rows, strict=True)) if rows else [()] * 8
    ids = np.array(columns[0], dtype=np.int64)
    row_of = _dense(ids, np.arange(n))
    municipality = np.array([-1 if m is None else m for m in columns[1]], dtype=np.int64)
    skills = _pairs(
        VolunteerSkill.objects.filter(volunteer__in=active).values_list("volunteer_id", "skill_id", "level"), 3
    )
    languages = _pairs(
        Volunteer.languages.through.objects.filter(volunteer__in=active).values_list(
            "volunteer_id", "spokenlanguage_id"
        )
    )
    themes = _pairs(
        Volunteer.themes.through.objects.filter(volunteer__in=active).values_list("volunteer_id", "theme_id")
    )
    return engine.Supply(
        ids=ids,
        kind=np.full(n, engine.VOLUNTEER, dtype=np.int8),
        municipality=_find(_lookup(vocabulary.municipalities), municipality).astype(np.int16),
        travel_km=np.array(columns[2], dtype=np.float32),
        remote_ok=np.array(columns[3], dtype=bool),
        hours_per_month=np.array(columns[4], dtype=np.float32),
        hours_total=np.full(n, np.inf, dtype=np.float32),
        availability=np.array([_availability(*r[5:8]) for r in rows], dtype=np.uint8),
        skills=_skills(skills, row_of, vocabulary, n),
        languages=_bitsets(languages, row_of, _lookup(vocabulary.languages), n),
        themes=_bitsets(themes, row_of, _lookup(vocabulary.themes), n),
        load=np.zeros(n, dtype=np.int16),
        capacity=np.ones(n, dtype=np.int32),
        start_day=np.full(n, engine.NO_DAY, dtype=np.int32),
        end_day=np.full(n, engine.UNLIMITED_DAY, dtype=np.int32),
    )


# An offer names no languages: the organisation chooses people who speak the need's language.
ANY_LANGUAGE = np.uint64(2**64 - 1)


def _offer_supply(vocabulary: Vocabulary) -> engine.Supply:
    """Active offers: capacity is the number of people, each giving up to the offer's hours, in the
    municipalities it serves (or remotely)."""
    rows = list(
        Offer.objects.filter(status=Offer.Status.ACTIVE, organisation__status="active")
        .order_by("pk")
        .values_list("pk", "remote", "hours_each", "people", "start_date", "end_date")
    )
    n = len(rows)
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    row_of = _dense(ids, np.arange(n))
    pks = ids.tolist()
    skills = _pairs(Offer.skills.through.objects.filter(offer_id__in=pks).values_list("offer_id", "skill_id"))
    skills = (
        np.column_stack([skills, np.full(len(skills), 2, dtype=np.int64)])
        if len(skills)
        else np.zeros((0, 3), np.int64)
    )
    served = _pairs(
        Offer.municipalities.through.objects.filter(offer_id__in=pks).values_list("offer_id", "municipality_id")
    )
    return engine.Supply(
        ids=ids,
        kind=np.full(n, engine.OFFER, dtype=np.int8),
        municipality=np.full(n, -1, dtype=np.int16),
        travel_km=np.zeros(n, dtype=np.float32),
        remote_ok=np.array([r[1] for r in rows], dtype=bool),
        hours_per_month=np.array([r[2] for r in rows], dtype=np.float32),
        hours_total=np.array([r[2] for r in rows], dtype=np.float32),
        availability=np.full(n, engine.WEEKDAYS | engine.EVENINGS | engine.WEEKENDS, dtype=np.uint8),
        skills=_skills(skills, row_of, vocabulary, n),
        languages=np.full(n, ANY_LANGUAGE, dtype=np.uint64),
        themes=_bitsets(
            _pairs(Offer.themes.through.objects.filter(offer_id__in=pks).values_list("offer_id", "theme_id")),
            row_of,
            _lookup(vocabulary.themes),
            n,
        ),
        load=np.zeros(n, dtype=np.int16),
        capacity=np.array([r[3] for r in rows], dtype=np.int32),
        start_day=np.array([r[4].toordinal() if r[4] else engine.NO_DAY for r in rows], dtype=np.int32),
        end_day=np.array([r[5].toordinal() if r[5] else engine.UNLIMITED_DAY for r in rows], dtype=np.int32),
        serves=_bitsets(served, row_of, _lookup(vocabulary.municipalities), n).astype(np.uint32),
    )


# Needs ------------------------------------------------------------------------------------------------


def load_needs(need_ids, vocabulary: Vocabulary, *, today: date) -> engine.Needs:
    """The given open needs as engine rows; slots are what is still wanted after active matches, and
    `filled` what active matches already hold."""
    rows = list(
        Need.objects.filter(pk__in=need_ids, status=Need.Status.OPEN)
        .order_by("pk")
        .annotate(taken=Sum("matches__people", filter=Q(matches__status__in=Match.ACTIVE_STATUSES), default=0))
        .values_list(
            "pk",
            "municipality_id",
            "location",
            "start_date",
            "end_date",
            "is_flexible",
            "estimated_hours",
            "volunteers_needed",
            "published_at",
            "taken",
        )
    )
    return _needs(rows, vocabulary, today=today)


def _needs(rows, vocabulary: Vocabulary, *, today: date) -> engine.Needs:
    m = len(rows)
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    row_of = _dense(ids, np.arange(m))
    need_skills = _pairs(
        Need.skills.through.objects.filter(need_id__in=ids.tolist()).values_list("need_id", "skill_id", "required"), 3
    )
    skill_col = _lookup(vocabulary.skills)
    shape = (m, max(len(vocabulary.skills), 1))

    def matrix(required: bool) -> sparse.csr_matrix:
        chosen = need_skills[need_skills[:, 2] == int(required)] if len(need_skills) else need_skills
        rows_, cols = (_find(row_of, chosen[:, 0]), _find(skill_col, chosen[:, 1])) if len(chosen) else ([], [])
        rows_, cols = np.asarray(rows_, np.int64), np.asarray(cols, np.int64)
        keep = (rows_ >= 0) & (cols >= 0)
        return sparse.csr_matrix((np.ones(keep.sum(), np.float32), (rows_[keep], cols[keep])), shape=shape)

    start, end, monthly = [], [], []
    for r in rows:
        flexible = r[5] or r[3] is None
        s = engine.NO_DAY if flexible else r[3].toordinal()
        e = engine.UNLIMITED_DAY if (flexible or r[4] is None) else r[4].toordinal()
        months = FLEXIBLE_MONTHS if (flexible or r[4] is None) else max(1, math.ceil(((r[4] - r[3]).days + 1) / 30))
        start.append(s)
        end.append(e)
        monthly.append(r[6] / months)
    need_ids = ids.tolist()
    municipality = _find(
        _lookup(vocabulary.municipalities), np.array([-1 if r[1] is None else r[1] for r in rows], dtype=np.int64)
    )
    location = np.array([LOCATIONS[r[2]] for r in rows], dtype=np.int8)
    return engine.Needs(
        ids=ids,
        municipality=np.where(location == engine.REMOTE, -1, municipality).astype(np.int16),
        location=location,
        required=matrix(True),
        nice=matrix(False),
        languages=_bitsets(
            _pairs(
                Need.languages.through.objects.filter(need_id__in=need_ids).values_list("need_id", "spokenlanguage_id")
            ),
            row_of,
            _lookup(vocabulary.languages),
            m,
        ),
        themes=_bitsets(
            _pairs(Need.themes.through.objects.filter(need_id__in=need_ids).values_list("need_id", "theme_id")),
            row_of,
            _lookup(vocabulary.themes),
            m,
        ),
        availability=np.zeros(m, dtype=np.uint8),
        monthly_hours=np.array(monthly, dtype=np.float32),
        total_hours=np.array([r[6] for r in rows], dtype=np.float32),
        slots=np.array([max(r[7] - r[9], 0) for r in rows], dtype=np.int32),
        filled=np.array([min(r[9], r[7]) for r in rows], dtype=np.int32),
        start_day=np.array(start, dtype=np.int32),
        end_day=np.array(end, dtype=np.int32),
        waited_days=np.array([max((today - r[8].date()).days, 0) if r[8] else 0 for r in rows], dtype=np.float32),
    )


def _open_needs_version() -> tuple:
    """Which needs are open: their number and the latest published (both from `need_status_published_idx`)."""
    latest = Need.objects.open().order_by("-published_at", "-id").values_list("published_at", "id").first()
    return Need.objects.open().count(), latest


def open_needs(vocabulary: Vocabulary, *, today: date) -> engine.Needs:
    """Every open need as engine rows, cached per process: reloaded when a need opens or closes (two
    indexed queries tell), when the day or the vocabulary changes, and at least every NEEDS_MAX_AGE_SECONDS
    (an edit of an open need does not show in that check). Slots are as loaded: callers that look at all
    open needs take every one to have room."""
    cached = _cache.get("needs")
    now = time.monotonic()
    version = _open_needs_version()
    if (
        cached is not None
        and cached["vocabulary"] is vocabulary
        and cached["today"] == today
        and cached["version"] == version
        and now - cached["loaded_at"] <= NEEDS_MAX_AGE_SECONDS
    ):
        return cached["needs"]
    rows = list(
        Need.objects.open()
        .order_by("pk")
        .values_list(
            "pk",
            "municipality_id",
            "location",
            "start_date",
            "end_date",
            "is_flexible",
            "estimated_hours",
            "volunteers_needed",
            "published_at",
        )
    )
    needs = _needs([(*r, 0) for r in rows], vocabulary, today=today)
    with _lock:
        _cache["needs"] = {
            "needs": needs,
            "version": version,
            "vocabulary": vocabulary,
            "today": today,
            "loaded_at": now,
        }
    return needs
