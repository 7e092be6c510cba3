"""The welcome link of a person a company imported: they choose a password at once, without the reset page.

The link carries a signature of the user's id and of their password's current state (nothing secret is stored
apart from the notification's own link). It works while the account has no usable password, once — choosing a
password changes the state it was signed with — and for `settings.WELCOME_LINK_VALID_DAYS` days.
"""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from ..models import User

__all__ = ["WELCOME_SALT", "user_welcome", "welcome_link", "welcome_link_user"]

WELCOME_SALT = "members.welcome"


def _password_state(user: User) -> str:
    return salted_hmac(WELCOME_SALT, user.password, algorithm="sha256").hexdigest()[:20]


def welcome_link(user: User) -> str:
    """The path of the user's welcome link (valid until they choose a password, or the days run out)."""
    token = signing.dumps([user.pk, _password_state(user)], salt=WELCOME_SALT, compress=True)
    return reverse("members:welcome", kwargs={"token": token})


def welcome_link_user(token: str) -> User | None:
    """The person a welcome link is for, or None when it is forged, expired, or already used."""
    try:
        pk, state = signing.loads(token, salt=WELCOME_SALT, max_age=settings.WELCOME_LINK_VALID_DAYS * 24 * 3600)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or user.has_usable_password() or not constant_time_compare(state, _password_state(user)):
        return None
    return user


@transaction.atomic
def user_welcome(*, user: User, password: str) -> User:
    """Give an imported person the password they chose through their welcome link, and mark their address as
    verified (the link reached it). Not repeatable: refused once the account has a password."""
    from allauth.account.models import EmailAddress

    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.has_usable_password():
        raise ValidationError(_("This welcome link has already been used. Log in, or ask for a new password."))
    locked.set_password(password)
    locked.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=locked, email__iexact=locked.email, defaults={"email": locked.email, "verified": True, "primary": True}
    )
    return locked
