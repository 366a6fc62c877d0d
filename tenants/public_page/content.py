"""What the public offer page says (Qualiopi indicator 1), gathered from the centre's settings and data.

The page shows, from one context built here: the objectives of a bilan (L6313-4), its three phases
(R6313-4), its duration (the centre's planning template, at least 13 h of accompaniment and 24 h at most),
formats and places, access modalities and delay (tenants/public_page/delay.py), prices and funding (the
CPF split of tenants/bilans/cpf.py), methods and tools (the centre's questionnaires), how the bilan is
evaluated, disability access and the référent handicap, contacts, the latest published results
(tenants/results/publishing.py), and links to the accessibility statement, the complaints form and the
booking of a prior interview when those features are installed. No form collects an email address for
prospecting (L6323-8-1).
"""
from __future__ import annotations

from datetime import date

from flask import current_app
from sqlmodel import Session, select

from tenants.bilans import cpf
from tenants.bilans.models import FORMATS, FUNDINGS
from tenants.public_page.delay import median_delay_days
from tenants.public_page.settings import settings_for
from tenants.results.publishing import latest
from tenants.sessions import hours
from tenants.sessions.template import template_of

# The endpoints other features register on the public prefix; linked only when installed.
COMPLAINTS_ENDPOINT = "complaints.new"
BOOKING_ENDPOINT = "booking.start"
# Not tools of the bilan itself: asked after it, about the service or the follow-up.
NOT_TOOLS = ("satisfaction", "followup")


def tools(db: Session) -> list[str]:
    """The titles of the centre's questionnaires in use (its library copy and its own), once each."""
    from tenants.questionnaires.models import Questionnaire

    rows = db.exec(select(Questionnaire.title).where(Questionnaire.status == "active",
                                                     Questionnaire.kind.notin_(NOT_TOOLS))
                   .order_by(Questionnaire.title)).all()
    return list(dict.fromkeys(rows))


def formats_sentence() -> str:
    """"Présentiel, distanciel ou mixte": the formats a bilan may take (R6313-4, preliminary phase)."""
    labels = [label.lower() for label in FORMATS.values()]
    text = ", ".join(labels[:-1]) + " ou " + labels[-1]
    return text[0].upper() + text[1:]


def page_context(db: Session, centre, today: date) -> dict:
    """Everything the page's content template reads; nothing of it depends on the visitor."""
    from tenants.retention.models import settings_for as retention_settings

    texts = settings_for(db)
    plan = template_of(db)
    accompaniment = plan.interview_count * plan.interview_minutes
    price = None
    if texts.price_cents:
        price = cpf.quote(texts.price_cents, accompaniment, plan.personal_minutes,
                          employment_status="salarie_prive", year=today.year)
    follow = retention_settings(db)
    published = latest(db)
    views = current_app.view_functions
    return {
        "centre": centre, "texts": texts, "plan": plan, "accompaniment_minutes": accompaniment,
        "total_minutes": accompaniment + plan.personal_minutes,
        "floor_minutes": hours.MIN_ACCOMPANIMENT_MINUTES, "cap_minutes": hours.MAX_TOTAL_MINUTES,
        "formats": formats_sentence(), "fundings": [label for key, label in FUNDINGS.items() if key != "cpf"],
        "delay_days": median_delay_days(db, today), "price": price,
        "cpf_cap_cents": cpf.CPF_CAP_CENTS, "participation_cents": cpf.participation_for(today.year),
        "tools": tools(db), "follow_up_months": follow.follow_up_months,
        "three_month_evaluation": follow.three_month_evaluation,
        "published": published, "figures": published.figures if published else None,
        "complaints": COMPLAINTS_ENDPOINT in views, "complaints_endpoint": COMPLAINTS_ENDPOINT,
        "booking": BOOKING_ENDPOINT in views, "booking_endpoint": BOOKING_ENDPOINT,
    }
