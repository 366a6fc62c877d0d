"""The demo centre's public page: its texts, two dated versions, and one published period.

Through the features' functions: the page is first shown two months ago (version 1, the defaults), the
admin then writes its texts and publishes the results of the twelve months up to a month ago, which
makes version 2 (tenants/public_page/versions.py, tenants/results/publishing.py).
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlmodel import Session

from demo import people
from saas.centres.models import Centre
from saas.i18n import PARIS
from tenants.public_page import settings, versions
from tenants.results import figures, publishing

METHODS = ("Entretiens individuels avec un consultant dédié, en présentiel ou en visioconférence ; "
           "questionnaires d'intérêts et de valeurs, enquêtes métiers auprès de professionnels, "
           "recherche documentaire guidée. Posture de neutralité et confidentialité.")
ACCESS = ("Appelez-nous ou écrivez-nous pour un entretien préalable gratuit d'une heure. Nous vous remettons "
          "ensuite un devis personnalisé ; le bilan commence à la date convenue, après la validation du "
          "financement.")
PLACES = "12 rue de la République, 69002 Lyon (métro Cordeliers), salle accessible en fauteuil roulant."


def seed(db: Session, centre, ctx: dict) -> None:
    """Version 1 two months ago, then the texts and a published period a month ago (version 2)."""
    today = ctx["today"]
    row = db.get(Centre, centre.id)
    first_day, second_day = today - timedelta(days=60), today - timedelta(days=30)
    versions.snapshot(db, row, first_day, now=datetime.combine(first_day, time(9), tzinfo=PARIS))
    settings.save(db, methods=METHODS, access_modalities=ACCESS, places=PLACES, price_cents=180_000)
    publishing.publish(db, figures.last_twelve_months(second_day), by=people.consultant(ctx, "admin").id,
                       today=today, now=datetime.combine(second_day, time(10), tzinfo=PARIS))
    db.commit()
    versions.snapshot(db, row, second_day, now=datetime.combine(second_day, time(10, 5), tzinfo=PARIS))
