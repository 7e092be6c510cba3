"""Scale data for `seed_demo --volunteers N --needs N --organisations N`: the association at full size
(100,000 volunteers, 2,000 organisations, 20,000 needs) for load and query tests.

Every row it makes is marked: organisations by the slug prefix `schaal-`, users by the email domain
`schaal.brainportvoorelkaar.nl`. Totals are topped up to what is asked, so repeating a run adds nothing, and a
larger number adds only the difference. The random generator has a fixed seed: the same numbers on the same
database give the same data.

Rows are written in bulk: on PostgreSQL with `COPY` (ids drawn from the sequences first), elsewhere with
`bulk_create`. One password hash is computed once and shared by every scale user.
"""

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable, Sequence

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from members.models import (
    Membership,
    Municipality,
    Need,
    NeedSkill,
    Organisation,
    Programme,
    Skill,
    SpokenLanguage,
    Theme,
    User,
    Volunteer,
    VolunteerSkill,
    WorkLocation,
)
from members.models.needs import need_search_vector

from .bulk import BATCH, insert_objects, insert_rows
from .market_data import DEMO_PASSWORD
from .scale_data import (
    ADMIN_PREFIX,
    COMPANY_SUFFIXES,
    COMPANY_WORDS,
    DEFAULT_ORGANISATIONS,
    EMPLOYER_KINDS,
    FIRST_NAMES,
    HOST_KINDS,
    LANGUAGE_SHARES,
    LAST_NAMES,
    LOCATIONS,
    MUNICIPALITY_WEIGHTS,
    NEED_STATUSES,
    NEED_TEMPLATES,
    ORGANISATION_KINDS,
    OTHER_MUNICIPALITY_WEIGHT,
    POPULAR_SKILLS,
    SCALE_DOMAIN,
    SEED,
    SLUG_PREFIX,
    SOCIAL_FORMS,
    SOCIAL_WORDS,
    VOLUNTEER_PREFIX,
)


def _split(pairs):
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _zipf_weights(n: int, exponent: float) -> list[float]:
    return [1 / (rank + 1) ** exponent for rank in range(n)]


def _sample_distinct(rng: random.Random, population: Sequence, cum_weights: Sequence[float], k: int) -> list:
    """k distinct items drawn by weight (k is small against the population, so redrawing is cheap)."""
    chosen: dict = {}
    while len(chosen) < k:
        for item in rng.choices(population, cum_weights=cum_weights, k=k - len(chosen)):
            chosen.setdefault(item, None)
    return list(chosen)


def _cumulative(weights: Iterable[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _next_index(values: list[str], prefix: str) -> int:
    """One past the highest running number used after `prefix` (numbers are zero-padded, so they sort)."""
    if not values:
        return 0
    return int(values[0][len(prefix) :].split("-")[0].split("@")[0]) + 1


class ScaleLoader:
    def __init__(self, *, seed: int = SEED, log: Callable[[str], None] = lambda message: None):
        self.seed = seed
        self.log = log
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.password = make_password(DEMO_PASSWORD)  # once, for every scale user
        municipalities = list(Municipality.objects.order_by("name"))
        self.municipalities = municipalities
        self.municipality_cum = _cumulative(
            MUNICIPALITY_WEIGHTS.get(m.name, OTHER_MUNICIPALITY_WEIGHT) for m in municipalities
        )
        self.by_name = {m.name: m for m in municipalities}
        skills = {s.code: s.pk for s in Skill.objects.all()}
        ordered = [code for code in POPULAR_SKILLS if code in skills] + sorted(set(skills) - set(POPULAR_SKILLS))
        self.skill_ids = [skills[code] for code in ordered]
        self.skill_cum = _cumulative(_zipf_weights(len(ordered), 0.9))
        self.skill_by_code = skills
        self.languages = {lang.code: lang.pk for lang in SpokenLanguage.objects.all()}
        self.themes = {t.code: t.pk for t in Theme.objects.all()}
        self.programmes = {p.code: p.pk for p in Programme.objects.all()}

    def _rng(self, what: str, start: int) -> random.Random:
        return random.Random(f"{self.seed}:{what}:{start}")

    def _municipality(self, rng):
        return rng.choices(self.municipalities, cum_weights=self.municipality_cum)[0]

    def _users(self, rng, specs: list[tuple[str, str]]) -> list[User]:
        """Users with the shared hash and a verified address; `specs` are (email, full name)."""
        users = insert_objects(
            User,
            [
                User(
                    email=email,
                    full_name=name,
                    password=self.password,
                    preferred_language="en" if rng.random() < 0.15 else "nl",
                    date_joined=self.now,
                )
                for email, name in specs
            ],
        )
        insert_rows(
            EmailAddress, ["user", "email", "verified", "primary"], [(u.pk, u.email, True, True) for u in users]
        )
        return users

    # Organisations ------------------------------------------------------------------------------------

    def scale_organisations(self):
        return Organisation.objects.filter(slug__startswith=SLUG_PREFIX)

    def organisations(self, total: int) -> int:
        existing = self.scale_organisations()
        missing = total - existing.count()
        if missing <= 0:
            return 0
        start = _next_index(list(existing.order_by("-slug").values_list("slug", flat=True)[:1]), SLUG_PREFIX)
        rng = self._rng("organisations", start)
        kinds, kind_weights = _split(ORGANISATION_KINDS)
        orgs = []
        for i in range(start, start + missing):
            # The first two of a set are an employer and a host, so even a tiny set has volunteers and needs.
            kind = (
                Organisation.Kind.COMPANY
                if i == 0
                else Organisation.Kind.SOCIAL
                if i == 1
                else rng.choices(kinds, kind_weights)[0]
            )
            place = self._municipality(rng)
            if kind == Organisation.Kind.COMPANY:
                name = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_SUFFIXES)} {place.name}"
            elif kind == Organisation.Kind.GOVERNMENT:
                name = f"Gemeente {place.name} — {rng.choice(['Sociaal Domein', 'Werk en Inkomen', 'Wijkzaken'])}"
            elif kind == Organisation.Kind.EDUCATION:
                name = f"{rng.choice(['Basisschool', 'Mbo-college', 'Praktijkschool', 'Kindcentrum'])} {place.name}"
            else:
                name = rng.choice(SOCIAL_FORMS).format(word=rng.choice(SOCIAL_WORDS), place=place.name)
            name = f"{name} {i + 1}"
            orgs.append(
                Organisation(
                    name=name,
                    slug=f"{SLUG_PREFIX}{i:05d}-{slugify(name)}"[:160],
                    kind=kind,
                    municipality=place,
                    description="Organisatie uit de schaaldata.",
                    is_inclusive_employer=kind == Organisation.Kind.COMPANY and rng.random() < 0.3,
                    status=Organisation.Status.ENDED if rng.random() < 0.02 else Organisation.Status.ACTIVE,
                    created_at=self.now,
                    joined_at=self.now,
                )
            )
        orgs = insert_objects(Organisation, orgs)
        admins = self._users(
            rng,
            [(f"{ADMIN_PREFIX}{o.slug[len(SLUG_PREFIX) :][:5]}@{SCALE_DOMAIN}", f"Beheerder {o.name}") for o in orgs],
        )
        insert_rows(
            Membership,
            ["user", "organisation", "role", "created_at"],
            [(u.pk, o.pk, Membership.Role.ADMIN, self.now) for u, o in zip(admins, orgs, strict=True)],
        )
        return len(orgs)

    def _weighted_organisations(self, kinds: set, exponent: float):
        orgs = list(
            self.scale_organisations()
            .filter(kind__in=kinds, status=Organisation.Status.ACTIVE)
            .order_by("slug")
            .values_list("pk", "municipality_id")
        )
        return orgs, _cumulative(_zipf_weights(len(orgs), exponent))

    # Volunteers ---------------------------------------------------------------------------------------

    def scale_volunteers(self):
        return Volunteer.objects.filter(user__email__startswith=VOLUNTEER_PREFIX, user__email__endswith=SCALE_DOMAIN)

    def volunteers(self, total: int) -> int:
        missing = total - self.scale_volunteers().count()
        if missing <= 0:
            return 0
        employers, employer_cum = self._weighted_organisations(EMPLOYER_KINDS, 0.9)
        if not employers:
            raise ValueError("No active scale organisation employs volunteers.")
        last = list(
            User.objects.filter(email__startswith=VOLUNTEER_PREFIX, email__endswith=SCALE_DOMAIN)
            .order_by("-email")
            .values_list("email", flat=True)[:1]
        )
        start = _next_index(last, VOLUNTEER_PREFIX)
        rng = self._rng("volunteers", start)
        language_items = [(self.languages[c], c, share) for c, share in LANGUAGE_SHARES.items() if c in self.languages]
        theme_ids = list(self.themes.values())
        for offset in range(0, missing, BATCH * 2):
            count = min(BATCH * 2, missing - offset)
            profiles = []
            for i in range(start + offset, start + offset + count):
                spoken = [(pk, code) for pk, code, share in language_items if rng.random() < share]
                if not spoken:
                    spoken = [(self.languages["nl"], "nl")]
                origin = next((code for _pk, code in spoken if code in FIRST_NAMES and code != "nl"), "nl")
                if origin != "nl" and rng.random() < 0.3:
                    origin = "nl"
                name = f"{rng.choice(FIRST_NAMES[origin])} {rng.choice(LAST_NAMES[origin])}"
                employer = rng.choices(employers, cum_weights=employer_cum)[0]
                profiles.append((i, name, employer, spoken))
            users = self._users(rng, [(f"{VOLUNTEER_PREFIX}{i:06d}@{SCALE_DOMAIN}", name) for i, name, *_ in profiles])
            insert_rows(
                Membership,
                ["user", "organisation", "role", "created_at"],
                [(u.pk, p[2][0], Membership.Role.VOLUNTEER, self.now) for u, p in zip(users, profiles, strict=True)],
            )
            volunteers = []
            for user, (_i, _name, (org_id, org_place), _spoken) in zip(users, profiles, strict=True):
                place_id = org_place if rng.random() < 0.4 else self._municipality(rng).pk
                volunteers.append(
                    Volunteer(
                        user_id=user.pk,
                        organisation_id=org_id,
                        municipality_id=place_id,
                        travel_km=rng.choice([5, 10, 10, 15, 15, 20, 25, 30, 40]),
                        remote_ok=rng.random() < 0.7,
                        hours_per_month=rng.choice([2, 4, 4, 4, 6, 8, 8, 12, 16]),
                        available_weekdays=rng.random() < 0.7,
                        available_evenings=rng.random() < 0.45,
                        available_weekends=rng.random() < 0.3,
                        status=Volunteer.Status.PAUSED if rng.random() < 0.08 else Volunteer.Status.ACTIVE,
                        consent_at=self.now,
                        created_at=self.now,
                        updated_at=self.now,
                    )
                )
            volunteers = insert_objects(Volunteer, volunteers)
            skill_rows, language_rows, theme_rows = [], [], []
            for volunteer, (*_, spoken) in zip(volunteers, profiles, strict=True):
                k = rng.choices((2, 3, 4, 5, 6), (30, 28, 20, 14, 8))[0]
                for skill_id in _sample_distinct(rng, self.skill_ids, self.skill_cum, k):
                    skill_rows.append((volunteer.pk, skill_id, rng.choices((1, 2, 3), (25, 50, 25))[0]))
                language_rows.extend((volunteer.pk, pk) for pk, _code in spoken)
                theme_rows.extend((volunteer.pk, t) for t in rng.sample(theme_ids, rng.randint(1, 3)))
            insert_rows(VolunteerSkill, ["volunteer", "skill", "level"], skill_rows)
            insert_rows(Volunteer.languages.through, ["volunteer", "spokenlanguage"], language_rows)
            insert_rows(Volunteer.themes.through, ["volunteer", "theme"], theme_rows)
            self.log(f"  volunteers: {offset + count}/{missing}")
        return missing

    # Needs --------------------------------------------------------------------------------------------

    def scale_needs(self):
        return Need.objects.filter(organisation__slug__startswith=SLUG_PREFIX)

    def needs(self, total: int) -> int:
        missing = total - self.scale_needs().count()
        if missing <= 0:
            return 0
        hosts, host_cum = self._weighted_organisations(HOST_KINDS, 0.5)
        if not hosts:
            raise ValueError("No active scale organisation hosts needs.")
        admins = dict(
            Membership.objects.admins()
            .filter(organisation__slug__startswith=SLUG_PREFIX)
            .values_list("organisation_id", "user_id")
        )
        # Needs have no running number; the count of needs so far seeds the generator, so a top-up is new data.
        rng = self._rng("needs", total - missing)
        statuses, status_weights = _split(NEED_STATUSES)
        locations, location_weights = _split(LOCATIONS)
        all_languages = list(self.languages.values())
        names = {m.pk: m.name for m in self.municipalities}
        needs, links = [], []
        for _ in range(missing):
            title, description, programme, kind, required, nice, themes, languages = rng.choice(NEED_TEMPLATES)
            org_id, org_place = rng.choices(hosts, cum_weights=host_cum)[0]
            status = rng.choices(statuses, status_weights)[0]
            location = rng.choices(locations, location_weights)[0]
            place_id = None
            if location != WorkLocation.REMOTE:
                place_id = org_place if rng.random() < 0.7 else self._municipality(rng).pk
            flexible = rng.random() < 0.2
            start = end = None
            if not flexible:
                past = status in (Need.Status.IN_PROGRESS, Need.Status.COMPLETED)
                start = self.today + dt.timedelta(days=rng.randint(-120, -1) if past else rng.randint(0, 270))
                end = start + dt.timedelta(days=rng.choice([0, 0, 7, 30, 60, 90, 180]))
            published = None
            if status != Need.Status.DRAFT:
                published = self.now - dt.timedelta(minutes=rng.randint(0, 180 * 24 * 60))
            created = (published or self.now) - dt.timedelta(days=rng.randint(0, 14))
            if kind == Need.Kind.TEAM:
                hours, people = rng.choice([4, 6, 8]), rng.choice([8, 10, 12, 15, 20])
            elif kind == Need.Kind.EXPERTISE:
                hours, people = rng.choice([16, 24, 40, 60, 80]), rng.choice([1, 1, 2, 3, 5])
            else:
                hours, people = rng.choice([4, 8, 12, 26, 40, 52]), rng.choice([1, 1, 2, 3, 4, 6])
            admin = admins.get(org_id)
            needs.append(
                Need(
                    organisation_id=org_id,
                    title=title.format(place=names[place_id or org_place])[:160],
                    description=description,
                    programme_id=self.programmes[programme],
                    kind=kind,
                    location=location,
                    municipality_id=place_id,
                    is_flexible=flexible,
                    start_date=start,
                    end_date=end,
                    estimated_hours=hours,
                    volunteers_needed=people,
                    residents_helped=rng.choice([0, 5, 10, 25, 50, 100, 250, 1000]),
                    contact_person_id=admin,
                    created_by_id=admin,
                    status=status,
                    created_at=created,
                    updated_at=published or created,
                    published_at=published,
                    status_changed_at=published or created,
                )
            )
            extra = _sample_distinct(rng, self.skill_ids, self.skill_cum, rng.randint(0, 2))
            wanted = {self.skill_by_code[c]: True for c in required}
            for c in nice:
                wanted.setdefault(self.skill_by_code[c], False)
            for skill_id in extra:
                wanted.setdefault(skill_id, False)
            spoken = [self.languages[c] for c in languages]
            if rng.random() < 0.05:
                spoken.append(rng.choice(all_languages))
            links.append((wanted, [self.themes[c] for c in themes], set(spoken)))
        needs = insert_objects(Need, needs)
        skill_rows, theme_rows, language_rows = [], [], []
        for need, (wanted, theme_ids, language_ids) in zip(needs, links, strict=True):
            skill_rows.extend((need.pk, skill_id, required) for skill_id, required in wanted.items())
            theme_rows.extend((need.pk, t) for t in theme_ids)
            language_rows.extend((need.pk, lang) for lang in language_ids)
        insert_rows(NeedSkill, ["need", "skill", "required"], skill_rows)
        insert_rows(Need.themes.through, ["need", "theme"], theme_rows)
        insert_rows(Need.languages.through, ["need", "spokenlanguage"], language_rows)
        if connection.vendor == "postgresql":
            Need.objects.filter(pk__in=[n.pk for n in needs]).update(search_vector=need_search_vector())
        return missing


LOADED_MODELS = [
    Organisation,
    User,
    EmailAddress,
    Membership,
    Volunteer,
    VolunteerSkill,
    Volunteer.languages.through,
    Volunteer.themes.through,
    Need,
    NeedSkill,
    Need.themes.through,
    Need.languages.through,
]


def scale_load(
    *,
    organisations: int | None = None,
    volunteers: int | None = None,
    needs: int | None = None,
    seed: int = SEED,
    log: Callable[[str], None] = lambda message: None,
) -> dict[str, int | float]:
    """Top the scale data up to the totals asked (None: leave that kind alone). Returns rows made and seconds.

    Safe to repeat: it never removes rows, and asking for totals already reached adds nothing.
    """
    started = time.monotonic()
    made = {}
    with transaction.atomic():
        loader = ScaleLoader(seed=seed, log=log)
        if organisations is None and (volunteers or needs) and not loader.scale_organisations().exists():
            organisations = DEFAULT_ORGANISATIONS
        for kind, total in (("organisations", organisations), ("volunteers", volunteers), ("needs", needs)):
            if total is None:
                continue
            phase = time.monotonic()
            made[kind] = getattr(loader, kind)(total)
            log(f"{kind}: {made[kind]} added in {time.monotonic() - phase:.1f} s")
    if connection.vendor == "postgresql" and any(made.values()) and not connection.in_atomic_block:
        # Fresh statistics for the planner, and a visibility map so that counts can use index-only scans;
        # autovacuum would get there too, but only after the first slow pages.
        phase = time.monotonic()
        with connection.cursor() as cursor:
            for model in LOADED_MODELS:
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        log(f"vacuum analyze: {time.monotonic() - phase:.1f} s")
    made["seconds"] = round(time.monotonic() - started, 1)
    return made
