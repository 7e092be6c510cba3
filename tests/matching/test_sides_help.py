"""The need's page for each kind of person: the organisation's matches panel, "I want to help" for volunteers,
and how to take part for everyone else; and the need page's query count with the panel."""

import pytest
from django.urls import reverse

from matching import services
from matching.models import Match
from members.models import Membership, Volunteer
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, coordinator
from tests.matching.test_sides_permissions import approved, current_need, proposal, volunteer_of

pytestmark = pytest.mark.django_db

HELP_TEXT = "I want to help</button>"
EXPLANATION = "You take part through your employer"


@pytest.fixture
def charity():
    return OrganisationFactory(name="Buurtkracht", slug="buurtkracht", kind="social")


@pytest.fixture
def need(charity):
    return current_need(charity, title="Tuin opknappen")


@pytest.fixture
def volunteer():
    return volunteer_of(OrganisationFactory(name="ASML"))


def help_url(need):
    return reverse("matching:need-help", args=[need.pk])


def test_a_visitor_reads_how_to_take_part(client, need):
    page = client.get(need.get_absolute_url())
    explanation = client.get(help_url(need))

    for response in (page, explanation):
        assert response.status_code == 200
        assert EXPLANATION in response.text
        assert "join link" in response.text
        assert reverse("members:apply") in response.text
        assert HELP_TEXT not in response.text
    assert reverse("account_login") in explanation.text


def test_a_signed_in_person_without_a_volunteer_profile_reads_how_to_take_part(client, need):
    client.force_login(UserFactory())

    page = client.get(need.get_absolute_url())

    assert EXPLANATION in page.text and HELP_TEXT not in page.text


def test_a_volunteer_offers_to_help_and_a_coordinator_reviews_it(client, need, volunteer):
    client.force_login(volunteer.user)
    page = client.get(need.get_absolute_url())
    assert HELP_TEXT in page.text
    assert f'action="{help_url(need)}"' in page.text

    response = client.post(help_url(need), {"note": "Ik heb groene vingers."}, follow=True)

    assert response.redirect_chain == [(need.get_absolute_url(), 302)]
    assert "Thank you — a coordinator will look at your offer." in [str(m) for m in response.context["messages"]]
    match = Match.objects.get(need=need)
    assert (match.volunteer, match.source, match.status) == (volunteer, Match.Source.VOLUNTEER, Match.Status.PROPOSED)
    assert list(Match.objects.undecided()) == [match]
    assert match.events.get().note == "Ik heb groene vingers."
    # The need page now shows the offer's status and a link to it instead of the button.
    assert HELP_TEXT not in response.text
    assert "Proposed, waiting for review" in response.text
    assert match.get_absolute_url() in response.text


def test_offering_twice_is_refused_with_a_message(client, need, volunteer):
    client.force_login(volunteer.user)
    client.post(help_url(need))

    response = client.post(help_url(need), follow=True)

    assert "You already offered to help with this need" in " ".join(str(m) for m in response.context["messages"])
    assert Match.objects.filter(need=need).count() == 1


def test_a_paused_volunteer_sees_no_button_and_cannot_offer(client, need):
    paused = volunteer_of(OrganisationFactory(), status=Volunteer.Status.PAUSED)
    client.force_login(paused.user)

    assert HELP_TEXT not in client.get(need.get_absolute_url()).text
    assert client.post(help_url(need)).status_code == 403
    assert not Match.objects.exists()


def test_the_need_side_sees_the_counts_per_status_and_a_link_to_the_matches(client, charity, need):
    staff = MembershipFactory(organisation=charity, role=Membership.Role.MEMBER).user
    the_coordinator = coordinator()
    company = OrganisationFactory()
    approved(need, by=the_coordinator, volunteer=volunteer_of(company))
    approved(need, by=the_coordinator, volunteer=volunteer_of(company))
    proposal(need, volunteer=volunteer_of(company))

    for user in (staff, the_coordinator):
        client.force_login(user)
        page = client.get(need.get_absolute_url())
        assert page.status_code == 200
        assert "Approved, waiting for acceptance: 2" in page.text
        assert "Proposed, waiting for review: 1" in page.text
        assert reverse("matching:need-matches", args=[need.pk]) in page.text
        assert HELP_TEXT not in page.text


def test_a_volunteer_of_the_organisation_does_not_see_the_panel_of_its_staff(client, charity, need):
    """The organisation's own volunteers see nothing of its needs' matches."""
    own_volunteer = volunteer_of(charity)
    proposal(need, volunteer=volunteer_of(OrganisationFactory()))
    client.force_login(own_volunteer.user)

    page = client.get(need.get_absolute_url())

    assert reverse("matching:need-matches", args=[need.pk]) not in page.text
    assert HELP_TEXT in page.text


# The panel's queries are fixed for each kind of person, whatever the number of matches.
# who → queries of the whole need page
NEED_PAGE_QUERIES = {"visitor": 4, "signed_in": 13, "volunteer": 13, "staff": 12, "coordinator": 11}


@pytest.mark.parametrize("who", list(NEED_PAGE_QUERIES))
def test_the_need_page_costs_the_same_with_one_match_as_with_fifty(
    client, charity, need, who, django_assert_num_queries
):
    the_coordinator = coordinator()
    user = {
        "visitor": None,
        "signed_in": UserFactory(),
        "volunteer": volunteer_of(OrganisationFactory()).user,
        "staff": MembershipFactory(organisation=charity, role=Membership.Role.ADMIN).user,
        "coordinator": the_coordinator,
    }[who]
    if user is not None:
        client.force_login(user)
    company = OrganisationFactory()

    def add(n):
        for _ in range(n):
            services.match_approve(match=proposal(need, volunteer=volunteer_of(company)), acting_user=the_coordinator)

    add(1)
    client.get(need.get_absolute_url())  # warm what is cached across requests
    with django_assert_num_queries(NEED_PAGE_QUERIES[who]):
        assert client.get(need.get_absolute_url()).status_code == 200
    add(49)
    with django_assert_num_queries(NEED_PAGE_QUERIES[who]):
        response = client.get(need.get_absolute_url())
    if who in ("staff", "coordinator"):
        assert "Approved, waiting for acceptance: 50" in response.text
