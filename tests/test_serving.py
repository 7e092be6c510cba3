"""Serving in production: gunicorn's configuration, persistent connections, and /healthz."""

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from tests.permission_matrix import ROLES, assert_answer

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-0123456789",
    "ALLOWED_HOSTS": "portal.example.org",
    "MFA_ENCRYPTION_KEY": "Wn9ZJx3q4KQ0Gd7n3b6l1T3l9hE8vYc2m5Xq1s0aP4o=",
}


def setting(name: str, **env) -> object:
    """A setting as a fresh process reads it from this environment."""
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "CONN_MAX_AGE", "STATIC_ROOT"}}
    environment.update(env)
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps(settings.{name}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "brainport_voor_elkaar.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_gunicorn_runs_several_sync_workers_without_preloading_and_logs_one_line_per_request(monkeypatch):
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:8080")
    monkeypatch.setenv("WEB_CONCURRENCY", "6")
    import brainport_voor_elkaar.gunicorn_conf as conf

    conf = importlib.reload(conf)

    assert conf.bind == "0.0.0.0:8080"
    assert conf.workers == 6
    assert conf.preload_app is False  # each worker opens its own connections and warm-up thread
    assert conf.accesslog == "-" and "%(M)s" in conf.access_log_format and "\n" not in conf.access_log_format


def test_production_keeps_database_connections_and_checks_them_before_use():
    database = setting("DATABASES['default']", **PRODUCTION)

    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True


def test_connection_age_static_root_and_cache_come_from_the_environment(tmp_path):
    assert setting("DATABASES['default']['CONN_MAX_AGE']", **PRODUCTION, CONN_MAX_AGE="0") == 0
    assert setting("DATABASES['default']['CONN_MAX_AGE']", DEBUG="true") == 0
    assert setting("STATIC_ROOT", **PRODUCTION, STATIC_ROOT=str(tmp_path)) == str(tmp_path)
    cache = setting("CACHES['default']", **PRODUCTION, CACHE_URL="redis://127.0.0.1:6379/7")
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def test_a_health_probe_over_plain_http_is_not_redirected_to_https():
    assert setting("SECURE_REDIRECT_EXEMPT", **PRODUCTION) == ["^healthz$"]


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_and_broker_answer(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # no broker configured: nothing to reach

    response = Client().get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"] and not response.cookies


@pytest.mark.django_db
def test_healthz_answers_503_quickly_when_the_broker_is_down(settings):
    import time

    from brainport_voor_elkaar import health

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # a closed port
    health._broker = None

    started = time.monotonic()
    response = Client().get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "down", "cache": "ok"}
    assert time.monotonic() - started < 3


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(settings, monkeypatch):
    from brainport_voor_elkaar import health

    settings.CELERY_TASK_ALWAYS_EAGER = True

    def broken_cursor():
        raise OperationalError("connection refused")

    monkeypatch.setattr(health.connection, "cursor", broken_cursor)
    response = Client().get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.broker
@pytest.mark.django_db
def test_healthz_reaches_the_real_broker(settings):
    from brainport_voor_elkaar import health

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
    health._broker = None

    response = Client().get(reverse("healthz"))

    assert response.status_code == 200, response.content


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_healthz_answers_everyone_alike_and_names_no_one(client, settings, role):
    """The permission matrix of /healthz: public, the same small answer for each of the six roles."""
    from members.models import Membership
    from tests.factories import MembershipFactory, UserFactory, coordinator

    settings.CELERY_TASK_ALWAYS_EAGER = True
    users = {
        "visitor": lambda: None,
        "volunteer": UserFactory,
        "other_org_member": lambda: MembershipFactory(role=Membership.Role.MEMBER).user,
        "own_member": lambda: MembershipFactory(role=Membership.Role.MEMBER).user,
        "own_admin": lambda: MembershipFactory(role=Membership.Role.ADMIN).user,
        "coordinator": coordinator,
    }
    user = users[role]()
    if user is not None:
        client.force_login(user)

    response = client.get(reverse("healthz"))

    assert_answer(response, reverse("healthz"), 200)
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "cache": "ok"}
