"""The 10-day clock of a tripartite agreement (R6313-8): silence means refusal.

"Le salarié dispose d'un délai de dix jours à compter de la transmission par son
employeur du projet de convention pour faire connaître son acceptation en apposant
sa signature. L'absence de réponse du salarié au terme de ce délai vaut refus."

So the clock starts on the day the employer transmitted the draft to the employee
(`Agreement.transmitted_on`), never on the day the centre sent it to the employer.
As for any délai counted in days, the starting day does not count: transmitted on
the 23rd, day 1 is the 24th and day 10, the last day to sign, the 3rd. Refusing is
never a fault (L6313-4). `clock_state` is the one reading of the clock that the
agreement page, the dashboard, the digest and the emails show; `lapse_overdue` is
the one place an agreement lapses (the reminder job only decides when to call it).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, select

from saas.i18n import date_fr
from tenants.agreements.models import Agreement

SIGNING_DAYS = 10
REQUIRED_MENTIONS = {
    "employer_name": "l'employeur",
    "title": "l'intitulé",
    "objective": "l'objectif",
    "content": "le contenu",
    "means": "les moyens",
    "duration_minutes": "la durée",
    "period_start": "le début de la période",
    "period_end": "la fin de la période",
    "running_and_followup": "les modalités de déroulement et de suivi",
    "results_handover": "les modalités de remise des résultats et du document de synthèse",
    "price_cents": "le prix",
    "payment_terms": "les modalités de règlement",
}
REFUSAL_REASON = "Pas de signature dans les 10 jours : le silence vaut refus (article R6313-8)."
LAPSE_ACTOR = "Délai de 10 jours (R6313-8)"


def received_on(agreement: Agreement) -> date | None:
    """The day the employer transmitted the draft to the employee; None before."""
    return agreement.transmitted_on


def deadline(agreement: Agreement) -> date | None:
    """The last day the employee may sign (day 10); None while the clock has not started."""
    start = received_on(agreement)
    return start + timedelta(days=SIGNING_DAYS) if start else None


@dataclass(frozen=True)
class ClockState:
    """Where an agreement's clock stands on a given day, in words a reader expects."""
    stage: str              # with_employer | running | expired | signed | refused
    day: int | None         # 0..10 while running (0: transmitted today), never more than 10
    received_on: date | None
    deadline: date | None
    text: str               # a sentence for the agreement page and the emails
    short: str              # a few words for the dashboard and the digest

    @property
    def running(self) -> bool:
        return self.stage == "running"


def clock_state(agreement: Agreement, today: date) -> ClockState:
    """The one reading of the clock: never "Jour 11 sur 10" (clamped, then worded as expired)."""
    start, last = received_on(agreement), deadline(agreement)
    if agreement.status == "signed":
        when = date_fr(agreement.signed_at)
        return ClockState("signed", None, start, last, f"Signée le {when}.", f"signée le {when}")
    if agreement.status == "refused":
        when = date_fr(agreement.refused_at)
        return ClockState("refused", None, start, last, f"Refusée le {when} : {agreement.refusal_reason or ''}".strip(),
                          f"refusée le {when}")
    if start is None:
        return ClockState("with_employer", None, None, None,
                          "En attente de la transmission par l'employeur au salarié : le délai de 10 jours "
                          "pour signer ne commence qu'à cette transmission (article R6313-8).",
                          "en attente de la transmission par l'employeur")
    if today > last:
        return ClockState("expired", SIGNING_DAYS, start, last,
                          f"Délai expiré le {date_fr(last)} : le silence du salarié vaut refus (article R6313-8).",
                          f"délai expiré le {date_fr(last)}")
    day = max(0, min(SIGNING_DAYS, (today - start).days))
    if day == 0:
        text = f"Transmise au salarié aujourd'hui — signature attendue au plus tard le {date_fr(last)}."
    elif day == SIGNING_DAYS:
        text = f"Jour 10 sur 10 — dernier jour pour signer, le {date_fr(last)}."
    else:
        text = f"Jour {day} sur 10 — signature attendue au plus tard le {date_fr(last)}."
    return ClockState("running", day, start, last, text,
                      f"jour {day} sur 10, signature au plus tard le {date_fr(last)}")


def missing_mentions(agreement: Agreement) -> list[str]:
    """R6313-8 mentions still empty."""
    return [label for name, label in REQUIRED_MENTIONS.items() if not getattr(agreement, name)]


def overdue(db: Session, today: date) -> list[Agreement]:
    """Agreements transmitted to the employee whose 10 days ended before `today`, unsigned."""
    waiting = db.exec(select(Agreement).where(Agreement.status == "sent", Agreement.transmitted_on.isnot(None),
                                              Agreement.transmitted_on < today - timedelta(days=SIGNING_DAYS))
                      .order_by(Agreement.transmitted_on)).all()
    return list(waiting)
