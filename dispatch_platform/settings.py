"""Settings, read from the environment with embedded defaults that need no server.

Embedded default: SQLite file under var/ and Celery on kombu's filesystem transport (also under var/).
Production: DATABASE_URL=postgres://... and CELERY_BROKER_URL=redis://...
"""

from __future__ import annotations

import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

VAR_DIR = Path(env.str("DISPATCH_VAR_DIR", default=str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in var/ (never in the repo)."""
    if value := env.str("SECRET_KEY", default=""):
        return value
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "import_export",
    "dispatch_platform.common",
    "dispatch_platform.api",
    "dispatch_platform.tenancy",
    "dispatch_platform.sites",
    "technicians",
    "inventory",
    "tickets",
    "sla",
    # outbound before dispatch: receivers run in this order, so "ticket.assigned" is announced before the
    # ETA the dispatch app derives from it.
    "outbound",
    "dispatch_platform.dispatch",
    "reports",
    "dispatch_platform.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dispatch_platform.tenancy.middleware.OrganizationMiddleware",
]

ROOT_URLCONF = "dispatch_platform.urls"
WSGI_APPLICATION = "dispatch_platform.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dispatch_platform.tenancy.context_processors.organization",
            ],
        },
    }
]

# --- Database --------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'dispatch.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions: a deferred transaction that later writes fails at once with
    # "database is locked" while web and worker write together (shared/PLATFORM-NOTES.md).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
elif DATABASES["default"]["ENGINE"] in ("django.db.backends.postgresql",):
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
else:
    raise ImproperlyConfigured("DATABASE_URL must be sqlite:///path or postgres://...")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from the apps without collectstatic in the embedded mode
MEDIA_ROOT = VAR_DIR / "media"
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# Form fields and `request.body` (Django reads them into memory); an API JSON body has its own ceiling:
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# a bulk intake of 1,000 tickets (its limit) at up to 16 kB each — ITSM descriptions run long. About 2.4 MB
# for typical tickets. Above it: a JSON 413 naming the limit (dispatch_platform.api.parsers).
API_MAX_JSON_BODY_BYTES = env.int("API_MAX_JSON_BODY_BYTES", default=16 * 1024 * 1024)
MEDIA_URL = "media/"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Cache (rate limits, heartbeat) ----------------------------------------------------------------
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- REST API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "dispatch_platform.tenancy.authentication.ApiClientAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["dispatch_platform.tenancy.permissions.IsOrganizationMember"],
    "DEFAULT_PAGINATION_CLASS": "dispatch_platform.api.pagination.DefaultPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["dispatch_platform.api.filtering.QueryStringFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "dispatch_platform.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "dispatch_platform.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["dispatch_platform.api.parsers.StreamingJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["dispatch_platform.api.throttling.ApiClientRateThrottle"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dispatch platform API",
    "DESCRIPTION": "Tickets, sites, technicians, SLA policies and reports for IT field service.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "dispatch_platform.api.schema.shared_responses_hook"],
    "ENUM_NAME_OVERRIDES": {
        "ClearanceEnum": "dispatch_platform.sites.choices.Clearance",
        "TicketStatusEnum": "tickets.choices.TicketStatus",
        "PlanStatusEnum": "dispatch_platform.dispatch.models.PlanStatus",
        "WebhookDeliveryStatusEnum": "outbound.models.WebhookDelivery.Status",
    },
}

# --- Celery ----------------------------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("queue", "processed", "control"):
        (BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    # Absolute folders on one filesystem; store_processed off or the folder grows without bound.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.1,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # ETA tasks (SLA timers, webhook retries) wait in the worker; Redis re-delivers anything unacknowledged
    # after the visibility timeout, so it must exceed the longest ETA we schedule.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 12 * 3600}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "sla.tasks.*": {"queue": "sla"},
    "dispatch_platform.dispatch.tasks.*": {"queue": "optimize"},
    "outbound.tasks.*": {"queue": "webhooks"},
}
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
HEARTBEAT_INTERVAL_SECONDS = 5
# SLA moments closer than this get an ETA timer; later ones are found by the minute sweep.
SLA_TIMER_HORIZON_SECONDS = env.int("SLA_TIMER_HORIZON_SECONDS", default=6 * 3600)
CELERY_BEAT_SCHEDULE = {
    "sla-sweep": {"task": "sla.tasks.sla_sweep", "schedule": env.float("SLA_SWEEP_SECONDS", default=60.0),
                  "options": {"expires": 55}},
    "idempotency-keys-purge": {"task": "dispatch_platform.api.tasks.idempotency_keys_purge", "schedule": 3600.0,
                               "options": {"expires": 3500}},
    "webhook-deliveries-due": {"task": "outbound.tasks.deliver_due", "schedule": 30.0, "options": {"expires": 29}},
    "replan-watch": {"task": "dispatch_platform.dispatch.tasks.replan_watch", "schedule": 300.0,
                     "options": {"expires": 290}},
    "plan-parts-slim": {"task": "dispatch_platform.dispatch.tasks.dispatch_plan_parts_slim", "schedule": 86400.0,
                        "options": {"expires": 3600}},
    "worker-heartbeat": {
        "task": "dispatch_platform.common.tasks.heartbeat",
        "schedule": float(HEARTBEAT_INTERVAL_SECONDS),
        # A backlog of heartbeats after a restart is worthless: let them expire.
        "options": {"expires": HEARTBEAT_INTERVAL_SECONDS},
    },
}

WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# Webhooks to loopback, private, link-local (cloud metadata) or other internal addresses are refused (SSRF)
# unless this is on. On by default only on a laptop: DEBUG, or the embedded default (no DATABASE_URL), where
# `make run` tries webhooks against a receiver on 127.0.0.1; off in production unless set.
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env.bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS",
                                          default=DEBUG or not env.str("DATABASE_URL", default=""))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Travel model (recommendations, plans) ---------------------------------------------------------
TRAVEL_PROVIDER = env.str("TRAVEL_PROVIDER", default="haversine")
if TRAVEL_PROVIDER not in ("haversine", "osrm"):
    raise ImproperlyConfigured("TRAVEL_PROVIDER must be 'haversine' or 'osrm'")
OSRM_URL = env.str("OSRM_URL", default="")
if TRAVEL_PROVIDER == "osrm" and not OSRM_URL:
    raise ImproperlyConfigured("TRAVEL_PROVIDER=osrm needs OSRM_URL (e.g. http://osrm:5000)")
PLAN_DECOMPOSE_ABOVE_JOBS = env.int("PLAN_DECOMPOSE_ABOVE_JOBS", default=1500)
# A split plan's part problems and solutions (megabytes for a large tenant) are kept this long after it ends.
PLAN_PARTS_KEEP_DAYS = env.int("PLAN_PARTS_KEEP_DAYS", default=14)
TRAVEL_ROAD_FACTOR = env.float("TRAVEL_ROAD_FACTOR", default=1.3)
TRAVEL_SPEED_KMH = env.float("TRAVEL_SPEED_KMH", default=50.0)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="dispatch@localhost")
