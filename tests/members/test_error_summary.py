"""After a form is sent with errors the page has one summary, focused on load, linking to each field."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_application_form_sent_empty_has_one_summary_that_links_to_each_field(client):
    response = client.post(reverse("members:apply"), {"website": ""})

    assert response.status_code == 200
    page = response.text
    assert page.count('class="alert alert-danger error-summary"') == 1, "one summary for both forms"
    summary = re.search(r'<div class="alert alert-danger error-summary".*?</div>', page, re.S).group(0)
    assert "autofocus" in summary and 'tabindex="-1"' in summary
    forms = (response.context["form"], response.context["account_form"])
    fields = [form[name] for form in forms for name in form.errors]
    assert len(fields) >= 4
    for field in fields:
        assert f'href="#{field.id_for_label}"' in summary, f"no link to {field.name}"
        assert f'id="{field.id_for_label}"' in page
