"""Two-factor authentication: coordinators must have an authenticator app before any coordinator page, login
asks for its code, recovery codes work once, and anyone can turn it on from their settings."""

from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from matching.models import MatchingRequest
from members import services
from members.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from members.models import MembershipApplication, Organisation, User
from tests.factories import PASSWORD, ApplicationFactory, MembershipFactory, OrganisationFactory, coordinator
from tests.factories_needs import NeedFactory
from tests.totp import code_of, current_code, recovery_codes_of

pytestmark = pytest.mark.django_db

SETUP = reverse("mfa_activate_totp")
REVIEW_QUEUE = reverse("matching:review-queue")


def log_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def confirm_password(client):
    """allauth asks for the password again before two-factor settings change (it counts for 5 minutes)."""
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.text


def is_logged_in(client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def has_app(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


# A coordinator without an authenticator app ------------------------------------------------------------


COORDINATOR_PAGES = [
    ("matching:review-queue", []),
    ("matching:review-policy", []),
    ("matching:needs-unanswered", []),
    ("matching:impact-dashboard", []),
    ("members:application-list", []),
]


@pytest.mark.parametrize(("name", "args"), COORDINATOR_PAGES, ids=[name for name, _ in COORDINATOR_PAGES])
def test_a_coordinator_without_an_app_is_sent_to_set_it_up_and_told_why(client, name, args):
    log_in(client, coordinator(two_factor=False))
    confirm_password(client)
    url = reverse(name, args=args)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next={quote(url, safe='')}"
    page = client.get(response["Location"])
    assert "their account needs two-factor authentication" in page.text
    assert 'alt="QR code for your authenticator app"' in page.text


def test_the_candidates_page_and_running_matching_are_coordinator_pages_too(client):
    need = NeedFactory(status="open")
    client.force_login(coordinator(two_factor=False))

    page = client.get(reverse("matching:need-candidates", args=[need.pk]))
    run = client.post(reverse("matching:need-match-now", args=[need.pk]))

    assert page["Location"].startswith(f"{SETUP}?next=")
    # A form sent is not where to come back to: nothing ran, and the setup page has no way back to a POST.
    assert run.status_code == 302 and run["Location"] == SETUP
    assert not MatchingRequest.objects.exists()


def test_pages_for_everyone_stay_open_to_a_coordinator_without_an_app(client):
    client.force_login(coordinator(two_factor=False))

    for name in ["members:home", "members:need-list", "members:dashboard", "members:account-settings"]:
        assert client.get(reverse(name)).status_code == 200, name


def test_the_dashboard_and_menu_lead_a_coordinator_without_an_app_to_the_setup(client):
    client.force_login(coordinator(two_factor=False))

    page = client.get(reverse("members:dashboard")).text

    assert f'href="{SETUP}"' in page
    assert f'href="{REVIEW_QUEUE}"' in page


def test_without_an_app_the_coordinator_role_counts_nowhere_not_in_services_nor_in_lookups(client):
    """Services and scoped lookups ask the same rule: the application stays undecided, another organisation's
    workspace does not exist for them."""
    waiting = ApplicationFactory()
    other = OrganisationFactory(status=Organisation.Status.PENDING, joined_at=None)
    person = coordinator(two_factor=False)

    with pytest.raises(PermissionDenied):
        services.membership_application_decide(application=waiting, acting_user=person, approve=True, note="")
    client.force_login(person)
    response = client.get(reverse("members:organisation-detail", args=[other.slug]))

    assert MembershipApplication.objects.get(pk=waiting.pk).status == MembershipApplication.Status.PENDING
    assert response.status_code == 404


@pytest.mark.django_db(transaction=True)  # allauth announces the new app after commit, inside the request
def test_a_coordinator_sets_up_the_app_and_comes_back_to_the_review_queue():
    person = coordinator(two_factor=False)
    browser = Client()
    log_in(browser, person)
    to_setup = browser.get(REVIEW_QUEUE)["Location"]
    assert browser.get(to_setup)["Location"].startswith(reverse("account_reauthenticate"))
    confirm_password(browser)
    setup_page = browser.get(to_setup)
    secret = browser.session["mfa.totp.secret"]
    assert secret in setup_page.text  # typed into the app when the QR code cannot be scanned

    wrong = browser.post(to_setup, {"code": "000000"})
    assert wrong.status_code == 200 and "Incorrect code." in wrong.text
    assert 'aria-invalid="true"' in wrong.text
    assert not has_app(person)

    done = browser.post(to_setup, {"code": code_of(secret)})

    assert has_app(person)
    codes_page = browser.get(done["Location"])
    assert done["Location"] == f"{reverse('mfa_view_recovery_codes')}?next={quote(REVIEW_QUEUE, safe='')}"
    assert all(code in codes_page.text for code in recovery_codes_of(person))
    assert f'href="{REVIEW_QUEUE}"' in codes_page.text
    # Typing the app's first code counts as the second factor for this session: no second code is asked.
    assert browser.get(REVIEW_QUEUE).status_code == 200


def test_the_way_back_after_the_setup_stays_on_this_site():
    person = coordinator(two_factor=False)
    browser = Client()
    log_in(browser, person)

    page = browser.get(f"{reverse('mfa_view_recovery_codes')}?next=https://evil.example/")

    assert page.status_code == 404  # no codes yet; and with codes, no link away:
    services.totp_activate(user=person)
    confirm_password(browser)
    page = browser.get(f"{reverse('mfa_view_recovery_codes')}?next=https://evil.example/")
    assert page.status_code == 200 and 'href="https://evil.example/"' not in page.text
    assert "continue" not in page.text


# Logging in with the second factor ------------------------------------------------------------------


def test_login_asks_for_the_code_and_refuses_a_wrong_one():
    person = coordinator()
    browser = Client()

    response = log_in(browser, person)

    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert not is_logged_in(browser, person)
    assert browser.get(REVIEW_QUEUE)["Location"].startswith(reverse("account_login"))
    wrong = browser.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert "Incorrect code." in wrong.text and 'aria-invalid="true"' in wrong.text
    assert not is_logged_in(browser, person)

    browser.post(reverse("mfa_authenticate"), {"code": current_code(person)})

    assert is_logged_in(browser, person)
    assert browser.get(REVIEW_QUEUE).status_code == 200


def test_a_code_is_accepted_once():
    person = coordinator()
    first, second = Client(), Client()
    code = current_code(person)
    log_in(first, person)
    first.post(reverse("mfa_authenticate"), {"code": code})
    log_in(second, person)

    replay = second.post(reverse("mfa_authenticate"), {"code": code})

    assert is_logged_in(first, person)
    assert not is_logged_in(second, person)
    assert "Incorrect code." in replay.text


def test_a_recovery_code_logs_in_once():
    person = coordinator()
    code = recovery_codes_of(person)[0]
    first, second = Client(), Client()
    log_in(first, person)
    first.post(reverse("mfa_authenticate"), {"code": code})
    log_in(second, person)

    second.post(reverse("mfa_authenticate"), {"code": code})

    assert is_logged_in(first, person)
    assert not is_logged_in(second, person)
    assert code not in recovery_codes_of(person) and len(recovery_codes_of(person)) == 9


def test_the_admin_site_logs_in_through_the_portals_login_with_its_second_factor(client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_code_step_speaks_dutch():
    person = coordinator(preferred_language="nl")
    browser = Client()
    log_in(browser, person)

    with translation.override("nl"):
        page = browser.get(reverse("mfa_authenticate"), HTTP_ACCEPT_LANGUAGE="nl")

    assert "Twee-factor-authenticatie" in page.text
    assert "Open de authenticator-app op je telefoon" in page.text


# Anyone can turn it on ------------------------------------------------------------------------------


def test_an_organisation_admin_turns_two_factor_on_from_the_settings():
    admin = MembershipFactory(role="admin").user
    browser = Client()
    log_in(browser, admin)
    settings_page = browser.get(reverse("members:account-settings")).text
    assert f'href="{SETUP}"' in settings_page

    confirm_password(browser)
    browser.get(SETUP)
    secret = browser.session["mfa.totp.secret"]
    browser.post(SETUP, {"code": code_of(secret)})

    assert has_app(admin)
    assert "Logging in asks for a code" in browser.get(reverse("members:account-settings")).text
    browser.post(reverse("account_logout"))
    assert log_in(browser, admin)["Location"] == reverse("mfa_authenticate")


def test_the_demo_coordinator_logs_in_with_the_secret_in_the_readme():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    person = User.objects.get(email="coordinator@demo.brainportvoorelkaar.nl")
    browser = Client()

    browser.post(reverse("account_login"), {"login": person.email, "password": DEMO_PASSWORD})
    browser.post(reverse("mfa_authenticate"), {"code": code_of(DEMO_TOTP_SECRET)})

    assert is_logged_in(browser, person)
    assert browser.get(REVIEW_QUEUE).status_code == 200
    assert DEMO_TOTP_SECRET in (Path(settings.BASE_DIR) / "README.md").read_text()
    assert all(code in out.getvalue() for code in recovery_codes_of(person))


def test_a_session_opened_before_the_app_was_activated_elsewhere_is_asked_for_a_code():
    """Someone logged in with the password alone before the coordinator set up the app in another browser."""
    person = coordinator(two_factor=False)
    earlier = Client()
    log_in(earlier, person)
    services.totp_activate(user=person)

    response = earlier.get(REVIEW_QUEUE)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_reauthenticate')}?next={quote(REVIEW_QUEUE, safe='')}"
    assert "this login has not shown one yet" in earlier.get(response["Location"]).text
    earlier.post(response["Location"], {"code": current_code(person)})
    assert earlier.get(REVIEW_QUEUE).status_code == 200
