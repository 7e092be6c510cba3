"""The language switch returns to the address the reader is on, also after htmx filtered a list in place and
pushed a new address: the results bring the switch's `next` field along, out of band."""

import re

import pytest
from django.urls import reverse

from tests.factories import OrganisationFactory
from tests.factories_needs import NeedFactory

pytestmark = pytest.mark.django_db

NEXT = re.compile(
    r'<span id="language-next"( hx-swap-oob="innerHTML")?><input type="hidden" name="next" value="([^"]*)"></span>'
)


@pytest.mark.parametrize(
    ("url", "query"),
    [(reverse("members:need-list"), "q=budget&amp;page=1"), (reverse("members:organisation-list"), "name=bak")],
)
def test_filtered_results_bring_the_switch_the_pushed_address(client, url, query):
    NeedFactory(title="Budgetcoach voor inwoners met geldzorgen")
    OrganisationFactory(name="Bakkerij de Eindhovense")
    plain = query.replace("&amp;", "&")

    results = client.get(f"{url}?{plain}", headers={"HX-Request": "true"})
    page = client.get(f"{url}?{plain}")
    restored = client.get(f"{url}?{plain}", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})

    assert NEXT.findall(results.text) == [(' hx-swap-oob="innerHTML"', f"{url}?{query}")]
    for whole in (page, restored):
        assert "<html" in whole.text
        assert NEXT.findall(whole.text) == [("", f"{url}?{query}")], "one field, in the language form"


def test_switching_language_returns_to_the_address_with_its_search(client):
    response = client.post(reverse("members:language-set"), {"language": "en", "next": "/needs/?q=budget&page=1"})

    assert response.status_code == 302 and response["Location"] == "/needs/?q=budget&page=1"
