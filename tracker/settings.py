"""Settings for the CAR-T journey tracker.

Every value comes from the environment. The defaults run the demo with nothing else
installed: SQLite in ./var and a Celery broker on the local filesystem. Production sets
DATABASE_URL=postgres://... and CELERY_BROKER_URL=redis://... (see README, docker-compose.yml).
A bad value stops start-up with ImproperlyConfigured naming the variable.
"""

from datetime import timedelta
from pathlib import Path

from csp.constants import NONCE, NONE, SELF
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

# Production-safe by default: DEBUG off and SECRET_KEY required. The local demo (`make run`,
# Procfile.demo) asks for itself with TRACKER_DEMO=1, which turns DEBUG on, allows the demo key
# and lists the demo logins on the sign-in page.
DEMO = env_bool("TRACKER_DEMO", default=False)
DEBUG = env_bool("DEBUG", default=DEMO)
# Empty without the demo: the web server and the Celery worker refuse to start
# (tracker.envconfig.require_secret_key); offline commands such as makemigrations still run.
SECRET_KEY = env_str("SECRET_KEY", "demo-only-insecure-key-change-me" if DEMO else "")
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
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "tracker",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A request id on every log line and response (X-Request-ID), and the headers every
    # response carries: Cache-Control no-store, Permissions-Policy.
    "tracker.web.middleware.RequestIdMiddleware",
    "tracker.web.middleware.HardeningHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Idle and absolute session timeouts, then the second factor where it is required.
    "tracker.web.middleware.SessionTimeoutMiddleware",
    "tracker.web.middleware.RequireTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Attributes admin and view edits to the signed-in user in the audit history.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: turns a lockout during sign-in into the lockout answer (429).
    "axes.middleware.AxesMiddleware",
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
# Argon2id (OWASP ASVS 5.0 V11.4); an older PBKDF2 hash is rehashed with Argon2 at the next
# successful sign-in (Django upgrades a hash whose hasher is not the first of this list).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# --- Guessing stopped (django-axes) -----------------------------------------------------------
# Failures are counted by account and, separately, by address; the LOCKOUT_FAILURES-th wrong
# password locks both until the cool-off has passed, even for the right password. The same
# count covers the sign-in page, API authentication and the second checker's password at
# infusion (tracker/accounts/security.py); password-reset requests have their own limit.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOCKOUT_FAILURES", default=21, minimum=2)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOCKOUT_COOLOFF_MINUTES", default=15, minimum=1))
AXES_LOCKOUT_PARAMETERS = "tracker.accounts.security.lockout_parameters"
AXES_RESET_ON_SUCCESS = True
# A refused attempt during the lockout does not push the end of the cool-off further away.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["password", "second_checker_password", "otp_token", "new_password1", "new_password2"]
AXES_VERBOSE = False
PASSWORD_RESET_LIMIT = env_int("PASSWORD_RESET_LIMIT", default=5, minimum=1)
# The sign-in page lists the demo logins; on by default only in the demo.
SHOW_DEMO_LOGINS = env_bool("SHOW_DEMO_LOGINS", default=DEMO)
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

# --- Transport and browser hardening (manage.py check --deploy passes with no warning) -------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
# Content-Security-Policy (django-csp): no inline script or style; the one inline script
# carries the per-request nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Browser features the tracker never uses are switched off (Permissions-Policy).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)
# Sessions end after SESSION_IDLE_MINUTES_STAFF without a request (patients:
# SESSION_IDLE_MINUTES_PATIENT), and SESSION_ABSOLUTE_HOURS after sign-in whatever the activity
# (tracker/web/middleware.py; OWASP ASVS 5.0 V7.3). "Sign out everywhere" ends all of a user's.
SESSION_IDLE_TIMEOUT_STAFF = timedelta(minutes=env_int("SESSION_IDLE_MINUTES_STAFF", default=15, minimum=1))
SESSION_IDLE_TIMEOUT_PATIENT = timedelta(minutes=env_int("SESSION_IDLE_MINUTES_PATIENT", default=30, minimum=1))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env_int("SESSION_ABSOLUTE_HOURS", default=12, minimum=1))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
# Roles that must use a TOTP second factor (comma-separated: coordinator, nurse, physician,
# admin); any staff member may enrol one on their own.
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", default=[])
OTP_TOTP_ISSUER = "CAR-T journey tracker"

REST_FRAMEWORK = {
    # Per-user API tokens (hashed at rest, tracker.models.ApiToken) for other systems; the
    # session for the browser. No basic authentication: a password never travels per request.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First: refuses a locked account or address before any credential is tried.
        "tracker.api.authentication.LockoutGate",
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
# knox's own migrations create its default token table even when the model is swapped (they
# predate its swappable option), leaving an unused table whose foreign key to auth_user blocks
# TRUNCATE; with the model swapped for ours, knox needs no table of its own.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {"TOKEN_TTL": None, "TOKEN_PREFIX": "cart_", "AUTH_HEADER_PREFIX": "Token"}

SPECTACULAR_SETTINGS = {
    # The schema is public and served without the lockout gate (which reads the database).
    "SERVE_AUTHENTICATION": ["rest_framework.authentication.SessionAuthentication"],
    "GET_MOCK_REQUEST": "tracker.api.schema.build_mock_request",
    # The lockout gate refuses before any credential is tried; it is not a scheme of its own.
    "AUTHENTICATION_WHITELIST": [
        "tracker.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
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

# Structured lines on stderr, each with the request id; every unhandled error (a 500) is
# logged by django.request with its traceback, in production as in the demo. No log line
# names a patient: messages carry public ids only (tests/test_logs.py scans a demo run).
LOG_LEVEL = env_str("TRACKER_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "tracker.core.logging.RequestIdFilter"}},
    "formatters": {
        "keyvalue": {
            "format": "%(asctime)s level=%(levelname)s logger=%(name)s request_id=%(request_id)s %(message)s",
        },
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "keyvalue",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "tracker": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False},
        "django": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "django.server": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        # axes names the username tried in its lines; SecurityEvent rows keep that instead.
        "axes": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
    },
}
