"""Offers: capacity a member organisation puts at the association's disposal.

Who may do what: any member of the offering organisation (admin or member) creates an offer, edits it and
moves it through its lifecycle; an offer is day-to-day work, like a need, not the organisation's profile.
Coordinators see every offer but leave the changes to the organisation that makes the promise.

Lifecycle: draft → active ⇄ paused → closed. A draft that will never be published may be closed too; a
closed offer is final. Each step is one service that records who and when, guarded by a conditional
UPDATE on the current status, so of two people acting at once one wins and the other is told why.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import events
from ..models import Membership, Offer, Organisation, User
from ..permissions import require
from ..validators import date_range_errors, single_line_errors

__all__ = ["offer_activate", "offer_close", "offer_create", "offer_pause", "offer_resume", "offer_update"]

# The fields a form may pass in; everything else (status, who and when) belongs to the services.
SCALAR_FIELDS = ("title", "description", "kind", "remote", "start_date", "end_date", "people", "hours_each")
MANY_FIELDS = ("skills", "themes", "municipalities")

Status = Offer.Status

# action → (statuses it may start from, status it leads to)
TRANSITIONS = {
    "activate": ((Status.DRAFT,), Status.ACTIVE),
    "pause": ((Status.ACTIVE,), Status.PAUSED),
    "resume": ((Status.PAUSED,), Status.ACTIVE),
    "close": ((Status.DRAFT, Status.ACTIVE, Status.PAUSED), Status.CLOSED),
}


def can_manage_offers(user, organisation) -> bool:
    """Create, edit, publish, pause and close the organisation's offers: its staff (not its volunteers)."""
    if not (user and user.is_authenticated):
        return False
    return Membership.objects.staff().filter(user=user, organisation=organisation).exists()


def offer_actions(offer: Offer) -> list[str]:
    """The lifecycle steps open to an offer in its current status, in the order a page shows them."""
    return [action for action, (sources, _target) in TRANSITIONS.items() if offer.status in sources]


def _refuse_unless_member_organisation(organisation: Organisation) -> None:
    if organisation.status != Organisation.Status.ACTIVE:
        raise ValidationError(_("Only member organisations can offer capacity."))


def offer_rule_errors(
    *, start_date, end_date, remote: bool, municipalities, title: str | None = None
) -> dict[str, list[str]]:
    """The rules of an offer's data, each reported at the field to correct. The offer form shows them too."""
    errors = date_range_errors({"start_date": start_date, "end_date": end_date})
    if start_date and end_date and end_date < start_date and "end_date" not in errors:
        errors["end_date"] = [_("The end date cannot be before the start date.")]
    errors.update(single_line_errors({"title": title}))
    if not remote and not municipalities:
        errors["municipalities"] = [_("Choose at least one municipality, or say that the work can be done remotely.")]
    return errors


def _check(offer: Offer, municipalities) -> None:
    """Every rule of a complete offer, each reported at the field it concerns."""
    errors = offer_rule_errors(
        start_date=offer.start_date,
        end_date=offer.end_date,
        remote=offer.remote,
        municipalities=municipalities,
        title=offer.title,
    )
    try:
        offer.full_clean(exclude=["organisation", "created_by", "status_changed_by"], validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    # A model's TextField does not check its own max_length; only its form field does.
    try:
        MaxLengthValidator(Offer._meta.get_field("description").max_length)(offer.description)
    except ValidationError as error:
        errors.setdefault("description", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)


def _apply(offer: Offer, data: dict) -> dict:
    """Copy the form's fields onto the offer; return the many-to-many values to set after saving."""
    unknown = set(data) - set(SCALAR_FIELDS) - set(MANY_FIELDS)
    if unknown:
        raise ValueError(f"Not fields of an offer form: {sorted(unknown)}")
    for field in SCALAR_FIELDS:
        if field in data:
            value = data[field]
            setattr(offer, field, value.strip() if isinstance(value, str) else value)
    many = {field: list(data[field]) for field in MANY_FIELDS if field in data}
    if offer.pk:
        for field in MANY_FIELDS:
            many.setdefault(field, list(getattr(offer, field).all()))
    return many


@transaction.atomic
def offer_create(*, organisation: Organisation, acting_user: User, data: dict) -> Offer:
    """A member of the organisation writes a new offer. It starts as a draft: nobody is matched with it until
    it is published (`offer_activate`). Bad input is refused with a message per field and saves nothing.
    Not repeatable: each call is a new offer."""
    require(can_manage_offers(acting_user, organisation))
    _refuse_unless_member_organisation(organisation)
    now = timezone.now()
    offer = Offer(organisation=organisation, created_by=acting_user, created_at=now, updated_at=now)
    many = _apply(offer, data)
    _check(offer, many.get("municipalities"))
    offer.save()
    for field, values in many.items():
        getattr(offer, field).set(values)
    return offer


@transaction.atomic
def offer_update(*, offer: Offer, acting_user: User, data: dict) -> Offer:
    """A member of the organisation changes what the offer says (not its status). A closed offer can no
    longer be changed. Bad input is refused with a message per field and changes nothing. Safe to repeat."""
    require(can_manage_offers(acting_user, offer.organisation))
    # Locking the row makes an edit and a close at the same moment happen one after the other.
    current = Offer.objects.select_for_update().filter(pk=offer.pk).values_list("status", flat=True).first()
    if current is None or current == Status.CLOSED:
        raise ValidationError(_("This offer is closed and can no longer be changed."))
    offer.status = current
    many = _apply(offer, data)
    _check(offer, many["municipalities"])
    offer.updated_at = timezone.now()
    offer.save(update_fields=[*(f for f in SCALAR_FIELDS if f in data), "updated_at"])
    for field, values in many.items():
        getattr(offer, field).set(values)
    return offer


# action → {status it is in: why it cannot take that step}
REFUSALS = {
    "activate": {
        Status.ACTIVE: gettext_lazy("This offer is already published."),
        Status.PAUSED: gettext_lazy("This offer is paused. Resume it instead."),
        Status.CLOSED: gettext_lazy("This offer is closed and cannot be published again."),
    },
    "pause": {
        Status.DRAFT: gettext_lazy("Only a published offer can be paused."),
        Status.PAUSED: gettext_lazy("This offer is already paused."),
        Status.CLOSED: gettext_lazy("This offer is closed and cannot be paused."),
    },
    "resume": {
        Status.DRAFT: gettext_lazy("This offer has not been published yet. Publish it instead."),
        Status.ACTIVE: gettext_lazy("This offer is already active."),
        Status.CLOSED: gettext_lazy("This offer is closed and cannot be resumed."),
    },
    "close": {
        Status.CLOSED: gettext_lazy("This offer is already closed."),
    },
}


def _transition(offer: Offer, acting_user: User, action: str) -> Offer:
    require(can_manage_offers(acting_user, offer.organisation))
    sources, target = TRANSITIONS[action]
    if target == Status.ACTIVE:
        _refuse_unless_member_organisation(offer.organisation)
    now = timezone.now()
    won = Offer.objects.filter(pk=offer.pk, status__in=sources).update(
        status=target, status_changed_at=now, status_changed_by=acting_user, updated_at=now
    )
    if not won:
        current = Offer.objects.filter(pk=offer.pk).values_list("status", flat=True).first()
        # Translated now, in the language of the person acting.
        raise ValidationError(str(REFUSALS[action].get(current, gettext_lazy("This offer no longer exists."))))
    offer.refresh_from_db()
    if target == Status.ACTIVE:
        events.offer_activated.send(sender=Offer, offer_id=offer.pk, acting_user=acting_user)
    return offer


@transaction.atomic
def offer_activate(*, offer: Offer, acting_user: User) -> Offer:
    """Publish a draft: the offer becomes active and matching for it is enqueued after commit. Only a draft
    of a member organisation can be published; any other status is refused with a clear message and nothing
    changes."""
    return _transition(offer, acting_user, "activate")


@transaction.atomic
def offer_pause(*, offer: Offer, acting_user: User) -> Offer:
    """Take an active offer out of matching for a while (people are busy). Only an active offer can be
    paused; any other status is refused with a clear message and nothing changes."""
    return _transition(offer, acting_user, "pause")


@transaction.atomic
def offer_resume(*, offer: Offer, acting_user: User) -> Offer:
    """Make a paused offer active again and enqueue matching for it after commit. Only a paused offer of a
    member organisation can be resumed; any other status is refused with a clear message and nothing
    changes."""
    return _transition(offer, acting_user, "resume")


@transaction.atomic
def offer_close(*, offer: Offer, acting_user: User) -> Offer:
    """Close an offer for good: a draft, active or paused offer is closed and can no longer be changed.
    Closing a closed offer is refused with a clear message and changes nothing."""
    return _transition(offer, acting_user, "close")
