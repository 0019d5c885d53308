"""One settings module, driven by the environment (see .env.example for every variable).

- No DATABASE_URL: an embedded SQLite file next to manage.py.
- No CELERY_BROKER_URL / REDIS_URL: tasks run eagerly and `manage.py run_platform` runs the
  periodic sweeps in-process, so deadlines still fire with no other service.
- DJANGO_ENV=production: secrets are mandatory and `check --deploy` passes with zero warnings.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(str(BASE_DIR / ".env"))  # real environment variables still win

DJANGO_ENV = env("DJANGO_ENV", default="development")
IS_PRODUCTION = DJANGO_ENV == "production"
DEBUG = env.bool("DJANGO_DEBUG", default=not IS_PRODUCTION)

_DEV_SECRET = "dev-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
_DEV_PII_KEY = "ZGV2LW9ubHktcGlpLWtleS1ub3Qtc2VjcmV0LTAwMDA="  # base64 of 32 bytes, dev only
_DEV_PII_HASH_KEY = "ZGV2LW9ubHktaGFzaC1rZXktbm90LXNlY3JldC0wMDA="

if IS_PRODUCTION:
    SECRET_KEY = env("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
    PII_ENCRYPTION_KEY = env("GONGZHI_PII_KEY")
    PII_HASH_KEY = env("GONGZHI_PII_HASH_KEY")
    for _name, _value in (("DJANGO_SECRET_KEY", SECRET_KEY), ("GONGZHI_PII_KEY", PII_ENCRYPTION_KEY),
                          ("GONGZHI_PII_HASH_KEY", PII_HASH_KEY)):
        if _value in (_DEV_SECRET, _DEV_PII_KEY, _DEV_PII_HASH_KEY) or len(_value) < 32:
            raise ImproperlyConfigured(f"{_name} must be a real secret of at least 32 characters in production.")
else:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default=_DEV_SECRET)
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "testserver", "[::1]"])
    PII_ENCRYPTION_KEY = env("GONGZHI_PII_KEY", default=_DEV_PII_KEY)
    PII_HASH_KEY = env("GONGZHI_PII_HASH_KEY", default=_DEV_PII_HASH_KEY)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "axes",
    "treebeard",
    "governance",
    "grids",
    "workforce",
    "listings",
    "listings.admission",
    "listings.certificates",
    "deliberation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "governance.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "governance.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "governance.urls"
WSGI_APPLICATION = "governance.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "governance.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Writers queue instead of failing with "database is locked" (STYLE B11).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "governance.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # must come first (django-axes)
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": env.int("GONGZHI_PASSWORD_MIN_LENGTH", default=12)}},
    {"NAME": "governance.lib.passwords.CharacterClassValidator",
     "OPTIONS": {"min_classes": env.int("GONGZHI_PASSWORD_MIN_CLASSES", default=3)}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout (django-axes): repeated failures for one username from one address lock that pair.
AXES_FAILURE_LIMIT = env.int("GONGZHI_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("GONGZHI_LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env.int("GONGZHI_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]

# Sessions: idle timeout (shorter for the three administrators) and an absolute limit.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("GONGZHI_SESSION_IDLE_MINUTES", default=30))
SESSION_ADMIN_IDLE_TIMEOUT = timedelta(minutes=env.int("GONGZHI_ADMIN_SESSION_IDLE_MINUTES", default=15))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env.int("GONGZHI_SESSION_ABSOLUTE_HOURS", default=8))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = env("DJANGO_LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("DJANGO_TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("GONGZHI_MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
GONGZHI_IMPORT_MAX_BYTES = env.int("GONGZHI_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
GONGZHI_IMPORT_MAX_ROWS = env.int("GONGZHI_IMPORT_MAX_ROWS", default=20000)

# Caches: Redis when configured (needed by lockout and rate limits across processes), else local memory.
REDIS_URL = env("REDIS_URL", default="")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Celery: no broker -> eager tasks; the run command runs the beat schedule in-process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
_VISIBILITY_TIMEOUT = 3600
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": _VISIBILITY_TIMEOUT}
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "incident-deadlines-sweep": {
        "task": "grids.tasks.incident_deadlines_sweep_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "notifications-resend": {
        "task": "governance.tasks.deliveries_resend_task",
        "schedule": 300.0,
        "options": {"expires": 280},
    },
    "grids-import-jobs-sweep": {
        "task": "grids.tasks.import_jobs_sweep_task",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    "admission-review-deadlines-sweep": {
        "task": "listings.admission.tasks.admission_review_sweep_task",
        "schedule": 300.0,
        "options": {"expires": 280},
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["governance.lib.api.IsStaffAccount"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "governance.lib.api.IdCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "governance.lib.api_errors.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer",
                                 "rest_framework.renderers.BrowsableAPIRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Gongzhi 共治 API",
    "DESCRIPTION": "Community governance platform: grids, registers, incidents, lists, deliberation, workforce.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None},  # no call-out to validator.swagger.io (intranet, CSP)
}

# Grid sizing band (households per basic grid) **[config]**.
GONGZHI_GRID_HOUSEHOLDS_MIN = env.int("GONGZHI_GRID_HOUSEHOLDS_MIN", default=300)
GONGZHI_GRID_HOUSEHOLDS_MAX = env.int("GONGZHI_GRID_HOUSEHOLDS_MAX", default=500)
# Roles that may see special-management groups (特殊人群) in addition to an explicit grant.
GONGZHI_SPECIAL_GROUP_ROLES = env.list("GONGZHI_SPECIAL_GROUP_ROLES", default=["street_staff"])

# Content Security Policy (django-csp 4): everything is self-hosted.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = False
if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
    SILENCED_SYSTEM_CHECKS: list[str] = []

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="gongzhi@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Incident loop time limits **[config]** (DOMAIN.md): the sweep warns at a share of the time, then escalates.
GONGZHI_DEADLINE_WARNING_SHARE = env.float("GONGZHI_DEADLINE_WARNING_SHARE", default=0.8)
GONGZHI_EMERGENCY_HOURS = env.int("GONGZHI_EMERGENCY_HOURS", default=2)
GONGZHI_DISPATCH_SLA_MINUTES = env.int("GONGZHI_DISPATCH_SLA_MINUTES", default=5)
GONGZHI_REPORT_IN_HOURS = env.int("GONGZHI_REPORT_IN_HOURS", default=2)
GONGZHI_VERIFY_HOURS = env.int("GONGZHI_VERIFY_HOURS", default=48)
GONGZHI_RATING_WINDOW_DAYS = env.int("GONGZHI_RATING_WINDOW_DAYS", default=7)
GONGZHI_REOPEN_WINDOW_DAYS = env.int("GONGZHI_REOPEN_WINDOW_DAYS", default=15)
# Working-hours calendar: limits count working hours on working days (weekends, holidays and 调休 respected).
GONGZHI_WORKING_CALENDAR = env.bool("GONGZHI_WORKING_CALENDAR", default=False)
GONGZHI_WORKDAY_START = env("GONGZHI_WORKDAY_START", default="08:30")
GONGZHI_WORKDAY_END = env("GONGZHI_WORKDAY_END", default="17:30")
# Composite score weights per unit type: response, resolution, satisfaction (三率, default 30/35/35).
GONGZHI_SCORE_WEIGHTS = {
    "default": (0.30, 0.35, 0.35),
}
GONGZHI_METRICS_PARTLY_RESOLVED_CREDIT = env.float("GONGZHI_METRICS_PARTLY_RESOLVED_CREDIT", default=0.5)
GONGZHI_METRICS_BASICALLY_SATISFIED_CREDIT = env.float("GONGZHI_METRICS_BASICALLY_SATISFIED_CREDIT", default=1.0)
# A late deadline escalates again after this many hours (0 = after another full limit).
GONGZHI_ESCALATION_REPEAT_HOURS = env.int("GONGZHI_ESCALATION_REPEAT_HOURS", default=0)
# Open311 API keys for POST /open311/v2/requests: "key=client name" pairs, comma-separated **[config]**.
GONGZHI_OPEN311_KEYS = env.dict("GONGZHI_OPEN311_KEYS", default={})
GONGZHI_OPEN311_THROTTLE_RATE = env("GONGZHI_OPEN311_THROTTLE_RATE", default="300/min")  # per address; "" = off
GONGZHI_OPEN311_CONTACT = env("GONGZHI_OPEN311_CONTACT", default="")
GONGZHI_OPEN311_KEY_SERVICE = env("GONGZHI_OPEN311_KEY_SERVICE", default="")
# Notifications: SMS through a backend interface (console by default); e-mail through Django's backend.
GONGZHI_SMS_BACKEND = env("GONGZHI_SMS_BACKEND", default="governance.sms.ConsoleSmsBackend")
GONGZHI_NOTIFICATION_MAX_ATTEMPTS = env.int("GONGZHI_NOTIFICATION_MAX_ATTEMPTS", default=6)

# Resident intake **[config]**: flood limits per address, the self-hosted challenge, photo size, who operates
# the service (shown in the privacy notice on the public form).
GONGZHI_INTAKE_RATE = env("GONGZHI_INTAKE_RATE", default="5/10m")
GONGZHI_INTAKE_POST_RATE = env("GONGZHI_INTAKE_POST_RATE", default="20/10m")
GONGZHI_INTAKE_CHALLENGE = env.bool("GONGZHI_INTAKE_CHALLENGE", default=True)
GONGZHI_PHOTO_MAX_BYTES = env.int("GONGZHI_PHOTO_MAX_BYTES", default=8 * 1024 * 1024)
GONGZHI_HOTLINE_MAX_ROWS = env.int("GONGZHI_HOTLINE_MAX_ROWS", default=2000)
GONGZHI_OPERATOR_NAME = env("GONGZHI_OPERATOR_NAME", default="")
GONGZHI_OPERATOR_CONTACT = env("GONGZHI_OPERATOR_CONTACT", default="")

# The four lists **[config]** (DOMAIN.md): a department applies at least this many working days before a task
# starts; the review group decides within this many working days, reminded at GONGZHI_DEADLINE_WARNING_SHARE of it
# and escalated when late. Issued certificates are valid this many days. The public address printed in QR codes
# ("" = the address the request came in on).
GONGZHI_ADMISSION_LEAD_WORKING_DAYS = env.int("GONGZHI_ADMISSION_LEAD_WORKING_DAYS", default=30)
GONGZHI_ADMISSION_REVIEW_WORKING_DAYS = env.int("GONGZHI_ADMISSION_REVIEW_WORKING_DAYS", default=15)
GONGZHI_CERTIFICATE_VALID_DAYS = env.int("GONGZHI_CERTIFICATE_VALID_DAYS", default=90)
GONGZHI_PUBLIC_BASE_URL = env("GONGZHI_PUBLIC_BASE_URL", default="")
# The public certificate verification page: look-ups and misses (unknown serials) per address.
GONGZHI_CERTIFICATE_VERIFY_RATE = env("GONGZHI_CERTIFICATE_VERIFY_RATE", default="120/10m")
GONGZHI_CERTIFICATE_VERIFY_MISS_RATE = env("GONGZHI_CERTIFICATE_VERIFY_MISS_RATE", default="20/10m")
if IS_PRODUCTION:
    RATELIMIT_IP_META_KEY = env("GONGZHI_RATELIMIT_IP_META_KEY", default="REMOTE_ADDR")
