"""Getting in touch with a member organisation through the association's coordinators.

Nobody's address is shown on an organisation's public page: a signed-in person writes to the coordinators about
it, and they put the two sides in touch. The message reaches every coordinator through the outbox.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Notification, NotificationKind, Organisation, User
from ..notifications import Recipient, notify
from .organisations import coordinators

__all__ = ["MESSAGE_MAX_LENGTH", "organisation_contact_request"]

MESSAGE_MAX_LENGTH = 2000


@transaction.atomic
def organisation_contact_request(*, organisation: Organisation, acting_user: User, message: str) -> None:
    """Send `acting_user`'s question about a member organisation to the coordinators (inbox and email, with the
    sender's name and address so that they can answer). One message per person and organisation an hour: a
    second within the hour is refused and changes nothing."""
    message = message.strip()
    if not message:
        raise ValidationError({"message": _("Write your question.")})
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ValidationError({"message": _("Keep it under %(max)s characters.") % {"max": MESSAGE_MAX_LENGTH}})
    if organisation.status != Organisation.Status.ACTIVE:
        raise ValidationError(_("This organisation is not a member. Nothing was sent."))
    now = timezone.now()
    sender = f"contact:{organisation.pk}:{acting_user.pk}:"
    if Notification.objects.filter(event_key__startswith=sender, created_at__gte=now - timedelta(hours=1)).exists():
        raise ValidationError(
            _("You already wrote to the coordinators about this organisation in the past hour. They will answer.")
        )
    notify(
        recipients=[Recipient.of(user) for user in coordinators()],
        kind=NotificationKind.CONTACT_REQUEST,
        event_key=f"{sender}{now:%Y%m%d%H%M%S%f}",
        context={
            "organisation": organisation.name,
            "person": acting_user.get_full_name(),
            "email": acting_user.email,
            "message": message,
        },
        link=organisation.get_absolute_url(),
    )
