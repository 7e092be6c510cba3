"""The public list of needs: what it shows, its filters, search, order, pages, and htmx partial updates."""

import datetime
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Need, Organisation
from tests.factories import MembershipFactory, OrganisationFactory, municipality
from tests.factories_needs import NeedFactory, language, programme, skill, theme

pytestmark = pytest.mark.django_db

Status = Need.Status
LIST = reverse("members:need-list")


def titles(client, query="", **headers):
    response = client.get(f"{LIST}?{query}", headers=headers)
    assert response.status_code == 200
    return [need.title for need in response.context["needs"]]


# What is shown -------------------------------------------------------------------------------------


def test_only_open_needs_of_member_organisations_are_listed(client):
    NeedFactory(title="Open")
    for status in (Status.DRAFT, Status.PAUSED, Status.MATCHED, Status.IN_PROGRESS, Status.COMPLETED):
        NeedFactory(title=f"Niet: {status}", status=status)
    NeedFactory(title="Van een oud-lid", organisation__status=Organisation.Status.ENDED)

    assert titles(client) == ["Open"]


def test_the_list_shows_no_personal_data(client):
    contact = MembershipFactory(user__email="privé@example.org", user__full_name="Priva Persoon")
    NeedFactory(organisation=contact.organisation, contact_person=contact.user, title="Met contactpersoon")

    response = client.get(LIST)

    assert "Met contactpersoon" in response.text
    assert "privé@example.org" not in response.text and "Priva Persoon" not in response.text


def test_a_visitor_opens_an_open_need_but_not_a_draft(client):
    open_need = NeedFactory()
    draft = NeedFactory(status=Status.DRAFT)

    assert client.get(open_need.get_absolute_url()).status_code == 200
    assert client.get(draft.get_absolute_url()).status_code == 404


# Filters -------------------------------------------------------------------------------------------


@pytest.fixture
def region():
    """Four needs that differ in every way the filters look at."""
    return {
        "buddy": NeedFactory(
            title="Taalmaatje",
            programme=programme("work"),
            kind=Need.Kind.BUDDY,
            municipality=municipality("Helmond"),
            themes=[theme("newcomers")],
            skills={skill("language-buddy"): True},
            languages=[language("uk")],
            start_date=datetime.date(2031, 1, 10),
        ),
        "data": NeedFactory(
            title="Geboortes voorspellen",
            programme=programme("corporate-volunteering"),
            kind=Need.Kind.EXPERTISE,
            location="hybrid",
            municipality=municipality("Bladel"),
            themes=[theme("care")],
            skills={skill("machine-learning"): True, skill("data-analysis"): False},
            languages=[language("nl"), language("en")],
            start_date=datetime.date(2031, 3, 1),
        ),
        "remote": NeedFactory(
            title="Website vernieuwen",
            programme=programme("digital-skills"),
            kind=Need.Kind.ONE_OFF,
            location="remote",
            municipality=None,
            themes=[theme("digital-inclusion"), theme("care")],
            skills={skill("web-development"): False},
            is_flexible=True,
            start_date=None,
        ),
        "team": NeedFactory(
            title="Teamdag in de tuin",
            programme=programme("corporate-volunteering"),
            kind=Need.Kind.TEAM,
            municipality=municipality("Eindhoven"),
            themes=[theme("neighbourhood")],
            start_date=datetime.date(2031, 6, 1),
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("programme=corporate-volunteering", {"Geboortes voorspellen", "Teamdag in de tuin"}),
        ("theme=care", {"Geboortes voorspellen", "Website vernieuwen"}),
        ("skill=machine-learning", {"Geboortes voorspellen"}),
        ("skill=data-analysis", {"Geboortes voorspellen"}),
        ("municipality={Helmond}", {"Taalmaatje"}),
        ("subregion=De Kempen", {"Geboortes voorspellen"}),
        ("subregion=Stedelijk gebied Eindhoven", {"Teamdag in de tuin"}),
        ("kind=team", {"Teamdag in de tuin"}),
        ("remote=on", {"Geboortes voorspellen", "Website vernieuwen"}),
        ("language=uk", {"Taalmaatje"}),
        ("starts_from=2031-02-01", {"Geboortes voorspellen", "Teamdag in de tuin", "Website vernieuwen"}),
        ("starts_until=2031-02-01", {"Taalmaatje", "Website vernieuwen"}),
        ("starts_from=2031-02-01&starts_until=2031-04-01", {"Geboortes voorspellen", "Website vernieuwen"}),
        ("theme=care&remote=on&language=nl", {"Geboortes voorspellen"}),
        ("programme=work&kind=team", set()),
    ],
)
def test_each_filter_and_their_combinations(client, region, query, expected):
    query = query.format(Helmond=municipality("Helmond").pk)

    assert set(titles(client, query)) == expected


def test_a_need_with_several_matching_themes_is_listed_and_counted_once(client, region):
    response = client.get(f"{LIST}?theme=care&skill=data-analysis")

    assert response.context["page_obj"].paginator.count == 1
    assert "1 need found" in response.text


def test_an_unknown_choice_is_reported_at_its_field(client, region):
    response = client.get(f"{LIST}?theme=bestaat-niet")

    assert response.status_code == 200
    assert "theme" in response.context["filter"].form.errors


def test_the_filter_form_keeps_what_was_chosen(client, region):
    response = client.get(f"{LIST}?theme=care&q=voorspellen&remote=on")

    form = response.context["filter"].form
    assert form["theme"].value() == "care" and form["q"].value() == "voorspellen"
    assert 'value="voorspellen"' in response.text


# Search --------------------------------------------------------------------------------------------


def test_free_text_search_finds_words_in_the_title_and_the_description(client):
    NeedFactory(title="Voorlezen op school", description="Kinderen lezen samen met een vrijwilliger.")
    NeedFactory(title="Tuin opknappen", description="Wij zoeken handige mensen voor de tuin van de school.")
    NeedFactory(title="Boekhouding", description="Hulp bij de jaarrekening.")

    assert set(titles(client, "q=school")) == {"Voorlezen op school", "Tuin opknappen"}
    assert titles(client, "q=jaarrekening") == ["Boekhouding"]
    assert titles(client, "q=lezen kinderen") == ["Voorlezen op school"]
    assert titles(client, "q=fietsen") == []


@pytest.mark.postgres
def test_search_understands_dutch_and_english_word_forms_on_postgresql(client):
    NeedFactory(title="Taalmaatje gezocht", description="Help een nieuwkomer met Nederlands.")
    NeedFactory(title="Mentoring young people", description="Experienced mentors wanted for students.")
    NeedFactory(title="Fietsenmaker", description="Repareer fietsen in de buurt.")

    assert titles(client, "q=taalmaatjes") == ["Taalmaatje gezocht"]
    assert titles(client, "q=mentor") == ["Mentoring young people"]
    assert titles(client, "q=nieuwkomers") == ["Taalmaatje gezocht"]


@pytest.mark.postgres
def test_search_ranks_a_title_match_above_a_description_match_on_postgresql(client):
    now = timezone.now()
    NeedFactory(title="Klussen in huis", description="Een tuin die onderhoud nodig heeft.", published_at=now)
    NeedFactory(title="Tuin onderhouden", description="Samen werken in de buurt.", published_at=now - timedelta(days=9))

    assert titles(client, "q=tuin") == ["Tuin onderhouden", "Klussen in huis"]
    assert titles(client, "q=tuin&sort=newest") == ["Klussen in huis", "Tuin onderhouden"]


# Order ---------------------------------------------------------------------------------------------


def test_newest_first_by_default(client):
    now = timezone.now()
    NeedFactory(title="Oud", published_at=now - timedelta(days=3))
    NeedFactory(title="Nieuw", published_at=now)
    NeedFactory(title="Midden", published_at=now - timedelta(days=1))

    assert titles(client) == ["Nieuw", "Midden", "Oud"]


def test_starting_soonest_puts_flexible_needs_last(client):
    NeedFactory(title="Juni", start_date=datetime.date(2031, 6, 1))
    NeedFactory(title="Flexibel", start_date=None, is_flexible=True)
    NeedFactory(title="Januari", start_date=datetime.date(2031, 1, 1))

    assert titles(client, "sort=soonest") == ["Januari", "Juni", "Flexibel"]


def test_nearest_to_a_chosen_municipality_with_remote_work_last(client):
    NeedFactory(title="Asten", municipality=municipality("Asten"))
    NeedFactory(title="Thuis", location="remote", municipality=None)
    NeedFactory(title="Eindhoven", municipality=municipality("Eindhoven"))
    NeedFactory(title="Veldhoven", municipality=municipality("Veldhoven"))
    NeedFactory(title="Helmond", municipality=municipality("Helmond"))

    response = client.get(f"{LIST}?sort=nearest&near={municipality('Veldhoven').pk}")

    assert [need.title for need in response.context["needs"]] == ["Veldhoven", "Eindhoven", "Helmond", "Asten", "Thuis"]
    distances = {need.title: need.distance for need in response.context["needs"]}
    assert distances["Veldhoven"] == 0 and 4 < distances["Eindhoven"] < 6 and distances["Thuis"] is None
    assert "0 km away" in response.text


def test_nearest_without_a_municipality_asks_for_one_and_still_lists(client):
    NeedFactory(title="Ergens")

    response = client.get(f"{LIST}?sort=nearest")

    assert response.context["filter"].form.errors["near"] == ["Choose the municipality to measure the distance from."]
    assert [need.title for need in response.context["needs"]] == ["Ergens"]


# Pages and htmx ------------------------------------------------------------------------------------


def test_pages_of_twenty_that_keep_the_filters(client):
    organisation = OrganisationFactory()
    NeedFactory.create_batch(25, organisation=organisation, themes=[theme("care")])
    NeedFactory(title="Andere thema's", organisation=organisation)

    first = client.get(f"{LIST}?theme=care")
    second = client.get(f"{LIST}?theme=care&page=2")

    assert len(first.context["needs"]) == 20 and len(second.context["needs"]) == 5
    assert "25 needs found" in first.text
    assert 'href="?theme=care&amp;page=2"' in first.text


def test_an_htmx_request_gets_only_the_results_and_the_count_for_the_live_region(client, region):
    response = client.get(f"{LIST}?theme=care", headers={"HX-Request": "true"})

    assert "<html" not in response.text and "<form" not in response.text
    assert '<span id="need-count" hx-swap-oob="innerHTML">2 needs found</span>' in response.text
    assert "Geboortes voorspellen" in response.text
    assert "HX-Request" in response["Vary"]


def test_the_same_address_without_javascript_is_the_whole_page(client, region):
    response = client.get(f"{LIST}?theme=care")

    assert "<html" in response.text and 'role="search"' in response.text
    assert 'id="need-count" class="fw-semibold" role="status" aria-live="polite">2 needs found' in response.text
    assert "hx-swap-oob" not in response.text
    assert f'hx-get="{LIST}"' in response.text and 'hx-push-url="true"' in response.text


def test_a_history_restore_gets_the_whole_page(client, region):
    response = client.get(f"{LIST}?theme=care", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})

    assert "<html" in response.text
