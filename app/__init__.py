"""The application factory: builds the app and nothing else (no migrations, no data)."""

from __future__ import annotations

import logging

from flask import Flask, redirect, request, url_for
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, TestConfig

#: Endpoints anyone may reach; everything else needs a logged-in user (deny by default).
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static", "health.healthz"})


class ConfigurationError(RuntimeError):
    """The app cannot start with this configuration."""


def create_app(overrides: dict | None = None) -> Flask:
    """Build a configured app with its extensions, blueprints, handlers and commands."""
    app = Flask(__name__, template_folder="../templates", instance_relative_config=True)
    base = TestConfig if (overrides or {}).get("APP_ENV", Config.APP_ENV) == "testing" else Config
    app.config.from_object(base)
    app.config.update(overrides or {})
    _check_config(app)
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_MB"] * 1024 * 1024 + 256 * 1024
    app.config["SESSION_COOKIE_SECURE"] = app.config["APP_ENV"] == "production"
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    logging.basicConfig(level=logging.INFO)
    # pyHanko logs a traceback as a WARNING for every untrusted root or changed document it is shown; the app
    # records its verdict in the badge and logs a real failure itself (app/evidence/signatures.py).
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if app.config["TRUSTED_PROXIES"] > 0:
        # Only the last N hops were written by our own proxies; earlier ones are whatever the client sent.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    _init_extensions(app)
    _register_blueprints(app)
    _register_request_rules(app)
    _register_commands(app)
    return app


def _check_config(app: Flask) -> None:
    """Refuse to start in production without a secret key of 32 bytes or more, or on several machines with local
    storage; give others a throwaway key."""
    # Imported when an app is built, not with the package: every `import app.…` (workers, Alembic, tests) runs
    # this file first, so its top stays light.
    from app.core.security import MIN_SECRET_BYTES

    if app.config["APP_ENV"] not in ("development", "testing", "production"):
        raise ConfigurationError("APP_ENV must be development, testing or production")
    if not app.config.get("SECRET_KEY"):
        if app.config["APP_ENV"] == "production":
            raise ConfigurationError("SECRET_KEY is not set: production refuses to start without it.")
        app.config["SECRET_KEY"] = "dev-only-not-secret"
    if app.config["APP_ENV"] == "production" and len(app.config["SECRET_KEY"].encode()) < MIN_SECRET_BYTES:
        raise ConfigurationError(f"SECRET_KEY is shorter than {MIN_SECRET_BYTES} bytes: production refuses it "
                                 "(python3 -c 'import secrets; print(secrets.token_hex(32))' makes one).")
    if app.config["APP_ENV"] == "production" and app.config.get("MULTI_MACHINE") \
            and not str(app.config.get("STORAGE_URL") or "").startswith("s3://"):
        # Each web machine would keep the files it received on its own disk: the others answer 404 or 500 for them.
        raise ConfigurationError("MULTI_MACHINE=1 but the evidence store is a local directory (STORAGE_URL unset or "
                                 "file://): production on several machines refuses to start. Set "
                                 "STORAGE_URL=s3://bucket/prefix (and S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, "
                                 "AWS_SECRET_ACCESS_KEY), after `flask storage migrate --to s3://bucket/prefix`.")
    if app.config["APP_ENV"] == "production" and app.config.get("MULTI_MACHINE") and not app.config.get("SMTP_HOST"):
        # Without SMTP each worker writes mail to its own instance/outbox/: nobody would ever receive it.
        raise ConfigurationError("MULTI_MACHINE=1 but SMTP_HOST is unset: mail would be written to one machine's "
                                 "instance/outbox/ and never sent. Set SMTP_HOST (and SMTP_PORT, MAIL_FROM).")


def _init_extensions(app: Flask) -> None:
    # The extensions and the core's hooks load with an app, not with the package (see _check_config).
    from app.core import database, errors, fragments, multipart
    from app.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    database.init_app(app)
    errors.init_app(app)
    multipart.init_app(app)  # multipart bodies parsed in C and streamed to disk
    fragments.init_app(app)  # rendered pages kept until the database changes
    _import_models()

    # Models load with an app (as _import_models does just above), not with the package.
    from app.auth.models import User

    # Built once: every request runs it, one query for the user with their unit (User.unit is joined), and on
    # PostgreSQL the snapshot a kept page is looked up under (app/core/fragments.py): a return visit's one query.
    user_by_alt_id = fragments.loader_with_state(db.select(User).where(User.alt_id == db.bindparam("alt_id")))

    @login_manager.user_loader
    def _load_user(alt_id: str):
        return user_by_alt_id({"alt_id": alt_id})


def _import_models() -> None:
    """Import every model so metadata (and Alembic) knows all tables."""
    import app.auth.models  # noqa: F401
    import app.core.models  # noqa: F401
    import app.directives.models  # noqa: F401
    import app.directives.wording  # noqa: F401
    import app.escalation.models  # noqa: F401
    import app.evidence.models  # noqa: F401
    import app.indicators.models  # noqa: F401
    import app.notices.models  # noqa: F401
    import app.tasks.models  # noqa: F401

    # The permission rules that read domain tables join the core's RULES when their module is imported.
    import app.tasks.policy  # noqa: F401
    import app.units.models  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    # Routes load with an app, not with the package (see _check_config).
    from app.core import converters

    converters.register(app)  # before the routes: every <int:…> id is bounded (a larger one is a 404)
    # Each blueprint's views import their whole package: loaded when an app is built, never by `import app.…`.
    from app.admin.views import bp as admin_bp
    from app.api.health import health_bp
    from app.api.views import bp as api_bp
    from app.auth.views import bp as auth_bp
    from app.directives.views import bp as directives_bp
    from app.escalation.views import bp as escalation_bp
    from app.evidence.views import bp as evidence_bp
    from app.home.views import bp as home_bp
    from app.mergers.views import bp as mergers_bp
    from app.reports.views import bp as reports_bp
    from app.tasks.views import bp as tasks_bp
    from app.units.views import bp as units_bp

    for blueprint in (auth_bp, home_bp, units_bp, directives_bp, tasks_bp, evidence_bp, escalation_bp, reports_bp,
                      admin_bp, mergers_bp, api_bp, health_bp):
        app.register_blueprint(blueprint)


def _register_request_rules(app: Flask) -> None:
    # Request hooks and template helpers load with an app, not with the package (see _check_config).
    from app.core import clock, permissions
    from app.core.database import set_write_intent
    from app.core.errors import error_response
    from app.core.numbers import format_whole, vnnum, vnpercent
    from app.core.periods import month_label
    from app.core.permissions import shows_overview
    from app.core.security import add_security_headers, csp_nonce

    @app.before_request
    def _deny_by_default():
        """Every endpoint needs a user unless it is listed as public or is the API's own."""
        set_write_intent(request.method not in ("GET", "HEAD", "OPTIONS"))
        endpoint = request.endpoint or ""
        if endpoint in PUBLIC_ENDPOINTS or endpoint.startswith("api."):
            return None  # the API checks bearer tokens itself
        if request.endpoint is None:
            return None  # 404 / 405 handlers answer
        if not current_user.is_authenticated:
            if request.method == "GET":
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            return error_response(401)
        return None

    app.after_request(add_security_headers)

    @app.context_processor
    def _template_helpers():
        return {
            "can": lambda action, obj=None: permissions.allowed(current_user, action, obj),
            "csp_nonce": csp_nonce,
            "shows_overview": shows_overview,
            "today": clock.today(),
        }

    @app.template_filter("vndate")
    def _vndate(value):
        """dd/mm/yyyy, as Vietnamese documents write dates."""
        if value is None:
            return ""
        if hasattr(value, "astimezone"):
            value = clock.local_date(value)
        return value.strftime("%d/%m/%Y")

    @app.template_filter("vnnumber")
    def _vnnumber(value):
        """15000000 as 15.000.000."""
        return format_whole(value)

    app.add_template_filter(month_label, "vnmonth")  # 2022-05 as 05/2022
    # 1.234 and 22,5 %: numbers in pages as Vietnamese people read them (app.core.numbers says how).
    app.add_template_filter(vnnum, "vnnum")
    app.add_template_filter(vnpercent, "vnpercent")

    @app.template_filter("vndatetime")
    def _vndatetime(value):
        """dd/mm/yyyy HH:MM in Vietnamese local time."""
        if value is None:
            return ""
        return clock.as_utc(value).astimezone(clock.VN).strftime("%d/%m/%Y %H:%M")


def _register_commands(app: Flask) -> None:
    # The CLI groups import their packages' services: loaded when an app is built, never by `import app.…`.
    from app.auth.cli import users_cli
    from app.backup.cli import backup_cli
    from app.backup.storage_cli import storage_cli
    from app.directives.cli import directive_cli
    from app.escalation.cli import escalation_cli
    from app.mergers.cli import units_cli
    from app.seed.cli import seed_cli

    app.cli.add_command(seed_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(directive_cli)
    app.cli.add_command(escalation_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(storage_cli)
    app.cli.add_command(units_cli)
