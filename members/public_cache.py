"""Whole public pages for visitors, kept in the cache: the home page, /needs/ and a need's page.

What a visitor without cookies of their own sees does not depend on who they are, only on the address, the
language and whether htmx asked for the results alone. Those pages are rendered once and kept in the cache
(CACHE_URL: Redis in production, shared by every web process) with a version number. Every change to a need
or an organisation that a visitor could see bumps that number after its transaction commits
(`public_pages_changed`, called by the services), and the next request renders afresh (the page kept with an
older number is not served, and is overwritten). The pages are also
marked `Cache-Control: public, max-age=PUBLIC_PAGE_MAX_AGE`, so a proxy or browser may keep them that long.

Never from the cache or into it: a signed-in user's page, a page for someone with a session or pending
messages, an answer that sets a cookie (a CSRF token was used) and anything but a 200 to a GET. When the
cache does not answer, the page is rendered as if it were not there (and a warning logged).
The CSP nonce of a cached page is replaced by a fresh one on every hit, as a rendered page would have.

The one place where a signal would do (STYLE.md allows it for a cache); the services call it explicitly.
"""

import functools
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

VERSION_KEY = "public-pages:version"
NONCE_MARK = "__csp_nonce__"
# What a visitor's answer depends on besides the address: their language (cookie or Accept-Language), whether
# they are signed in (cookie), and whether htmx asked for a part of the page.
VARY = ("Accept-Language", "Cookie", "HX-Request")


def _version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not there (a fresh or emptied cache): every older page is unreachable anyway
        cache.add(VERSION_KEY, 1, timeout=None)


def public_pages_changed() -> None:
    """Empty the cached public pages once the current transaction commits (at once outside one). Call it from
    every service that changes what a visitor sees of a need or an organisation. Safe to repeat."""
    # robust: a cache that does not answer must not turn a saved change into an error page (what it kept before it
    # went down may then be shown until it expires)
    transaction.on_commit(_bump, robust=True)


def _anonymous_visitor(request) -> bool:
    if request.method != "GET":
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False  # a session may hold messages or a half-finished sign-in: this page is theirs
    return not request.user.is_authenticated


def _key(request) -> str:
    """The page's key without the version: the version is kept inside the value, so a hit costs one round trip
    to the cache (the version and the page in one `get_many`), not two."""
    htmx = "full"
    if request.headers.get("HX-Request") == "true":
        htmx = "restore" if request.headers.get("HX-History-Restore-Request") == "true" else "partial"
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"public-page:{get_language()}:{htmx}:{address}"


def _lookup(key: str) -> tuple[int, tuple | None]:
    """(the current version, the kept page's content and content type if it was rendered at that version)."""
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        version = _version()
    stored = found.get(key)
    if stored is not None and len(stored) == 3 and stored[0] == version:
        return version, stored[1:]
    return version, None


def _mark_public(response) -> None:
    patch_cache_control(response, public=True, max_age=settings.PUBLIC_PAGE_MAX_AGE)
    patch_vary_headers(response, VARY)


def _cacheable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "Cache-Control" not in response.headers
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def public_page(view=None, *, seconds=None):
    """Serve a visitor's copy of this public page from the cache, or render it and keep it, for
    PUBLIC_PAGE_CACHE_SECONDS or at most `seconds` (for a page that changes with more than needs and
    organisations: `@public_page(seconds=60)`)."""
    if view is None:
        return functools.partial(public_page, seconds=seconds)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        timeout = (
            settings.PUBLIC_PAGE_CACHE_SECONDS if seconds is None else min(seconds, settings.PUBLIC_PAGE_CACHE_SECONDS)
        )
        if timeout <= 0 or not _anonymous_visitor(request):
            return view(request, *args, **kwargs)
        try:
            key = _key(request)
            version, stored = _lookup(key)
        except Exception:  # noqa: BLE001 - a cache that is down costs time, never the page
            logger.warning("The page cache does not answer; rendering %s.", request.path, exc_info=True)
            return view(request, *args, **kwargs)
        if stored is not None:
            content, content_type = stored
            if NONCE_MARK in content:
                nonce = get_nonce(request)  # unset until used: str() makes this response's own
                content = content.replace(NONCE_MARK, str(nonce) if nonce is not None else "")
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "hit"
            _mark_public(response)
            return response
        response = view(request, *args, **kwargs)
        if _cacheable(request, response):
            content = response.content.decode(response.charset)
            nonce = get_nonce(request)
            if nonce:  # generated while rendering: the page carries it
                content = content.replace(f'nonce="{nonce}"', f'nonce="{NONCE_MARK}"')
            try:
                cache.set(key, (version, content, response["Content-Type"]), timeout)
            except Exception:  # noqa: BLE001 - as above
                logger.warning("The page cache does not answer; %s is not kept.", request.path, exc_info=True)
            response["X-Page-Cache"] = "miss"
            _mark_public(response)
        return response

    return wrapper
