"""`flask --app wsgi prod-check`: is this a production configuration? One line per problem.

It reads an environment file (systemd's EnvironmentFile format, deploy/bilan.env.sample)
or the process's environment, through the same `saas.config.from_environment` the app
uses, and never opens a database: a configuration the app would refuse is exactly what
it must still be able to describe. `python -m saas.prodcheck FILE` does the same
without building the app (docs/DEPLOY.md, "Checking the configuration").
"""
from __future__ import annotations

import os
import re
import stat
import sys
from pathlib import Path

import click
from sqlalchemy.engine import make_url

from saas.config import from_environment, sweep_processes

_LINE = re.compile(r"^\s*(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>.*?)\s*$")


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; blank lines and # comments skipped; one pair of surrounding quotes removed."""
    values: dict[str, str] = {}
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise ValueError(f"{path}:{number}: not a NAME=value line")
        value = match["value"]
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[match["name"]] = value
    return values


def _same_database(a: str, b: str) -> bool:
    try:
        x, y = make_url(a), make_url(b)
    except Exception:
        return a == b
    if x.get_backend_name() != y.get_backend_name():
        return False
    if x.get_backend_name() == "sqlite":
        return Path(x.database or "").resolve() == Path(y.database or "").resolve()
    return (x.host or "localhost", x.port or 5432, x.database) == (y.host or "localhost", y.port or 5432, y.database)


PGBOUNCER_PORT = 6432


def _port(url: str) -> int | None:
    try:
        return make_url(url).port
    except Exception:
        return None


def _workers(value: str) -> int:
    """gunicorn's worker count as deploy/gunicorn.conf.py computes it."""
    if str(value).strip():
        return int(value)
    return 2 * (os.cpu_count() or 1) + 1


def problems(environ: dict[str, str], *, check_files: bool = True) -> list[str]:
    """Every reason this environment is not fit for production, one sentence each (empty: fit).

    `check_files=False` skips what looks at this host's files (the master key file), for a
    sample written for another host.
    """
    found: list[str] = []
    cfg = from_environment(environ)
    data, keys = cfg["DATABASE_URL"], cfg["KEYSTORE_URL"]

    if not environ.get("SECRET_KEY", "").strip():
        found.append("SECRET_KEY est vide : il serait généré dans instance/secret_key au lieu d'être fourni.")
    elif len(environ["SECRET_KEY"].strip()) < 32:
        found.append("SECRET_KEY est trop court (moins de 32 caractères) : tirez-en un avec "
                     "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`.")
    master_file = Path(cfg["MASTER_KEY_FILE"])
    if not environ.get("MASTER_KEY", "").strip():
        if not environ.get("MASTER_KEY_FILE", "").strip() or master_file.is_relative_to(Path(cfg["INSTANCE_PATH"])):
            found.append(f"MASTER_KEY_FILE est celui du démarrage rapide ({master_file}) : la clé maîtresse y est "
                         "générée au lieu d'être fournie ; donnez un fichier hors du projet (/etc/bilan/master.key).")
        if check_files:
            if not master_file.exists():
                found.append(f"MASTER_KEY_FILE {master_file} n'existe pas : créez-le avec "
                             "`flask --app wsgi keys generate-master` (mode 600).")
            elif stat.S_IMODE(master_file.stat().st_mode) & 0o077:
                found.append(f"MASTER_KEY_FILE {master_file} est lisible par d'autres que son propriétaire "
                             f"(mode {stat.S_IMODE(master_file.stat().st_mode):o}) : chmod 600.")
    else:
        found.append("MASTER_KEY est donné dans l'environnement : préférez MASTER_KEY_FILE (mode 600), "
                     "l'environnement d'un processus se lit dans /proc et se retrouve dans les rapports d'erreur.")

    if data.startswith("sqlite"):
        found.append("DATABASE_URL est une base SQLite : en production, PostgreSQL (docs/DEPLOY.md).")
    if keys.startswith("sqlite") and not data.startswith("sqlite"):
        found.append("KEYSTORE_URL est une base SQLite à côté d'un PostgreSQL : donnez au magasin de clés sa "
                     "propre base PostgreSQL.")
    if _same_database(data, keys):
        found.append("KEYSTORE_URL désigne la même base que DATABASE_URL : les clés doivent vivre dans une base "
                     "à part, sans quoi une sauvegarde des données emporte les clés des bilans détruits.")
    direct = environ.get("DIRECT_DATABASE_URL", "").strip()
    if direct and not _same_database(direct, data) and make_url(direct).database != make_url(data).database:
        found.append("DIRECT_DATABASE_URL ne désigne pas la même base que DATABASE_URL.")
    # A direct address apart from DATABASE_URL means a pooler in between (6432: pgbouncer's port).
    pooled = (bool(direct) and not _same_database(direct, data)) or _port(data) == PGBOUNCER_PORT
    if pooled and not direct:
        found.append(f"DATABASE_URL passe par pgbouncer (port {PGBOUNCER_PORT}) sans DIRECT_DATABASE_URL : le "
                     "LISTEN du réveil des emails a besoin d'une connexion directe à PostgreSQL.")
    if pooled and cfg["DB_PREPARED_STATEMENTS"]:
        found.append("DB_PREPARED_STATEMENTS=1 derrière pgbouncer en mode transaction : psycopg préparerait des "
                     "requêtes qu'une autre transaction ne trouverait pas ; mettez 0.")

    base = environ.get("BASE_URL", "").strip()
    if not base:
        found.append("BASE_URL est vide : les liens des emails pointeraient vers http://127.0.0.1:5000.")
    elif not base.startswith("https://"):
        found.append(f"BASE_URL {base} n'est pas en https:// : les liens des emails portent des jetons.")

    workers = _workers(environ.get("WEB_CONCURRENCY", ""))
    if cfg["RATELIMIT_STORAGE_URI"].startswith("memory://") and workers > 1:
        found.append(f"RATELIMIT_STORAGE_URI est memory:// avec {workers} workers gunicorn : chaque worker compte "
                     "à part, les limites de connexion sont multipliées ; utilisez redis:// ou memcached://.")
    if not cfg["MAIL_URL"].startswith("smtp"):
        found.append(f"MAIL_URL {cfg['MAIL_URL']} n'est pas un serveur SMTP : aucun email ne partirait.")
    if str(environ.get("SCHEDULER_IN_PROCESS", "0")).strip().lower() in ("1", "true", "yes", "on"):
        found.append("SCHEDULER_IN_PROCESS=1 : chaque worker web lancerait aussi les tâches ; un seul processus "
                     "`flask --app wsgi jobs run` (deploy/bilan-scheduler.service).")
    if str(environ.get("ENCRYPTION_ENABLED", "1")).strip().lower() in ("0", "false", "no", "off", ""):
        found.append("ENCRYPTION_ENABLED=0 : les résultats seraient enregistrés en clair.")
    if environ.get("ARGON2_PROFILE", "default") != "default":
        found.append("ARGON2_PROFILE n'est pas default : le profil rapide est réservé aux tests.")
    if cfg["MAIL_FROM"].endswith(".localhost"):
        found.append(f"MAIL_FROM {cfg['MAIL_FROM']} est l'adresse de développement.")
    if Path(cfg["DATA_BACKUP_DIR"]).resolve() == Path(cfg["KEYSTORE_BACKUP_DIR"]).resolve():
        found.append("DATA_BACKUP_DIR et KEYSTORE_BACKUP_DIR sont le même dossier : gardez les sauvegardes des "
                     "clés à part de celles des données.")
    try:
        sweep_processes(cfg["SWEEP_PROCESSES"])
    except ValueError as error:
        found.append(f"{error} Mettez le nombre de cœurs dont dispose le planificateur (1 : dans son processus).")
    if cfg["KEYSTORE_BACKUP_DAYS"] <= 0:
        found.append("KEYSTORE_BACKUP_DAYS vaut 0 : le magasin de clés n'aurait aucune sauvegarde.")
    return found


def report(environ: dict[str, str], *, check_files: bool = True, echo=print) -> int:
    """Print the problems, one a line; the exit status (0: fit for production)."""
    found = problems(environ, check_files=check_files)
    for line in found:
        echo(line)
    if not found:
        echo("prod-check : configuration de production correcte.")
    return 1 if found else 0


@click.command("prod-check")
@click.option("--env-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Fichier d'environnement à vérifier (sinon l'environnement de ce processus).")
@click.option("--skip-files", is_flag=True,
              help="Ne pas regarder les fichiers de cette machine (un exemple écrit pour un autre serveur).")
def prod_check_command(env_file, skip_files):
    """Validate a production configuration: one line per problem, exit 1 on any."""
    environ = read_env_file(env_file) if env_file else dict(os.environ)
    sys.exit(report(environ, check_files=not skip_files, echo=click.echo))


def init_app(app) -> None:
    app.cli.add_command(prod_check_command)


if __name__ == "__main__":  # python -m saas.prodcheck FILE [--skip-files]: without building the app
    args = [a for a in sys.argv[1:] if a != "--skip-files"]
    sys.exit(report(read_env_file(Path(args[0])) if args else dict(os.environ),
                    check_files="--skip-files" not in sys.argv))
