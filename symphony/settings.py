"""Emotion Symphony settings: one file, environment first, safe embedded defaults.

Every variable is listed in `.env.example`. With nothing set, the app runs on
SQLite with Celery tasks executed in-process and a local-memory cache.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
import environ
from django.core.exceptions import ImproperlyConfigured

from symphony.env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent
# A checkout's .env (git-ignored; `bin/setup dev` writes DEBUG=1 there), read into the environment
# by django-environ before any setting, so `manage.py …` works as in any Django project. A variable
# the process already has wins: production sets its own and has no .env.
environ.Env.read_env(BASE_DIR / ".env")


# Fail closed: DEBUG is off unless the environment or .env turns it on (bin/run and
# bin/test do, explicitly), and with DEBUG off the development key, which is in
# the repository, refuses to start anything: gunicorn never runs `manage.py check`.
DEV_SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105 - refused with DEBUG off, just below
SECRET_KEY = env("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is the development default while DEBUG is off: set SECRET_KEY to a long random value "
        "(production), or DEBUG=1 (development, as bin/run does)."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "axes",
    "symphony",
    "accounts",
    "detection",
    "music",
    "live",
    "history",
]

MIDDLEWARE = [
    # First: refuses an oversized body before anything (CSRF, sessions) reads it.
    "symphony.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees the outcome of authentication (django-axes docs).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "symphony.urls"
WSGI_APPLICATION = "symphony.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The recommender's reads are prepared statements planned once per connection (see
    # music.recommendation.sql.rows); JIT costs far more than it saves on short queries.
    # Only a psycopg cursor asked to (prepare=True) prepares: Django's cursors bind on the client.
    DATABASES["default"]["OPTIONS"] = {
        "options": "-c plan_cache_mode=force_generic_plan -c jit=off",
        "prepare_threshold": 10**9,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# Where agreeing to the face analysis leads when no ?next= says otherwise: a new account's music
# onboarding (skippable), which then leads on to the check-in page, where the consent is used. URL
# names in settings, so accounts imports no app and music none above it.
CONSENT_REDIRECT_URL = "music:onboarding"
AFTER_ONBOARDING_URL = "detection:feel"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Face images live under PRIVATE_MEDIA_ROOT, which no URL maps to: they are
# only ever streamed by views that check ownership.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private_media")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Cached for good: hashed names, and the versioned folders bin/setup fills (the on-device runtime and models).
WHITENOISE_IMMUTABLE_FILE_TEST = r"(\.[0-9a-f]{12}\.\w+$)|(/vendor/(litertjs|ondevice)-[^/]+/)"

# Uploads. Each photo or frame is checked from its header before a pixel is decoded (ml.imageio): bytes, then
# pixels. A photo may be a phone's full resolution; a webcam frame is video-sized. The figures these caps allow are
# in docs/operations.md, "Limits and protections" (benchmarks/upload_cost.py). They are passed into ml, which keeps no copies.
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
MAX_BURST_FRAMES = env_int("MAX_BURST_FRAMES", 8)
MAX_PHOTO_PIXELS = env_int("MAX_PHOTO_PIXELS", 12_000_000)
MAX_FRAME_PIXELS = env_int("MAX_FRAME_PIXELS", 2_000_000)
# Most faces an on-device result may report in one image (a group photo); the detector itself has no cap.
MAX_FACES_PER_IMAGE = env_int("MAX_FACES_PER_IMAGE", 20)
# A catalogue CSV an admin imports (music admin).
MAX_IMPORT_BYTES = env_int("MAX_IMPORT_BYTES", 64 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = MAX_BURST_FRAMES + 2
# The largest request body per kind of route. symphony.middleware answers 413 above it before anything reads the
# body; a view names its kind with symphony.middleware.body_limit(), others are "json" or "form" by content type.
_MULTIPART_SLACK = 64 * 1024  # part headers and boundaries around the files
REQUEST_BODY_LIMITS = {
    "form": 256 * 1024,
    "json": DATA_UPLOAD_MAX_MEMORY_SIZE,
    "on_device": 256 * 1024,  # an on-device result, no image: a full burst of MAX_FACES_PER_IMAGE faces is ~60 KB
    "upload": MAX_UPLOAD_BYTES * MAX_BURST_FRAMES + _MULTIPART_SLACK,
    "import": MAX_IMPORT_BYTES + _MULTIPART_SLACK,
}
# Face images: readable by the server's user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Days a kept face image survives before the periodic purge removes it.
KEEP_IMAGES_DAYS = env_int("KEEP_IMAGES_DAYS", 30)
# A check-in whose analysis was started this many times (each start that a
# dying worker re-queues counts) fails instead of being tried again: one poison
# frame must not loop through the workers for ever.
ANALYSIS_MAX_ATTEMPTS = env_int("ANALYSIS_MAX_ATTEMPTS", 3)
# Queued or running for longer than this, a check-in is failed by a periodic
# job and its images go. Above the worst case of a real analysis: three attempts
# up to the hard time limit each, plus the retries through a database outage.
ANALYSIS_STALE_AFTER = timedelta(minutes=env_int("ANALYSIS_STALE_MINUTES", 15))
# Live mode: seconds between readings for everyone, instead of each listener's 2, 5 or 10 minutes (0: theirs).
LIVE_INTERVAL_SECONDS = env_int("LIVE_INTERVAL_SECONDS", 0)

# Emotion model (a TFLite file); loaded lazily once per worker process.
EMOTION_MODEL_PATH = Path(env("EMOTION_MODEL_PATH", str(BASE_DIR / "ml" / "models" / "emotion.tflite")))

# --- Player and catalogue enrichment: symphony/settings_player.py ---
from symphony.settings_player import *  # noqa: E402, F403  (its __all__: the names it sets)
from symphony.settings_player import PLAYER_CSP_SOURCES  # noqa: E402  (named: the CSP below reads it)

# Cache: Redis when REDIS_URL is set, else process-local memory.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Photos and burst frames travel from the web process to a worker through detection.store, never a
# shared disk: "redis" (the default with REDIS_URL; IMAGE_STORE_URL for a Redis of its own),
# "database" (a short-lived row), "s3" (an S3-compatible bucket through django-storages, for large
# installs; docs/scaling.md) or "memory" (the embedded mode's default: tasks run in the web process).
IMAGE_STORE = env("IMAGE_STORE", "redis" if REDIS_URL else "memory")
IMAGE_STORE_URL = env("IMAGE_STORE_URL", REDIS_URL)
# An abandoned check-in's images expire by themselves: by then the stale-analysis job fails it anyway.
IMAGE_STORE_TTL_S = env_int("IMAGE_STORE_TTL_S", int(ANALYSIS_STALE_AFTER.total_seconds()))
if IMAGE_STORE == "s3":
    STORAGES["images"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("IMAGE_STORE_BUCKET", "symphony-images"),
            "endpoint_url": env("IMAGE_STORE_ENDPOINT_URL") or None,
            "region_name": env("IMAGE_STORE_REGION") or None,
            "location": "pending",  # the prefix the bucket's lifecycle rule expires
            "file_overwrite": True,  # keys are random: no need to ask whether one exists
        },
    }
# Kept images (users who opted in) are files in private storage; with web processes on several
# machines they go to a private bucket instead, which every web process can stream from.
PRIVATE_MEDIA_BUCKET = env("PRIVATE_MEDIA_BUCKET")
if PRIVATE_MEDIA_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PRIVATE_MEDIA_BUCKET,
            "endpoint_url": env("IMAGE_STORE_ENDPOINT_URL") or None,
            "region_name": env("IMAGE_STORE_REGION") or None,
            "location": "kept",
            "default_acl": "private",
        },
    }


# --- Celery ---------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
# No broker configured: run tasks in-process so the app works with no services.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Ack only after the task finished, and re-queue when the worker process dies
# (OOM, SIGKILL), so no check-in is lost; tasks are idempotent for this.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message per worker process at a time: analyses are CPU-bound, and a
# prefetched message would wait behind a slow one instead of going to an idle worker.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A stuck analysis gets SoftTimeLimitExceeded (and fails cleanly) before the
# hard limit kills the process.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 30)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 60)
# JSON only: pickle would let anyone who can write to the broker run code.
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# With late acks, Redis re-delivers an unacked message after this timeout; it
# must exceed the longest task (hard limit) or tasks would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 300)}
# Results live in our own PostgreSQL rows (CheckIn.status etc.), not in a
# result backend: nothing reads AsyncResult.
CELERY_TASK_IGNORE_RESULT = True
# Celery's Django fixup closes the database connection around every task unless told to reuse it:
# a new connection per analysis cost a backend start and a re-plan of the recommender's prepared
# statements, about 50 ms of a 80 ms task. Workers keep theirs as web processes do (DB_CONN_MAX_AGE,
# health checks): symphony.celery closes it only when Django's own rule says so.
CELERY_DB_REUSE_MAX = 10**9
CELERY_RESULT_BACKEND = None
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "fail-stale-analyses": {
        "task": "detection.tasks.check_ins_stale_fail_task",
        "schedule": timedelta(minutes=5),
    },
    "purge-expired-face-images": {
        "task": "detection.tasks.purge_expired_images_task",
        "schedule": timedelta(hours=1),
    },
    "purge-old-login-records": {
        "task": "accounts.tasks.login_records_purge_task",
        "schedule": timedelta(days=1),
    },
    "purge-expired-api-tokens": {
        "task": "accounts.tasks.api_tokens_expired_purge_task",
        "schedule": timedelta(days=1),
    },
}

# --- REST framework, its error shape, the OpenAPI schema and API tokens: symphony/settings_api.py ---
from symphony.settings_api import *  # noqa: E402, F403  (its __all__: the names it sets)

# --- Client address -------------------------------------------------------
# Behind a reverse proxy every request comes from the proxy's address. Each
# trusted proxy appends the address it saw to X-Forwarded-For, so the client is
# the NUM_PROXIES-th entry from the right (symphony.clientip). Lockouts,
# throttles and login records all use that one rule.
BEHIND_PROXY = env_bool("BEHIND_PROXY")
NUM_PROXIES = env_int("NUM_PROXIES", 1 if BEHIND_PROXY else 0)

# --- Login lockout (django-axes) -----------------------------------------
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
# Lock an account only for the address that failed on it, and an address that
# fails on many accounts: nobody can lock someone else out from elsewhere, and
# one attacker can try neither many passwords nor one password on many users.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_CLIENT_IP_CALLABLE = "symphony.clientip.client_ip"
# Failed logins are login records too: the owner sees them in the data export.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# JSON for API clients, a page with a reset link for people (accounts.lockout).
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# No start-up banner on every manage.py command; failures and lockouts still log.
AXES_VERBOSE = False
# Login records (axes logs: time, address, browser) are personal data: the
# consent text promises they go after this many days (accounts.tasks).
LOGIN_HISTORY_DAYS = env_int("LOGIN_HISTORY_DAYS", 30)

# --- Email ----------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# SMTP settings, used when EMAIL_BACKEND is django.core.mail.backends.smtp.EmailBackend.
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Emotion Symphony <no-reply@localhost>")

# --- Security (production values come from the environment) --------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp), the one place for the site's sources: no
# inline script or style anywhere, nothing loaded from elsewhere, no framing. The
# only outside sources are the player's (PLAYER_CSP_SOURCES above: audio previews,
# the YouTube and Spotify embeds, artwork); a feature that needs another adds it there.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        # WebAssembly for the on-device analysis (LiteRT.js); no eval of script text.
        "script-src": ["'self'", "'wasm-unsafe-eval'"],
        "style-src": ["'self'"],
        # data: for SVG icons in the API docs' stylesheet and webcam thumbnails; blob: for photo previews.
        "img-src": ["'self'", "data:", "blob:", *PLAYER_CSP_SOURCES["img-src"]],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", *PLAYER_CSP_SOURCES["media-src"]],
        "frame-src": PLAYER_CSP_SOURCES["frame-src"] or ["'none'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}
# The camera for webcam selfies on our own pages; nothing else.
PERMISSIONS_POLICY = {"camera": ["self"], "microphone": [], "geolocation": []}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # axes logs every login at INFO; its WARNINGs (failures, lockouts) are the useful part.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
