"""Settings shared by every environment, read once from the environment (12-factor).

With no variables set, everything runs embedded: SQLite, the in-memory channel layer, the
local-memory cache, Celery in eager mode, an in-process event bus and filesystem storage.
Setting DATABASE_URL, REDIS_URL, NATS_URL, MONGODB_URI, ELASTICSEARCH_URL, ...
switches each part to the real service. `.env.example` lists every variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from botocore.config import Config as BotoConfig
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A developer's `.env` (made by `make run` with fresh random keys) is read if present; real
# environment variables always win over it.
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -----------------------------------------------------------------------------------
SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
ADMIN_URL = env("DJANGO_ADMIN_URL", default="admin/")

INSTALLED_APPS = [
    "daphne",  # first, so `runserver` serves ASGI (HTTP + WebSocket)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_prometheus",
    "storages",
    "django_elasticsearch_dsl",
    "fcm_django",
    "apps.core",
    "apps.accounts",
    "apps.files",
    "apps.profiles",
    "apps.updates",
    "apps.contacts",
    "apps.chats",
    "apps.broadcasts",
    "apps.notifications",
    "apps.moderation",
    "apps.demo",
    "apps.web",
]

# Our views are sync (DRF), so the whole chain runs sync, in one call in the request's thread
# (telegram.handlers.SyncChainASGIHandler). Under Django's own ASGI handler a chain that mixes
# modes hops between the event loop and a thread around every middleware; measured: 3x fewer
# requests per second. See docs/architecture.md.
MIDDLEWARE = [
    "apps.core.logging.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    "apps.core.middleware.ApiJsonErrorsMiddleware",
]

ROOT_URLCONF = "telegram.urls"
ASGI_APPLICATION = "telegram.asgi.application"
WSGI_APPLICATION = None

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

# --- Databases ------------------------------------------------------------------------------
# `default` holds the relational data. Document-shaped data (messages, the update log, posts,
# comments, profiles) is routed by `telegram.routers.DocumentRouter` to DOCUMENT_STORE_ALIAS.
# Without a separate document store that alias is `default` itself, so a message and its
# update-log rows commit in one transaction (see docs/architecture.md).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": env.int("DATABASE_CONNECT_TIMEOUT", default=2),
        # Parameters bound by the server, and a statement run 5 times on a connection prepared
        # there: the send's statements are planned once per connection instead of on every
        # send. PostgreSQL's CPU per send alone: 2.8 -> 1.6 ms (bench/README.md). A
        # server-side parameter cannot stand where SQL expects a literal (a query given as
        # text, a utility statement): such code writes its literal itself.
        "server_side_binding": env.bool("DATABASE_SERVER_SIDE_BINDING", default=True),
        # Empty: never prepare (PgBouncer before 1.21 in transaction mode).
        "prepare_threshold": int(env("DATABASE_PREPARE_THRESHOLD", default="5") or 0) or None,
    }
    if env.bool("DATABASE_POOL", default=True):
        # Under ASGI every request runs in a thread of its own, so per-thread persistent
        # connections (CONN_MAX_AGE) would mean a new connection per request; a pool hands
        # them out instead.
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
            "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=20),
            # A request waits this long for a connection, then answers 503 (the database is
            # down or saturated): an outage is a quick answer, not a hung request.
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=2.0),
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; the timeout makes writers queue, not fail.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }

# A separate document store (apps.core.documents): MongoDB through django-mongodb-backend
# (it must be a replica set, for transactions), or another SQL database.
MONGODB_URI = env("MONGODB_URI", default="")
DOCUMENTS_DATABASE_URL = env("DOCUMENTS_DATABASE_URL", default="")
if MONGODB_URI and DOCUMENTS_DATABASE_URL:
    raise ImproperlyConfigured("Set MONGODB_URI or DOCUMENTS_DATABASE_URL, not both.")
if MONGODB_URI:
    DATABASES["documents"] = {
        "ENGINE": "django_mongodb_backend",
        "HOST": MONGODB_URI,  # the whole connection string; pymongo reads it
        "NAME": env("MONGODB_NAME", default="telegram"),
        "CONN_MAX_AGE": None,  # pymongo's client is itself a pool
    }
elif DOCUMENTS_DATABASE_URL:
    DATABASES["documents"] = env.db_url_config(DOCUMENTS_DATABASE_URL)
    DATABASES["documents"]["CONN_HEALTH_CHECKS"] = True
DOCUMENT_STORE_ALIAS = "documents" if "documents" in DATABASES else "default"
# A MongoDB transaction aborted by a concurrent one is run again, this many times in all.
DOCUMENT_TRANSACTION_ATTEMPTS = env.int("DOCUMENT_TRANSACTION_ATTEMPTS", default=5)
DATABASE_ROUTERS = ["telegram.routers.DocumentRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Redis: cache, channel layer, Celery broker --------------------------------------------
REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="tg"),
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
    # Redis Pub/Sub: a group send is one PUBLISH and messages are pushed to each process, where
    # the list-based layer (channels_redis.core) needs four round trips per received message,
    # one message at a time. Both deliver at most once; the update log is the source of truth.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": env("CHANNEL_LAYER_PREFIX", default="tg:asgi"),
                # Live frames carry message text: sealed (AES-GCM, apps.core.layer_sealing) on
                # their way through Redis, with keys derived from the field keys, so they
                # rotate together.
                "serializer_format": "sealed-msgpack",
                "symmetric_encryption_keys": [
                    f"channel-layer:{entry.strip()}" for entry in env.list("FIELD_ENCRYPTION_KEYS")
                ],
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# With `--pool threads` a worker takes more tasks from Redis only while fewer than this many
# (times its concurrency) are unacknowledged, and it looks again only when its event loop next
# wakes (about once a second): at 1 a worker of 4 threads handled about one push a second
# however short the tasks (bench/push_pipeline.py). Tasks are acknowledged late, so the ones
# it holds come back to another worker if it dies.
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_WORKER_PREFETCH_MULTIPLIER", default=32)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULE: dict = {
    "outbox-sweep": {"task": "apps.core.tasks.outbox_sweep_task", "schedule": 30.0},
    # Every second: scheduled messages that are due, and timers for those due in the next one.
    "scheduled-sweep": {"task": "apps.chats.tasks.scheduled_sweep", "schedule": 1.0},
}

# --- NATS (durable domain events) ------------------------------------------------------------
# Empty: events go through the in-process bus. Set: they are published to JetStream.
NATS_URL = env("NATS_URL", default="")
NATS_CONNECT_TIMEOUT = env.float("NATS_CONNECT_TIMEOUT", default=2.0)
NATS_PUBLISH_TIMEOUT = env.float("NATS_PUBLISH_TIMEOUT", default=2.0)
NATS_STREAM = env("NATS_STREAM", default="TG")
EVENTS_SUBJECT_PREFIX = env("EVENTS_SUBJECT_PREFIX", default="tg")
# Seconds within which JetStream drops a republished event with the same Nats-Msg-Id.
NATS_DUPLICATE_WINDOW = env.float("NATS_DUPLICATE_WINDOW", default=600.0)
NATS_STREAM_MAX_AGE = env.float("NATS_STREAM_MAX_AGE", default=7 * 24 * 3600.0)
# The sweep republishes events still unpublished this many seconds after they were written.
OUTBOX_SWEEP_AFTER_SECONDS = env.int("OUTBOX_SWEEP_AFTER_SECONDS", default=30)

# --- Auth -----------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Every new password ends every session of the account (apps.accounts.validators).
    {"NAME": "apps.accounts.validators.NewPasswordEndsSessions"},
]
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]

# How long an authenticated request may trust the cached auth state (active, banned, token
# version) before asking the database again. Logout-all and bans rewrite the entry at once.
AUTH_STATE_CACHE_TTL = env.int("AUTH_STATE_CACHE_TTL", default=300)

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=30)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_CLAIM": "user_id",
}

# --- Field encryption -----------------------------------------------------------------------
# FIELD_ENCRYPTION_KEYS: comma-separated `key_id:base64(32 bytes)`, newest first. New values are
# encrypted with the first key; any listed key decrypts. BLIND_INDEX_KEY: base64 HMAC key for
# exact look-ups of encrypted e-mail and phone.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS")
BLIND_INDEX_KEY = env("BLIND_INDEX_KEY")

# --- DRF and the API schema -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.accounts.authentication.CachedJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies only; the upload view takes multipart itself (apps.files.api.views).
    "DEFAULT_PARSER_CLASSES": ["apps.core.jsonparse.BoundedJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_SCHEMA_CLASS": "apps.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_CLASSES": ["apps.core.ratelimit.ScopedRateLimit"],
}

# --- Rate limits (per user, or per client IP when anonymous) ---------------------------------
# A scope missing here is not limited. REST views name their scope (`throttle_scope`).
RATE_LIMITS = {
    "default": env("RATE_LIMIT_DEFAULT", default="1200/min"),
    "login": env("RATE_LIMIT_LOGIN", default="10/min"),
    # Per account (whatever the address): password guessing spread over many addresses.
    "login_account": env("RATE_LIMIT_LOGIN_ACCOUNT", default="30/hour"),
    "register": env("RATE_LIMIT_REGISTER", default="5/hour"),
    "message_send": env("RATE_LIMIT_MESSAGE_SEND", default="120/min"),
    "search": env("RATE_LIMIT_SEARCH", default="60/min"),
    "lookup": env("RATE_LIMIT_LOOKUP", default="20/hour"),
    "ws_frame": env("RATE_LIMIT_WS_FRAME", default="600/min"),
    "report": env("RATE_LIMIT_REPORT", default="30/hour"),
    "reaction": env("RATE_LIMIT_REACTION", default="120/min"),
}
# The reverse proxies (addresses or networks) whose X-Forwarded-For and X-Forwarded-Proto are
# believed (apps.core.proxy). Empty: the peer address is the client, whatever headers say.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
SPECTACULAR_SETTINGS = {
    "TITLE": "Telegram-light API",
    "DESCRIPTION": "REST API of the light Telegram backend. Live chat is on the WebSocket at /ws/ "
    "(see docs/websocket.md).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "COMPONENT_SPLIT_PATCH": False,
    # apps.core.documents' URL converters: a row's id, and a message's, post's or comment's.
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 1, "maximum": 10**18 - 1},
        "docid": {"type": "string", "pattern": "^[0-9a-fA-F]{1,24}$"},
    },  # a PATCH body is what its input serializer requires
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.schema.describe_query",  # an empty optional query parameter is not given
        "apps.core.schema.add_error_responses",  # every operation's error responses
    ],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ChatKindEnum": ["direct", "group"],
        "FileKindEnum": "apps.files.models.File.Kind",
        "ScheduledStatusEnum": "apps.chats.models.ScheduledMessage.Status",
        "HealthStatusEnum": ["ok", "down"],
        "InvitationStatusEnum": ["pending", "accepted", "denied", "cancelled"],
    },
}

# --- Tracing (OpenTelemetry; the exporter reads the standard OTEL_* variables) ---------------
TRACING_ENABLED = env.bool("TRACING_ENABLED", default=bool(env("OTEL_EXPORTER_OTLP_ENDPOINT", default="")))
OTEL_SERVICE_NAME = env("OTEL_SERVICE_NAME", default="telegram-light")

# --- Metrics --------------------------------------------------------------------------------
# /metrics answers a bearer token (METRICS_TOKEN) or these peer networks.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1/32", "::1/128"])

# --- Health ---------------------------------------------------------------------------------
HEALTH_CHECK_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", default=2.0)
# Seconds a client is told to wait (Retry-After) when a store is unreachable (a 503).
OUTAGE_RETRY_AFTER = env.int("OUTAGE_RETRY_AFTER", default=5)

# --- Static files, i18n ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = env("MEDIA_URL", default="/media/")

# --- Files ----------------------------------------------------------------------------------
# Uploads go through django-storages: the filesystem by default, any S3-compatible server when
# AWS_STORAGE_BUCKET_NAME is set (downloads then use presigned URLs).
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env.int("FILES_URL_TTL", default=3600),
            "file_overwrite": False,
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default=None),
            # Fail in seconds, not minutes, when the object store is down. (A client_config
            # replaces django-storages' own, so the signature version is set here.)
            "client_config": BotoConfig(
                signature_version="s3v4",
                connect_timeout=env.float("AWS_S3_CONNECT_TIMEOUT", default=3.0),
                read_timeout=env.float("AWS_S3_READ_TIMEOUT", default=20.0),
                retries={"max_attempts": env.int("AWS_S3_MAX_ATTEMPTS", default=2), "mode": "standard"},
            ),
        },
    }
FILES_MAX_UPLOAD_BYTES = env.int("FILES_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
# What a multipart body may carry besides the file (boundaries, headers) before it is refused
# by its Content-Length alone.
FILES_MULTIPART_OVERHEAD = 64 * 1024
# Bytes of files one person may keep.
FILES_USER_QUOTA_BYTES = env.int("FILES_USER_QUOTA_BYTES", default=2 * 1024**3)
# Seconds a download link lives (signed on the filesystem, presigned on S3).
FILES_URL_TTL = env.int("FILES_URL_TTL", default=3600)
FILE_UPLOAD_HANDLERS = [
    "apps.files.services.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILES_MAX_IMAGE_PIXELS = env.int("FILES_MAX_IMAGE_PIXELS", default=40_000_000)
FILES_ALLOWED_TYPES = set(
    env.list(
        "FILES_ALLOWED_TYPES",
        default=[
            "image/jpeg",
            "image/png",
            "image/gif",
            "image/webp",
            "video/mp4",
            "video/webm",
            "audio/mpeg",
            "audio/ogg",
            "audio/mp4",
            "application/pdf",
            "application/zip",
            "text/plain",
        ],
    )
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Untrusted JSON (REST bodies, WebSocket frames): larger is a 413 (an error frame), deeper a 400.
JSON_MAX_BYTES = env.int("JSON_MAX_BYTES", default=1_048_576)
JSON_MAX_DEPTH = env.int("JSON_MAX_DEPTH", default=32)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Chats ----------------------------------------------------------------------------------
CHAT_GROUP_MAX_MEMBERS = env.int("CHAT_GROUP_MAX_MEMBERS", default=200)
MESSAGE_MAX_LENGTH = 4096
MESSAGE_MAX_ATTACHMENTS = 10
MESSAGE_EDIT_WINDOW_SECONDS = env.int("MESSAGE_EDIT_WINDOW_SECONDS", default=48 * 3600)
# The emoji people may react with (to messages and posts), and how many distinct ones one person
# may put on one message or post (as Telegram: a few).
REACTIONS = env.list("REACTIONS", default=["👍", "❤️", "😂", "😮", "😢", "🙏", "🔥", "🎉", "👎"])
REACTIONS_PER_PERSON = env.int("REACTIONS_PER_PERSON", default=3)
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["ReactionEnum"] = REACTIONS
# Scheduled messages: how far ahead, and how many pending per person.
SCHEDULED_MAX_AHEAD_DAYS = 365
SCHEDULED_MAX_PENDING = env.int("SCHEDULED_MAX_PENDING", default=100)
# Whether the web process sweeps scheduled messages itself (no worker and beat: `make run`).
SCHEDULED_LOCAL_SWEEP = env.bool("SCHEDULED_LOCAL_SWEEP", default=CELERY_TASK_ALWAYS_EAGER)
# Messages one forward carries at most.
FORWARD_MAX_MESSAGES = 100
# Pinned messages a chat holds at most.
CHAT_MAX_PINS = env.int("CHAT_MAX_PINS", default=100)
# The update log: a page of `updates/?since=` holds at most UPDATES_PAGE_SIZE entries; a client
# further behind than UPDATES_MAX_GAP gets `too_long` and refetches its state.
UPDATES_PAGE_SIZE = env.int("UPDATES_PAGE_SIZE", default=100)
UPDATES_MAX_GAP = env.int("UPDATES_MAX_GAP", default=10_000)
# `manage.py purge_expired` keeps update-log entries and published outbox events this long.
UPDATES_RETENTION_DAYS = env.int("UPDATES_RETENTION_DAYS", default=30)
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=7)
# Presence: each open socket holds a lease that its web process renews every PRESENCE_HEARTBEAT
# seconds; a lease not renewed for PRESENCE_TTL seconds (its process died) has ended.
PRESENCE_HEARTBEAT = env.float("PRESENCE_HEARTBEAT", default=10.0)
PRESENCE_TTL = env.int("PRESENCE_TTL", default=30)
# Threads per web process that run the WebSocket consumers' database work (keep it at or below
# DATABASE_POOL_MAX_SIZE).
WEBSOCKET_WORKER_THREADS = env.int("WEBSOCKET_WORKER_THREADS", default=4)
# Seconds between two checks of a socket's account (banned, logged out everywhere) on its
# frames; a token's expiry is checked on every frame.
WEBSOCKET_AUTH_RECHECK = env.float("WEBSOCKET_AUTH_RECHECK", default=15.0)
# Client frames a socket may have waiting; past that it gets `too_many_frames` errors.
WEBSOCKET_FRAME_QUEUE = env.int("WEBSOCKET_FRAME_QUEUE", default=64)

# --- Broadcast channels ---------------------------------------------------------------------
POST_MAX_LENGTH = 4096
COMMENT_MAX_LENGTH = 2048
POSTS_CACHE_SIZE = 10
POSTS_CACHE_TTL = env.int("POSTS_CACHE_TTL", default=24 * 3600)
# Channel search: postgres | simple | elasticsearch (empty: elasticsearch when ELASTICSEARCH_URL is
# set, else the database's own).
ELASTICSEARCH_URL = env("ELASTICSEARCH_URL", default="")
CHANNEL_SEARCH_BACKEND = env("CHANNEL_SEARCH_BACKEND", default="elasticsearch" if ELASTICSEARCH_URL else "")
ELASTICSEARCH_DSL = {"default": {"hosts": ELASTICSEARCH_URL or "http://127.0.0.1:9200", "request_timeout": 2}}
# Indexing is done by Celery tasks after commit, never by model signals in the request.
ELASTICSEARCH_DSL_AUTOSYNC = False
ELASTICSEARCH_DSL_AUTO_REFRESH = False
ELASTICSEARCH_CHANNEL_INDEX = env("ELASTICSEARCH_CHANNEL_INDEX", default="channels")

# --- Push notifications ----------------------------------------------------------------------
FCM_DJANGO_SETTINGS = {
    "ONE_DEVICE_PER_USER": False,
    "DELETE_INACTIVE_DEVICES": False,
    "UPDATE_ON_DUPLICATE_REG_ID": True,
}
# A Firebase service-account JSON file: pushes go through FCM. Empty: the logging backend.
FCM_CREDENTIALS = env("FCM_CREDENTIALS", default="")
FCM_PROJECT_ID = env("FCM_PROJECT_ID", default="")  # empty: the one in FCM_CREDENTIALS
# FCM's send endpoint ("{0}" is the project id); set only for an FCM emulator or a test double.
FCM_API_URL = env("FCM_API_URL", default="")
FCM_HTTP_TIMEOUT = env.float("FCM_HTTP_TIMEOUT", default=10.0)
# logging | fcm | a dotted path to a class (default: fcm when FCM_CREDENTIALS is set, else logging).
PUSH_BACKEND = env("PUSH_BACKEND", default="fcm" if FCM_CREDENTIALS else "logging")
PUSH_BATCH_SIZE = 500  # FCM's multicast limit
# `manage.py purge_expired` deletes deactivated devices registered longer ago than this.
STALE_DEVICE_AGE = timedelta(days=env.int("STALE_DEVICE_DAYS", default=30))
PUSH_MAX_RETRIES = env.int("PUSH_MAX_RETRIES", default=5)
# Retries of a batch wait about PUSH_RETRY_BACKOFF * 2**n seconds (jittered), at most _MAX.
PUSH_RETRY_BACKOFF = env.int("PUSH_RETRY_BACKOFF", default=2)
PUSH_RETRY_BACKOFF_MAX = env.int("PUSH_RETRY_BACKOFF_MAX", default=300)

# --- The NATS bridge (manage.py run_nats_bridge) ----------------------------------------------
NATS_BRIDGE_DURABLE = env("NATS_BRIDGE_DURABLE", default="bridge")
NATS_BRIDGE_BATCH = env.int("NATS_BRIDGE_BATCH", default=64)
# Seconds JetStream waits for an ack before redelivering, and how many deliveries it tries.
NATS_BRIDGE_ACK_WAIT = env.float("NATS_BRIDGE_ACK_WAIT", default=30.0)
NATS_BRIDGE_MAX_DELIVER = env.int("NATS_BRIDGE_MAX_DELIVER", default=10)
# Prometheus metrics of the bridge process, and of a Celery worker, on these ports (0: none).
BRIDGE_METRICS_PORT = env.int("BRIDGE_METRICS_PORT", default=9102)
WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", default=0)

# --- Caches (seconds) -----------------------------------------------------------------------
HISTORY_CACHE_SIZE = 50
HISTORY_CACHE_TTL = env.int("HISTORY_CACHE_TTL", default=24 * 3600)
MEMBERS_CACHE_TTL = env.int("MEMBERS_CACHE_TTL", default=3600)
PROFILE_CACHE_TTL = env.int("PROFILE_CACHE_TTL", default=3600)
CONTACTS_CACHE_TTL = env.int("CONTACTS_CACHE_TTL", default=3600)
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Logging: one JSON object a line; never tokens, passwords or message text ----------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FORMAT = env("LOG_FORMAT", default="json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT is json or text, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "apps.core.logging.JsonFormatter"},
        "text": {"()": "apps.core.logging.TextFormatter"},
    },
    # json for machines (production, the default); text for a person at a terminal (make run).
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Through the root's handler only: with DEBUG, Django's own config also gives "django"
        # a plain console handler, and every request warning was printed twice.
        "django": {"handlers": [], "propagate": True},
        "django.server": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
    },
}
