"""Offer pages: writing an offer, errors at the fields, the lifecycle buttons, and the workspace list's cost."""

import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Membership, Offer, Skill, Theme
from tests.factories import MembershipFactory, OrganisationFactory, coordinator, municipality
from tests.factories_offers import OfferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return OrganisationFactory(name="ASML", slug="asml")


@pytest.fixture
def member(organisation):
    return MembershipFactory(
        organisation=organisation, role=Membership.Role.MEMBER, user__full_name="Mo Lid", user__preferred_language="en"
    ).user


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def form_data(**overrides):
    data = {
        "title": "5 data analysts, 40 hours each, Q1",
        "description": "For a maternity-care organisation that wants to predict births.",
        "kind": Offer.Kind.SKILLS,
        "people": "5",
        "hours_each": "40",
        "start_date": "2026-01-01",
        "end_date": "2026-03-31",
        "skills": [Skill.objects.get(code="data-analysis").pk],
        "themes": [Theme.objects.get(code="care").pk],
        "municipalities": [municipality("Eindhoven").pk, municipality("Best").pk],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_a_member_writes_an_offer_which_starts_as_a_draft(member_client, organisation, member):
    response = member_client.post(reverse("members:offer-create", args=[organisation.slug]), form_data(), follow=True)

    offer = Offer.objects.get()
    assert response.redirect_chain[-1][0] == offer.get_absolute_url()
    assert "is saved as a draft. Publish it when it is ready." in response.text
    assert (offer.status, offer.created_by, offer.organisation) == (Offer.Status.DRAFT, member, organisation)
    assert {m.name for m in offer.municipalities.all()} == {"Eindhoven", "Best"}
    assert "5 people, 40 hours each" in response.text
    assert "Data analysis" in response.text


BAD_FORMS = {
    "end before start": ({"start_date": "2026-03-01", "end_date": "2026-02-01"}, "end_date"),
    "zero people": ({"people": "0"}, "people"),
    "zero hours": ({"hours_each": "0"}, "hours_each"),
    "nowhere and not remote": ({"municipalities": None}, "municipalities"),
    "title too long": ({"title": "x" * 161}, "title"),
    "description too long": ({"description": "x" * 5001}, "description"),
    "no kind": ({"kind": None}, "kind"),
}

MESSAGES = {
    "end_date": "The end date cannot be before the start date.",
    "people": "Ensure this value is greater than or equal to 1.",
    "hours_each": "Ensure this value is greater than or equal to 1.",
    "municipalities": "Choose at least one municipality, or say that the work can be done remotely.",
    "title": "Ensure this value has at most 160 characters (it has 161).",
    "description": "Ensure this value has at most 5000 characters (it has 5001).",
    "kind": "This field is required.",
}


@pytest.mark.parametrize(("overrides", "field"), BAD_FORMS.values(), ids=BAD_FORMS.keys())
def test_bad_input_gets_a_message_at_the_field_and_saves_nothing(member_client, organisation, overrides, field):
    response = member_client.post(reverse("members:offer-create", args=[organisation.slug]), form_data(**overrides))

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert form.errors[field] == [MESSAGES[field]]
    assert not form.non_field_errors()
    assert MESSAGES[field].replace("'", "&#x27;") in response.text
    assert "See the messages at the fields below." in response.text
    assert not Offer.objects.exists()


def test_an_invalid_field_is_marked_for_assistive_technology(member_client, organisation):
    response = member_client.post(reverse("members:offer-create", args=[organisation.slug]), form_data(people="0"))

    assert 'class="form-control is-invalid"' in response.text
    assert 'aria-invalid="true"' in response.text


def test_a_remote_offer_needs_no_municipality(member_client, organisation):
    member_client.post(
        reverse("members:offer-create", args=[organisation.slug]),
        form_data(municipalities=None, remote="on", start_date=None, end_date=None),
    )

    offer = Offer.objects.get()
    assert offer.remote is True
    assert offer.start_date is None


def test_the_form_groups_skills_by_category_and_municipalities_by_subregion(member_client, organisation):
    response = member_client.get(reverse("members:offer-create", args=[organisation.slug]))

    assert "<legend" in response.text
    assert "Data and technology" in response.text
    assert "De Kempen" in response.text
    assert response.text.count('name="municipalities"') == 21


def test_editing_an_offer_keeps_its_choices_and_saves_changes(member_client, organisation):
    offer = OfferFactory(organisation=organisation, title="Teamdag", municipalities=["Helmond"])
    edit = reverse("members:offer-edit", args=[offer.pk])

    page = member_client.get(edit)
    assert 'value="Teamdag"' in page.text
    checked = re.findall(r'<input type="checkbox" name="municipalities" value="(\d+)"[^>]*checked>', page.text)
    assert checked == [str(municipality("Helmond").pk)]

    response = member_client.post(edit, form_data(title="Teamdag voor 12", people="12"), follow=True)

    assert "Your changes to “Teamdag voor 12” are saved." in response.text
    offer.refresh_from_db()
    assert (offer.title, offer.people) == ("Teamdag voor 12", 12)


def test_a_closed_offer_shows_no_edit_button_and_refuses_an_edit(member_client, organisation):
    offer = OfferFactory(organisation=organisation, status=Offer.Status.CLOSED, title="Gesloten")

    page = member_client.get(offer.get_absolute_url())
    assert reverse("members:offer-edit", args=[offer.pk]) not in page.text
    assert "<form" not in page.text.split('id="main"')[1]

    response = member_client.post(reverse("members:offer-edit", args=[offer.pk]), form_data(title="Toch open"))
    assert "This offer is closed and can no longer be changed." in response.text
    assert Offer.objects.get(pk=offer.pk).title == "Gesloten"


# Lifecycle through the pages ----------------------------------------------------------------------


def test_publish_pause_resume_and_close_through_the_buttons(member_client, organisation, member):
    offer = OfferFactory(organisation=organisation, title="Analisten")

    page = member_client.get(offer.get_absolute_url())
    assert reverse("members:offer-activate", args=[offer.pk]) in page.text
    assert reverse("members:offer-pause", args=[offer.pk]) not in page.text

    steps = [
        ("offer-activate", Offer.Status.ACTIVE, "“Analisten” is published and can now be matched."),
        ("offer-pause", Offer.Status.PAUSED, "“Analisten” is paused: it is not matched until you resume it."),
        ("offer-resume", Offer.Status.ACTIVE, "“Analisten” is active again."),
        ("offer-close", Offer.Status.CLOSED, "“Analisten” is closed."),
    ]
    for name, status, message in steps:
        response = member_client.post(reverse(f"members:{name}", args=[offer.pk]), follow=True)
        assert response.redirect_chain[-1][0] == offer.get_absolute_url()
        assert message in response.text
        offer.refresh_from_db()
        assert (offer.status, offer.status_changed_by) == (status, member)
    assert "Mo Lid" in response.text  # who changed the status last


def test_a_refused_step_is_told_and_changes_nothing(member_client, organisation):
    offer = OfferFactory(organisation=organisation, status=Offer.Status.CLOSED)

    response = member_client.post(reverse("members:offer-resume", args=[offer.pk]), follow=True)

    assert "This offer is closed and cannot be resumed." in response.text
    offer.refresh_from_db()
    assert (offer.status, offer.status_changed_at) == (Offer.Status.CLOSED, None)


def test_a_coordinator_sees_an_offer_without_buttons_to_change_it(client, organisation):
    offer = OfferFactory(organisation=organisation, status=Offer.Status.ACTIVE)
    client.force_login(coordinator(preferred_language="en"))

    page = client.get(offer.get_absolute_url())

    assert page.status_code == 200
    assert page.context["actions"] == []
    assert page.context["can_edit"] is False
    assert reverse("members:offer-pause", args=[offer.pk]) not in page.text


def test_the_workspace_list_filters_by_status(member_client, organisation):
    OfferFactory(organisation=organisation, status=Offer.Status.ACTIVE, title="Loopt")
    OfferFactory(organisation=organisation, status=Offer.Status.CLOSED, title="Voorbij")
    OfferFactory(title="Van een ander", status=Offer.Status.ACTIVE)
    url = reverse("members:offer-list", args=[organisation.slug])

    assert [o.title for o in member_client.get(url).context["offers"]] == ["Voorbij", "Loopt"]
    assert [o.title for o in member_client.get(url + "?status=active").context["offers"]] == ["Loopt"]
    assert [o.title for o in member_client.get(url + "?status=nonsense").context["offers"]] == ["Voorbij", "Loopt"]


def test_the_workspace_page_links_to_the_offers(member_client, organisation):
    page = member_client.get(organisation.get_absolute_url())

    assert reverse("members:offer-list", args=[organisation.slug]) in page.text


# Query counts ---------------------------------------------------------------------------------------

MANY = 50


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("who", ["member", "coordinator"])
def test_the_offers_workspace_costs_the_same_with_one_offer_and_with_fifty(client, organisation, member, who):
    client.force_login(member if who == "member" else coordinator(preferred_language="en"))
    skills = list(Skill.objects.all()[:3])
    themes = list(Theme.objects.all()[:2])
    counter = itertools.count()

    def add(n):
        for number in itertools.islice(counter, n):
            OfferFactory(
                organisation=organisation,
                title=f"Aanbod {number}",
                skills=skills,
                themes=themes,
                municipalities=["Eindhoven", "Helmond"],
                remote=number % 2 == 0,
            )

    url = reverse("members:offer-list", args=[organisation.slug])
    add(1)
    client.get(url)  # warm caches that are not per request (content types, templates)
    with_one, first = queries_for(client, url)
    add(MANY - 1)
    with_many, second = queries_for(client, url)

    assert len(first.context["offers"]) == 1
    assert len(second.context["offers"]) == MANY
    assert second.text.count("Helmond") >= MANY
    assert with_many == with_one, f"{with_one} queries with 1 offer, {with_many} with {MANY}"
