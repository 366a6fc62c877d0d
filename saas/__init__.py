"""The application factory: configuration, extensions, blueprints, CLI. No routes here.

The composition root: with saas/cli.py, the only platform module that imports
the features (tenants/registry.py) and the jobs. Everything else in saas/ is
given the features through `app.extensions["features"]` (saas/features.py).
docs/ARCHITECTURE.md shows the layers.
"""
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
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # one line per plugin, every command

    from saas import db, encoding, errors, features, htmx, i18n, limits, navigation, security
    from saas.crypto import Crypto

    features.init_app(app, _import_models())
    db.init_app(app)
    Crypto().init_app(app)
    security.init_app(app)
    limits.init_app(app)  # request body sizes per view, 413 in French
    encoding.init_app(app)  # form bodies and query strings in UTF-8, else 400 in French
    i18n.init_app(app)
    navigation.init_app(app)
    errors.init_app(app)
    htmx.init_app(app)

    from saas.accounts import login, roles

    login.init_app(app)
    roles.init_app(app)
    _register_blueprints(app)
    from saas import logs

    logs.init_app(app)  # after the blueprints: the URL map says which paths carry tokens
    _register_cli(app)
    app.extensions["create_app"] = create_app  # a sweep worker builds its own app (jobs/parallel.py)
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


def _import_models():
    """Import every module that declares tables, so both metadatas are complete; the features."""
    import jobs.models  # noqa: F401  (the sweep lock and run log: public tables owned by the jobs)
    import saas.accounts.models  # noqa: F401
    import saas.centres.models  # noqa: F401
    import saas.mail.models  # noqa: F401
    import saas.signup.models  # noqa: F401
    from tenants.registry import FEATURES  # every feature's tables, imported explicitly

    return FEATURES


def _register_blueprints(app: Flask) -> None:
    from jobs.health import bp as jobs_health_bp
    from saas.accounts.views import bp as accounts_bp
    from saas.public.views import bp as public_bp
    from saas.signup.views import bp as signup_bp

    for bp in (public_bp, accounts_bp, signup_bp, jobs_health_bp):
        app.register_blueprint(bp)
    app.extensions["features"].register_blueprints(app)
    if app.debug or app.config.get("DEV_MAIL_PAGE"):
        from saas.public.devmail import bp as devmail_bp

        app.register_blueprint(devmail_bp)


def _register_cli(app: Flask) -> None:
    from saas import cli

    cli.init_app(app)


def _start_scheduler_if_asked(app: Flask) -> None:
    # Under the reloader the app is built twice: only the serving child runs jobs.
    if not app.config["SCHEDULER_IN_PROCESS"]:
        return
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return
    from jobs.scheduler import start_background

    start_background(app)
