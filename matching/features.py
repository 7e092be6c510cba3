"""From the database to the engine's arrays: needs and volunteers as plain numpy data.

Volunteers' features are loaded with a handful of flat queries and kept in the process (a Celery worker
stays warm), keyed by a cheap fingerprint of the volunteer table, so a run for one new need does not reload
100,000 rows. Vocabularies (skills, languages, themes, municipalities) map ids to columns and bits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db.models import Count, Max, Q, Sum
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


def _bitsets(pairs, index_of_owner: dict[int, int], bit_of: dict[int, int], size: int) -> np.ndarray:
    values = np.zeros(size, dtype=np.uint64)
    for owner, item in pairs:
        row, bit = index_of_owner.get(owner), bit_of.get(item)
        if row is not None and bit is not None:
            values[row] |= np.uint64(1) << np.uint64(bit)
    return values


def _availability(weekdays, evenings, weekends) -> int:
    return (
        (engine.WEEKDAYS if weekdays else 0)
        | (engine.EVENINGS if evenings else 0)
        | (engine.WEEKENDS if weekends else 0)
    )


def _fingerprint():
    """Changes whenever a volunteer or an offer changes (two cheap aggregate queries)."""
    volunteers = Volunteer.objects.aggregate(n=Count("pk"), changed=Max("updated_at"))
    offers = Offer.objects.aggregate(n=Count("pk"), changed=Max("updated_at"))
    return tuple(volunteers.values()) + tuple(offers.values())


def _refresh_usage(supply: engine.Supply, index: dict[int, int], base_capacity: np.ndarray) -> None:
    """How loaded each volunteer is and how many people each offer still has: read fresh every run."""
    load = np.zeros(len(supply), dtype=np.int16)
    capacity = base_capacity.copy()
    active = Match.objects.active()
    for volunteer_id, count in (
        active.filter(volunteer__isnull=False)
        .values("volunteer_id")
        .annotate(c=Count("pk"))
        .values_list("volunteer_id", "c")
    ):
        row = index.get(volunteer_id)
        if row is not None:
            load[row] = min(count, 1000)
    for offer_id, count in (
        active.filter(offer__isnull=False).values("offer_id").annotate(c=Sum("people")).values_list("offer_id", "c")
    ):
        row = index.get(-offer_id)
        if row is not None:
            capacity[row] = max(int(base_capacity[row]) - count, 0)
    supply.load = load
    supply.capacity = capacity


_supply_cache: dict = {}


def load_supply(vocabulary: Vocabulary) -> tuple[engine.Supply, np.ndarray]:
    """Everyone who can help, as engine supply rows, and their signed ids: active volunteers with consent
    (their pk) and active offers (minus their pk). Profiles and offers are cached per process until either
    table changes; load and remaining capacity are read fresh every run."""
    fingerprint = _fingerprint()
    cached = _supply_cache.get("supply")
    if not (cached and cached[0] == fingerprint):
        volunteers, offers = _volunteer_supply(vocabulary), _offer_supply(vocabulary)
        supply = engine.concatenate([volunteers, offers])
        index = {int(pk): i for i, pk in enumerate(supply.ids.tolist())}
        supply.derived()
        cached = (fingerprint, supply, index, supply.capacity.copy())
        _supply_cache["supply"] = cached
    _fingerprint_, supply, index, base_capacity = cached
    _refresh_usage(supply, index, base_capacity)
    return supply, supply.ids


def _volunteer_supply(vocabulary: Vocabulary) -> engine.Supply:
    rows = list(
        Volunteer.objects.active()
        .order_by("pk")
        .values_list(
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
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    index = {pk: i for i, pk in enumerate(ids.tolist())}
    skill_rows = VolunteerSkill.objects.filter(volunteer__in=Volunteer.objects.active()).values_list(
        "volunteer_id", "skill_id", "level"
    )
    keep = [
        (index[v], vocabulary.skills[s], level) for v, s, level in skill_rows if v in index and s in vocabulary.skills
    ]
    return engine.Supply(
        ids=ids,
        municipality=np.array([vocabulary.municipalities.get(r[1], -1) for r in rows], dtype=np.int16),
        travel_km=np.array([r[2] for r in rows], dtype=np.float32),
        remote_ok=np.array([r[3] for r in rows], dtype=bool),
        hours_per_month=np.array([r[4] for r in rows], dtype=np.float32),
        hours_total=np.full(n, np.inf, dtype=np.float32),
        availability=np.array([_availability(r[5], r[6], r[7]) for r in rows], dtype=np.uint8),
        skills=_matrix(keep, n, vocabulary),
        languages=_bitsets(
            Volunteer.languages.through.objects.values_list("volunteer_id", "spokenlanguage_id"),
            index,
            vocabulary.languages,
            n,
        ),
        themes=_bitsets(
            Volunteer.themes.through.objects.values_list("volunteer_id", "theme_id"), index, vocabulary.themes, n
        ),
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
    pks = [r[0] for r in rows]
    index = {pk: i for i, pk in enumerate(pks)}
    skills = [
        (index[o], vocabulary.skills[s], 2)
        for o, s in Offer.skills.through.objects.filter(offer_id__in=pks).values_list("offer_id", "skill_id")
        if s in vocabulary.skills
    ]
    serves = np.zeros(n, dtype=np.uint32)
    for offer_id, municipality_id in Offer.municipalities.through.objects.filter(offer_id__in=pks).values_list(
        "offer_id", "municipality_id"
    ):
        bit = vocabulary.municipalities.get(municipality_id)
        if bit is not None:
            serves[index[offer_id]] |= np.uint32(1 << bit)
    return engine.Supply(
        ids=-np.array(pks, dtype=np.int64),
        municipality=np.full(n, -1, dtype=np.int16),
        travel_km=np.zeros(n, dtype=np.float32),
        remote_ok=np.array([r[1] for r in rows], dtype=bool),
        hours_per_month=np.array([r[2] for r in rows], dtype=np.float32),
        hours_total=np.array([r[2] for r in rows], dtype=np.float32),
        availability=np.full(n, engine.WEEKDAYS | engine.EVENINGS | engine.WEEKENDS, dtype=np.uint8),
        skills=_matrix(skills, n, vocabulary),
        languages=np.full(n, ANY_LANGUAGE, dtype=np.uint64),
        themes=_bitsets(
            Offer.themes.through.objects.filter(offer_id__in=pks).values_list("offer_id", "theme_id"),
            index,
            vocabulary.themes,
            n,
        ),
        load=np.zeros(n, dtype=np.int16),
        capacity=np.array([r[3] for r in rows], dtype=np.int32),
        start_day=np.array([r[4].toordinal() if r[4] else engine.NO_DAY for r in rows], dtype=np.int32),
        end_day=np.array([r[5].toordinal() if r[5] else engine.UNLIMITED_DAY for r in rows], dtype=np.int32),
        serves=serves,
    )


def _matrix(entries, n: int, vocabulary: Vocabulary) -> sparse.csr_matrix:
    return sparse.csr_matrix(
        ([e[2] for e in entries], ([e[0] for e in entries], [e[1] for e in entries])),
        shape=(n, max(len(vocabulary.skills), 1)),
        dtype=np.float32,
    )


def forget_supply() -> None:
    _supply_cache.clear()


def load_needs(need_ids, vocabulary: Vocabulary, *, today: date) -> engine.Needs:
    """The given open needs as engine rows; slots are what is still wanted after active matches."""
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
    m = len(rows)
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    index = {pk: i for i, pk in enumerate(ids.tolist())}
    required, nice = [], []
    for need_id, skill_id, is_required in Need.skills.through.objects.filter(need_id__in=ids.tolist()).values_list(
        "need_id", "skill_id", "required"
    ):
        if skill_id in vocabulary.skills:
            (required if is_required else nice).append((index[need_id], vocabulary.skills[skill_id]))
    shape = (m, max(len(vocabulary.skills), 1))

    def matrix(pairs):
        return sparse.csr_matrix(
            (np.ones(len(pairs), np.float32), ([p[0] for p in pairs], [p[1] for p in pairs])), shape=shape
        )

    start = []
    end = []
    monthly = []
    for r in rows:
        flexible = r[5] or r[3] is None
        s = engine.NO_DAY if flexible else r[3].toordinal()
        e = engine.UNLIMITED_DAY if (flexible or r[4] is None) else r[4].toordinal()
        months = FLEXIBLE_MONTHS if (flexible or r[4] is None) else max(1, math.ceil(((r[4] - r[3]).days + 1) / 30))
        start.append(s)
        end.append(e)
        monthly.append(r[6] / months)
    need_ids_list = ids.tolist()
    return engine.Needs(
        ids=ids,
        municipality=np.array(
            [-1 if r[2] == WorkLocation.REMOTE else vocabulary.municipalities.get(r[1], -1) for r in rows],
            dtype=np.int16,
        ),
        location=np.array([LOCATIONS[r[2]] for r in rows], dtype=np.int8),
        required=matrix(required),
        nice=matrix(nice),
        languages=_bitsets(
            Need.languages.through.objects.filter(need_id__in=need_ids_list).values_list(
                "need_id", "spokenlanguage_id"
            ),
            index,
            vocabulary.languages,
            m,
        ),
        themes=_bitsets(
            Need.themes.through.objects.filter(need_id__in=need_ids_list).values_list("need_id", "theme_id"),
            index,
            vocabulary.themes,
            m,
        ),
        availability=np.zeros(m, dtype=np.uint8),
        monthly_hours=np.array(monthly, dtype=np.float32),
        total_hours=np.array([r[6] for r in rows], dtype=np.float32),
        slots=np.array([max(r[7] - r[9], 0) for r in rows], dtype=np.int32),
        start_day=np.array(start, dtype=np.int32),
        end_day=np.array(end, dtype=np.int32),
        waited_days=np.array([max((today - r[8].date()).days, 0) if r[8] else 0 for r in rows], dtype=np.float32),
    )
