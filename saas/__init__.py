"""The application factory: configuration, extensions, blueprints, CLI. No routes here."""
from __future__ import annotations

import logging
import os

from flask import Flask

from saas import config as settings


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static",
                instance_path=settings.ROOT.joinpath("instance").as_posix())
    app.config.update(settings.from_environment())
    app.config.update(overrides or {})
    _finish_config(app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from saas import db, errors, i18n, navigation, security
    from saas.crypto import Crypto
    from saas.models import import_all_models

    import_all_models()
    db.init_app(app)
    Crypto().init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    navigation.init_app(app)
    errors.init_app(app)

    from saas.accounts import login, roles

    login.init_app(app)
    roles.init_app(app)
    _register_blueprints(app)
    _register_cli(app)
    _start_scheduler_if_asked(app)
    return app


def _finish_config(app: Flask) -> None:
    embedded = app.config["DATABASE_URL"].startswith("sqlite")
    # Generated secrets are for the embedded quick start; a PostgreSQL
    # deployment must be given its own (refuse to invent keys in production).
    app.config.setdefault("GENERATE_MISSING_SECRETS", embedded)
    if not app.config.get("SECRET_KEY"):
        if not app.config["GENERATE_MISSING_SECRETS"]:
            raise RuntimeError("SECRET_KEY must be set (see README, Configuration)")
        app.config["SECRET_KEY"] = settings.instance_secret(app.config["INSTANCE_PATH"], "secret_key")
    app.config["SCHEDULER_IN_PROCESS"] = str(app.config.get("SCHEDULER_IN_PROCESS", "0")) in ("1", "true", True)


def _register_blueprints(app: Flask) -> None:
    import tenants
    from saas.accounts.views import bp as accounts_bp
    from saas.public.views import bp as public_bp
    from saas.signup.views import bp as signup_bp

    for bp in (public_bp, accounts_bp, signup_bp, *tenants.blueprints()):
        app.register_blueprint(bp)
    if app.debug or app.config.get("DEV_MAIL_PAGE"):
        from saas.public.devmail import bp as devmail_bp

        app.register_blueprint(devmail_bp)


def _register_cli(app: Flask) -> None:
    import tenants
    from jobs import cli as jobs_cli
    from saas import cli, demo
    from saas.crypto import cli as keys_cli

    for module in (cli, demo, keys_cli, jobs_cli, *tenants.cli_modules()):
        module.init_app(app)


def _start_scheduler_if_asked(app: Flask) -> None:
    # Under the reloader the app is built twice: only the serving child runs jobs.
    if not app.config["SCHEDULER_IN_PROCESS"]:
        return
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return
    from jobs.scheduler import start_background

    start_background(app)
