"""The codes of a test user's authenticator app, as the app on their phone would show them."""

import time

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt


def secret_of(user) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return decrypt(authenticator.data["secret"])


def code_of(secret: str, *, steps: int = 0) -> str:
    """The code an app holding this secret shows now; `steps=1` the next one."""
    counter = int(time.time()) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter + steps))


def current_code(user, *, steps: int = 0) -> str:
    """The code the user's app shows now; `steps=1` the next one. allauth accepts each code once, so a second
    login within the same 30 seconds needs the next code (settings.MFA_TOTP_TOLERANCE accepts one step ahead)."""
    return code_of(secret_of(user), steps=steps)


def recovery_codes_of(user) -> list[str]:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return authenticator.wrap().get_unused_codes()
