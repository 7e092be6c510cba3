"""Writing needs through the pages: the form, its messages at the fields, the workspace and its actions."""

import pytest
from django.urls import reverse

from members.models import Membership, Need, Organisation
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, coordinator, municipality
from tests.factories_needs import NeedFactory, language, programme, skill, theme

pytestmark = pytest.mark.django_db

Status = Need.Status


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Taalhuis Helmond", slug="taalhuis", kind=Organisation.Kind.SOCIAL)


@pytest.fixture
def member(organisation):
    return MembershipFactory(
        organisation=organisation,
        role=Membership.Role.MEMBER,
        user__full_name="Noor Lid",
        user__email="noor@taalhuis.nl",
        user__preferred_language="en",
    ).user


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def form_data(**overrides):
    data = {
        "title": "Taalmaatjes op de werkvloer",
        "description": "Collega's helpen nieuwkomers met Nederlands bij de koffieautomaat.",
        "programme": programme("work").pk,
        "themes": [theme("newcomers").pk, theme("language").pk],
        "kind": Need.Kind.BUDDY,
        "location": "on_site",
        "municipality": municipality("Helmond").pk,
        "start_date": "2031-09-01",
        "end_date": "2031-12-20",
        "estimated_hours": "20",
        "volunteers_needed": "10",
        "languages": [language("nl").pk, language("uk").pk],
        "residents_helped": "10",
        "required_skills": [skill("language-buddy").pk],
        "nice_skills": [skill("intercultural").pk],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def create_url(organisation):
    return reverse("members:need-create", args=[organisation.slug])


# Creating ------------------------------------------------------------------------------------------


def test_a_member_posts_a_need_as_a_draft(member_client, organisation, member):
    response = member_client.post(create_url(organisation), form_data(contact_person=member.pk), follow=True)

    need = Need.objects.get()
    assert response.redirect_chain[-1][0] == need.get_absolute_url()
    assert "“Taalmaatjes op de werkvloer” is saved as a draft." in response.text
    assert need.status == Status.DRAFT
    assert need.contact_person == member
    assert {(ns.skill.code, ns.required) for ns in need.need_skills.select_related("skill")} == {
        ("language-buddy", True),
        ("intercultural", False),
    }
    assert {lang.code for lang in need.languages.all()} == {"nl", "uk"}


def test_the_form_offers_the_colleagues_as_contact_person_and_proposes_the_author(member_client, organisation, member):
    colleague = MembershipFactory(organisation=organisation, user__full_name="Sam Collega").user
    outsider = UserFactory(full_name="Buiten Staander")

    response = member_client.get(create_url(organisation))

    choices = list(response.context["form"].fields["contact_person"].queryset)
    assert set(choices) == {member, colleague}
    assert outsider not in choices
    assert response.context["form"]["contact_person"].value() == member.pk


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"end_date": "2031-08-31"}, "end_date", "The end date is before the start date."),
        ({"estimated_hours": "0"}, "estimated_hours", "Ensure this value is greater than or equal to 1."),
        (
            {"municipality": ""},
            "municipality",
            "Choose the municipality where the work takes place, or choose “Remote”.",
        ),
        (
            {"required_skills": ["999999"]},
            "required_skills",
            "Select a valid choice. 999999 is not one of the available choices.",
        ),
        (
            {"description": "x" * 5001},
            "description",
            "Ensure this value has at most 5000 characters (it has 5001).",
        ),
        ({"title": "x" * 161}, "title", "Ensure this value has at most 160 characters (it has 161)."),
        ({"start_date": ""}, "start_date", "Choose a start date, or tick “dates are flexible”."),
    ],
)
def test_bad_input_gets_a_message_at_the_field_and_saves_nothing(
    member_client, organisation, overrides, field, message
):
    response = member_client.post(create_url(organisation), form_data(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert 'class="invalid-feedback d-block"' in response.text
    assert "is-invalid" in response.text
    assert not Need.objects.exists()


def test_a_skill_cannot_be_both_required_and_nice_to_have(member_client, organisation):
    both = skill("language-buddy").pk

    response = member_client.post(create_url(organisation), form_data(required_skills=[both], nice_skills=[both]))

    assert response.context["form"].errors["nice_skills"] == [
        "A skill is either required or nice to have, not both: Language buddy."
    ]
    assert not Need.objects.exists()


def test_a_remote_need_with_flexible_dates(member_client, organisation):
    member_client.post(
        create_url(organisation),
        form_data(location="remote", municipality="", is_flexible="on", start_date="", end_date=""),
    )

    need = Need.objects.get()
    assert need.is_remote and need.is_flexible and need.municipality is None


def test_an_organisation_that_is_not_a_member_is_told_so(member_client, organisation):
    Organisation.objects.filter(pk=organisation.pk).update(status=Organisation.Status.PENDING)

    response = member_client.post(create_url(organisation), form_data())

    assert "Only member organisations can post needs." in response.text
    assert not Need.objects.exists()


# Editing -------------------------------------------------------------------------------------------


def test_the_edit_form_shows_the_need_as_it_is_and_saves_changes(member_client, organisation):
    need = NeedFactory(
        organisation=organisation,
        title="Oud",
        skills={skill("cooking"): True, skill("gardening"): False},
        themes=[theme("youth")],
    )
    url = reverse("members:need-edit", args=[need.pk])

    form = member_client.get(url).context["form"]
    assert form["title"].value() == "Oud"
    assert form["required_skills"].value() == [skill("cooking").pk]
    assert form["nice_skills"].value() == [skill("gardening").pk]

    response = member_client.post(url, form_data(title="Nieuw"), follow=True)

    assert "Your changes to “Nieuw” are saved." in response.text
    need.refresh_from_db()
    assert need.title == "Nieuw"
    assert need.status == Status.OPEN
    assert set(need.need_skills.values_list("skill__code", flat=True)) == {"language-buddy", "intercultural"}


def test_a_completed_need_cannot_be_edited(member_client, organisation):
    need = NeedFactory(organisation=organisation, status=Status.COMPLETED, title="Klaar")

    response = member_client.post(reverse("members:need-edit", args=[need.pk]), form_data(title="Anders"), follow=True)

    assert "A need that is “Completed” can no longer be changed." in response.text
    need.refresh_from_db()
    assert need.title == "Klaar"


# Status changes ------------------------------------------------------------------------------------


def transition_url(need):
    return reverse("members:need-transition", args=[need.pk])


def test_publish_from_the_need_page(member_client, organisation, member):
    need = NeedFactory(organisation=organisation, status=Status.DRAFT, title="Voorlezen")

    response = member_client.post(
        transition_url(need), {"action": "publish", "next": need.get_absolute_url()}, follow=True
    )

    assert response.redirect_chain[-1][0] == need.get_absolute_url()
    assert "“Voorlezen” is published: everyone can find it now." in response.text
    need.refresh_from_db()
    assert need.status == Status.OPEN and need.status_changed_by == member


def test_a_refused_change_is_explained_and_changes_nothing(member_client, organisation):
    need = NeedFactory(organisation=organisation, status=Status.CANCELLED)

    response = member_client.post(transition_url(need), {"action": "resume"}, follow=True)

    assert "This need is “Cancelled”, so it cannot become “Open”. Nothing was changed." in response.text
    need.refresh_from_db()
    assert need.status == Status.CANCELLED


def test_an_unknown_action_changes_nothing(member_client, organisation):
    need = NeedFactory(organisation=organisation, status=Status.OPEN)

    response = member_client.post(transition_url(need), {"action": "complete"}, follow=True)

    assert "Choose one of the actions shown." in response.text
    need.refresh_from_db()
    assert need.status == Status.OPEN


def test_a_next_address_elsewhere_is_ignored(member_client, organisation):
    need = NeedFactory(organisation=organisation, status=Status.OPEN)

    response = member_client.post(transition_url(need), {"action": "pause", "next": "https://evil.example/"})

    assert response["Location"] == need.get_absolute_url()


def test_the_workspace_action_swaps_its_row_with_htmx_and_says_what_happened(member_client, organisation):
    need = NeedFactory(organisation=organisation, status=Status.OPEN, title="Koken")
    workspace = reverse("members:need-workspace", args=[organisation.slug])

    response = member_client.post(
        transition_url(need), {"action": "pause", "next": workspace}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="need-row-{need.pk}">')
    assert "<html" not in response.text
    assert 'hx-swap-oob="innerHTML"' in response.text
    assert "“Koken” is paused" in response.text
    assert 'value="resume"' in response.text and 'value="pause"' not in response.text
    assert f'name="next" value="{workspace}"' in response.text
    # The message was shown in the row's response, so it does not show up again on the next page.
    assert "“Koken” is paused" not in member_client.get(workspace).text


# The workspace -------------------------------------------------------------------------------------


def test_the_workspace_lists_every_need_with_its_status_and_actions(member_client, organisation):
    draft = NeedFactory(organisation=organisation, status=Status.DRAFT, title="Concept")
    NeedFactory(organisation=organisation, status=Status.COMPLETED, title="Afgerond")
    NeedFactory(status=Status.OPEN, title="Van een ander")

    response = member_client.get(reverse("members:need-workspace", args=[organisation.slug]))

    titles = [need.title for need in response.context["needs"]]
    assert sorted(titles) == ["Afgerond", "Concept"]
    rows = {need.title: need for need in response.context["needs"]}
    assert [name for name, _label in rows["Concept"].actions] == ["publish", "cancel"]
    assert rows["Afgerond"].actions == [] and not rows["Afgerond"].can_edit
    assert reverse("members:need-edit", args=[draft.pk]) in response.text
    assert "Post a new need" in response.text


def test_the_workspace_filters_by_status_and_counts_each(member_client, organisation):
    NeedFactory.create_batch(2, organisation=organisation, status=Status.OPEN)
    NeedFactory(organisation=organisation, status=Status.PAUSED)

    response = member_client.get(reverse("members:need-workspace", args=[organisation.slug]) + "?status=paused")

    assert [need.status for need in response.context["needs"]] == [Status.PAUSED]
    counts = {value: count for value, _label, count in response.context["statuses"]}
    assert counts[Status.OPEN] == 2 and counts[Status.PAUSED] == 1 and response.context["total"] == 3


def test_the_organisation_page_links_to_its_needs(member_client, organisation):
    response = member_client.get(organisation.get_absolute_url())

    assert reverse("members:need-workspace", args=[organisation.slug]) in response.text


# The need's page -----------------------------------------------------------------------------------


def test_the_contact_person_is_shown_only_inside_the_organisation_and_to_coordinators(client, organisation, member):
    need = NeedFactory(organisation=organisation, contact_person=member)

    assert "noor@taalhuis.nl" not in client.get(need.get_absolute_url()).text
    client.force_login(UserFactory())
    assert "noor@taalhuis.nl" not in client.get(need.get_absolute_url()).text
    client.force_login(MembershipFactory(role=Membership.Role.ADMIN).user)
    assert "noor@taalhuis.nl" not in client.get(need.get_absolute_url()).text

    client.force_login(member)
    assert "noor@taalhuis.nl" in client.get(need.get_absolute_url()).text
    client.force_login(coordinator())
    assert "noor@taalhuis.nl" in client.get(need.get_absolute_url()).text


def test_the_need_page_shows_what_it_asks_for(client, organisation):
    need = NeedFactory(
        organisation=organisation,
        title="Huiswerkklas",
        skills={skill("homework-help"): True, skill("teaching"): False},
        languages=[language("nl")],
        themes=[theme("youth")],
    )

    response = client.get(need.get_absolute_url(), headers={"Accept-Language": "en"})

    assert response.status_code == 200
    assert response.context["required_skills"] == [skill("homework-help")]
    assert response.context["nice_skills"] == [skill("teaching")]
    assert "Taalhuis Helmond" in response.text
    assert "Publish" not in response.text and "Edit" not in response.text


def test_the_navigation_has_a_link_to_the_needs_marked_current_there(client):
    response = client.get(reverse("members:need-list"))

    assert f'href="{reverse("members:need-list")}" aria-current="page"' in response.text
    assert f'href="{reverse("members:need-list")}"' in client.get(reverse("members:home")).text
