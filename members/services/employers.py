"""Inclusive employers: an organisation declares itself one, a coordinator confirms (or withdraws) it, and only
confirmed ones count toward the association's target of 1,000+ (`Organisation.objects.inclusive_employers()`).

Each service is keyword-only, atomic, checks who acts and the current state with a conditional update (so two
coordinators acting at once cannot both win), records who and when, and writes its notifications in the same
transaction (the outbox).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Membership, NotificationKind, Organisation, User
from ..notifications import Recipient, notify
from ..permissions import can_declare_inclusive_employer, can_review_inclusive_employer, require
from ..public_cache import public_pages_changed

__all__ = ["inclusive_employer_declare", "inclusive_employer_review"]


@transaction.atomic
def inclusive_employer_declare(*, organisation: Organisation, acting_user: User, declared: bool) -> Organisation:
    """The organisation's admin says it is an inclusive employer (it gives people who need support a job), or
    takes that back. A new declaration (also after a coordinator withdrew an earlier one) waits for a
    coordinator, and every coordinator is told. Taking it back ends a confirmation. Safe to repeat: declaring
    what is already declared changes nothing and tells nobody."""
    require(can_declare_inclusive_employer(acting_user, organisation))
    now = timezone.now()
    if declared:
        # A declaration that waits or is confirmed stays as it is; a withdrawn one, or none, is asked anew.
        changed = (
            Organisation.objects.filter(pk=organisation.pk)
            .exclude(is_inclusive_employer=True, inclusive_withdrawn_at__isnull=True)
            .update(
                is_inclusive_employer=True,
                inclusive_confirmed_at=None,
                inclusive_confirmed_by=None,
                inclusive_withdrawn_at=None,
                inclusive_note="",
            )
        )
        if changed:
            from .organisations import coordinators

            notify(
                recipients=[Recipient.of(user) for user in coordinators()],
                kind=NotificationKind.INCLUSIVE_DECLARED,
                event_key=f"organisation:{organisation.pk}:inclusive:declared:{now.timestamp()}",
                context={"organisation": organisation.name},
                link=reverse("members:inclusive-employer-list"),
            )
    else:
        Organisation.objects.filter(pk=organisation.pk, is_inclusive_employer=True).update(
            is_inclusive_employer=False,
            inclusive_confirmed_at=None,
            inclusive_confirmed_by=None,
            inclusive_withdrawn_at=None,
            inclusive_note="",
        )
    organisation.refresh_from_db()
    return organisation


@transaction.atomic
def inclusive_employer_review(
    *, organisation: Organisation, acting_user: User, confirm: bool, note: str = ""
) -> Organisation:
    """A coordinator confirms an organisation's declaration of being an inclusive employer (a waiting one, or
    one withdrawn earlier), or withdraws it (a waiting or a confirmed one) with a note saying why. The organisation's
    admins are told, and the cached public pages are emptied after commit. Refused, changing
    nothing, when there is no declaration to confirm or withdraw: of two coordinators acting at once, one wins
    and the other is told."""
    require(can_review_inclusive_employer(acting_user))
    note = note.strip()
    now = timezone.now()
    declared = Organisation.objects.filter(pk=organisation.pk, is_inclusive_employer=True)
    if confirm:
        won = declared.filter(inclusive_confirmed_at__isnull=True).update(
            inclusive_confirmed_at=now,
            inclusive_confirmed_by=acting_user,
            inclusive_withdrawn_at=None,
            inclusive_note=note,
        )
    else:
        if not note:
            raise ValidationError({"note": _("Tell the organisation why its declaration is withdrawn.")})
        won = declared.filter(inclusive_withdrawn_at__isnull=True).update(
            inclusive_confirmed_at=None, inclusive_confirmed_by=None, inclusive_withdrawn_at=now, inclusive_note=note
        )
    if not won:
        raise ValidationError(
            _("%(org)s has no declaration to confirm or withdraw (any more).") % {"org": organisation.name}
        )
    organisation.refresh_from_db()
    admins = User.objects.filter(
        memberships__organisation=organisation, memberships__role=Membership.Role.ADMIN, is_active=True
    )
    notify(
        recipients=[Recipient.of(user) for user in admins],
        kind=NotificationKind.INCLUSIVE_REVIEWED,
        event_key=f"organisation:{organisation.pk}:inclusive:{'confirmed' if confirm else 'withdrawn'}:{now.timestamp()}",
        context={"organisation": organisation.name, "confirmed": confirm, "note": note},
        link=organisation.get_absolute_url(),
    )
    public_pages_changed()  # the home page counts confirmed inclusive employers; the organisation's page shows it
    return organisation
