"""The portal's own middleware: the user's language, the Permissions-Policy and private caching."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_control


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
