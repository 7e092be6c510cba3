import pytest
from django.urls import reverse

from tests.factories import ApplicationFactory, MembershipFactory, coordinator

pytestmark = pytest.mark.django_db


def test_pages_render(client):
    admin = MembershipFactory(role="admin")
    coord = coordinator()
    app = ApplicationFactory()
    assert client.get("/").status_code == 200
    assert client.get(reverse("members:apply")).status_code == 200
    assert client.get(reverse("account_login")).status_code == 200
    client.force_login(admin.user)
    for url in [
        reverse("members:dashboard"),
        admin.organisation.get_absolute_url(),
        reverse("members:inbox"),
        reverse("members:account-settings"),
        reverse("members:organisation-edit", args=[admin.organisation.slug]),
    ]:
        assert client.get(url).status_code == 200, url
    client.force_login(coord)
    for url in [reverse("members:application-list"), app.get_absolute_url()]:
        assert client.get(url).status_code == 200, url
