"""Needs: create, edit and move along the lifecycle (draft → open → matched → in progress → completed, or cancelled).

Any member of the need's organisation may manage its needs, and so may coordinators. Every status change
goes through `need_transition`, which moves the row only if it is still in a status the change may start
from (a conditional UPDATE), and records who made the change and when: of two people acting at once one
wins and the other gets a clear refusal, and a refused change changes nothing. Open needs may be paused
and resumed (open ⇄ paused).

On PostgreSQL the services keep `Need.search_vector` filled (Dutch and English stemming) for free-text
search; SQLite searches the text plainly and needs nothing here.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import events
from ..models import Membership, Need, NeedSkill, Organisation, Skill, SpokenLanguage, Theme, User, WorkLocation
from ..models.needs import need_search_vector
from ..permissions import can_view_organisation_workspace, require
from ..public_cache import public_pages_changed
from ..validators import date_range_errors, single_line_errors

__all__ = [
    "NEED_EDITABLE_STATUSES",
    "NEED_TRANSITIONS",
    "can_manage_needs",
    "need_advance",
    "need_cancel",
    "need_create",
    "need_data_errors",
    "need_pause",
    "need_publish",
    "need_resume",
    "need_transition",
    "need_update",
]

Status = Need.Status

# Every status a need may move to from each status; nothing leaves completed or cancelled.
NEED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.OPEN, Status.CANCELLED}),
    Status.OPEN: frozenset({Status.PAUSED, Status.MATCHED, Status.IN_PROGRESS, Status.CANCELLED}),
    Status.PAUSED: frozenset({Status.OPEN, Status.CANCELLED}),
    # A matched need opens again when a volunteer withdraws before the work starts.
    Status.MATCHED: frozenset({Status.OPEN, Status.IN_PROGRESS, Status.CANCELLED}),
    Status.IN_PROGRESS: frozenset({Status.COMPLETED, Status.CANCELLED}),
    Status.COMPLETED: frozenset(),
    Status.CANCELLED: frozenset(),
}

# Once volunteers are matched, what they agreed to no longer changes under them.
NEED_EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.OPEN, Status.PAUSED})

# What the forms and services may set; themes, languages and skills are set separately.
FIELDS = [
    "title",
    "description",
    "programme",
    "kind",
    "location",
    "municipality",
    "is_flexible",
    "start_date",
    "end_date",
    "estimated_hours",
    "volunteers_needed",
    "residents_helped",
    "works_with_vulnerable_people",
    "contact_person",
]
NOT_SET_HERE = [field.name for field in Need._meta.concrete_fields if field.name not in FIELDS]
TEXT_LIMITS = {"title": 160, "description": 5000}


def can_manage_needs(user, organisation) -> bool:
    """Post, edit and move along an organisation's needs, answer proposals, confirm hours: its staff (admins and
    members, not volunteers), and coordinators."""
    return can_view_organisation_workspace(user, organisation)


def need_data_errors(data: dict) -> dict[str, list[str]]:
    """The problems of a need's data that involve more than one field, by field. Pure: no database."""
    errors: dict[str, list[str]] = {}
    location = data.get("location") or WorkLocation.ON_SITE
    if location != WorkLocation.REMOTE and not data.get("municipality"):
        errors.setdefault("municipality", []).append(
            _("Choose the municipality where the work takes place, or choose “Remote”.")
        )
    start, end = data.get("start_date"), data.get("end_date")
    if not data.get("is_flexible") and not start:
        errors.setdefault("start_date", []).append(_("Choose a start date, or tick “dates are flexible”."))
    for field, messages in date_range_errors({"start_date": start, "end_date": end}).items():
        errors.setdefault(field, []).extend(messages)
    if isinstance(start, date) and isinstance(end, date) and end < start and "end_date" not in errors:
        errors.setdefault("end_date", []).append(_("The end date is before the start date."))
    for field, messages in single_line_errors({"title": data.get("title")}).items():
        errors.setdefault(field, []).extend(messages)
    for field, limit in TEXT_LIMITS.items():
        if len(data.get(field) or "") > limit:
            errors.setdefault(field, []).append(
                _("Use at most %(limit)d characters (now %(count)d).") % {"limit": limit, "count": len(data[field])}
            )
    return errors


def _ids(values) -> set[int]:
    ids = set()
    for value in values:
        try:
            ids.add(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            ids.add(-1)  # never an id, so reported as a choice that does not exist
    return ids


def _existing(model, values, field: str, errors: dict) -> list[int]:
    """The ids of `values` (instances or ids); an id that does not exist is an error at `field`."""
    ids = _ids(values)
    found = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if len(found) != len(ids):
        errors.setdefault(field, []).append(_("Choose only from the list; one of the choices does not exist."))
    return sorted(found)


def _apply(*, need: Need, data: dict) -> dict:
    """Set `data` on `need` and validate all of it; return the related ids to store. Raises a
    ValidationError by field when anything is wrong, before anything is written."""
    for field in FIELDS:
        if field in data:
            setattr(need, field, data[field])
    values = {
        field: getattr(need, field) for field in FIELDS if field not in {"programme", "municipality", "contact_person"}
    }
    values["municipality"] = need.municipality_id
    errors = need_data_errors(values)
    related = {}
    if "themes" in data:
        related["themes"] = _existing(Theme, data["themes"], "themes", errors)
    if "languages" in data:
        related["languages"] = _existing(SpokenLanguage, data["languages"], "languages", errors)
    if "skills" in data:
        wanted = dict(data["skills"])
        _existing(Skill, wanted, "skills", errors)
        related["skills"] = {} if "skills" in errors else {int(getattr(s, "pk", s)): bool(r) for s, r in wanted.items()}
    if need.contact_person_id and not (
        Membership.objects.filter(user_id=need.contact_person_id, organisation_id=need.organisation_id).exists()
    ):
        errors.setdefault("contact_person", []).append(
            _("The contact person must be a member of %(org)s.") % {"org": need.organisation}
        )
    try:
        # The check constraints hold the same rules as need_data_errors, which words them for people.
        need.full_clean(exclude=[*NOT_SET_HERE, *errors], validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    return related


def _store(*, need: Need, related: dict) -> None:
    if "themes" in related:
        need.themes.set(related["themes"])
    if "languages" in related:
        need.languages.set(related["languages"])
    if "skills" in related:
        NeedSkill.objects.filter(need=need).delete()
        NeedSkill.objects.bulk_create(
            NeedSkill(need=need, skill_id=skill_id, required=required)
            for skill_id, required in sorted(related["skills"].items())
        )
    if connection.vendor == "postgresql":
        Need.objects.filter(pk=need.pk).update(search_vector=need_search_vector())


@transaction.atomic
def need_create(*, organisation: Organisation, acting_user: User, data: dict) -> Need:
    """A member of the organisation (or a coordinator) writes a new need; it starts as a draft, seen only by
    the organisation and coordinators until it is published.

    `data` holds the need's fields, plus `themes` and `languages` (instances or ids) and `skills`
    (a mapping of skill or skill id → required?). Bad data is refused by field and nothing is saved.
    Enqueues nothing. Not repeatable: each call is a new need.
    """
    require(can_manage_needs(acting_user, organisation))
    if organisation.status != Organisation.Status.ACTIVE:
        raise ValidationError(_("Only member organisations can post needs."))
    now = timezone.now()
    need = Need(
        organisation=organisation,
        created_by=acting_user,
        created_at=now,
        updated_at=now,
        status=Status.DRAFT,
        status_changed_at=now,
        status_changed_by=acting_user,
    )
    related = _apply(need=need, data=data)
    need.save()
    _store(need=need, related=related)
    return need


@transaction.atomic
def need_update(*, need: Need, acting_user: User, data: dict) -> Need:
    """A member of the organisation (or a coordinator) changes a draft, open or paused need; `data` as for
    `need_create`, and only the keys given change. A need further along is refused, and bad data is
    refused by field; either way nothing changes. Returns the need as stored. Enqueues nothing. Safe to
    repeat."""
    require(can_manage_needs(acting_user, need.organisation))
    need = Need.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=need.pk)
    if need.status not in NEED_EDITABLE_STATUSES:
        raise ValidationError(
            _("A need that is “%(status)s” can no longer be changed. Nothing was changed.")
            % {"status": need.get_status_display()}
        )
    need.updated_at = timezone.now()
    related = _apply(need=need, data=data)
    need.save(update_fields=[*FIELDS, "updated_at"])
    _store(need=need, related=related)
    public_pages_changed()
    return need


def _move(*, need: Need, acting_user: User, to_status: str, from_statuses=None) -> Need:
    sources = [status for status, targets in NEED_TRANSITIONS.items() if to_status in targets]
    if from_statuses is not None:
        sources = [status for status in sources if status in from_statuses]
    now = timezone.now()
    changes = {"status": to_status, "status_changed_at": now, "status_changed_by": acting_user}
    if to_status == Status.OPEN:
        # The first publication dates the need in the list; resuming after a pause keeps its place.
        changes["published_at"] = Coalesce(F("published_at"), Value(now, output_field=DateTimeField()))
    moved = Need.objects.filter(pk=need.pk, status__in=sources).update(**changes)
    need.refresh_from_db(fields=["status", "status_changed_at", "status_changed_by", "published_at"])
    if not moved:
        raise ValidationError(
            _("This need is “%(current)s”, so it cannot become “%(target)s”. Nothing was changed.")
            % {"current": need.get_status_display(), "target": Status(to_status).label}
        )
    public_pages_changed()
    if to_status == Status.OPEN:
        events.need_opened.send(sender=Need, need_id=need.pk, acting_user=acting_user)
    return need


@transaction.atomic
def need_transition(*, need: Need, acting_user: User, to_status: str, from_statuses=None) -> Need:
    """Move the need to `to_status` if `NEED_TRANSITIONS` allows it from its current status (and that
    status is one of `from_statuses`, when given), recording who and when. The row moves only if it is
    still in such a status when the UPDATE runs, so of two changes at once one wins; any other change is
    refused with a ValidationError and changes nothing. Moving to open enqueues matching after commit. Not
    repeatable: moving to the status the need already has is refused."""
    require(can_manage_needs(acting_user, need.organisation))
    return _move(need=need, acting_user=acting_user, to_status=to_status, from_statuses=from_statuses)


@transaction.atomic
def need_publish(*, need: Need, acting_user: User) -> Need:
    """Publish a draft (draft → open): it is shown to everyone at /needs/. Only a member organisation can
    publish. Enqueues matching for the need after commit. Refused, changing nothing, unless the need is a
    draft."""
    require(can_manage_needs(acting_user, need.organisation))
    if need.organisation.status != Organisation.Status.ACTIVE:
        raise ValidationError(_("Only member organisations can publish needs. Nothing was changed."))
    return _move(need=need, acting_user=acting_user, to_status=Status.OPEN, from_statuses={Status.DRAFT})


def need_advance(*, need: Need, to_status: str, acting_user: User | None = None, from_statuses=None) -> Need:
    """Move a need along because of what happened to its matches (first match agreed, work started, all done),
    as `need_transition` does but without its permission check: the calling service (matching's lifecycle)
    has checked the actor for its own change. Refused with a ValidationError, changing nothing, when the
    transition is not allowed from the need's current status."""
    return _move(need=need, acting_user=acting_user, to_status=to_status, from_statuses=from_statuses)


def need_pause(*, need: Need, acting_user: User) -> Need:
    """Take an open need off the list for a while (open → paused). Enqueues nothing. Refused, changing
    nothing, unless the need is open."""
    return need_transition(need=need, acting_user=acting_user, to_status=Status.PAUSED, from_statuses={Status.OPEN})


def need_resume(*, need: Need, acting_user: User) -> Need:
    """Put a paused need back on the list in its old place (paused → open). Enqueues matching for it after
    commit. Refused, changing nothing, unless the need is paused."""
    return need_transition(need=need, acting_user=acting_user, to_status=Status.OPEN, from_statuses={Status.PAUSED})


def need_cancel(*, need: Need, acting_user: User) -> Need:
    """Cancel a need that is not yet completed; it leaves the list for good. Enqueues nothing. Refused,
    changing nothing, when the need is already completed or cancelled."""
    return need_transition(need=need, acting_user=acting_user, to_status=Status.CANCELLED)
