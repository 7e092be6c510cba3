"""People into work: a need of the Work programme records, when it completes, the people it placed into work
and into work-study (BBL) placements per employer. Bad numbers are refused at their field and nothing is
saved; other needs record none."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from matching import impact, services
from matching.impact import ImpactFilter
from matching.services.outcomes import Placement
from members.models import Membership, Need, Organisation, WorkPlacement
from tests.factories import MembershipFactory, OrganisationFactory, coordinator
from tests.factories_needs import programme
from tests.matching.test_sides_permissions import agreed, current_need, volunteer_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def charity():
    return OrganisationFactory(kind="social", name="Werkplein Kempen")


@pytest.fixture
def staff(charity):
    return MembershipFactory(organisation=charity, role=Membership.Role.MEMBER).user


@pytest.fixture
def employers():
    return (
        OrganisationFactory(name="Kempen Techniek", is_inclusive_employer=True),
        OrganisationFactory(name="VDL Nedcar"),
    )


def work_need(charity, staff, code="work"):
    need = current_need(charity, programme=programme(code))
    volunteer = volunteer_of(OrganisationFactory())
    agreed(need, by=coordinator(), need_user=staff, supply_user=volunteer.user, volunteer=volunteer)
    return need


def test_completing_a_work_need_records_the_people_it_placed(charity, staff, employers):
    need = work_need(charity, staff)
    techniek, nedcar = employers

    services.need_complete(
        need=need,
        acting_user=staff,
        residents_reached=0,
        placements=[Placement(techniek.pk, 2, 1), Placement(nedcar.pk, 0, 3), Placement(None, 0, 0)],
    )

    assert Need.objects.get(pk=need.pk).status == Need.Status.COMPLETED
    assert sorted(WorkPlacement.objects.values_list("employer__name", "into_work", "work_study")) == [
        ("Kempen Techniek", 2, 1),
        ("VDL Nedcar", 0, 3),
    ]
    assert impact.people_into_work(ImpactFilter()) == {
        "people": 6,
        "into_work": 2,
        "work_study": 4,
        "employers": 2,
        "needs": 1,
    }


@pytest.mark.parametrize(
    ("rows", "field", "message"),
    [
        ([Placement(None, 2, 0)], "employer_1", "Choose the employer that took these people on."),
        ([Placement("x", 0, 0)], "into_work_1", "Enter how many people this employer took on."),
        ([Placement("x", -1, 2)], "into_work_1", "Enter a whole number of people, 0 or more."),
        (
            [Placement("x", 1, 0), Placement("x", 0, 1)],
            "employer_2",
            "This employer is already in another row; add the numbers up.",
        ),
        ([Placement("pending", 1, 0)], "employer_1", "Choose a member organisation from the list."),
    ],
)
def test_bad_placements_are_refused_by_field_and_nothing_changes(charity, staff, employers, rows, field, message):
    need = work_need(charity, staff)
    pending = OrganisationFactory(status=Organisation.Status.PENDING)
    ids = {"x": employers[0].pk, "pending": pending.pk}
    rows = [Placement(ids.get(p.employer_id, p.employer_id), p.into_work, p.work_study) for p in rows]

    with pytest.raises(ValidationError) as refused:
        services.need_complete(need=need, acting_user=staff, residents_reached=0, placements=rows)

    assert refused.value.message_dict[field] == [message]
    assert Need.objects.get(pk=need.pk).status != Need.Status.COMPLETED
    assert not WorkPlacement.objects.exists()


def test_only_work_needs_record_placements(charity, staff, employers):
    need = work_need(charity, staff, code="digital-skills")

    with pytest.raises(ValidationError) as refused:
        services.need_complete(
            need=need, acting_user=staff, residents_reached=4, placements=[Placement(employers[0].pk, 1, 0)]
        )

    assert refused.value.message_dict == {
        "employer_1": ["Only needs of the Work programme record people placed into work."]
    }


def test_the_completion_form_of_a_work_need_asks_for_the_placements(client, charity, staff, employers):
    need = work_need(charity, staff)
    client.force_login(staff)

    page = client.get(reverse("matching:need-matches", args=[need.pk])).content.decode()

    assert "People into work" in page
    assert f'<option value="{employers[0].pk}">Kempen Techniek</option>' in page
    assert 'name="work_study_3"' in page

    response = client.post(
        reverse("matching:need-complete", args=[need.pk]),
        {"residents_reached": "0", "employer_1": str(employers[0].pk), "into_work_1": "2", "work_study_1": "1"},
    )

    assert response.status_code == 302
    assert WorkPlacement.objects.get().people == 3


def test_a_refused_placement_shows_at_its_field(client, charity, staff, employers):
    need = work_need(charity, staff)
    client.force_login(staff)

    response = client.post(
        reverse("matching:need-complete", args=[need.pk]),
        {"residents_reached": "0", "employer_1": "", "into_work_1": "2", "into_work_2": "-1"},
    )

    assert response.status_code == 200
    errors = response.context["complete_form"].errors
    assert errors["employer_1"] == ["Choose the employer that took these people on."]
    assert errors["into_work_2"] == ["Ensure this value is greater than or equal to 0."]
    assert 'aria-invalid="true"' in response.content.decode() or "is-invalid" in response.content.decode()
    assert Need.objects.get(pk=need.pk).status != Need.Status.COMPLETED


def test_other_needs_show_no_placement_rows(client, charity, staff):
    need = work_need(charity, staff, code="financial-health")
    client.force_login(staff)

    page = client.get(reverse("matching:need-matches", args=[need.pk])).content.decode()

    assert 'name="employer_1"' not in page
