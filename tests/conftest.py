import os
import shutil

import pytest

from brainport_voor_elkaar.celery import app as celery_app

HAS_BROKER = bool(os.environ.get("CELERY_BROKER_URL"))
HAS_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgis"))
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
HAS_BROWSER = shutil.which(CHROMIUM) is not None
# CI sets this so that a missing service fails the run instead of skipping tests.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_collection_modifyitems(config, items):
    missing = {
        "broker": (HAS_BROKER, "needs a real broker: set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0)"),
        "postgres": (HAS_POSTGRES, "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/brainport"),
        "browser": (HAS_BROWSER, f"needs Chromium at {CHROMIUM}: apt-get install -y chromium chromium-driver"),
    }
    for item in items:
        for marker, (available, reason) in missing.items():
            if marker in item.keywords and not available:
                if REQUIRE_SERVICES:
                    raise pytest.UsageError(f"{item.nodeid} {reason}, and REQUIRE_SERVICES=1")
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def celery_in_process(request):
    """Tasks run in-process unless a test is about the real broker."""
    if "broker" in request.keywords:
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def no_public_page_cache(settings):
    """A test that renders a public page twice sees it rendered twice; the page cache's own tests turn it on."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Production hashing is deliberately slow; tests check behaviour, not the hash's cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def reference_data(transactional_db):
    """A transactional test may start from a flushed database: put back what the data migration loads."""
    from members.reference_data import reference_data_sync

    reference_data_sync()


@pytest.fixture(autouse=True)
def english_unless_asked(request, settings):
    """Tests read English text unless they choose a language; browser journeys choose their own."""
    if "browser" in request.keywords:
        yield
        return
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


# Redis on a port where nothing listens, with the timeouts production gives it; the other aliases as configured.
CLOSED_REDIS = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:1/0",
    "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
}


@pytest.fixture
def cache_down(settings):
    """Call it to take the cache down (brainport_voor_elkaar/cache.py); it is back before the test's end empties
    the cache."""
    original = settings.CACHES
    yield lambda: setattr(settings, "CACHES", {**original, "default": CLOSED_REDIS})
    settings.CACHES = original
