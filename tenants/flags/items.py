"""One item of a sweep at a time: a bad row is logged, flagged to the centre's admins, and the sweep goes on.

Every sweep that walks rows (a reminder per questionnaire, session, agreement,
signature, follow-up; a digest per consultant; a destruction per bilan) runs
each one through `each_item`: the item's work is one action (tenants/flags/actions.py:one_action),
and an exception rolls back that item only. An action is its own transaction, or,
inside a sweep's batch (`batch`, which jobs/sweep.py opens for each centre), a
SAVEPOINT in the centre's one transaction: the centre commits once, at its end,
so a sweep killed mid-centre leaves nothing of that centre and the next run
redoes it whole (every email keeps its own idempotency key). The failure is

- logged with the item's kind, its id and the exception's class, never its
  message or the row's content (an SQL error carries the row's values);
- flagged once to the centre's admins (`sweep:<kind>:<id>`, kind
  `sweep_item_failed`, tenants/flags/raising.py:flag_once), shown in the
  dashboard's "À surveiller";
- noted on the session (`failed_items`), which jobs/sweep.py reads to report
  "done with N failed items" apart from a crash (docs/JOBS.md).

This lives with the flags, not in jobs/, because the features' own loops call
it and the domain never imports the job layer.
"""
from __future__ import annotations

import logging
import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import PurePath

from sqlmodel import Session

from saas.parsing import FrenchInputError
from tenants.flags.actions import one_action
from tenants.flags.raising import flag_once

log = logging.getLogger(__name__)

FAILED_KIND = "sweep_item_failed"
_FAILED = "sweep_failed_items"  # key of db.info: what this centre's sweep could not do
def each_item(db: Session, centre, now: datetime, items: Iterable, work: Callable, *, kind: str, label: str,
              ident: Callable = lambda item: item.id, bilan_of: Callable | None = None) -> Counter:
    """`work(item) -> counts` for each item, each one action (`one_action`); a failing item is rolled back,
    logged, flagged (`label`: what it is, in French, "la relance d'un questionnaire") and skipped."""
    done = Counter()
    for item in items:
        item_id = str(ident(item))
        try:
            with one_action(db):
                counts = work(item)
        except Exception as error:  # noqa: BLE001 - one bad row never stops the centre's other rows
            bilan_id = _bilan_id(bilan_of, item)
            item_failed(db, centre, now, kind=kind, item_id=item_id, label=label, error=error, bilan_id=bilan_id)
            continue
        done.update({k: v for k, v in (counts or {}).items() if v})
    return done


def item_failed(db: Session, centre, now: datetime, *, kind: str, item_id: str, label: str, error: Exception,
                bilan_id: str | None = None) -> None:
    """Log (kind, id, exception class, where), note it for the run record, flag it to the admins once."""
    where = _where(error)
    log.warning("sweep item failed: centre %s, %s %s: %s at %s", centre.id, kind, item_id,
                type(error).__name__, where)
    db.info.setdefault(_FAILED, []).append({"kind": kind, "id": item_id, "error": type(error).__name__})
    reason = ("une date hors des limites acceptées" if isinstance(error, FrenchInputError | OverflowError)
              else f"une erreur technique ({type(error).__name__})")
    flag_once(db, now, key=f"sweep:{kind}:{item_id}"[:200], kind=FAILED_KIND, bilan_id=bilan_id,
              consultant_id=None,  # the centre's admins see it (tenants/flags/dashboard.py:open_flags)
              detail=f"Traitement automatique impossible pour {label} (réf. {item_id[:12]}) : {reason}. "
                     "Les autres traitements ont eu lieu ; corrigez cet élément.")


def failed_items(db: Session) -> list[dict]:
    """The items this session's sweep could not do (and forget them): for jobs/sweep.py's report."""
    return db.info.pop(_FAILED, [])


def _bilan_id(bilan_of: Callable | None, item) -> str | None:
    if bilan_of is None:
        return None
    try:
        return bilan_of(item)
    except Exception:  # noqa: BLE001 - the row is bad: the flag goes without its bilan
        return None


def _where(error: Exception) -> str:
    """file:line of the innermost frame (code, never values)."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{PurePath(last.filename).name}:{last.lineno} in {last.name}"
