"""What the portal does when its cache (CACHE_URL, Redis in production) does not answer.

Two kinds of things live in that cache, and they fail in opposite directions:

- Shortcuts: rendered template fragments (`{% cache %}`, the /needs/ filter form) and the public impact figures.
  They can always be computed again, so a cache that is down is a miss: Django's `{% cache %}` tag uses the
  `template_fragments` alias when it exists, and settings point it at `ForgivingCache`, which wraps the default
  cache and logs a warning instead of raising. (The whole-page cache, members/public_cache.py, catches its own.)
- Counters that protect something: allauth's login and /apply/ rate limits and the one-use marks of two-factor
  codes. Without them a password could be guessed without limit and a code replayed, so they fail closed: the
  default cache raises, and `CacheUnavailableMiddleware` answers that request with a clear 503 page instead of
  a server error. Signing in waits for Redis; everything a visitor reads keeps working.
"""

import logging

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.shortcuts import render
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

FORGIVING = "template_fragments"  # the alias Django's {% cache %} tag asks for first
RETRY_AFTER_SECONDS = 60


class ForgivingCache(BaseCache):
    """The cache named by LOCATION (an alias, "default" if empty) for what can be computed again: a failure to
    read is a miss, a failure to write is ignored, each with a warning in the log. Keys, prefixes and versions
    are the wrapped cache's own."""

    def __init__(self, location, params):
        super().__init__(params)
        self._alias = location or "default"

    @property
    def _wrapped(self) -> BaseCache:
        return caches[self._alias]

    def _failed(self, operation: str) -> None:
        logger.warning("The cache does not answer (%s); carrying on without it.", operation, exc_info=True)

    def get(self, key, default=None, version=None):
        try:
            return self._wrapped.get(key, default, version=version)
        except Exception:  # noqa: BLE001 - whatever the backend raises, a shortcut is only a shortcut
            self._failed("get")
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            self._wrapped.set(key, value, timeout, version=version)
        except Exception:  # noqa: BLE001 - as above
            self._failed("set")

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._wrapped.add(key, value, timeout, version=version)
        except Exception:  # noqa: BLE001 - as above
            self._failed("add")
            return False

    def delete(self, key, version=None):
        try:
            return self._wrapped.delete(key, version=version)
        except Exception:  # noqa: BLE001 - as above
            self._failed("delete")
            return False

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._wrapped.touch(key, timeout, version=version)
        except Exception:  # noqa: BLE001 - as above
            self._failed("touch")
            return False

    def clear(self):
        try:
            self._wrapped.clear()
        except Exception:  # noqa: BLE001 - as above
            self._failed("clear")


def forgiving_cache() -> BaseCache:
    """The cache for what can be computed again (see the module's docstring)."""
    return caches[FORGIVING]


class CacheUnavailableMiddleware:
    """A request that needed the cache to protect something (a rate limit, a two-factor code's one use) while it
    was down answers 503 with a page saying to try again shortly, instead of a server error. Nothing it guards
    happened: the counters are read before the action."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, RedisError):
            return None
        logger.error("The cache does not answer; %s %s answered 503.", request.method, request.path, exc_info=True)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
