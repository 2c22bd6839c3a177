"""Django settings for CivicDesk, read from environment variables (see .env.example)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from civicdesk.runtime.secret_key import secret_key_from
from civicdesk.runtime.site_url import site_url_from

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("CIVICDESK_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


SECRET_KEY = secret_key_from(os.environ, VAR_DIR)  # the environment wins; else VAR_DIR/secret_key, made once
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "civicdesk.audit",
    "civicdesk.agencies",
    "civicdesk.calendars",
    "civicdesk.assignment",
    "civicdesk.opendata",
    "civicdesk.contacts",
    "civicdesk.cases",
    "civicdesk.channels",
    "civicdesk.conversations",
    "civicdesk.telephony",
    "civicdesk.chat",
    "civicdesk.mail",
    "civicdesk.portal",
    "civicdesk.inbox",
    "ninja",  # serves the Swagger UI of /api/docs from our own static files
    "civicdesk.api",
    "civicdesk.demo",
    "civicdesk.runtime",
    "civicdesk.gis",
    "civicdesk.places",
    "civicdesk.open311",
    "civicdesk.accounts",
    "civicdesk.notifications",
    "civicdesk.chatdesk",
    "civicdesk.listening",
    "civicdesk.metrics",
    "civicdesk.scorecard",
    "civicdesk.slas",
    "civicdesk.crisis",
    "civicdesk.satisfaction",
    "civicdesk.dashboards",
]

MIDDLEWARE = [
    "civicdesk.web.fastpath.WebhookFastPathMiddleware",  # first: providers' webhooks skip the rest (see its module)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # after sessions, before common: the page's language
    "civicdesk.web.language.StaffLanguageMiddleware",  # staff pages stay in STAFF_LANGUAGE
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "civicdesk.accounts.sessions.IdleSessionMiddleware",  # after messages: says why a session ended
    "django_otp.middleware.OTPMiddleware",
    "civicdesk.accounts.gate.TwoFactorGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "civicdesk.web.security.ContentSecurityPolicyMiddleware",
    "civicdesk.web.badinput.RejectNulMiddleware",  # near the end, so its 400 still gets the security headers above
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into our lockout page
]

ROOT_URLCONF = "civicdesk.urls"
WSGI_APPLICATION = "civicdesk.wsgi.application"

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
                "civicdesk.web.context.site",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'civicdesk.sqlite3'}"
# civicdesk.asgi sets CIVICDESK_SERVER=asgi. Under ASGI every request runs its sync code in a context of its own,
# so a persistent connection is never reused (it lingers until garbage collection): connections close at the end
# of each request, and PostgreSQL gets psycopg's pool instead. Task workers and WSGI keep persistent connections.
SERVING_ASGI = os.environ.get("CIVICDESK_SERVER") == "asgi"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0 if SERVING_ASGI else 60)}
if SERVING_ASGI and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1, "max_size": env_int("DB_POOL_SIZE", 10), "timeout": 20}
SQLITE_SYNCHRONOUS = os.environ.get("SQLITE_SYNCHRONOUS", "NORMAL").upper()
if SQLITE_SYNCHRONOUS not in {"NORMAL", "FULL"}:
    raise ImproperlyConfigured("SQLITE_SYNCHRONOUS must be NORMAL or FULL.")
# PostgreSQL: parameters bound on the server, and a statement a connection has run twice is prepared there (planned
# once per connection, not at every call). A new SMS case cost 0.35 ms less client CPU and 0.4 ms less server time
# (bench/sms_cpu_per_text.py). Off (DATABASE_PREPARED_STATEMENTS=0) behind a pooler that cannot keep them.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
if DATABASE_PREPARED_STATEMENTS and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 2})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            f"PRAGMA journal_mode=WAL; PRAGMA synchronous={SQLITE_SYNCHRONOUS}; PRAGMA busy_timeout=20000; "
            "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
        ),
    }
    # Durability, decided: WAL with synchronous=NORMAL. A commit survives a crash or kill of any process (the WAL
    # is written before the answer); only a power cut or OS crash can lose the last commits before the next
    # checkpoint's fsync (the database stays consistent). FULL would fsync the WAL at every commit, inside the one
    # write lock that all intakes queue on, so the disk's fsync time would cap the write rate; a site that must not
    # lose an answered request to a power cut sets SQLITE_SYNCHRONOUS=FULL or runs PostgreSQL.
    # Connections persist (CONN_MAX_AGE 60, as on PostgreSQL): closing one checkpoints the WAL and reopening
    # re-reads the schema and runs the PRAGMAs, about 3 ms a request under gunicorn. Under ASGI, where Django
    # closes each request's connection, the backend keeps them open in a per-process pool instead.
    if SERVING_ASGI:
        DATABASES["default"]["ENGINE"] = "civicdesk.core.sqlite"
    # The test database is a file (in memory-backed /dev/shm where there is one), one per test process, never
    # Django's shared-cache in-memory database: there, a live server's thread and the test share one connection,
    # and a reader meeting a writer fails at once with "table is locked" instead of waiting its busy timeout.
    def _roomy_shm() -> bool:  # a container's /dev/shm may be 64 MB: then the test database stays on disk
        try:
            found = os.statvfs("/dev/shm")
        except OSError:
            return False
        return os.access("/dev/shm", os.W_OK) and found.f_bavail * found.f_frsize >= 1024**3

    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_DATABASE") or str(
        (Path("/dev/shm") if _roomy_shm() else VAR_DIR) / f"civicdesk-test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Queues per provider, each with its own worker in `civicdesk run`, so a slow provider (or an Open311 token poll)
# never stalls the others. A new provider (sms, social) adds its channel -> queue to DELIVERY_QUEUES; its queue
# joins TASK_QUEUES, and `civicdesk run` starts a worker for it. EXTRA_TASK_QUEUES adds queues by environment.
# channel -> queue of deliver_message ("sms" also fetches MMS media)
DELIVERY_QUEUES = {"email": "email", "web": "web", "open311": "open311", "sms": "sms",
                   "youtube": "social", "mastodon": "social", "x": "social", "facebook": "social",
                   "instagram": "social", "bluesky": "social"}
# Messages nobody wrote by hand (acknowledgements, keyword answers) go out on a lane of their own whose worker runs
# at background CPU priority: in a surge the cores go first to taking texts in and putting them on cases, and the
# receipts follow as soon as there is room (a long code sends one text a second anyway). Replies written by staff
# keep their provider's queue. Empty: automatic messages share their provider's queue.
AUTOMATIC_DELIVERY_QUEUE = os.environ.get("AUTOMATIC_DELIVERY_QUEUE", "automatic")
BACKGROUND_TASK_QUEUES = [AUTOMATIC_DELIVERY_QUEUE] if AUTOMATIC_DELIVERY_QUEUE else []
BACKGROUND_NICENESS = env_int("BACKGROUND_NICENESS", 19)  # added to the niceness of those queues' workers
# A priority does not reach the database server: there the acknowledgements' queries compete with intake's. So a job
# of automatic messages also waits while intake is more than AUTOMATIC_HOLD_LAG_SECONDS behind (the oldest
# inbound payload not yet on a case), for at most AUTOMATIC_HOLD_MAX_SECONDS from when its messages were made. 0: off.
AUTOMATIC_HOLD_LAG_SECONDS = float(os.environ.get("AUTOMATIC_HOLD_LAG_SECONDS", "1"))
AUTOMATIC_HOLD_MAX_SECONDS = env_int("AUTOMATIC_HOLD_MAX_SECONDS", 60)
TASK_QUEUES = list(dict.fromkeys([
    "default",  # periodic jobs (recover_stalled)
    "inbound",  # process_payload, Open311 batch requests
    "social",  # polling the social networks that do not push (channels.tasks.poll_account)
    *DELIVERY_QUEUES.values(),  # outbound delivery; "email" also polls IMAP, "open311" forwards and pulls
    "alerts_sms", "alerts_email",  # crisis broadcasts' sending lanes (crisis.sending), apart from replies
    *BACKGROUND_TASK_QUEUES,
    *(q.strip() for q in os.environ.get("EXTRA_TASK_QUEUES", "").split(",") if q.strip()),
]))
# Inbound payloads stored by the webhooks wait in their own table for `civicdesk inbound_worker` (started by
# `civicdesk run`), which applies them in batches; off: each gets a process_payload job on the "inbound" queue.
INBOUND_BATCH_WORKER = env_bool("INBOUND_BATCH_WORKER", True)
# how many of them `civicdesk run` starts; 0: one on SQLite (one writer at a time), two on PostgreSQL, where they
# claim disjoint batches side by side (300 texts/s on 2 cores, spooled: 15,763 of 18,000 on a case in the minute
# against 12,977 with one)
INBOUND_BATCH_WORKERS = env_int("INBOUND_BATCH_WORKERS", 0)
# Webhooks' payloads into a spool file of their own (channels/spool.py), moved to the table by the batch worker:
# "auto" on SQLite (a webhook then never waits for the write lock the worker holds while making cases) and under
# `civicdesk run` on PostgreSQL (its batch workers on the same machine empty it), "on", "off"
INBOUND_SPOOL = os.environ.get("INBOUND_SPOOL", "auto")
INBOUND_BATCH_SIZE = env_int("INBOUND_BATCH_SIZE", 100)  # payloads claimed and parsed at a time, oldest first
# payloads applied per write transaction: SQLite's one write lock is held that long (webhooks without the spool wait
INBOUND_BATCH_GROUP = env_int("INBOUND_BATCH_GROUP", 0)  # for it, so small); 0: 8 there, else 50

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": TASK_QUEUES,
    }
}

# "default" is shared by every process (rate limits): Redis when REDIS_URL is set, else a table in the database
# (created by the runtime app's migration). "local" is per process, for caches meant to be per process.
CACHES = {
    "default": {"BACKEND": "civicdesk.runtime.cache.SharedDatabaseCache", "LOCATION": "civicdesk_cache",
                "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 100000)}},
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "civicdesk-local"},
}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}

# Staff sign-in (civicdesk.accounts): passwords, lockout (django-axes), idle sessions, two-factor (django-otp).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12)}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/staff/login/"
LOGIN_REDIRECT_URL = "/staff/"
LOGOUT_REDIRECT_URL = "/"
# Lockout of /staff/login/ and /admin/login/: a username with AXES_FAILURE_LIMIT failures (from any address) or an
# address with that many (for any usernames) is refused for AXES_COOLOFF_TIME minutes. Attempts live in the
# database, so every web process shares them. Unlock: delete the attempt in the admin, or
# `civicdesk axes_reset_username NAME`.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_TIME", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "civicdesk.accounts.lockout.lockout_response"
AXES_CLIENT_STR_CALLABLE = "civicdesk.accounts.lockout.client_description"  # no usernames or addresses in logs
AXES_VERBOSE = False
# Sessions end after SESSION_IDLE_MINUTES without activity (the inbox's live polls are not activity) and at the
# latest SESSION_MAX_HOURS after sign-in, however active.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = env_int("SESSION_MAX_HOURS", 12) * 3600
# Two-factor: admins (and accounts with the staff flag) always; every staff member when MFA_REQUIRED; and anyone
# who has set up an authenticator.
MFA_REQUIRED = env_bool("MFA_REQUIRED", False)
OTP_TOTP_ISSUER = os.environ.get("SITE_NAME", "Riverbend CivicDesk")

# The resident side speaks English and Spanish: the browser's Accept-Language picks one, the switcher in the header
# changes it (remembered in the django_language cookie), and a resident's contact keeps it for later mail.
# Catalogue: src/civicdesk/locale/es/LC_MESSAGES/django.po (`make messages` refreshes it; see DEVELOPERS.md).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["civicdesk.formats"]  # US Spanish writes numbers as 10,000.5
# The staff pages (/staff/, /admin/) are not translated yet: they stay in this language whatever the browser asks.
# Empty: they follow the browser and the switcher like the resident side.
STAFF_LANGUAGE = os.environ.get("STAFF_LANGUAGE", "en")
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [BASE_DIR / "static"]
NODE_MODULES_DIR = PROJECT_DIR / "node_modules"
# /static/vendor/... serves only the npm files listed in civicdesk.web.vendor, never node_modules whole.
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "civicdesk.web.vendor.VendorFinder",
]
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "civicdesk.web.errors.csrf_failure"  # the branded "this form has expired" page
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Site and channel configuration.
SITE_NAME = os.environ.get("SITE_NAME", "Riverbend CivicDesk")
# Links in mail, Open311 and webhooks. Unset: http://HOST:PORT, so they point to the site being served (`civicdesk run
# --port N` passes its port on to its processes).
SITE_URL = site_url_from(os.environ)
# Served over https (SITE_URL says so): cookies only over TLS, and browsers told to use https from then on.
SITE_IS_HTTPS = SITE_URL.strip().lower().startswith("https://")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", SITE_IS_HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SITE_IS_HTTPS)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SITE_IS_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Opt-in, only behind a proxy that always sets it: e.g. "HTTP_X_FORWARDED_PROTO=https".
if "=" in os.environ.get("SECURE_PROXY_SSL_HEADER", ""):
    _header, _value = os.environ["SECURE_PROXY_SSL_HEADER"].split("=", 1)
    SECURE_PROXY_SSL_HEADER = (_header.strip(), _value.strip())
CASE_NUMBER_PREFIX = os.environ.get("CASE_NUMBER_PREFIX", "CD")
SMTP_LISTEN_HOST = os.environ.get("SMTP_HOST", "127.0.0.1")
SMTP_LISTEN_PORT = env_int("SMTP_PORT", 2525)
SMTP_PROCESS_INLINE = env_bool("SMTP_PROCESS_INLINE", False)  # process mail in the listener, not the queue
MAX_ATTACHMENTS_BYTES = env_int("MAX_ATTACHMENTS_BYTES", 25 * 1024 * 1024)
MAX_PHOTO_BYTES = env_int("MAX_PHOTO_BYTES", 8 * 1024 * 1024)
MAX_TEXT_LENGTH = env_int("MAX_TEXT_LENGTH", 10000)
IMAP_POLL_SECONDS = env_int("IMAP_POLL_SECONDS", 60)
OUTBOUND_MAX_ATTEMPTS = env_int("OUTBOUND_MAX_ATTEMPTS", 6)
OUTBOUND_BACKOFF_SECONDS = env_int("OUTBOUND_BACKOFF_SECONDS", 30)  # the one backoff policy (conversations.delivery)
OUTBOUND_BACKOFF_MAX_SECONDS = env_int("OUTBOUND_BACKOFF_MAX_SECONDS", 3600)
OPEN311_FORWARD_MAX_ATTEMPTS = env_int("OPEN311_FORWARD_MAX_ATTEMPTS", 6)  # with the same backoff
# How long one send attempt may take before a message left in "sending" (its worker died) may be sent again.
OUTBOUND_SENDING_LEASE_SECONDS = env_int("OUTBOUND_SENDING_LEASE_SECONDS", 300)
CONVERSATION_SILENCE_DAYS = env_int("CONVERSATION_SILENCE_DAYS", 7)  # after this much silence: a new, linked case

# Outbound mail. With no EMAIL_HOST, nothing is sent: every email is kept in the built-in outbox (mail.outbox), which
# staff read at /staff/outbox/, each marked "captured, not sent". With EMAIL_HOST, mail goes out by SMTP.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
EMAIL_BACKEND = ("django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
                 else "civicdesk.mail.outbox.OutboxBackend")
EMAIL_PORT = env_int("EMAIL_PORT", 1025)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 15)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "311@riverbend.example")
EMAIL_MESSAGE_ID_DOMAIN = os.environ.get("EMAIL_MESSAGE_ID_DOMAIN", "civicdesk.riverbend.example")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # the twilio SDK logs every request's URL and headers at INFO: account sids and numbers stay out of the log
    "loggers": {"django.db.backends": {"level": "WARNING"}, "twilio.http_client": {"level": "WARNING"},
                "apscheduler": {"level": "WARNING"}},  # not a line every 5 s for each periodic job
}

# One adapter per channel (see civicdesk.channels.protocol).
CHANNEL_ADAPTERS = {
    "web": "civicdesk.portal.adapter.WebAdapter",
    "email": "civicdesk.mail.adapter.EmailAdapter",
    "open311": "civicdesk.open311.adapter.Open311Adapter",
    "sms": "civicdesk.channels.providers.twilio.adapter.TwilioAdapter",
    "phone": "civicdesk.channels.providers.twilio.voice.VoiceAdapter",  # Twilio's voicemail callbacks
    "chat": "civicdesk.channels.providers.chat.adapter.ChatAdapter",
    "youtube": "civicdesk.channels.providers.youtube.adapter.YouTubeAdapter",
    "mastodon": "civicdesk.channels.providers.mastodon.adapter.MastodonAdapter",
    "x": "civicdesk.channels.providers.x.adapter.XAdapter",
    "facebook": "civicdesk.channels.providers.meta.adapter.MetaAdapter",
    "instagram": "civicdesk.channels.providers.meta.adapter.InstagramAdapter",
    "bluesky": "civicdesk.channels.providers.bluesky.adapter.BlueskyAdapter",
}
# The adapter of each provider (a ChannelAccount's provider; see civicdesk.channels.registry). A provider not
# listed uses its account's channel's adapter from CHANNEL_ADAPTERS.
PROVIDER_ADAPTERS: dict[str, str] = {
    "email": "civicdesk.mail.adapter.EmailAdapter",
    "web": "civicdesk.portal.adapter.WebAdapter",
    "open311": "civicdesk.open311.adapter.Open311Adapter",
    "twilio": "civicdesk.channels.providers.twilio.adapter.TwilioAdapter",
    "youtube": "civicdesk.channels.providers.youtube.adapter.YouTubeAdapter",
    "mastodon": "civicdesk.channels.providers.mastodon.adapter.MastodonAdapter",
    "x": "civicdesk.channels.providers.x.adapter.XAdapter",
    "meta": "civicdesk.channels.providers.meta.adapter.MetaAdapter",
    "bluesky": "civicdesk.channels.providers.bluesky.adapter.BlueskyAdapter",
}
# `civicdesk channels add PROVIDER`: the module that connects an account of each provider (HELP, add_arguments,
# connect, after_connect); see channels/providers/twilio/connect.py.
CHANNEL_CONNECTORS: dict[str, str] = {
    "twilio": "civicdesk.channels.providers.twilio.connect",
    "youtube": "civicdesk.channels.providers.youtube.connect",
    "mastodon": "civicdesk.channels.providers.mastodon.connect",
    "x": "civicdesk.channels.providers.x.connect",
    "meta": "civicdesk.channels.providers.meta.connect",
    "bluesky": "civicdesk.channels.providers.bluesky.connect",
}
CALENDAR_FEED_TIMEOUT_SECONDS = env_int("CALENDAR_FEED_TIMEOUT_SECONDS", 20)  # an agency's iCal closures feed
# Polling networks (Bluesky, YouTube; Mastodon's catch-up): seconds between polls of one account, unless its
# adapter asks for longer (YouTube when its daily quota runs short).
SOCIAL_POLL_SECONDS = env_int("SOCIAL_POLL_SECONDS", 30)
# YouTube Data API v3: Google's address (empty) or a local server's (tests); the daily quota of units (reset at
# midnight Pacific Time), of which polling leaves YOUTUBE_REPLY_RESERVE for replies (50 units each).
YOUTUBE_API_BASE_URL = os.environ.get("YOUTUBE_API_BASE_URL", "").strip()
YOUTUBE_TOKEN_URI = os.environ.get("YOUTUBE_TOKEN_URI", "").strip()  # Google's OAuth token endpoint when empty
YOUTUBE_DAILY_QUOTA = env_int("YOUTUBE_DAILY_QUOTA", 10000)
YOUTUBE_REPLY_RESERVE = env_int("YOUTUBE_REPLY_RESERVE", 1000)
YOUTUBE_TIMEOUT_SECONDS = env_int("YOUTUBE_TIMEOUT_SECONDS", 15)
YOUTUBE_MAX_PAGES = env_int("YOUTUBE_MAX_PAGES", 5)  # pages of 100 threads one poll reads at most
YOUTUBE_BACKFILL_HOURS = env_int("YOUTUBE_BACKFILL_HOURS", 24)  # a new account's first poll takes comments this recent
YOUTUBE_DELETION_CHECK_SECONDS = env_int("YOUTUBE_DELETION_CHECK_SECONDS", 600)
# Twilio's REST API: empty for Twilio itself; a local mock's address in tests (Prism: http://127.0.0.1:PORT).
TWILIO_API_BASE_URL = os.environ.get("TWILIO_API_BASE_URL", "").strip()
TWILIO_TIMEOUT_SECONDS = env_int("TWILIO_TIMEOUT_SECONDS", 15)
# Mastodon: each account's instance is its own (`channels add mastodon --instance`); calls time out after this, and a
# streaming account is also polled this often (the stream delivers; the poll is a safety net after any gap).
MASTODON_TIMEOUT_SECONDS = env_int("MASTODON_TIMEOUT_SECONDS", 15)
MASTODON_CATCHUP_SECONDS = env_int("MASTODON_CATCHUP_SECONDS", 300)
# X (Account Activity / X Activity webhooks): off by default. X's developer agreement requires an Enterprise contract
# when government staff see X content, so each X account also needs an administrator's confirmation of that contract.
X_CONNECTOR_ENABLED = env_bool("X_CONNECTOR_ENABLED", False)
X_API_BASE_URL = os.environ.get("X_API_BASE_URL", "").strip() or "https://api.x.com"  # a local X server in tests
X_TIMEOUT_SECONDS = env_int("X_TIMEOUT_SECONDS", 15)
# Meta's Graph API (Messenger, page comments, Instagram): a local server's address in tests.
META_GRAPH_URL = os.environ.get("META_GRAPH_URL", "").strip() or "https://graph.facebook.com/v25.0"
META_TIMEOUT_SECONDS = env_int("META_TIMEOUT_SECONDS", 15)
# Bluesky: the default server of an account (each account may name its own PDS), the chat service's address when
# it is not reached through the PDS's atproto-proxy (a local chat service in tests), and whether chat is read.
BLUESKY_SERVICE_URL = os.environ.get("BLUESKY_SERVICE_URL", "").strip() or "https://bsky.social"
BLUESKY_CHAT_URL = os.environ.get("BLUESKY_CHAT_URL", "").strip()
BLUESKY_CHAT_ENABLED = env_bool("BLUESKY_CHAT_ENABLED", True)
BLUESKY_TIMEOUT_SECONDS = env_int("BLUESKY_TIMEOUT_SECONDS", 15)
# Media received by MMS (and voicemail recordings), fetched by a background job with the account's credentials.
INBOUND_MEDIA_MAX_BYTES = env_int("INBOUND_MEDIA_MAX_BYTES", 5 * 1024 * 1024)  # Twilio's own MMS limit is 5 MB
INBOUND_MEDIA_TYPES = [t.strip() for t in os.environ.get(
    "INBOUND_MEDIA_TYPES", "image/*,video/*,audio/*,application/pdf,text/vcard,text/x-vcard,text/plain").split(",")
    if t.strip()]
INBOUND_MEDIA_TIMEOUT_SECONDS = env_int("INBOUND_MEDIA_TIMEOUT_SECONDS", 20)
INBOUND_MEDIA_MAX_ATTEMPTS = env_int("INBOUND_MEDIA_MAX_ATTEMPTS", 5)  # then the failure is shown on the case
# Fernet key(s) encrypting stored channel account credentials, comma-separated: the first encrypts, all decrypt.
# Empty: a key derived from SECRET_KEY (changing SECRET_KEY then makes stored credentials unreadable).
CHANNEL_CREDENTIALS_KEY = os.environ.get("CHANNEL_CREDENTIALS_KEY", "")
# Channels where a whole-message STOP, START or HELP (and Spanish PARAR, ALTO, BASTA, AYUDA) is a consent keyword
# handled by the conversation layer (conversations.keyword_texts), whatever the provider.
CONSENT_KEYWORD_CHANNELS = tuple(os.environ.get("CONSENT_KEYWORD_CHANNELS", "sms").split(","))
WEBHOOK_MAX_BODY_BYTES = env_int("WEBHOOK_MAX_BODY_BYTES", 1024 * 1024)  # larger webhook bodies are refused (413)
DEFAULT_AGENCY_SLUG = os.environ.get("DEFAULT_AGENCY_SLUG", "311")
SERVICE_CACHE_SECONDS = env_int("SERVICE_CACHE_SECONDS", 5)  # how long a process reuses a service definition

# The area type figures are grouped by ("area" in trends and /api/metrics) and the missed-targets map shades.
DASHBOARD_AREA_TYPE = os.environ.get("DASHBOARD_AREA_TYPE", "ward")

# The public scorecard: how often its figures are refreshed, the fewest cases a median or share is shown for, and
# how often a finished month is recomputed anyway.
SCORECARD_REFRESH_SECONDS = env_int("SCORECARD_REFRESH_SECONDS", 30)
SCORECARD_MIN_COUNT = env_int("SCORECARD_MIN_COUNT", 5)
SCORECARD_RECHECK_HOURS = env_int("SCORECARD_RECHECK_HOURS", 24)

# Periodic jobs: (task path, interval seconds); the scheduler in `civicdesk run` enqueues them.
# Metrics: how often changed cases are folded into the precomputed figures (docs/metrics.md: at most 60 s behind)
METRICS_CATCH_UP_SECONDS = min(45, env_int("METRICS_CATCH_UP_SECONDS", 15))
PERIODIC_TASKS = [
    ("civicdesk.conversations.tasks.recover_stalled", 60),
    ("civicdesk.chat.tasks.expire_idle_sessions", 60),
    ("civicdesk.mail.tasks.poll_all_mailboxes", IMAP_POLL_SECONDS),
    ("civicdesk.calendars.tasks.refresh_calendar_feeds", 3600),
    ("civicdesk.slas.tasks.sweep_targets", env_int("SLA_SWEEP_SECONDS", 15)),  # breaches found within 15 s
    ("civicdesk.satisfaction.tasks.send_due_fix_checks", 300),  # "Is it fixed?" questions now due, each once
    ("civicdesk.opendata.tasks.export_open_data", 600),  # writes today's export if it is missing
    ("civicdesk.channels.tasks.poll_due_accounts", 5),  # each polled account keeps its own interval
    ("civicdesk.open311.tasks.pull_external_updates", env_int("OPEN311_PULL_SECONDS", 300)),
    ("civicdesk.listening.tasks.purge_expired", 3600),
    ("civicdesk.assignment.tasks.assign_waiting", env_int("ASSIGN_SWEEP_SECONDS", 30)),
    ("civicdesk.metrics.tasks.catch_up_figures", METRICS_CATCH_UP_SECONDS),  # figures lag by at most 60 s
    ("civicdesk.scorecard.tasks.refresh_scorecard", SCORECARD_REFRESH_SECONDS),  # the public scorecard
    ("civicdesk.crisis.tasks.recover_broadcasts", 30),
]
WEB_WORKERS = env_int("WEB_WORKERS", 2)
WEB_THREADS = env_int("WEB_THREADS", 1)  # threads per web worker for the sync views (civicdesk.web.serving);
# 1: on 2 cores, more threads only contend for the GIL and SQLite's write lock (bench/README.md, Open311 POST)
TASK_WORKERS = env_int("TASK_WORKERS", 1)  # workers per queue (TASK_QUEUES)

# Open data: where the daily exports are written, how many days are kept, and the area type named in each row.
OPEN_DATA_DIR = Path(os.environ.get("OPEN_DATA_DIR") or VAR_DIR / "opendata")
OPEN_DATA_KEEP_DAYS = env_int("OPEN_DATA_KEEP_DAYS", 30)
OPEN_DATA_AREA_TYPE = os.environ.get("OPEN_DATA_AREA_TYPE", "ward")

# GIS: default queue for points outside every boundary, index freshness, and the map's tile layer.
GIS_DEFAULT_AGENCY = os.environ.get("GIS_DEFAULT_AGENCY", "")
GIS_INDEX_CHECK_SECONDS = env_int("GIS_INDEX_CHECK_SECONDS", 5)
GIS_NEARBY_RADIUS_M = env_int("GIS_NEARBY_RADIUS_M", 250)
# The jurisdiction's name in "This location is outside Riverbend"; empty: the name of its boundary area
JURISDICTION_NAME = os.environ.get("JURISDICTION_NAME", "")
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
MAP_TILE_ORIGIN = ""  # used by the CSP img-src; "{s}" subdomains become a "*." wildcard
if MAP_TILE_URL:
    from urllib.parse import urlsplit

    _tiles = urlsplit(MAP_TILE_URL.replace("{s}", "*"))
    MAP_TILE_ORIGIN = f"{_tiles.scheme}://{_tiles.netloc}" if _tiles.scheme and _tiles.netloc else ""

# Open311 GeoReport v2 server: "" serves one jurisdiction and treats jurisdiction_id as optional; a comma-separated
# list (e.g. "riverbend.example,north.example") serves several and requires jurisdiction_id on every call.
OPEN311_JURISDICTIONS = [j.strip() for j in os.environ.get("OPEN311_JURISDICTIONS", "").split(",") if j.strip()]
# Public pages without accounts, per client address (hashed) in the shared cache.
PORTAL_SUBMISSIONS_PER_HOUR = env_int("PORTAL_SUBMISSIONS_PER_HOUR", 20)  # portal request forms sent
PORTAL_FOLLOWS_PER_HOUR = env_int("PORTAL_FOLLOWS_PER_HOUR", 20)  # "this is my problem too" follows
PORTAL_STATUS_LOOKUPS_PER_MINUTE = env_int("PORTAL_STATUS_LOOKUPS_PER_MINUTE", 10)  # request-number + email checks
PLACES_LOOKUPS_PER_MINUTE = env_int("PLACES_LOOKUPS_PER_MINUTE", 240)  # address suggestions and nearest-address
PORTAL_COMMENTS_PER_HOUR = env_int("PORTAL_COMMENTS_PER_HOUR", 20)  # comments and "not fixed" on status pages
# Live chat (civicdesk.chat): the length cap, rate limits per session and per client address, and timings.
CHAT_MAX_MESSAGE_CHARS = env_int("CHAT_MAX_MESSAGE_CHARS", 2000)
CHAT_MESSAGES_PER_MINUTE = env_int("CHAT_MESSAGES_PER_MINUTE", 30)  # one session's messages
CHAT_IP_MESSAGES_PER_MINUTE = env_int("CHAT_IP_MESSAGES_PER_MINUTE", 120)  # every session of one address
CHAT_STARTS_PER_HOUR = env_int("CHAT_STARTS_PER_HOUR", 10)  # new chats and left messages per address
CHAT_POLL_SECONDS = float(os.environ.get("CHAT_POLL_SECONDS", "0.25"))  # chat streams: read when woken, or this often
CHAT_RESIDENT_GONE_SECONDS = env_int("CHAT_RESIDENT_GONE_SECONDS", 300)  # a live chat with no page open ends
CHAT_AGENT_GONE_SECONDS = env_int("CHAT_AGENT_GONE_SECONDS", 45)  # an accepting agent's desk must check in
# A resident may say "this is not fixed" (and so reopen the request) up to this many days after it was resolved/closed.
REOPEN_WINDOW_DAYS = env_int("REOPEN_WINDOW_DAYS", 30)
# Satisfaction (civicdesk.satisfaction): one survey per resolved case; "Is it fixed?" FIX_CHECK_DAYS after resolution
# (FixMyStreet asks after four weeks; 0: never asked). A text of 1-5 (or YES/NO) from the number asked is taken as the
# answer within SURVEY_SMS_REPLY_DAYS (FIX_CHECK_SMS_REPLY_DAYS) of the question; the survey pages take at most
# SURVEY_ANSWERS_PER_HOUR answers per client address.
FIX_CHECK_DAYS = env_int("FIX_CHECK_DAYS", 28)
SURVEY_SMS_REPLY_DAYS = env_int("SURVEY_SMS_REPLY_DAYS", 7)
FIX_CHECK_SMS_REPLY_DAYS = env_int("FIX_CHECK_SMS_REPLY_DAYS", 14)
SURVEY_ANSWERS_PER_HOUR = env_int("SURVEY_ANSWERS_PER_HOUR", 20)
# Staff who chose "by email when away" get a notification's email only after this long without an open staff page.
NOTIFY_AWAY_AFTER_MINUTES = env_int("NOTIFY_AWAY_AFTER_MINUTES", 10)
# Automatic assignment: an agent counts as signed in and active with a staff page open within this many minutes.
ASSIGN_ACTIVE_MINUTES = env_int("ASSIGN_ACTIVE_MINUTES", 5)
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 600)  # REST API requests per token per minute
OPEN311_DEFAULT_RATE_LIMIT = env_int("OPEN311_DEFAULT_RATE_LIMIT", 600)  # POSTs per key per minute
OPEN311_CONTACT = os.environ.get("OPEN311_CONTACT", "")
# An identical POST requests from the same application within this window is the client's retry: same answer.
OPEN311_RETRY_WINDOW_SECONDS = env_int("OPEN311_RETRY_WINDOW_SECONDS", 120)
# POSTs with lat/long farther than this outside the jurisdiction's extent get a 400 (nearer ones are flagged)
OPEN311_OUTSIDE_MARGIN_M = env_int("OPEN311_OUTSIDE_MARGIN_M", 10_000)
# Largest answer read from another jurisdiction's Open311 server; reading stops past it and that call fails.
OPEN311_MAX_RESPONSE_BYTES = env_int("OPEN311_MAX_RESPONSE_BYTES", 5_000_000)

# Crisis mode (civicdesk.crisis): alert subscriptions and broadcasts.
CRISIS_SMS_ACCOUNT = os.environ.get("CRISIS_SMS_ACCOUNT", "")  # the alert number (account id or number); empty: 311's
CRISIS_SMS_SEGMENTS_PER_SECOND = float(os.environ.get("CRISIS_SMS_SEGMENTS_PER_SECOND", "1"))  # a long-code number
CRISIS_EMAILS_PER_SECOND = float(os.environ.get("CRISIS_EMAILS_PER_SECOND", "20"))
CRISIS_AREA_TYPE = os.environ.get("CRISIS_AREA_TYPE", "")  # the area type residents pick; empty: the first (wards)
CRISIS_LANE_SLICE_SECONDS = env_int("CRISIS_LANE_SLICE_SECONDS", 20)  # a sending lane's turn before it requeues
CRISIS_LANE_LEASE_SECONDS = env_int("CRISIS_LANE_LEASE_SECONDS", 60)  # a dead sender's lane is taken over after
CRISIS_SUBSCRIBES_PER_HOUR = env_int("CRISIS_SUBSCRIBES_PER_HOUR", 10)  # alert sign-ups per client address
