"""Two-factor authentication set up without the browser: for the demo coordinator, benchmarks and tests. People
set it up themselves on allauth's pages (allauth.mfa); this writes the same rows allauth's activation writes."""

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import transaction

from ..models import User

__all__ = ["totp_activate"]


@transaction.atomic
def totp_activate(*, user: User, secret: str | None = None) -> list[str]:
    """Give the user an authenticator app (TOTP) with this base32 secret (a random one when None) and recovery
    codes, and return the unused recovery codes. Enqueues nothing (allauth's activation emails the user; this
    is not a person's action). Safe to repeat: an app the user already has is kept, with its secret."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret or generate_totp_secret())
    codes = RecoveryCodes.activate(user)
    user.__dict__.pop("_coordinator", None)
    return codes.get_unused_codes()
