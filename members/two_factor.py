"""Whether a session passed the second factor. allauth records in the session how it logged in (password,
then the authenticator code); the coordinator pages ask this module, and an activation counts as passing it."""

from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.mfa.models import Authenticator


def session_passed_second_factor(request) -> bool:
    """The session showed a code: at login, when reauthenticating, or when it activated the app. A session that
    records nothing about its login was opened by Django's login() outside allauth's views (a test client, a
    benchmark) and has nothing to show."""
    records = get_authentication_records(request, request.user)
    return not records or any(record.get("method") == "mfa" for record in records)


def record_activation(sender, request, user, authenticator, **kwargs) -> None:
    """allauth's `authenticator_added`: typing the app's first code to activate it proves the second factor for
    this session, as a login with it would."""
    if authenticator.type == Authenticator.Type.TOTP and request is not None:
        record_authentication(request, user, "mfa", type=authenticator.type, id=authenticator.pk, activated=True)
