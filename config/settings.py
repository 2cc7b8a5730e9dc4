"""Settings, all from the environment.

Two ways to run, switched only by environment variables:

* embedded default: no ``DATABASE_URL`` / ``REDIS_URL``: SQLite with IMMEDIATE transactions
  (writers queue instead of failing with "database is locked") and the in-memory channel layer;
* full stack: PostgreSQL via ``DATABASE_URL`` and Redis via ``REDIS_URL``.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from whitenoise.compress import Compressor

from reservations import database_pooler
from reservations.redis_primary import primary_of

from .settings_limits import *  # noqa: F403  (the limits and rates)
from .settings_limits import THROTTLE_RATES

BASE_DIR = Path(__file__).resolve().parent.parent

# Fail closed: DEBUG is off unless asked for (`make run` asks), and outside DEBUG there is no
# default SECRET_KEY: a missing one stops the process instead of signing with a known key.
env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost", "[::1]", "testserver"]),
    CORS_ALLOWED_ORIGINS=(list, []),
    CSRF_TRUSTED_ORIGINS=(list, []),
    REDIS_URL=(str, ""),
    SECURE_SSL_REDIRECT=(bool, False),
    COOKIE_SECURE=(bool, True),
    NUM_PROXIES=(int, 0),
    LOG_LEVEL=(str, "INFO"),
)

DEBUG = env("DEBUG")
SECRET_KEY = env(
    "SECRET_KEY",
    default="dev-only-insecure-key-never-use-in-production" if DEBUG else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CORS_ALLOWED_ORIGINS = env("CORS_ALLOWED_ORIGINS")
CORS_ALLOW_CREDENTIALS = True
CORS_ALLOW_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    "idempotency-key",
    "queue-turn",
    "x-csrftoken",
    "x-requested-with",
)
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

# How many proxies of ours stand in front of the server, each appending to X-Forwarded-For.
# 0 (the default): the header is the client's own word and is ignored; the peer's address is
# the client. Behind one proxy (docker-compose.yml) it is 1.
NUM_PROXIES = env("NUM_PROXIES")

REDIS_URL = env("REDIS_URL")
# Sentinel in front of the primary and its replica (reservations/redis_primary.py).
REDIS_SENTINELS = env.list("REDIS_SENTINELS", default=[])

# The waiting room (API.md "Waiting room", reservations/waiting_room/): how often its tick runs
# (in every server process, the first to reach a room ticks it), how often at least its state
# goes to the waiting sockets, and the hold p95 over which admission slows down.
QUEUE_TICK_SECONDS = env.float("QUEUE_TICK_SECONDS", default=2.0)
QUEUE_FRAME_SECONDS = env.float("QUEUE_FRAME_SECONDS", default=5.0)
QUEUE_SLOW_HOLD_MS = 500.0
QUEUE_TICKS = env.bool("QUEUE_TICKS", default=True)

# The e-mails: where and how they go, and which are sent (config/settings_mail.py).
from .settings_mail import *  # noqa: E402, F403

# The WebSocket side (PROTOCOL.md "Closing"; config/server.py passes the first two to uvicorn,
# with the protocol's frame limit, realtime/protocol.py MAX_CLIENT_FRAME_BYTES).
# Keepalive: a socket that does not answer a ping within the timeout is closed (1011).
WS_PING_INTERVAL = env.float("WS_PING_INTERVAL", default=20.0)
WS_PING_TIMEOUT = env.float("WS_PING_TIMEOUT", default=20.0)
# An event's changes are merged into one `seats` frame per window and server process
# (realtime/coalesce.py, feed.py): the window keeps the event's deliveries (local watchers x
# frames a second) within WS_FANOUT_DELIVERIES_PER_SECOND, and is never longer than
# WS_COALESCE_SECONDS (a watcher gets at least ~10 frames a second's worth of changes, however
# fast people click). WS_COALESCE_SECONDS=0 sends each transaction as its own frame.
WS_COALESCE_SECONDS = env.float("WS_COALESCE_SECONDS", default=0.1)
WS_FANOUT_DELIVERIES_PER_SECOND = 20_000
# A process lets go of an event (its live map, frames, group on the channel layer, re-reads)
# this long after its last socket here left or its last read (realtime/idle_events.py).
LIVE_EVENT_IDLE_SECONDS = env.float("LIVE_EVENT_IDLE_SECONDS", default=60.0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "channels",
    "reservations",
    "realtime",
]

MIDDLEWARE = [
    "reservations.api.middleware.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so the built app's index.html and assets carry the policy too.
    "reservations.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"

FRONTEND_DIST = BASE_DIR / "frontend" / "dist"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

ASGI_APPLICATION = "config.asgi.application"

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# How long a request waits for a pooled database connection before it is answered 503: a
# buyer is better told in seconds than kept waiting while PostgreSQL is away.
DB_POOL_TIMEOUT = 3.0
# The longest a transaction that takes locks waits for a lock, and any one of its statements
# runs (reservations/booking/locking.py): a crowd from many processes on one row is answered
# 503 and retried, never left waiting without bound.
DB_LOCK_TIMEOUT = env.float("DB_LOCK_TIMEOUT", default=3.0)
DB_STATEMENT_TIMEOUT = 5.0
# PgBouncer in transaction mode between the server and PostgreSQL: what a connection may keep
# from one transaction to the next (reservations/database_pooler.py).
DATABASE_POOLER = env.str("DATABASE_POOLER", default="")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    # Requests run on HTTP_THREADS threads and the sockets' reads on asgiref's, and Django's
    # per-thread persistent connections would hold one PostgreSQL backend per thread (and
    # exhaust max_connections under load). A psycopg pool per process bounds and reuses them.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2,
        # HTTP_THREADS request threads (config/asgi.py) plus the sockets' snapshot reads.
        "max_size": env.int("DB_POOL_MAX", default=20),
        "timeout": DB_POOL_TIMEOUT,
    }
    DATABASES["default"] = database_pooler.django_database(DATABASES["default"], DATABASE_POOLER)

# The booking calls and an arrival's reads with a bearer token are answered on the server's loop,
# skipping Django's request cycle (reservations/api/loop_app.py); ANSWER_ON_LOOP=0 sends them
# through Django like the rest (the live map's reads, which need no database, stay there).
ANSWER_ON_LOOP = env.bool("ANSWER_ON_LOOP", default=True)
FAST_PATH_DB_POOL_MAX = env.int("FAST_PATH_DB_POOL_MAX", default=10)

# Redis pub/sub carries the seat messages. Measured against the queue layer (RedisChannelLayer)
# with the batched publisher in place (BENCHMARKS.md): the same fan-out cost (14-16 us per
# delivery), and lower push latency under a thousand holds a second (p50 8 ms against 19 ms:
# one PUBLISH against a script and a blocking pop per message). What pub/sub drops while Redis
# is away the relay answers by closing its sockets (code 4503), so clients take a snapshot.
CHANNEL_LAYER = env("CHANNEL_LAYER", default="channels_redis.pubsub.RedisPubSubChannelLayer")
CHANNEL_LAYER_PREFIX = (
    f"seatmap.db{urlsplit(REDIS_URL).path.strip('/') or '0'}." if REDIS_URL else ""
)
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": CHANNEL_LAYER,
            "CONFIG": {
                # redis-py 8 reads with a 5 s timeout by default, the same as channels-redis's
                # blocking pop: under load the read then times out and the relay drops its
                # sockets. Give the read room beyond the pop.
                "hosts": [primary_of(REDIS_URL, REDIS_SENTINELS).layer_host(socket_timeout=15)],
                # Pub/sub channels are not scoped by Redis database number: without a prefix of
                # its own, a deployment on db 1 would hear the events of another on db 2.
                "prefix": CHANNEL_LAYER_PREFIX,
                # capacity and expiry are options of the queue layer only
                **(
                    {}
                    if CHANNEL_LAYER.endswith("PubSubChannelLayer")
                    else {"capacity": 1000, "expiry": 10}
                ),
            },
        }
    }
    # The throttles' counts, found through Sentinel as well (reservations/redis_primary.py).
    CACHES = {"default": {"BACKEND": "reservations.redis_primary.PrimaryCache"}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# What each process may keep of the encoded seat maps, layouts and draw proofs
# (reservations/api/stored_documents.py): 256 MiB holds ~190 arenas' maps (1.3 MB each in three
# codings), a season of big events, or thousands of small ones. One unused for
# LIVE_EVENT_IDLE_SECONDS goes, as the rest of what a process holds for an event.
DOCUMENTS_CACHE_BYTES = env.int("DOCUMENTS_CACHE_BYTES", default=256 * 1024 * 1024)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Source maps are read by a developer's tools, never by a buyer's page: compressing them was
# more than half of collectstatic's work, on every deploy.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
# The built React app: its hashed assets are served by WhiteNoise from the site root.
WHITENOISE_ROOT = FRONTEND_DIST if FRONTEND_DIST.is_dir() else None

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Bearer first, so a 401 carries `WWW-Authenticate: Bearer` (DRF uses the first class).
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "reservations.api.authentication.CsrfSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "reservations.api.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
    # reservations/client_address.py reads NUM_PROXIES itself; DRF's own get_ident agrees.
    "NUM_PROXIES": NUM_PROXIES,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# Who may read GET /api/metrics/ (reservations/api/metrics_access.py): scrapers from these
# networks (the client as NUM_PROXIES says), or with `Authorization: Bearer METRICS_TOKEN`.
# Every process's sum in one scrape: PROMETHEUS_MULTIPROC_DIR (reservations/metrics.py).
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.1/32", "::1/128"])
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# GET /api/health/ (every dependency by name) is the operator's as the metrics are, and is made
# at most once this often per process (reservations/health.py); GET /api/health/live/ is anyone's.
HEALTH_CACHE_SECONDS = env.float("HEALTH_CACHE_SECONDS", default=1.0)

# Webhooks (reservations/webhooks/, docs/LEDGER.md "Webhooks"): the waits after each failed
# attempt (11 attempts over ~24 h; an endpoint whose delivery fails them all with no success in
# between is disabled), the time a receiver has to answer, how long the worker sleeps when no
# NOTIFY wakes it, and how many days a message is kept.
WEBHOOK_RETRY_SECONDS = [5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 28800]
WEBHOOK_TIMEOUT_SECONDS = 10.0  # one deadline for the whole attempt (webhooks/reach.py)
# Host names (or addresses, as written in an endpoint's URL) a webhook may go to although they
# resolve inside (loopback, private, link-local, ...): a receiver of the operator's own.
WEBHOOK_ALLOWED_HOSTS = env.list("WEBHOOK_ALLOWED_HOSTS", default=[])
WEBHOOK_POLL_SECONDS = 1.0
WEBHOOK_KEEP_DAYS = 7.0

# Items per page of GET /api/events/ and /api/reservations/ (reservations/api/pagination.py).
API_PAGE_SIZE = 50

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "UPDATE_LAST_LOGIN": False,
    # A refresh token is good for one refresh: the answer carries the next one. Which are good,
    # and what a replay revokes, is reservations/api/tokens.py's (refresh token families).
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": False,
}
# For this long after a refresh, the token it replaced gets the same next token again instead
# of revoking its family: two tabs that reload together send one cookie twice (tokens.py).
REFRESH_REUSE_GRACE_SECONDS = 5.0
SPECTACULAR_SETTINGS = {
    "TITLE": "Live seat map API",
    "DESCRIPTION": "Hold and book seats; watch the seat map live over /ws/events/{id}/.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files (drf-spectacular-sidecar), not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The routes' ids (reservations/path_ids.py): integers, as Django's `int` is.
    "PATH_CONVERTER_OVERRIDES": {"id": int},
    # Choice sets named once, so that the client's types keep their names whatever is added.
    "ENUM_NAME_OVERRIDES": {
        "SeatStatusEnum": ["available", "locked", "reserved"],
        "ReservationStatusEnum": "reservations.models.Reservation.Status",
        "OffSaleEnum": "reservations.models.Seat.OffSale",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "reservations.api.openapi.error_responses",
    ],
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the browser client reads it to send X-CSRFToken
# Secure cookies, DEBUG or not: a cookie sent over plain HTTP can be read on the way. Browsers
# such as Chromium take them from http://127.0.0.1 and localhost (the e2e tests run so); the
# operator opts out with COOKIE_SECURE=0 for plain HTTP (`make run` does, so that every browser
# keeps the demo's cookies).
COOKIE_SECURE = env("COOKIE_SECURE")
SESSION_COOKIE_SECURE = COOKIE_SECURE
# The browser client's refresh-token cookie (reservations/api/browser_tokens.py). Strict suits a
# client served from the API's site (same origin, or another port or subdomain of it); a client
# on another site needs None (and HTTPS).
REFRESH_COOKIE_SAMESITE = env("REFRESH_COOKIE_SAMESITE", default="Strict")
CSRF_COOKIE_SECURE = COOKIE_SECURE
SECURE_SSL_REDIRECT = env("SECURE_SSL_REDIRECT")
SECURE_REDIRECT_EXEMPT = [r"^api/health/(live/)?$"]
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# Only a proxy of ours may say the request came over HTTPS (it overwrites the header, seatmap.conf):
# with none in front, X-Forwarded-Proto is the client's own word and would earn HSTS on plain HTTP.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if NUM_PROXIES else None
X_FRAME_OPTIONS = "DENY"
# TLS ends at the proxy in front of the web processes (docker-compose.yml), which redirects
# plain HTTP itself; set SECURE_SSL_REDIRECT=1 when Django faces the internet directly.
SILENCED_SYSTEM_CHECKS = [] if env("SECURE_SSL_REDIRECT") else ["security.W008"]

# Content-Security-Policy on every answer (django-csp), the built React app's index.html and
# assets included. The app is one module script and one stylesheet of its own origin; it talks
# to its own origin (reservations/csp.py adds the ws:/wss: form of the request's host, which
# browsers before CSP 3 do not count as 'self') and to CORS_ALLOWED_ORIGINS. The door's QR
# decoder is WebAssembly of its own origin: 'wasm-unsafe-eval' lets it compile, and still no
# JavaScript eval.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, "'wasm-unsafe-eval'"],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [
            SELF,
            *CORS_ALLOWED_ORIGINS,
            *(origin.replace("http", "ws", 1) for origin in CORS_ALLOWED_ORIGINS),
        ],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL")},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}

WHITENOISE_USE_FINDERS = DEBUG
