"""What a completed need achieved: for a need of the Work programme, the people it placed into work or into a
work-study (BBL) placement, and with which employer. `need_complete` (in `hours`) records them together with
the residents reached; the rules here are the one home a form and the service both ask."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from members.models import WORK_PROGRAMME, Need, Organisation, WorkPlacement

MAX_PEOPLE = 10_000


@dataclass(frozen=True)
class Placement:
    """People placed with one employer (an organisation's id): into work, and into a work-study placement."""

    employer_id: int | None
    into_work: int | None = 0
    work_study: int | None = 0


def placement_field(field: str, row: int) -> str:
    """The name of a placement row's field in the completion form (rows count from 1)."""
    return f"{field}_{row}"


def records_placements(need: Need) -> bool:
    """Only needs of the Work programme record people placed into work."""
    return need.programme.code == WORK_PROGRAMME


def placement_errors(*, need: Need, placements: list[Placement]) -> dict[str, str]:
    """What is wrong with the placements of a completing need, by field of the completion form: numbers that
    are not whole numbers of 0 or more, a row without anyone placed or without its employer, an employer that
    is not a member organisation or appears twice, placements on a need outside the Work programme. One query
    (the employers named)."""
    errors: dict[str, str] = {}
    rows = [(row, p) for row, p in enumerate(placements, start=1) if p.employer_id or p.into_work or p.work_study]
    if rows and not records_placements(need):
        return {
            placement_field("employer", rows[0][0]): _(
                "Only needs of the Work programme record people placed into work."
            )
        }
    ids = {p.employer_id for _row, p in rows if p.employer_id}
    members = set(Organisation.objects.active().filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    seen = set()
    for row, p in rows:
        for field in ("into_work", "work_study"):
            value = getattr(p, field)
            if value is not None and (not isinstance(value, int) or value < 0 or value > MAX_PEOPLE):
                errors[placement_field(field, row)] = _("Enter a whole number of people, 0 or more.")
        if not (p.into_work or p.work_study) and placement_field("into_work", row) not in errors:
            errors[placement_field("into_work", row)] = _("Enter how many people this employer took on.")
        if not p.employer_id:
            errors[placement_field("employer", row)] = _("Choose the employer that took these people on.")
        elif p.employer_id not in members:
            errors[placement_field("employer", row)] = _("Choose a member organisation from the list.")
        elif p.employer_id in seen:
            errors[placement_field("employer", row)] = _("This employer is already in another row; add the numbers up.")
        seen.add(p.employer_id)
    return errors


def placements_record(*, need: Need, placements: list[Placement], acting_user) -> int:
    """Write the placements of a completing need (rows without anyone placed are skipped). Called by
    `need_complete` inside its transaction, after `placement_errors` found nothing. Returns how many rows."""
    rows = [
        WorkPlacement(
            need=need,
            employer_id=p.employer_id,
            into_work=p.into_work or 0,
            work_study=p.work_study or 0,
            recorded_by=acting_user,
        )
        for p in placements
        if p.employer_id and (p.into_work or p.work_study)
    ]
    WorkPlacement.objects.filter(need=need).delete()
    WorkPlacement.objects.bulk_create(rows)
    return len(rows)
