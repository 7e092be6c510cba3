"""The welcome link of an imported volunteer, and the language a visitor chose before signing in."""

from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.urls import reverse

from members import services
from members.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Taalmaatje-2027!"


@pytest.fixture
def imported():
    """Someone a company imported: an account without a password, as the CSV import makes it."""
    user = UserFactory(email="collega@asml.example", full_name="Sanne Collega", verified=False)
    user.set_unusable_password()
    user.save()
    return user


def choose_password(client, path, password=NEW_PASSWORD):
    return client.post(path, {"new_password1": password, "new_password2": password})


def test_the_welcome_link_lets_an_imported_volunteer_choose_a_password_and_signs_them_in(client, imported):
    path = services.welcome_link(imported)

    page = client.get(path)
    assert page.status_code == 200
    assert "Welcome, Sanne Collega" in page.text
    response = choose_password(client, path)

    assert response.status_code == 302
    assert response.url == reverse("members:volunteer-profile")
    assert client.session["_auth_user_id"] == str(imported.pk)
    imported.refresh_from_db()
    assert imported.check_password(NEW_PASSWORD)
    assert EmailAddress.objects.get(user=imported).verified, "the link reached the address"


def test_the_welcome_link_works_once(client, imported):
    path = services.welcome_link(imported)
    choose_password(client, path)
    client.logout()

    again = choose_password(client, path, "Iets-anders-2027!")

    assert again.status_code == 410
    assert "This welcome link cannot be used" in again.text
    imported.refresh_from_db()
    assert imported.check_password(NEW_PASSWORD)


def test_a_weak_password_is_refused_at_the_field_and_nothing_changes(client, imported):
    response = choose_password(client, services.welcome_link(imported), "12345678")

    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    assert 'href="#id_new_password2"' in response.text, "the summary links to the field"
    imported.refresh_from_db()
    assert not imported.has_usable_password()


def test_an_expired_forged_or_someone_elses_link_changes_nothing(client, imported):
    path = services.welcome_link(imported)
    later = signing.time.time() + settings.WELCOME_LINK_VALID_DAYS * 24 * 3600 + 60
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert choose_password(client, path).status_code == 410
    assert choose_password(client, path[:-3] + "xx/").status_code == 410
    # A person who already has a password (chose one through the reset page) gets no welcome link to use.
    with_password = UserFactory()
    assert choose_password(client, services.welcome_link(with_password)).status_code == 410
    with_password.refresh_from_db()
    assert with_password.check_password(PASSWORD)
    imported.refresh_from_db()
    assert not imported.has_usable_password()


def log_in(client, email):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD})


def test_the_language_chosen_on_the_page_before_signing_in_wins_and_is_saved(client):
    user = UserFactory(email="anna@example.org", preferred_language="nl")
    client.post(reverse("members:language-set"), {"language": "en", "next": "/accounts/login/"})

    log_in(client, user.email)

    user.refresh_from_db()
    assert user.preferred_language == "en"
    page = client.get(reverse("members:dashboard"))
    assert '<html lang="en">' in page.text


def test_without_a_choice_on_the_page_the_saved_language_stays(client):
    user = UserFactory(email="anna@example.org", preferred_language="en")

    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="nl")

    assert User.objects.get(pk=user.pk).preferred_language == "en"
