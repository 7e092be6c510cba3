"""seed_demo: the small demo is realistic and safe to repeat; scale mode reaches exactly the totals asked."""

from io import StringIO

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from django.urls import reverse

from members.demo import DEMO_PASSWORD, SCALE_DOMAIN, SLUG_PREFIX
from members.models import (
    Membership,
    Need,
    NeedSkill,
    Offer,
    Organisation,
    User,
    Volunteer,
    VolunteerSkill,
    WorkLocation,
)

pytestmark = pytest.mark.django_db

DEMO = "demo.brainportvoorelkaar.nl"
MODELS = [Organisation, User, Membership, Need, NeedSkill, Volunteer, VolunteerSkill, Offer]


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def scale_counts():
    return {
        "organisations": Organisation.objects.filter(slug__startswith=SLUG_PREFIX).count(),
        "volunteers": Volunteer.objects.filter(user__email__endswith=SCALE_DOMAIN).count(),
        "needs": Need.objects.filter(organisation__slug__startswith=SLUG_PREFIX).count(),
    }


def test_the_small_demo_twice_adds_nothing_the_second_time():
    seed()
    first = counts()
    seed()

    assert counts() == first
    assert first["Need"] >= 10 and first["Volunteer"] >= 5 and first["Offer"] >= 3


def test_the_demo_needs_come_in_several_statuses_mostly_open_with_skills_themes_and_places():
    seed()
    statuses = list(Need.objects.values_list("status", flat=True))
    assert statuses.count(Need.Status.OPEN) > len(statuses) / 2
    assert {Need.Status.DRAFT, Need.Status.MATCHED, Need.Status.COMPLETED} <= set(statuses)
    buddies = Need.objects.get(title__startswith="Taalmaatjes op de werkvloer")
    assert buddies.organisation.name == "Precisie Techniek Helmond"
    assert {ns.skill.code: ns.required for ns in buddies.need_skills.select_related("skill")} == {
        "language-buddy": True,
        "dutch-language": True,
        "intercultural": False,
        "listening": False,
    }
    assert buddies.themes.filter(code="newcomers").exists()
    assert Need.objects.filter(location=WorkLocation.REMOTE, municipality=None, status=Need.Status.OPEN).exists()


def test_the_open_demo_needs_are_on_the_public_list_and_drafts_are_not(client):
    seed()

    response = client.get(reverse("members:need-list"), {"q": "taalmaatje"})
    everything = client.get(reverse("members:need-list")).content.decode()

    assert "Taalmaatjes op de werkvloer voor Oekraïense collega&#x27;s" in response.content.decode()
    assert "Geboortes voorspellen met AI" in everything
    assert "Nieuwe website voor de Voedselbank Helmond" not in everything  # a draft


def test_the_demo_member_of_the_data_lab_is_a_volunteer_who_gave_consent():
    seed()

    volunteer = Volunteer.objects.active().get(user__email=f"lid.datalab@{DEMO}")

    assert volunteer.organisation.name == "Campus Data & AI Lab"
    assert volunteer.volunteer_skills.filter(skill__code="machine-learning", level=VolunteerSkill.Level.EXPERT).exists()
    assert set(volunteer.languages.values_list("code", flat=True)) == {"nl", "en", "ar"}


def test_the_demo_offers_include_the_associations_own_examples():
    seed()

    analysts = Offer.objects.get(title="5 data-analisten, 40 uur per persoon, Q1")
    team = Offer.objects.get(title="Een team van 12 voor één dag")

    assert (analysts.people, analysts.hours_each, analysts.status) == (5, 40, Offer.Status.ACTIVE)
    assert (analysts.start_date.month, analysts.end_date.month) == (1, 3)
    assert (team.kind, team.people) == (Offer.Kind.TEAM_DAY, 12)


def test_the_new_demo_logins_are_printed_and_work():
    output = seed()

    assert f"vrijwilliger.chipmakers@{DEMO}" in output
    assert f"lid.datalab@{DEMO}" in output
    assert User.objects.get(email=f"vrijwilliger.chipmakers@{DEMO}").check_password(DEMO_PASSWORD)


def test_a_small_scale_run_makes_exactly_the_totals_and_repeating_it_adds_nothing():
    seed("--volunteers", "300", "--needs", "100", "--organisations", "20")
    assert scale_counts() == {"organisations": 20, "volunteers": 300, "needs": 100}
    first = counts()

    seed("--volunteers", "300", "--needs", "100", "--organisations", "20")

    assert counts() == first


def test_a_larger_number_tops_up_only_the_difference():
    seed("--volunteers", "50", "--needs", "40", "--organisations", "10")

    seed("--volunteers", "80", "--needs", "40", "--organisations", "12")

    assert scale_counts() == {"organisations": 12, "volunteers": 80, "needs": 40}
    emails = list(User.objects.filter(email__startswith="vrijwilliger.", email__endswith=SCALE_DOMAIN))
    assert len({u.email for u in emails}) == 80


def test_scale_volunteers_are_complete_profiles_of_employees_who_can_log_in():
    seed("--volunteers", "200", "--needs", "50", "--organisations", "20")
    volunteers = Volunteer.objects.filter(user__email__endswith=SCALE_DOMAIN)

    for volunteer in volunteers.prefetch_related("volunteer_skills", "languages").select_related("user"):
        assert 2 <= len(volunteer.volunteer_skills.all()) <= 6
        assert volunteer.languages.all()
        assert volunteer.consent_at is not None
        assert 5 <= volunteer.travel_km <= 40 and 2 <= volunteer.hours_per_month <= 16
    assert Membership.objects.filter(user__volunteer__in=volunteers).count() == 200
    dutch = volunteers.filter(languages__code="nl").count()
    assert 0.75 * 200 < dutch < 0.97 * 200
    user = volunteers.first().user
    assert user.check_password(DEMO_PASSWORD)


def test_scale_needs_are_mostly_open_and_spread_over_programmes_and_kinds():
    seed("--needs", "200", "--organisations", "20")
    needs = Need.objects.filter(organisation__slug__startswith=SLUG_PREFIX)

    assert needs.count() == 200
    assert needs.filter(status=Need.Status.OPEN).count() > 100
    assert needs.values("programme").distinct().count() == 4
    assert needs.values("kind").distinct().count() == len(Need.Kind.values)
    assert needs.exclude(location=WorkLocation.ON_SITE).exists()
    assert NeedSkill.objects.filter(need__in=needs, required=True).values("need").distinct().count() == 200


def test_volunteers_or_needs_alone_make_a_few_organisations_to_belong_to():
    seed("--volunteers", "30")

    assert scale_counts() == {"organisations": 20, "volunteers": 30, "needs": 0}


@pytest.mark.postgres
def test_on_postgresql_the_demo_and_scale_needs_are_searchable():
    seed("--needs", "50", "--organisations", "5")

    assert not Need.objects.filter(search_vector=None).exists()
    found = Need.objects.filter(search_vector=SearchQuery("taalmaatje", config="dutch"))
    assert found.filter(title__startswith="Taalmaatjes op de werkvloer").exists()
