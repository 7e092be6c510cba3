"""Searching needs finds Dutch compounds by their first part, a part inside a word and a misspelling, closest
first, and the filters still apply (PostgreSQL: prefix queries and trigrams); SQLite searches plainly."""

import pytest
from django.urls import reverse

from tests.factories import municipality
from tests.factories_needs import NeedFactory

pytestmark = pytest.mark.django_db

LIST = reverse("members:need-list")


def titles(client, query):
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    return [need.title for need in response.context["needs"]]


@pytest.fixture
def needs():
    NeedFactory(title="Taalmaatje voor een Oekraïense collega", description="Koffie en Nederlands oefenen.")
    NeedFactory(title="Taalmaatjes op de werkvloer", description="Samen praten.", municipality=municipality("Helmond"))
    NeedFactory(title="Budgetcoach voor inwoners met geldzorgen", description="Help met de administratie.")
    NeedFactory(title="Huiswerkbegeleiding in Helmond", description="Kinderen helpen na school.")
    NeedFactory(title="Eenvoudige taal in folders", description="Teksten herschrijven.")
    NeedFactory(title="Fietsenmaker", description="Repareer fietsen in de buurt.")


def test_the_first_part_of_a_compound_finds_it(client, needs):
    assert set(titles(client, "q=taal")) == {
        "Taalmaatje voor een Oekraïense collega",
        "Taalmaatjes op de werkvloer",
        "Eenvoudige taal in folders",
    }
    assert titles(client, "q=budget") == ["Budgetcoach voor inwoners met geldzorgen"]
    assert titles(client, "q=huiswerk") == ["Huiswerkbegeleiding in Helmond"]


@pytest.mark.postgres
def test_the_closest_come_first(client, needs):
    assert titles(client, "q=taal")[0] == "Eenvoudige taal in folders"  # the word itself
    assert titles(client, "q=taalmaatje")[:1] == ["Taalmaatje voor een Oekraïense collega"]


@pytest.mark.postgres
def test_a_misspelt_word_still_finds_the_closest_needs(client, needs):
    found = titles(client, "q=taalmatje")

    assert found[:2] == ["Taalmaatje voor een Oekraïense collega", "Taalmaatjes op de werkvloer"]
    assert "Fietsenmaker" not in found


@pytest.mark.postgres
def test_a_part_inside_a_word_finds_it(client, needs):
    assert "Taalmaatje voor een Oekraïense collega" in titles(client, "q=maatje")
    assert titles(client, "q=coach") == ["Budgetcoach voor inwoners met geldzorgen"]


def test_the_filters_still_apply_to_a_search(client, needs):
    helmond = municipality("Helmond").pk

    assert titles(client, f"q=taal&municipality={helmond}") == ["Taalmaatjes op de werkvloer"]


@pytest.mark.postgres
def test_the_filters_still_apply_to_a_misspelt_search(client, needs):
    helmond = municipality("Helmond").pk

    assert titles(client, f"q=taalmatje&municipality={helmond}") == ["Taalmaatjes op de werkvloer"]


def test_nothing_close_finds_nothing(client, needs):
    assert titles(client, "q=astronomie") == []
