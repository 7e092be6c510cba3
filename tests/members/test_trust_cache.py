"""Caching: pages with personal data say `Cache-Control: private, no-store`; public pages stay cacheable."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.cache import get_max_age

from members import services
from members.models import Invitation, Membership
from tests.factories import OrganisationFactory
from tests.factories_volunteers import VolunteerFactory, admin_of

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",") if part.strip()}


def is_private_no_store(response) -> bool:
    return {"private", "no-store"} <= directives(response)


def test_a_volunteers_profile_page_is_never_stored(client):
    volunteer = VolunteerFactory(user__full_name="Olena Kovalenko", user__preferred_language="en")
    client.force_login(volunteer.user)

    response = client.get(volunteer.get_absolute_url())

    assert response.status_code == 200
    assert "Olena Kovalenko" in response.text
    assert is_private_no_store(response)


def test_every_page_to_a_signed_in_user_is_never_stored_even_a_public_one(client):
    volunteer = VolunteerFactory()
    client.force_login(volunteer.user)

    for url in (reverse("members:dashboard"), reverse("members:need-list"), reverse("members:home")):
        assert is_private_no_store(client.get(url)), url


def test_the_public_needs_list_for_a_visitor_can_be_cached():
    visitor = Client()

    response = visitor.get(reverse("members:need-list"))

    assert response.status_code == 200
    assert not {"private", "no-store", "no-cache"} & directives(response)


def test_a_form_posted_by_a_visitor_comes_back_private(client):
    """A refused application shows the visitor's name and address again: no cache may keep it."""
    response = client.post(
        reverse("members:apply"), {"name": "", "account-full_name": "Anouk de Vries", "account-email": "a@b.nl"}
    )

    assert response.status_code == 200
    assert "Anouk de Vries" in response.text
    assert is_private_no_store(response)


def test_the_invitation_page_showing_the_invited_address_is_private_for_a_visitor():
    admin = admin_of()
    invitation = services.invitation_create(
        organisation=admin.organisation, acting_user=admin.user, email="nieuw@example.nl", role=Membership.Role.MEMBER
    )
    assert Invitation.objects.count() == 1

    response = Client().get(reverse("members:invitation-accept", args=[services.invitation_link_token(invitation)]))

    assert response.status_code == 200
    assert "nieuw@example.nl" in response.text
    assert is_private_no_store(response)


def test_the_join_page_with_its_personal_form_is_private_for_a_visitor():
    organisation = OrganisationFactory(name="ASML")

    response = Client().get(reverse("members:volunteer-join", args=[services.join_link_token(organisation)]))

    assert response.status_code == 200
    assert is_private_no_store(response)


def test_a_cache_control_the_view_chose_itself_is_kept():
    """allauth's login page says never_cache (max-age=0, must-revalidate): the middleware leaves it alone."""
    response = Client().get(reverse("account_login"))

    assert get_max_age(response) == 0
    assert "must-revalidate" in directives(response)
