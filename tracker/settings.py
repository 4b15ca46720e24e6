"""Settings for the CAR-T journey tracker.

Every value comes from the environment. The defaults run the demo with nothing else
installed: SQLite in ./var and a Celery broker on the local filesystem. Production sets
DATABASE_URL=postgres://... and CELERY_BROKER_URL=redis://... (see README, docker-compose.yml).
A bad value stops start-up with ImproperlyConfigured naming the variable.
"""

from pathlib import Path

from kombu import Queue

from tracker.envconfig import (
    env_bool,
    env_broker_url,
    env_database,
    env_int,
    env_list,
    env_str,
    env_time_zone,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("TRACKER_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = env_str("SECRET_KEY", "" if not DEBUG else "demo-only-insecure-key-change-me")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "simple_history",
    "tracker",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Attributes admin and view edits to the signed-in user in the audit history.
    "simple_history.middleware.HistoryRequestMiddleware",
]

if not DEBUG:
    # In production gunicorn serves static files through WhiteNoise (runserver does it in DEBUG).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

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
                "tracker.web.context_processors.navigation",
                "demo.context_processors.demo_logins",
            ],
            # Template tags live with the pages (tracker/web/), not at the app's top level.
            "libraries": {"tracker_tags": "tracker.web.templatetags.tracker_tags"},
        },
    },
]

# Amendment and override reasons are clinical text, often longer than 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

DATABASES = {"default": env_database("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tracker.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The sign-in page lists the demo logins; on by default only in DEBUG (the demo).
SHOW_DEMO_LOGINS = env_bool("SHOW_DEMO_LOGINS", default=DEBUG)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
# The centre's time zone: day numbers and milestone dates are local calendar dates here.
TIME_ZONE = env_time_zone("CENTRE_TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE_S", default=12 * 3600, minimum=300)

REST_FRAMEWORK = {
    # Per-user API tokens (hashed at rest, tracker.models.ApiToken) for other systems; the
    # session for the browser. No basic authentication: a password never travels per request.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tracker.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "tracker.api.permissions.IsCareTeamStaff",
        "tracker.api.permissions.ActionPermission",
    ],
    "DEFAULT_PARSER_CLASSES": ["tracker.api.parsers.ObjectJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "tracker.api.pagination.Pages",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["tracker.api.filters.StrictFilterBackend"],
    "EXCEPTION_HANDLER": "tracker.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "tracker.api.schema.TrackerAutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",  # views with a throttle_scope: calculators, devices
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/min"),
        "user": env_str("API_THROTTLE_USER", "600/min"),
        "calculator": env_str("API_THROTTLE_CALCULATOR", "120/min"),
        "device": env_str("API_THROTTLE_DEVICE", "120/min"),
    },
}
# Request bodies: larger ones are answered 413, deeper ones 400 (tracker.api.parsers).
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", default=256 * 1024, minimum=1024)
API_MAX_JSON_DEPTH = env_int("API_MAX_JSON_DEPTH", default=32, minimum=4)

# API tokens: knox's hashed tokens, with a name and the time of last use (tracker.models.ApiToken).
KNOX_TOKEN_MODEL = "tracker.ApiToken"
REST_KNOX = {"TOKEN_TTL": None, "TOKEN_PREFIX": "cart_", "AUTH_HEADER_PREFIX": "Token"}

SPECTACULAR_SETTINGS = {
    "TITLE": "CAR-T journey tracker API",
    "DESCRIPTION": (
        "API v1 of the CAR-T journey tracker. Authenticate with `Authorization: Token <token>` "
        "(create tokens on the API tokens page) or the browser session. Every error is "
        '`{"errors": [{"field", "code", "message"}]}`. Another team\'s patient is a 404.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "tracker.models.course.STAGE_CHOICES",
        "AlertKindEnum": "tracker.models.alert.Alert.Kind",
        "CheckInKindEnum": "tracker.models.protocol.CheckInKind",
        "CourseEventKindEnum": "tracker.models.course_event.CourseEvent.Kind",
        "InterventionKindEnum": "tracker.models.intervention.Intervention.Kind",
        "LateDiagnosisKindEnum": "tracker.models.late_effects.LateDiagnosis.Kind",
    },
    "PREPROCESSING_HOOKS": ["tracker.api.schema.only_v1"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tracker.api.schema.add_error_responses",
    ],
}

# --- Celery -------------------------------------------------------------------------------
# The schedule itself lives in the database (check-in rows with due_at); Celery only runs
# the sweeps that act on it, so a broker or worker restart loses nothing.
CELERY_BROKER_URL = env_broker_url("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        "polling_interval": 0.1,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# The dispatcher's own queue: sweeps and threshold alerts never wait behind a burst of email
# and SMS deliveries. Every worker consumes both queues unless started with -Q.
CELERY_TASK_QUEUES = (Queue("dispatch"), Queue("celery"))
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "tracker.tasks.sweep": {"queue": "dispatch"},
    "tracker.tasks.raise_threshold_alert": {"queue": "dispatch"},
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The dispatcher sweep. A sweep that waited longer than its interval in the queue is dropped:
# the next one does the same work.
SWEEP_SECONDS = env_int("TRACKER_SWEEP_SECONDS", default=60, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "dispatch-sweep": {
        "task": "tracker.tasks.sweep",
        "schedule": float(SWEEP_SECONDS),
        "options": {"expires": SWEEP_SECONDS * 0.9},
    },
}

# --- Notifications ------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "cart-tracker@localhost")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=10, minimum=1)
SMS_BACKEND = env_str("SMS_BACKEND", "tracker.schedule.sms.LoggingSmsBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
# Where links in emails and SMS point.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "tracker": {"handlers": ["console"], "level": env_str("TRACKER_LOG_LEVEL", "INFO"), "propagate": False},
    },
}
