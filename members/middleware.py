"""The portal's own middleware: the user's language, the Permissions-Policy, private caching, when a person was
last seen and asking for consent to a new privacy statement."""

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_control
from django_htmx.http import HttpResponseClientRedirect


class UserLanguageMiddleware:
    """Serve a signed-in user in the language they chose; visitors keep the language cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.preferred_language:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        return self.get_response(request)


# Browser features the portal never uses, refused for every page and every frame it might embed.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class PermissionsPolicyMiddleware:
    """Tell browsers that no page of the portal may use the camera, microphone, location, payments and the like,
    so an injected script or a framed page cannot ask for them either."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


PRIVATE = {"private": True, "no_store": True}

# For a page that shows a visitor personal data (an invited address, a form for their own details): the view says
# so, since the middleware cannot tell it from a public page.
personal_page = cache_control(**PRIVATE)


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every response that may hold personal data, unless the view chose
    its own Cache-Control: every response to a signed-in user, every answer to a form post (it shows what was
    posted), and every response that sets the session cookie. Public pages for visitors stay cacheable.

    Listed before the session and CSRF middleware, so that it sees the cookies they set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.SESSION_COOKIE_NAME in response.cookies:
            # Even a page its view called public (members/public_cache.py): this answer starts someone's session.
            response.headers.pop("Cache-Control", None)
            patch_cache_control(response, **PRIVATE)
            return response
        if "Cache-Control" in response.headers:
            return response
        user = getattr(request, "user", None)
        if (
            (user is not None and user.is_authenticated)
            or request.method not in ("GET", "HEAD", "OPTIONS")
            or settings.SESSION_COOKIE_NAME in response.cookies
        ):
            patch_cache_control(response, **PRIVATE)
        return response


LAST_SEEN_EVERY = timedelta(days=1)


class LastSeenMiddleware:
    """Record that a signed-in person used the portal: at most one UPDATE a day per person (the row every request
    loads says when it was last written), so an active person is never taken for an inactive one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now()
            if user.last_seen_at is None or now - user.last_seen_at >= LAST_SEEN_EVERY:
                get_user_model().objects.filter(pk=user.pk).update(last_seen_at=now)
                user.last_seen_at = now
        return self.get_response(request)


# Pages a person who must agree again can still open: the statement itself, the question, their data, deleting
# their account, logging out and switching the language.
CONSENT_FREE_VIEWS = {
    "members:privacy-statement",
    "members:privacy-consent",
    "members:account-data-export",
    "members:account-delete",
    "members:language-set",
    "account_logout",
}


class PrivacyConsentMiddleware:
    """Someone who agreed to an earlier version of the privacy statement is asked to agree to the current one
    before opening any other page. Reads only the signed-in user's row, which every request loads anyway: no
    query of its own. Forms posted from a page opened before the new version are let through (nothing typed is
    lost); the page they lead to asks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in ("GET", "HEAD"):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.must_agree_again:
            return None
        match = request.resolver_match
        if match is None or match.view_name in CONSENT_FREE_VIEWS or match.app_name == "admin":
            return None
        url = f"{reverse('members:privacy-consent')}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)
