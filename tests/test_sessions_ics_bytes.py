"""A session's .ics is byte for byte what icalendar writes (tenants/sessions/invitation.py writes the
lines of its one shape itself, for the sweep's cost: docs/BENCHMARKS.md, "Sixth round (issue #17): a
cheaper reminder"): every escape, every fold position, every kind of time."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from tenants.sessions import invitation

NOW = datetime(2027, 3, 10, 8, 0, tzinfo=UTC)
STARTS = datetime(2027, 3, 11, 9, 0)


def _icalendar_bytes(session, centre, now):
    """What icalendar itself writes for that session (the module's fallback, also its reference)."""
    ends = session.starts_at + timedelta(minutes=session.duration_minutes)
    description = (f"{invitation.KINDS.get(session.kind, session.kind)} "
                   f"{invitation.FORMATS.get(session.format, '')}").strip()
    return invitation._with_icalendar(f"session-{session.id}@{centre.slug}.bilan", now, session.starts_at, ends,
                                      f"Bilan de compétences — {centre.name}", description, centre.name)


def _outcome(write, *args):
    try:
        return write(*args)
    except Exception as error:  # noqa: BLE001 - the same refusal is part of the same behaviour
        return type(error)


def _session(starts=STARTS, kind="interview", format="presentiel", ident="0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e",
             minutes=120):
    return SimpleNamespace(id=ident, starts_at=starts, duration_minutes=minutes, kind=kind, format=format)


# Names that put an escape, a multi-byte character or a plain one on each side of every fold.
FILLERS = ("a", "é", "—", "😀", ",", ";", "\\", "\\N", "^", " ", "\r")
NAMES = ["", "Centre", "Centre de Lyon, bilans; conseil \\ orientation", "Ça va \\n été"] + [
    "C" * length + filler + "x" * tail for filler in FILLERS for length in range(0, 80, 7) for tail in (0, 3, 40)]


@pytest.mark.parametrize("filler_index", range(len(FILLERS)))
def test_a_session_ics_has_icalendar_s_bytes_for_every_centre_name(filler_index):
    filler = FILLERS[filler_index]
    for name in [n for n in NAMES if filler in n] or NAMES[:4]:
        centre = SimpleNamespace(slug="centre-de-lyon", name=name)
        session = _session()
        assert (_outcome(invitation.session_ics, session, centre, NOW)
                == _outcome(_icalendar_bytes, session, centre, NOW)), repr(name)


@pytest.mark.parametrize("starts", [
    STARTS, STARTS.replace(tzinfo=UTC), STARTS.replace(tzinfo=ZoneInfo("UTC")),
    STARTS.replace(tzinfo=timezone(timedelta(0))), STARTS.replace(tzinfo=ZoneInfo("Europe/Paris")),
    STARTS.replace(tzinfo=timezone(timedelta(hours=1))), datetime(2027, 12, 31, 23, 30)])
@pytest.mark.parametrize("now", [NOW, NOW.replace(tzinfo=None), NOW.astimezone(ZoneInfo("Europe/Paris"))])
def test_a_session_ics_has_icalendar_s_bytes_for_every_kind_of_time(starts, now):
    centre = SimpleNamespace(slug="lyon", name="Centre de Lyon")
    session = _session(starts=starts, minutes=45)
    assert invitation.session_ics(session, centre, now) == _icalendar_bytes(session, centre, now)


@pytest.mark.parametrize("kind,format", [("interview", "presentiel"), ("interview", "distanciel"),
                                         ("collective", "mixte"), ("inconnu", ""), ("", "")])
def test_a_session_ics_has_icalendar_s_bytes_for_every_kind_and_format(kind, format):
    centre = SimpleNamespace(slug="a" * 70, name="Centre")
    session = _session(kind=kind, format=format, ident="x" * 32)
    assert invitation.session_ics(session, centre, NOW) == _icalendar_bytes(session, centre, NOW)


@pytest.mark.parametrize("name", ["Centre\nde Lyon", "Centre\rde Lyon", "Centre\r\n"])
def test_a_centre_name_with_a_line_break_is_refused_as_icalendar_refuses_it(name):
    centre = SimpleNamespace(slug="lyon", name=name)
    with pytest.raises(ValueError):
        _icalendar_bytes(_session(), centre, NOW)
    with pytest.raises(ValueError):
        invitation.session_ics(_session(), centre, NOW)


def test_the_ics_of_a_session_read_from_the_database_has_icalendar_s_bytes(app, make_centre):
    """As each database gives its times back (naive on SQLite, with a zone on PostgreSQL): the reminder's
    attachment and the staff page's download are icalendar's bytes."""
    from sqlmodel import select

    from tenants.sessions import planning
    from tenants.sessions.models import BilanSession

    from bilans_support import centre_db, make_bilan

    lyon = make_centre("lyon")
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, phase="investigation")
        planning.schedule(db, bilan, starts_at=datetime(2031, 5, 6, 8, 0, tzinfo=UTC), duration_minutes=90,
                          kind="interview", format="distanciel")
        db.commit()
    with centre_db(app, lyon) as db:
        session = db.exec(select(BilanSession)).one()
        centre = lyon.model(app)
        assert invitation.session_ics(session, centre, NOW) == _icalendar_bytes(session, centre, NOW)
