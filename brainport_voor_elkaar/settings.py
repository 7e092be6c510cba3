"""Settings of the Brainport voor Elkaar portal: one module, driven by the environment.

Without any environment the portal runs on a laptop with no server at all: SQLite, Celery tasks run
in-process, email printed to the console. Set DATABASE_URL and CELERY_BROKER_URL to use PostgreSQL and
Redis (or RabbitMQ). With DEBUG=false a SECRET_KEY, MFA_ENCRYPTION_KEY and ALLOWED_HOSTS are required and the
deployment checks pass.
"""

from base64 import urlsafe_b64encode
from pathlib import Path

import environ
from celery.schedules import crontab
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="django-insecure-laptop-only-never-used-in-production")
else:
    SECRET_KEY = env("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "django_filters",
    "django_htmx",
    "members",
    "matching",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "members.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session and CSRF middleware, so that it sees the cookies they set on the way out.
    "members.middleware.PrivateCacheMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "members.middleware.UserLanguageMiddleware",
    "members.middleware.LastSeenMiddleware",
    "members.middleware.PrivacyConsentMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A rate limit or a two-factor code that cannot be checked because the cache is down: a clear 503.
    "brainport_voor_elkaar.cache.CacheUnavailableMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, so that a locked-out login answers before anything else runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "brainport_voor_elkaar.urls"
WSGI_APPLICATION = "brainport_voor_elkaar.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "members.context_processors.navigation",
            ],
        },
    },
]

FORM_RENDERER = "members.forms.PortalFormRenderer"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A web process keeps its connection between requests (a new one costs a few milliseconds and a PostgreSQL
# backend); the health check replaces a connection the database or a pooler closed meanwhile. 0: one per request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # An unreachable database fails a request (and /healthz) within seconds, not after TCP's minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate-limit counters (allauth's, the /apply/ throttle) and the one-use marks of two-factor codes live here: every
# web process must share them, so production sets CACHE_URL to Redis (redis://host:6379/1). The default is
# per-process memory. While Redis does not answer, what they guard (logging in, /apply/) answers 503.
CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://"),
    # The same cache for what can be computed again (template fragments, the public figures): when it does not
    # answer, that is a miss. The rate limits above fail closed instead (brainport_voor_elkaar/cache.py).
    "template_fragments": {"BACKEND": "brainport_voor_elkaar.cache.ForgivingCache", "LOCATION": "default"},
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis that does not answer costs a request a second at most, not redis-py's five (CACHE_URL may say
    # otherwise: ?socket_timeout=…).
    CACHES["default"].setdefault("OPTIONS", {})
    CACHES["default"]["OPTIONS"].setdefault("socket_connect_timeout", 1)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", 1)
# Anonymous public pages (home, /needs/, a need's page) are kept whole in that cache for this long, and a
# change to a need empties them at once (members/public_cache.py); browsers and proxies may keep them for
# PUBLIC_PAGE_MAX_AGE seconds, which is how stale a proxy's copy can get. 0 turns the page cache off.
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=600)
PUBLIC_PAGE_MAX_AGE = env.int("PUBLIC_PAGE_MAX_AGE", default=30)

# Accounts ------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "members:dashboard"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Brainport voor Elkaar] "
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
# Failed logins are limited three ways: django-axes locks an address + IP pair after AXES_FAILURE_LIMIT failures;
# allauth refuses an address (the key: the account) after 10 failures in 15 minutes from anywhere, the right
# password included, so changing IP address does not buy more guesses; and an IP after 30 failures a minute,
# enough for an office behind one address.
# /apply/ (each post may create an account and emails every coordinator) is throttled through the same
# mechanism, under its own action.
ACCOUNT_RATE_LIMITS = {"login_failed": "30/m/ip,10/15m/key", "membership_apply": "10/h/ip"}

# Reverse proxies in front of the portal that append the client's address to X-Forwarded-For. 0: the client is
# REMOTE_ADDR and X-Forwarded-For is ignored (it can be forged). allauth reads the client address this way, and
# django-axes asks the same function (members.adapters.client_ip), so both count the same client.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
AXES_CLIENT_IP_CALLABLE = "members.adapters.client_ip"

# Two-factor authentication (allauth.mfa): an authenticator app (TOTP) with recovery codes. Anyone may turn it
# on in their settings; coordinators must (members.permissions.is_coordinator), and allauth asks for the code at
# every login of an account that has it. One step of clock drift either way is accepted (RFC 6238, 5.2).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Brainport voor Elkaar"
MFA_TOTP_TOLERANCE = 1
# Its secrets (the app's key, the recovery codes' seed) are stored encrypted (members/mfa.py) under Fernet keys:
# MFA_ENCRYPTION_KEY holds one or more, comma-separated; the first encrypts, all decrypt (docs/DEPLOY.md, rotating
# the key). Required in production, and on purpose not derived from SECRET_KEY: rotating SECRET_KEY, a routine
# step, would then lock every coordinator out, and a leaked SECRET_KEY would open the secrets of every backup.
# A laptop (DEBUG) derives one from SECRET_KEY.
MFA_ADAPTER = "members.mfa.MFAAdapter"
MFA_ENCRYPTION_KEYS = [key.strip() for key in env.list("MFA_ENCRYPTION_KEY", default=[]) if key.strip()]
if not MFA_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "MFA_ENCRYPTION_KEY must be set when DEBUG is false: it encrypts the two-factor secrets. Generate one "
            'with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
        )
    _laptop_key = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"brainport-voor-elkaar mfa laptop key")
    MFA_ENCRYPTION_KEYS = [urlsafe_b64encode(_laptop_key.derive(SECRET_KEY.encode())).decode()]
for _key in MFA_ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            "MFA_ENCRYPTION_KEY: every comma-separated key must be a Fernet key (32 url-safe base64-encoded bytes)."
        ) from None

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "members.adapters.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Internationalisation ------------------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# Static files: Bootstrap and other front-end packages come from npm (node_modules) at setup time.
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/chart.js", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email: printed to the console on a laptop (DEBUG), a local SMTP server in production, unless EMAIL_URL names one (smtp://user:pass@host:587,
# smtp+tls://…, smtp+ssl://…) or a folder (filemail:////absolute/path/to/folder: four slashes, since three
# are read as a path relative to the working directory).
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
_email_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS"),
    "use_ssl": _email.get("EMAIL_USE_SSL"),
    "timeout": 15,
}
if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
    _mailer_options = {key: value for key, value in _email_options.items() if value not in (None, "")}
elif _email["EMAIL_BACKEND"].endswith("filebased.EmailBackend"):
    _mailer_options = {"file_path": _email.get("EMAIL_FILE_PATH")}
else:
    _mailer_options = {}
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _mailer_options}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Brainport voor Elkaar <noreply@brainportvoorelkaar.nl>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: a real broker when CELERY_BROKER_URL is set (redis:// or amqp://), in-process otherwise.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# When the broker is down, publishing gives up quickly: the outbox row stays pending for the sweep.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "max_retries": 1}
# The sweeps are what guarantee delivery after a broker outage: they run often and cost an indexed lookup.
SWEEP_INTERVAL_SECONDS = env.float("SWEEP_INTERVAL_SECONDS", default=15.0)
# How often the impact snapshot (the dashboard's hours, people and needs supported) is rebuilt.
IMPACT_SNAPSHOT_MINUTES = env.float("IMPACT_SNAPSHOT_MINUTES", default=15.0)
# Memory PostgreSQL may use per sort while rebuilding it (SET LOCAL, for that transaction only).
IMPACT_SNAPSHOT_WORK_MEM_MB = env.int("IMPACT_SNAPSHOT_WORK_MEM_MB", default=128)
CELERY_BEAT_SCHEDULE = {
    "notifications-sweep": {"task": "members.tasks.notifications_sweep", "schedule": SWEEP_INTERVAL_SECONDS},
    "matching-requests-sweep": {"task": "matching.tasks.matching_requests_sweep", "schedule": SWEEP_INTERVAL_SECONDS},
    "matches-expire": {"task": "matching.tasks.matches_expire", "schedule": crontab(minute=15)},
    "matches-start": {"task": "matching.tasks.matches_start", "schedule": crontab(hour=6, minute=0)},
    "match-reminders": {"task": "matching.tasks.reminders_send", "schedule": crontab(hour=8, minute=0)},
    "needs-recommended-weekly": {
        "task": "matching.tasks.recommendations_weekly",
        "schedule": crontab(day_of_week="mon", hour=7, minute=30),
    },
    "matching-nightly": {"task": "matching.tasks.matching_refresh_all", "schedule": crontab(hour=2, minute=30)},
    "impact-snapshot": {"task": "matching.tasks.impact_snapshot_refresh", "schedule": IMPACT_SNAPSHOT_MINUTES * 60},
    "notifications-daily-digest": {
        "task": "members.tasks.notifications_send_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    "privacy-inactive-volunteers": {
        "task": "members.tasks.privacy_inactive_volunteers",
        "schedule": crontab(hour=3, minute=30),
    },
}

# Notifications: a pending email older than this is re-enqueued by the sweep; a claim older than the
# lease is taken to belong to a worker that died.
NOTIFICATION_SWEEP_AFTER_SECONDS = env.int("NOTIFICATION_SWEEP_AFTER_SECONDS", default=10)
NOTIFICATION_CLAIM_LEASE_SECONDS = env.int("NOTIFICATION_CLAIM_LEASE_SECONDS", default=600)
NOTIFICATION_MAX_ATTEMPTS = 5

# Matching: the weights of the score's components (they sum to 1) and the hard rules' parameters.
MATCHING_WEIGHTS = {
    "required": 0.40,
    "nice": 0.10,
    "theme": 0.12,
    "distance": 0.15,
    "availability": 0.05,
    "waiting": 0.10,
    "load": 0.08,
}
MATCHING_MIN_REQUIRED_COVERAGE = 0.5
MATCHING_REQUEST_MAX_ATTEMPTS = 3
MATCHING_REQUEST_LEASE_SECONDS = env.int("MATCHING_REQUEST_LEASE_SECONDS", default=600)
# The match lifecycle's clocks: an approved match expires unanswered after MATCH_ANSWER_DAYS; reminders go
# out for reviews and answers waiting, starts coming up and hours not logged after the end.
MATCH_ANSWER_DAYS = 14
MATCH_REMIND_REVIEW_DAYS = 2
MATCH_REMIND_ANSWER_DAYS = 3
MATCH_REMIND_START_DAYS = 2
MATCH_REMIND_HOURS_DAYS = 3
INVITATION_VALID_DAYS = 14
# How long the welcome link of an imported volunteer lets them choose a password.
WELCOME_LINK_VALID_DAYS = 14

# Privacy: the version and date of the privacy statement (templates/members/privacy_statement.html). Raising the
# version asks everyone who agreed to an earlier one to agree again. Volunteers who have not been active for
# PRIVACY_INACTIVE_AFTER_DAYS are anonymised by a daily job; they are told PRIVACY_INACTIVE_WARNING_DAYS before.
PRIVACY_STATEMENT_VERSION = "1.0"
PRIVACY_STATEMENT_DATE = "2026-12-07"
PRIVACY_INACTIVE_AFTER_DAYS = env.int("PRIVACY_INACTIVE_AFTER_DAYS", default=730)
PRIVACY_INACTIVE_WARNING_DAYS = env.int("PRIVACY_INACTIVE_WARNING_DAYS", default=30)

# Security ------------------------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer's health probe speaks plain HTTP to the web node.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

MESSAGE_TAGS = {40: "danger"}

# One line per record, on standard error; gunicorn writes one access line per request beside it
# (brainport_voor_elkaar/gunicorn_conf.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {
            "format": "%(asctime)s %(levelname)s %(process)d %(name)s %(message)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
