from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import translation


def client_ip(request) -> str | None:
    """The client's address as allauth determines it (REMOTE_ADDR, or behind ALLAUTH_TRUSTED_PROXY_COUNT proxies
    the address they appended to X-Forwarded-For), so that django-axes counts the same client as allauth. None
    when there is none (a test client's force_login, a management command)."""
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


def axes_username(request, credentials=None) -> str | None:
    """The address a login attempt is for, as django-axes counts it.

    allauth authenticates with `email=…` while its form posts `login=…`; axes looks for one field name only,
    so without this it counted every attempt under no name at all and locked out a whole office's IP address.
    """
    credentials = credentials or {}
    username = credentials.get("email") or credentials.get("login")
    if not username and request is not None:
        username = request.POST.get("login")
    return username.strip().lower() if username else None


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        """Accounts come with a membership application or an invitation, never on their own."""
        return False

    def save_user(self, request, user, form, commit=True):
        """New accounts keep the language the visitor was browsing in."""
        user.preferred_language = (translation.get_language() or "nl")[:2]
        return super().save_user(request, user, form, commit=commit)

    def login(self, request, user):
        """The language a visitor chose on the page before signing in wins over the one saved earlier, and is
        saved: they just said which language they read. The browser's own preference is no choice, so without the
        language cookie the saved language stays."""
        from .services import user_set_language

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen in dict(settings.LANGUAGES) and chosen != user.preferred_language:
            user_set_language(user=user, language=chosen)
        return super().login(request, user)
