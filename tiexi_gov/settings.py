"""Settings for the Tiexi district government portal.

Everything that differs between a newcomer's laptop and the real deployment comes from the
environment; the defaults are the embedded ones (SQLite file, filesystem Celery broker under var/)
so that `make run` needs no server.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TIEXI_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# A failed form check says the page is out of date (not "no permission") and shows what was typed (error_pages).
CSRF_FAILURE_VIEW = "tiexi_gov.error_pages.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "guardian",
    "django_celery_beat",
    # shared apps every workflow stands on
    "tiexi_gov.org",
    "tiexi_gov.workdays",
    "tiexi_gov.audit",
    "tiexi_gov.notify",
    "tiexi_gov.deadlines",
    "tiexi_gov.workflow",
    # domain apps
    "documents",
    "supervision",
    "meetings",
    "coordination",
    "search",
    "compliance",
    "circulation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signed-in pages are no-store: Back after 退出 on a shared computer must not show the last person's page.
    "tiexi_gov.security.SignedInNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tiexi_gov.audit.middleware.RequestContextMiddleware",
    "tiexi_gov.error_pages.ChineseErrorPagesMiddleware",
    # After the error pages, so its answer to BadInput comes first: a NUL byte anywhere in a request, or a parameter
    # a view cannot read, is a Chinese 400 before anything changes.
    "tiexi_gov.http.BadInputMiddleware",
]
# With DEBUG on (make run), the portal's Chinese 403/404/500 pages still show; 1 brings back Django's technical ones.
TECHNICAL_ERROR_PAGES = env_bool("TECHNICAL_ERROR_PAGES", False)

ROOT_URLCONF = "tiexi_gov.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # `due`: every clock-computed date is shown with its 暂定 mark (CAL-2) without a {% load %}.
            "builtins": ["tiexi_gov.deadlines.templatetags.due_tags", "tiexi_gov.rowtemplates"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tiexi_gov.notify.context_processors.inbox",
                "tiexi_gov.workflow.context_processors.open_tasks",
            ],
        },
    },
]

WSGI_APPLICATION = "tiexi_gov.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tiexi.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# The portal's data fits in memory (tens of thousands of items, on SSD at worst): a random page costs little more than
# a sequential one. At PostgreSQL's default of 4 the planner reads the ledger's 50,000 wide rows (a seq scan, 23 ms) to
# count them by light rather than the narrow index made for that count (index-only, 15 ms). Each new PostgreSQL
# connection is told this value (tiexi_gov.ops.planner), so that a server left at its defaults plans as it should;
# empty leaves the server's own value, for a DBA who tunes it there.
DB_RANDOM_PAGE_COST = float(os.environ.get("DB_RANDOM_PAGE_COST", "1.1").strip() or 0) or None
# Prepared statements on PostgreSQL (issue 14.3): a statement a connection has run DB_PREPARE_THRESHOLD times is
# prepared, and PostgreSQL stops planning it again (planning was a third of its CPU per approval). That needs the
# values bound by the server (psycopg's default cursor) instead of written into the SQL text by psycopg. Empty
# turns both off (Django's default), for a transaction-pooling PgBouncer that cannot keep a session's statements.
DB_PREPARE_THRESHOLD = os.environ.get("DB_PREPARE_THRESHOLD", "5").strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_PREPARE_THRESHOLD:
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": int(DB_PREPARE_THRESHOLD)}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file on the embedded default. WAL lets readers go on while one writes;
    # IMMEDIATE transactions take the write lock when they begin (no deadlock upgrading a read lock later);
    # the busy timeout makes a second writer wait for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests on the embedded default use a file too (not shared-cache memory, whose table locks fail at once), so
    # the concurrency tests meet the same WAL and busy timeout as `make run`'s three processes. One file per test
    # process, so two test runs in one checkout do not lock each other out (SQLITE_TEST_NAME picks one by hand).
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("SQLITE_TEST_NAME") or str(VAR_DIR / f"test-tiexi-{os.getpid()}.sqlite3")
    }
    VAR_DIR.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

AUTHENTICATION_BACKENDS = [
    "tiexi_gov.org.backends.OrgModelBackend",  # ModelBackend that reads the user's roles with the user
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous users see nothing
GUARDIAN_RAISE_403 = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
# Uploaded attachments live outside the static root and are served only through permission checks.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never routed: attachments go through permission-checked views only
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Mail: console on the laptop, SMTP in production (EMAIL_HOST etc. from the environment).
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
# The file backend's folder (`make run` writes each mail there: scripts/run_dev.py).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Issue 13.1: mail goes through notify.tasks.email_messages (never from the web request). A silent server must not
# hold a worker forever; a failed send retries with exponential backoff (30 s, 60 s, … capped at 10 min) up to
# 6 times, then shows in the admin (站内消息 › 邮件状态) and the beat's mail sweep queues it again.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
NOTIFY_EMAIL_MAX_RETRIES = int(os.environ.get("NOTIFY_EMAIL_MAX_RETRIES", "6"))
NOTIFY_EMAIL_RETRY_BACKOFF = int(os.environ.get("NOTIFY_EMAIL_RETRY_BACKOFF", "30"))
NOTIFY_EMAIL_RETRY_BACKOFF_MAX = int(os.environ.get("NOTIFY_EMAIL_RETRY_BACKOFF_MAX", "600"))
# A claim older than this belongs to a sender that died; the sweep leaves mail tried more recently than
# SWEEP_AFTER to its own task's retries (longer than the backoff cap) and gives up after MAX_AGE.
NOTIFY_EMAIL_CLAIM_MINUTES = int(os.environ.get("NOTIFY_EMAIL_CLAIM_MINUTES", "15"))
NOTIFY_EMAIL_SWEEP_AFTER_MINUTES = int(os.environ.get("NOTIFY_EMAIL_SWEEP_AFTER_MINUTES", "15"))
NOTIFY_EMAIL_SWEEP_MAX_AGE_HOURS = int(os.environ.get("NOTIFY_EMAIL_SWEEP_MAX_AGE_HOURS", "72"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "铁西区政府办公室 <noreply@tiexi.gov.local>")

# Celery: Redis in production and CI; kombu's filesystem transport (one host only) by default.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "celery" / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),  # kombu's default is ./control in the checkout
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "deadline-sweep": {
        "task": "tiexi_gov.deadlines.tasks.sweep_deadlines",
        "schedule": float(os.environ.get("DEADLINE_SWEEP_SECONDS", "300")),
    },
    "supervision-half-year-rounds": {
        "task": "supervision.tasks.open_half_year_rounds",
        "schedule": 6 * 3600.0,
    },
    "coordination-research-reminders": {
        "task": "coordination.tasks.remind_research_short",
        "schedule": 24 * 3600.0,
    },
    "meetings-past-resync": {"task": "meetings.tasks.resync_past_meetings", "schedule": 3600.0},
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Issue 13.1: the mail sweep (unsent mail nobody is trying is queued again). The default queue's name can be set
# so that two deployments sharing one Redis (or a test's private worker) do not take each other's tasks.
CELERY_BEAT_SCHEDULE["notify-email-sweep"] = {
    "task": "tiexi_gov.notify.tasks.requeue_unsent_email",
    "schedule": float(os.environ.get("NOTIFY_EMAIL_SWEEP_SECONDS", "300")),
}
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
# Issue 15.4: a receipt unread after N working days is reminded once, then listed for the office (逾期未阅).
CIRCULATION_REMIND_AFTER_WORKDAYS = int(os.environ.get("CIRCULATION_REMIND_AFTER_WORKDAYS", "3"))
CELERY_BEAT_SCHEDULE["circulation-unread-sweep"] = {"task": "circulation.tasks.remind_unread", "schedule": 3600.0}

# The cache: Redis shared by every web process (CACHE_URL=redis://…), or, without it, each process's own memory.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions are read from the cache and written through to the database (a page does not query its session) only
# when every web process shares that cache. A process's own memory would keep its copy of a session that another
# gunicorn worker ended (logout, idle timeout, 12 hours) and honour it again; without CACHE_URL sessions are read
# from the database on every request.
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if CACHE_URL else "db")
MESSAGE_STORAGE = "tiexi_gov.message_storage.PlainRulesStorage"

# Production hardening: on whenever DEBUG is off (manage.py check --deploy --fail-level WARNING passes).
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- Issue 12.4: defence in depth ---
# Content-Security-Policy (django-csp 4): no inline script anywhere (templates use static/js and data attributes;
# htmx runs without eval and without injecting its indicator <style>, see base.html). Inline *style attributes* stay
# allowed (style-src-attr only): a few bars are sized from data (style="width: 40%"); <style> elements and style
# sheets from elsewhere are refused (style-src / style-src-elem 'self'). Bootstrap's icons are data: SVG.
INSTALLED_APPS += ["csp"]
_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "style-src-elem": [_SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "object-src": [_NONE],
        "base-uri": [_NONE],
        "frame-ancestors": [_NONE],
        "form-action": [_SELF],
    },
}
# Browser features the portal never uses, switched off for every page (and anything framed into one).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "serial",
        "bluetooth",
        "hid",
        "xr-spatial-tracking",
        "browsing-topics",
    )
}
# Request size: a body announced larger than REQUEST_BODY_MAX_BYTES is refused (413, Chinese page) before anything
# reads it; the default is two full attachments (DOCUMENT_ATTACHMENT_MAX_BYTES, 20 MB) plus 10 MB, i.e. 50 MB.
# The proxy in front refuses it first (nginx client_max_body_size 50m; README, production). Within the cap, Django
# keeps at most 2.5 MB of form fields in memory (more is RequestDataTooBig, the Chinese 400), spools files above
# 2.5 MB to disk, and takes at most 20 files in one request.
REQUEST_BODY_MAX_BYTES = int(os.environ.get("REQUEST_BODY_MAX_BYTES", str(50 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440)))
FILE_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("FILE_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440)))
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# Outermost: the two header middlewares (they only add headers, so the 413 page has them too), then the size cap,
# before SecurityMiddleware and everything else that could read the body.
MIDDLEWARE = [
    "tiexi_gov.security.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "tiexi_gov.security.RequestSizeLimitMiddleware",
    *MIDDLEWARE,
]

# --- Issue 12.2: login and sessions ---
# Lockout (django-axes), login audit, session limits, password policy and the second factor (django-otp).
# Everything below is configurable from the environment; the defaults are the 等保 2.0 level-3 values.
import datetime as _dt  # noqa: E402

INSTALLED_APPS += ["axes", "django_otp", "django_otp.plugins.otp_totp", "tiexi_gov.accounts"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE += [
    # After the messages and htmx middleware: both answer with a message and, for htmx, an HX-Redirect.
    "tiexi_gov.accounts.middleware.SessionLimitsMiddleware",
    "tiexi_gov.accounts.middleware.PasswordChangeRequiredMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the login page's lockout message
]
# First: a locked account or address is refused before any password is checked.
AUTHENTICATION_BACKENDS.insert(0, "tiexi_gov.accounts.backends.LockoutBackend")

# 5 failed attempts lock the username, and separately the address, for 10 minutes (either list locks).
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = _dt.timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "10")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "tiexi_gov.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "tiexi_gov.accounts.net.login_ip"
AXES_RESET_ON_SUCCESS = False  # a success with one account does not clear the address's failures with others
AXES_VERBOSE = False
# Behind the production proxy: 1, and the proxy overwrites X-Forwarded-For with the client address (README).
LOGIN_TRUST_X_FORWARDED_FOR = env_bool("LOGIN_TRUST_X_FORWARDED_FOR", False)

# Sessions: idle timeout (shorter for the system/security/audit administrators) and an absolute lifetime.
SESSION_IDLE_TIMEOUT_MINUTES = int(os.environ.get("SESSION_IDLE_TIMEOUT_MINUTES", "30"))
SESSION_ADMIN_IDLE_TIMEOUT_MINUTES = int(os.environ.get("SESSION_ADMIN_IDLE_TIMEOUT_MINUTES", "15"))
SESSION_ABSOLUTE_HOURS = float(os.environ.get("SESSION_ABSOLUTE_HOURS", "12"))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_HOURS * 3600)

# Passwords: 8+ characters from 3 of 4 classes, no reuse of the last 5, expiry after 90 days (0 = never).
AUTH_PASSWORD_VALIDATORS = [v for v in AUTH_PASSWORD_VALIDATORS if not v["NAME"].endswith("MinimumLengthValidator")] + [
    {"NAME": "tiexi_gov.accounts.validators.CharacterClassesValidator", "OPTIONS": {"min_length": 8, "min_classes": 3}},
    {"NAME": "tiexi_gov.accounts.validators.PasswordHistoryValidator"},
]
PASSWORD_HISTORY_COUNT = int(os.environ.get("PASSWORD_HISTORY_COUNT", "5"))
PASSWORD_MAX_AGE_DAYS = int(os.environ.get("PASSWORD_MAX_AGE_DAYS", "90"))

# Second factor: TOTP required for the three administrators (and superusers), available to everyone.
OTP_REQUIRED_FOR_ADMINS = env_bool("OTP_REQUIRED_FOR_ADMINS", True)
OTP_TOTP_ISSUER = "铁西区政府工作平台"
# --- end of issue 12.2 ---

# --- Issue 12.3: audit chain ---
# Every audit event carries an SM3 hash chained to the previous one (tiexi_gov/audit/chain.py); the beat walks the
# chain daily (`manage.py audit verify` by hand) and alerts the audit administrators on a break. Events younger
# than the retention period cannot be purged (`manage.py audit purge`, owner role only). The runtime database role
# may only INSERT/SELECT the audit tables; with AUDIT_RUNTIME_DB_ROLE set, `migrate` (run as the owner) re-grants.
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "184"))
AUDIT_CLOCK_TOLERANCE_SECONDS = int(os.environ.get("AUDIT_CLOCK_TOLERANCE_SECONDS", "300"))
AUDIT_RUNTIME_DB_ROLE = os.environ.get("AUDIT_RUNTIME_DB_ROLE", "")
from celery.schedules import crontab as _crontab  # noqa: E402

CELERY_BEAT_SCHEDULE["audit-verify-chain"] = {
    "task": "tiexi_gov.audit.tasks.verify_chain",
    "schedule": _crontab(hour=int(os.environ.get("AUDIT_VERIFY_HOUR", "2")), minute=30),
}
# Ended sessions are deleted every night (Django leaves that to a clearsessions job).
CELERY_BEAT_SCHEDULE["accounts-clear-expired-sessions"] = {
    "task": "tiexi_gov.accounts.tasks.clear_expired_sessions",
    "schedule": _crontab(hour=int(os.environ.get("SESSION_PURGE_HOUR", "3")), minute=15),
}
# --- end of issue 12.3 ---

# --- Issue 13.5: operations ---
# /healthz answers the load balancer before every other middleware (no HTTPS redirect, host check, session or
# login); `manage.py backup` writes its archives to BACKUP_DIR (README, production: backup and restore).
INSTALLED_APPS += ["tiexi_gov.ops"]
MIDDLEWARE.insert(0, "tiexi_gov.ops.middleware.HealthzMiddleware")
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", VAR_DIR / "backups"))
# --- end of issue 13.5 ---

# --- Issue 15.3: directory login (LDAP, OpenID Connect) ---
# Both optional, both off unless configured here; tiexi_gov/accounts/directory maps a directory account to the portal
# account with the same 工号 (employee number), never creates one and never grants a role. The system, security and
# audit administrators log in only locally. A directory login goes through django-axes, the login audit and the
# second factor exactly as a password login does.
# LDAP: the login form's user name and password are checked against the directory (search, then bind as the user).
LDAP_SERVER_URI = os.environ.get("LDAP_SERVER_URI", "")  # e.g. ldap://ldap.tiexi.gov.local:389 (empty: off)
LDAP_BIND_DN = os.environ.get("LDAP_BIND_DN", "")  # the search account; empty binds anonymously for the search
LDAP_BIND_PASSWORD = os.environ.get("LDAP_BIND_PASSWORD", "")
LDAP_USER_SEARCH_BASE = os.environ.get("LDAP_USER_SEARCH_BASE", "")  # e.g. ou=people,dc=tiexi,dc=gov
LDAP_USER_FILTER = os.environ.get("LDAP_USER_FILTER", "(uid=%(user)s)")
LDAP_EMPLOYEE_NUMBER_ATTR = os.environ.get("LDAP_EMPLOYEE_NUMBER_ATTR", "employeeNumber")
LDAP_START_TLS = env_bool("LDAP_START_TLS", False)
LDAP_TIMEOUT_SECONDS = float(os.environ.get("LDAP_TIMEOUT_SECONDS", "5"))
if LDAP_SERVER_URI:
    if not LDAP_USER_SEARCH_BASE:
        raise ImproperlyConfigured("LDAP_SERVER_URI is set: LDAP_USER_SEARCH_BASE must be set too.")
    AUTHENTICATION_BACKENDS += ["tiexi_gov.accounts.directory.ldap_backend.LDAPDirectoryBackend"]
# OpenID Connect (统一身份认证): the authorization-code flow with PKCE; the provider's endpoints are given one by one.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")  # empty: off
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid profile")
OIDC_EMPLOYEE_NUMBER_CLAIM = os.environ.get("OIDC_EMPLOYEE_NUMBER_CLAIM", "employee_number")
OIDC_TIMEOUT = float(os.environ.get("OIDC_TIMEOUT_SECONDS", "10"))
OIDC_USE_PKCE = env_bool("OIDC_USE_PKCE", True)
OIDC_CREATE_USER = False  # never: an unknown person is refused
OIDC_STORE_ACCESS_TOKEN = OIDC_STORE_ID_TOKEN = False
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
if OIDC_RP_CLIENT_ID:
    _oidc_missing = [
        name
        for name in ("OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT", "OIDC_OP_USER_ENDPOINT")
        if not globals()[name]
    ]
    if OIDC_RP_SIGN_ALGO.startswith(("RS", "ES")) and not OIDC_OP_JWKS_ENDPOINT:
        _oidc_missing.append("OIDC_OP_JWKS_ENDPOINT")
    if _oidc_missing:
        raise ImproperlyConfigured(f"OIDC_RP_CLIENT_ID is set: {', '.join(_oidc_missing)} must be set too.")
    AUTHENTICATION_BACKENDS += ["tiexi_gov.accounts.directory.oidc.OIDCDirectoryBackend"]
TEMPLATES[0]["OPTIONS"].setdefault("libraries", {})["directory_login"] = "tiexi_gov.accounts.directory.tags"
# --- end of issue 15.3 ---

# --- Issue 15.1: the REST API ---
# Django REST framework + drf-spectacular: the same selectors, permission functions and services as the pages.
# Session (with CSRF) for the browser, Bearer tokens (created by the security administrator, api/) for systems.
# The docs page (/api/docs/) loads Swagger UI from drf-spectacular-sidecar's static files: no CDN, CSP 'self' holds.
INSTALLED_APPS += ["rest_framework", "drf_spectacular", "drf_spectacular_sidecar", "api"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ActivePerson"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.ContentNegotiation",
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "铁西区政府工作平台接口",
    "DESCRIPTION": (
        "我的待办、各领域事项、办理记录与办理操作；可见范围和可办事项与页面相同。"
        "新建类请求（POST 到列表地址）可带 Idempotency-Key 请求头（建议每次新建用一个新的UUID）：同一个人以同一个"
        "值重发时不再新建，返回当时创建的内容（200）。"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema names every endpoint and field: like the API itself, only for a signed-in, active account (session
    # or Bearer token); anyone else gets 401 with the API's Chinese detail. The docs page logs in first (api/urls.py).
    "SERVE_PERMISSIONS": ["api.permissions.ActivePerson"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# --- end of issue 15.1 ---

# --- Issue 14.2: the page cache ---
# The navbar's list pages are served again from the cache while nothing they could show has changed: a committed
# write anywhere replaces the data generation and every cached page becomes a miss (tiexi_gov/pagecache). A page lives
# at most this many seconds (its clock-based wording, e.g. 剩 N 个工作日, follows the day in the key); 0 turns it off.
INSTALLED_APPS += ["tiexi_gov.pagecache"]
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "60"))
# --- end of issue 14.2 ---
