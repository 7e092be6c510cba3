"""The small demo's market: loads the needs, volunteers and offers of `market_data`. Safe to repeat: every row is
found by a natural key before it is made.

This is seed bookkeeping, not domain flow: rows are written directly, without the services' notifications.
"""

import datetime as dt

from django.db import connection
from django.utils import timezone

from members.models import (
    Membership,
    Municipality,
    Need,
    NeedSkill,
    Offer,
    Programme,
    Skill,
    SpokenLanguage,
    Theme,
    Volunteer,
    VolunteerSkill,
)
from members.models.needs import need_search_vector

from .market_data import DRAFT, NEEDS, OFFERS, VOLUNTEERS


def _quarter_after(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first quarter of the coming year: the 'Q1' of an offer made now."""
    year = today.year + 1
    return dt.date(year, 1, 1), dt.date(year, 3, 31)


def demo_market_load(*, organisations: dict, person, today: dt.date | None = None) -> None:
    """Add the demo needs, volunteers and offers; rows already there (by natural key) are left alone.

    `organisations` maps names to the demo organisations; `person(local, full_name)` returns a demo user.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    municipalities = {m.name: m for m in Municipality.objects.all()}
    programmes = {p.code: p for p in Programme.objects.all()}
    themes = {t.code: t for t in Theme.objects.all()}
    skills = {s.code: s for s in Skill.objects.all()}
    languages = {lang.code: lang for lang in SpokenLanguage.objects.all()}
    admins = {
        m.organisation_id: m.user
        for m in Membership.objects.admins().filter(organisation__in=organisations.values()).select_related("user")
    }

    need_ids = []
    for spec in NEEDS:
        org = organisations[spec["organisation"]]
        start = None if spec["start_in"] is None else today + dt.timedelta(days=spec["start_in"])
        end = None if start is None else start + dt.timedelta(days=spec["days"])
        published = spec["status"] != DRAFT
        need, created = Need.objects.get_or_create(
            organisation=org,
            title=spec["title"],
            defaults={
                "description": spec["description"],
                "programme": programmes[spec["programme"]],
                "kind": spec["kind"],
                "location": spec["location"],
                "municipality": municipalities.get(spec["municipality"]),
                "is_flexible": start is None,
                "start_date": start,
                "end_date": end,
                "estimated_hours": spec["hours"],
                "volunteers_needed": spec["volunteers"],
                "residents_helped": spec["residents"],
                "contact_person": admins.get(org.pk),
                "created_by": admins.get(org.pk),
                "status": spec["status"],
                "published_at": now if published else None,
                "status_changed_at": now,
            },
        )
        need_ids.append(need.pk)
        if created:
            NeedSkill.objects.bulk_create(
                [NeedSkill(need=need, skill=skills[code], required=True) for code in spec["required"]]
                + [NeedSkill(need=need, skill=skills[code], required=False) for code in spec["nice"]]
            )
            need.themes.add(*(themes[code] for code in spec["themes"]))
            need.languages.add(*(languages[code] for code in spec["languages"]))
    if connection.vendor == "postgresql":
        Need.objects.filter(pk__in=need_ids, search_vector__isnull=True).update(search_vector=need_search_vector())

    for local, full_name, employer, place, km, hours, remote, days, skill_levels, langs, cares in VOLUNTEERS:
        user = person(local, full_name)
        org = organisations[employer]
        Membership.objects.get_or_create(user=user, organisation=org, defaults={"role": Membership.Role.VOLUNTEER})
        weekdays, evenings, weekends = days
        volunteer, created = Volunteer.objects.get_or_create(
            user=user,
            defaults={
                "organisation": org,
                "municipality": municipalities[place],
                "travel_km": km,
                "remote_ok": remote,
                "hours_per_month": hours,
                "available_weekdays": weekdays,
                "available_evenings": evenings,
                "available_weekends": weekends,
                "consent_at": now,
            },
        )
        if created:
            VolunteerSkill.objects.bulk_create(
                [
                    VolunteerSkill(volunteer=volunteer, skill=skills[code], level=lvl)
                    for code, lvl in skill_levels.items()
                ]
            )
            volunteer.languages.add(*(languages[code] for code in langs))
            volunteer.themes.add(*(themes[code] for code in cares))

    q1_start, q1_end = _quarter_after(today)
    for (
        name,
        title,
        description,
        kind,
        people,
        hours_each,
        skill_codes,
        theme_codes,
        places,
        remote,
        status,
        q,
    ) in OFFERS:
        org = organisations[name]
        offer, created = Offer.objects.get_or_create(
            organisation=org,
            title=title,
            defaults={
                "description": description,
                "kind": kind,
                "people": people,
                "hours_each": hours_each,
                "remote": remote,
                "start_date": q1_start if q == "q1" else None,
                "end_date": q1_end if q == "q1" else None,
                "status": status,
                "created_by": admins.get(org.pk),
                "status_changed_at": now,
            },
        )
        if created:
            offer.skills.add(*(skills[code] for code in skill_codes))
            offer.themes.add(*(themes[code] for code in theme_codes))
            offer.municipalities.add(*(municipalities[place] for place in places))
