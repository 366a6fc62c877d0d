"""`flask jobs run | run-once <job> [--now ISO] [--centre SLUG] | status`."""
from __future__ import annotations

import sys
from datetime import datetime

import click
from flask import current_app
from sqlmodel import select

from saas.commands import DatabaseGroup

jobs_cli = DatabaseGroup("jobs", help="Tâches planifiées : rappels, synthèse du matin, destruction, purge, "
                                      "envoi des emails.")


@jobs_cli.command("run")
def run():
    """Start the scheduler in this process (Ctrl-C to stop)."""
    from jobs.scheduler import run_blocking

    run_blocking(current_app._get_current_object())


# Exit status of `run-once`: 0 done; 3 done with failed items (each logged and flagged, the rest ran);
# 1 a centre or the job crashed (2 is click's own: a wrong argument).
EXIT_CRASHED = 1
EXIT_FAILED_ITEMS = 3


def failed_items_fr(n: int) -> str:
    return f"{n} élément en échec" if n == 1 else f"{n} éléments en échec"


def _parse_now(_ctx, _param, value):
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("format ISO attendu, par ex. 2027-06-01T09:00 (heure de Paris)") from None


@jobs_cli.command("run-once")
@click.argument("job")
@click.option("--now", callback=_parse_now, default=None,
              help="Agir comme s'il était cet instant (ISO ; sans fuseau = heure de Paris).")
@click.option("--centre", "only", default=None, help="Seulement ce centre (slug).")
@click.option("--no-lock", is_flag=True, help="Ne pas prendre le verrou (les clés d'idempotence restent).")
def run_once(job, now, only, no_lock):
    """Run one sweep of JOB (or `all`) now, or at --now."""
    from jobs.runner import JOBS, run_job

    names = list(JOBS) if job == "all" else [job]
    for name in names:
        if name not in JOBS:
            raise click.BadParameter(f"tâche inconnue {name!r} ; connues : {', '.join(JOBS)}, all")
    crashed = skipped = False
    for name in names:
        report = run_job(name, now, only=only, use_lock=not no_lock)
        if report is None:
            click.echo(f"{name}: verrou tenu par un autre planificateur, rien fait")
            continue
        done = ", ".join(f"{k}={v}" for k, v in sorted(report.counts.items())) or "rien à faire"
        where = f"{report.centres} centre(s), " if report.centres else ""
        click.echo(f"{name}: {where}{done}")
        for item in report.failed_items:
            skipped = True
            click.echo(f"  élément en échec {item['centre']}: {item['kind']} {item['id']} ({item['error']})", err=True)
        if report.failed_items:
            click.echo(f"{name}: terminé, {failed_items_fr(len(report.failed_items))}", err=True)
        for error in report.errors:
            crashed = True
            click.echo(f"  erreur {error.get('centre') or '-'}: {error['error']}", err=True)
    if crashed:
        sys.exit(EXIT_CRASHED)
    if skipped:
        sys.exit(EXIT_FAILED_ITEMS)


@jobs_cli.command("status")
def status():
    """Each job's last run: when, for which instant, duration, what it did, errors."""
    from jobs.models import JobLock, JobRun
    from jobs.runner import JOBS
    from saas.db import database

    with database().public_session() as session:
        for name in JOBS:
            last = session.exec(select(JobRun).where(JobRun.job == name)
                                .order_by(JobRun.started_at.desc(), JobRun.id.desc())).first()
            held = session.get(JobLock, name)
            if last is None:
                click.echo(f"{name:<12} jamais lancée")
                continue
            duration = (last.finished_at - last.started_at).total_seconds() if last.finished_at else None
            summary = ", ".join(f"{k}={v}" for k, v in sorted((last.summary or {}).items()))
            line = (f"{name:<12} dernière : {last.started_at:%Y-%m-%d %H:%M:%S}Z"
                    f" (pour {last.now:%Y-%m-%d %H:%M}Z)" if last.now else f"{name:<12} {last.started_at}")
            line += f", durée {duration:.2f} s" if duration is not None else ", en cours"
            line += f", {summary}" if summary else ""
            if last.errors:
                line += f", {len(last.errors)} erreur(s)"
            elif last.failed_items:
                line += f", terminée, {failed_items_fr(len(last.failed_items))}"
            else:
                line += ", sans erreur"
            if held is not None and held.owner:
                line += f" [verrou : {held.owner}]"
            click.echo(line)
            for error in last.errors or []:
                click.echo(f"    {error.get('centre') or '-'}: {error['error']}")
            for item in last.failed_items or []:
                click.echo(f"    {item.get('centre') or '-'}: élément {item.get('kind')} {item.get('id')}"
                           f" ({item.get('error')})")


def init_app(app) -> None:
    app.cli.add_command(jobs_cli)
