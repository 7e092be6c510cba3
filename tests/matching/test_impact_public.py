"""The public impact page and the home page's headline figures: for everyone, no personal data, from the
cache (no query on a hit), refreshed by time."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from matching.views.impact import PUBLIC_CACHE_KEY
from tests.matching.impact_world import build_world
from tests.matching.test_impact_dashboard import SNAPSHOT_LOOKUP

pytestmark = pytest.mark.django_db

URL = reverse("matching:impact-public")


@pytest.fixture
def world():
    return build_world()


def test_a_visitor_sees_the_headline_figures_against_the_targets(client, world):
    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Our impact</h1>" in html
    assert [(t["label"], t["value"], t["target"]) for t in response.context["targets"]] == [
        ("Corporate volunteers deployed", 3, 100_000),
        ("People needing support into work", 6, 5_000),
        ("Inclusive employers", 2, 1_000),
        ("residents with improved financial health", 40, 250_000),
        ("residents with stronger (digital) skills", 25, 7_500),
    ]
    assert '<progress class="impact-progress" value="3" max="100000"' in html
    assert "16.5 hours of volunteering confirmed, for 3 needs" in html


def test_the_list_per_subregion(client, world):
    response = client.get(URL)

    # hours, volunteers deployed, needs supported, residents reached (n2 in Bladel 40; n3 in Eindhoven 25),
    # people into work (n6 in Helmond), confirmed inclusive employers (ASML; Kempen Techniek in Bladel)
    assert [
        (r["label"], r["hours"], r["volunteers"], r["needs"], r["residents"], r["into_work"], r["inclusive"])
        for r in response.context["subregions"]
    ] == [
        ("Eindhoven urban area", Decimal("10.5"), 2, 2, 25, 0, 1),
        ("De Kempen", Decimal("6"), 1, 1, 40, 0, 1),
        ("De Peel", 0, 0, 0, 0, 6, 0),
        ("A2 municipalities", 0, 0, 0, 0, 0, 0),
    ]
    assert (
        '<th scope="row">De Kempen</th><td class="text-end">6</td><td class="text-end">1</td>'
        '<td class="text-end">1</td><td class="text-end">40</td>' in response.content.decode()
    )


def test_only_organisations_that_agreed_are_named(client, world):
    response = client.get(URL)
    html = response.content.decode()

    # ASML agreed: named among the inclusive employers of its subregion and among the top contributors.
    named = {r["label"]: [e["name"] for e in r["named_employers"]] for r in response.context["subregions"]}
    assert named == {"Eindhoven urban area": ["ASML"], "De Kempen": [], "De Peel": [], "A2 municipalities": []}
    assert [(r["name"], r["hours"], r["people"]) for r in response.context["figures"]["top_contributors"]] == [
        ("ASML", Decimal("10.5"), 2)
    ]
    assert '<a href="/organisations/asml/">ASML</a>' in html
    # Kempen Techniek is a confirmed inclusive employer that did not agree; the applicant agreed but is no member.
    for name in ("Philips", "Buurtkracht Bladel", "Kempen Techniek", "Nog geen lid"):
        assert name not in html
    assert "1 confirmed inclusive employer in all." in html


def test_an_organisation_that_withdraws_its_consent_is_no_longer_named(client, world):
    from members.models import Organisation

    Organisation.objects.filter(pk=world.asml.pk).update(may_be_named_publicly=False)

    html = client.get(URL).content.decode()

    assert "ASML" not in html


def test_no_personal_data(client, world):
    html = client.get(URL).content.decode()

    for volunteer in world.volunteers:
        assert volunteer.user.full_name not in html
        assert volunteer.user.email not in html
    assert world.needs[3].title not in html
    assert world.needs[5].title not in html


def test_the_page_speaks_dutch_too(client, world):
    from django.utils import translation

    with translation.override("nl"):
        response = client.get(URL, HTTP_ACCEPT_LANGUAGE="nl")
    labels = [t["label"] for t in response.context["targets"]]
    assert "inwoners financieel gezonder" in labels


def test_a_cache_hit_costs_no_query(client, world, django_assert_num_queries):
    client.get(URL)  # fills the cache

    with django_assert_num_queries(0):
        response = client.get(URL)

    assert response.status_code == 200


def test_a_miss_costs_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    # delivered, residents, inclusive employers, people into work, the subregions' work, the programmes' units;
    # per subregion residents, people into work and inclusive employers; the named inclusive employers; the top
    # contributors (read live: SQLite holds no snapshot; PostgreSQL asks for one first)
    with django_assert_num_queries(11 + SNAPSHOT_LOOKUP):
        client.get(URL)
    cache.delete(PUBLIC_CACHE_KEY)
    from tests.matching.test_impact_dashboard import more_work

    more_work(8)
    with django_assert_num_queries(11 + SNAPSHOT_LOOKUP):
        client.get(URL)


def test_the_figures_are_kept_for_a_few_minutes_then_read_again(client, world, settings):
    from matching.models import HoursEntry

    client.get(URL)
    HoursEntry.objects.filter(volunteer=world.volunteers[3]).delete()

    assert client.get(URL).context["targets"][0]["value"] == 3  # still the cached figure
    cache.delete(PUBLIC_CACHE_KEY)  # what the timeout does after five minutes
    assert client.get(URL).context["targets"][0]["value"] == 2


def test_the_home_page_shows_the_same_headline_figures(client, world):
    client.get(URL)

    html = client.get(reverse("members:home")).content.decode()

    assert "Our impact so far" in html
    assert '<progress class="impact-progress" value="3" max="100000"' in html
    assert reverse("matching:impact-public") in html


def test_the_short_address_leads_everyone_to_the_public_page(client):
    response = client.get("/impact/")

    assert response.status_code == 302
    assert response["Location"] == URL
