"""Migrations: a migrated centre equals a freshly created one; `db upgrade` resumes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import inspect
from sqlmodel import select

from saas.centres.models import Centre
from saas.migrate import head, upgrade_all, upgrade_centre


def shape(conn, schema: str) -> dict:
    """Tables, columns (name, type affinity, nullable) and indexed columns of one schema."""
    inspector = inspect(conn)
    result = {}
    for table in inspector.get_table_names(schema=schema):
        columns = {(c["name"], type(c["type"]).__name__.lower()[:4], c["nullable"])
                   for c in inspector.get_columns(table, schema=schema)}
        indexes = {tuple(i["column_names"]) for i in inspector.get_indexes(table, schema=schema)}
        result[table] = (columns, indexes)
    return result


class _Placeholder:
    def __init__(self, centre_id: int):
        from saas.db import schema_for

        self.schema = schema_for(centre_id)


def test_migrations_build_the_same_schema_as_the_models(app, make_centre):
    assert head("tenant") is not None, "tenant migrations exist"
    created = make_centre("lyon")
    migrated = _Placeholder(987654)
    database = app.extensions["db"]
    with app.app_context():
        upgrade_centre(migrated)
        with database.tenant_connection(created.schema) as conn:
            expected = shape(conn, created.schema)
        with database.tenant_connection(migrated.schema) as conn:
            actual = shape(conn, migrated.schema)
    assert set(actual) == set(expected)
    for table in expected:
        assert actual[table] == expected[table], table


def test_db_upgrade_resumes_after_a_failure(app, make_centre):
    make_centre("lyon")
    brest = make_centre("brest")
    database = app.extensions["db"]
    with app.app_context():
        with database.public_session() as session:
            for centre in session.exec(select(Centre)).all():
                centre.schema_version = None  # as if created before the last migration
            session.commit()
        # Break Brest's schema so its upgrade fails.
        if database.is_sqlite:
            path = database.centre_file(brest.schema)
            saved = path.read_bytes()
            path.write_bytes(b"not a database" * 100)
        else:
            with database.engine.begin() as conn:
                conn.exec_driver_sql(f'ALTER SCHEMA "{brest.schema}" RENAME TO broken_brest')
                conn.exec_driver_sql(f'CREATE SCHEMA "{brest.schema}"')
                conn.exec_driver_sql(f'CREATE TABLE "{brest.schema}".alembic_version (version_num int)')
                conn.exec_driver_sql(f"INSERT INTO \"{brest.schema}\".alembic_version VALUES (1)")
        lines = []
        report = upgrade_all(echo=lines.append)
        assert report.upgraded == ["lyon"] and [slug for slug, _ in report.failed] == ["brest"]
        assert lines[0].startswith("[1/2] lyon:") and "ÉCHEC" in lines[1]
        # Repair, rerun: Lyon is not redone, Brest is.
        if database.is_sqlite:
            path.write_bytes(saved)
        else:
            with database.engine.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{brest.schema}" CASCADE')
                conn.exec_driver_sql(f'ALTER SCHEMA broken_brest RENAME TO "{brest.schema}"')
        lines.clear()
        report = upgrade_all(echo=lines.append)
        assert report.skipped == ["lyon"] and report.upgraded == ["brest"] and not report.failed
        assert lines == ["[1/2] lyon: à jour", "[2/2] brest: ok"]


def test_upgrade_command_prints_progress(app, runner, make_centre):
    make_centre("lyon")
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "[1/1] lyon:" in result.output



def test_history_actor_ids_become_names_on_upgrade(app, make_centre):
    """One way for the history actor (tenants/history/actors.py): first-round rows holding an account id
    ("1") read as that member's name after `db upgrade`, or as the system when the account is gone."""
    from alembic import command

    from saas.migrate import alembic_config
    from tenants.history.models import HistoryEvent, record

    from bilans_support import centre_db, make_bilan

    lyon = make_centre("lyon")
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        for key, actor in (("mine", lyon.owner.name), ("gone", "Claire Martin"), ("kept", "Claire Martin")):
            record(db, bilan.id, key, "Questionnaire assigné", actor)
        db.commit()
        # As the first round wrote them: account ids as text.
        for event in db.exec(select(HistoryEvent).where(HistoryEvent.kind.in_(("mine", "gone")))).all():
            event.actor = str(lyon.owner.id) if event.kind == "mine" else "999999"
            db.add(event)
        db.commit()
    database = app.extensions["db"]
    with app.app_context(), database.tenant_connection(lyon.schema) as conn:
        cfg = alembic_config("tenant")
        cfg.attributes["connection"], cfg.attributes["schema"] = conn, lyon.schema
        command.stamp(cfg, "004311074b87")
        # Only the revision under test: the tables of later revisions already exist (made at head).
        command.upgrade(cfg, "5b1e0c7d2a90")
        command.stamp(cfg, "head")
        conn.commit()
    with centre_db(app, lyon) as db:
        actors = {e.kind: e.actor for e in db.exec(select(HistoryEvent).where(HistoryEvent.bilan_id == bilan.id))}
    assert (actors["mine"], actors["gone"], actors["kept"]) == (lyon.owner.name, "Bilan (automatique)",
                                                                "Claire Martin")


def test_reminder_settings_leave_retention_with_their_values(app, make_centre):
    """The centre's reminder timings and texts move to their own table (tenants/reminders/models.py) on
    upgrade, values kept; retention's row keeps its delay; and back on downgrade."""
    import sqlalchemy as sa
    from alembic import command

    from saas.migrate import alembic_config
    from tenants.reminders.settings import reminder_settings
    from tenants.retention.models import settings_for

    from bilans_support import centre_db

    lyon = make_centre("lyon")
    database = app.extensions["db"]
    moved = "7c2d4e9a1b30"
    with app.app_context(), database.tenant_connection(lyon.schema) as conn:
        cfg = alembic_config("tenant")
        cfg.attributes["connection"], cfg.attributes["schema"] = conn, lyon.schema
        command.downgrade(cfg, "5b1e0c7d2a90")
        old = sa.table("retention_settings", *(sa.column(n) for n in (
            "id", "grace_days", "grace_reason", "abandonment_months", "follow_up_months", "three_month_evaluation",
            "follow_up_reminder_days", "agreement_reminder_day", "attendance_reminder_days",
            "questionnaire_before_due_days", "questionnaire_after_due_days", "questionnaire_first_days",
            "questionnaire_second_days", "reminder_note", "updated_at")), sa.column("texts", sa.JSON()),
            schema=lyon.schema)
        conn.execute(old.insert().values(
            id="centre", grace_days=12, grace_reason="Téléchargement de la synthèse", abandonment_months=6,
            follow_up_months=4, three_month_evaluation=True, follow_up_reminder_days=9, agreement_reminder_day=5,
            attendance_reminder_days=3, questionnaire_before_due_days=1, questionnaire_after_due_days=4,
            questionnaire_first_days=2, questionnaire_second_days=8, reminder_note="À bientôt !",
            texts={"follow_up": "Votre entretien de suivi approche."}, updated_at=datetime(2026, 11, 2, 9, 0)))
        command.upgrade(cfg, moved)
        conn.commit()
    with centre_db(app, lyon) as db:
        reminders, retention = reminder_settings(db), settings_for(db)
        assert (reminders.follow_up_reminder_days, reminders.agreement_reminder_day,
                reminders.attendance_reminder_days, reminders.questionnaire_before_due_days,
                reminders.questionnaire_after_due_days, reminders.questionnaire_first_days,
                reminders.questionnaire_second_days) == (9, 5, 3, 1, 4, 2, 8)
        assert reminders.reminder_note == "À bientôt !"
        assert reminders.texts == {"follow_up": "Votre entretien de suivi approche."}
        assert (retention.grace_days, retention.follow_up_months, retention.three_month_evaluation) == (12, 4, True)
    with app.app_context(), database.tenant_connection(lyon.schema) as conn:
        assert "agreement_reminder_day" not in {c["name"] for c in inspect(conn).get_columns(
            "retention_settings", schema=lyon.schema)}
        cfg = alembic_config("tenant")
        cfg.attributes["connection"], cfg.attributes["schema"] = conn, lyon.schema
        command.downgrade(cfg, "5b1e0c7d2a90")
        back = conn.execute(sa.select(old.c.agreement_reminder_day, old.c.reminder_note, old.c.texts)).one()
        assert tuple(back) == (5, "À bientôt !", {"follow_up": "Votre entretien de suivi approche."})
        assert "reminder_settings" not in inspect(conn).get_table_names(schema=lyon.schema)
        command.upgrade(cfg, moved)
        conn.commit()
