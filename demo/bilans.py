"""The demo's bilans: twelve beneficiaries and bilans in every state a centre meets.

Everything goes through the rules (lifecycle, consent, planning, clock,
synthesis, closing), so encryption and checks apply; afterwards only dates
are moved back so the story reads naturally relative to ctx["today"].
ctx["bilans"] and ctx["beneficiaries"] get a key per situation for later seeds:
prior_waiting, prior_quoted, cpf_preliminary, employer_day8, refused_silence,
investigation_public, investigation_near_24h, investigation_accommodations,
conclusion_draft, closed_last_week, closed_six_months, closed_over_a_year.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlmodel import Session, select

from demo import people
from demo.dates import Stamp, at
from tenants.agreements import drafting, signing, transmission
from tenants.bilans import closing, consent, lifecycle
from tenants.bilans.mailing import send_link
from tenants.bilans.models import ActionItem, Bilan, Objective
from tenants.sessions import attendance as attendance_rule
from tenants.sessions import planning
from tenants.sessions.models import Attendance
from tenants.synthesis import editing
from tenants.synthesis.disclosure import disclose

OBJECTIVES = ("Faire le point sur mes compétences transférables",
              "Explorer deux pistes de reconversion et les confronter au terrain",
              "Construire un plan d'action réaliste sur 12 mois")


# Employers of the demo (valid SIRETs of other companies than the centre: R6313-5 compares SIREN).
EMPLOYERS = {"Transports Rhône-Alpes SA": "38291047500013", "Imprimerie Lumière SARL": "44102988300010"}


def _open(db, ctx, stamp, key, consultant_key, *, prior_on: date, funding="cpf", price=180_000, interview=16 * 60,
          personal=8 * 60, fmt="presentiel", employer=None, quote=True):
    consultant = people.consultant(ctx, consultant_key)
    person = people.person(db, ctx, key, consultant)
    bilan = lifecycle.record_prior_interview(db, person, consultant_id=consultant.id, on=prior_on, minutes=60,
                                             notes="Demande exprimée lors de l'entretien préalable.",
                                             actor=consultant.name)
    bilan.created_at = at(prior_on, 10)
    stamp(bilan, at(prior_on, 11))
    if quote:
        lifecycle.make_quote(db, bilan, price_cents=price, interview_minutes=interview, personal_minutes=personal,
                             format=fmt, funding=funding, funded_last_5_years=False if funding == "cpf" else None,
                             edof_number=(f"EDOF-{prior_on:%y%m}-{sum(map(ord, key)) % 10000:04d}"
                                          if funding == "cpf" else None),
                             employer_name=employer, employer_siret=EMPLOYERS.get(employer),
                             planned_start_on=prior_on + timedelta(days=21),
                             actor=consultant.name)
        bilan.quoted_at = at(prior_on + timedelta(days=1), 17)
        stamp(bilan, bilan.quoted_at)
    bilan.last_activity_at = bilan.quoted_at or at(prior_on, 11)
    ctx["bilans"][key] = bilan.id
    return person, bilan, consultant


def _start(db, stamp, bilan, consultant, started: date, *, portal=True):
    lifecycle.start(db, bilan, on=started, actor=consultant.name)
    stamp(bilan, at(started, 9))
    made = consent.record_consent(db, bilan, method="portal" if portal else "paper",
                                  ip="203.0.113.24" if portal else None,
                                  user_agent="Mozilla/5.0 (Windows NT 10.0) Firefox/132.0" if portal else None,
                                  recorded_by=None if portal else consultant.id,
                                  actor="bénéficiaire" if portal else consultant.name)
    for c in made:
        c.given_at = at(started, 18, 12)
        db.add(c)
    stamp(bilan, at(started, 18, 12))
    bilan.checklist = {k: at(started, 11).isoformat() for k in
                       ("request_analysed", "format_chosen", "terms_agreed", "needs_questionnaire", "calendar_agreed",
                        "objectives_defined")}
    bilan.needs_analysis = ("Souhaite donner du sens à son parcours après douze ans dans le même poste ; "
                            "contraintes : mobilité limitée à la métropole.")
    for i, text in enumerate(OBJECTIVES):
        db.add(Objective(bilan_id=bilan.id, text=text, position=i, created_at=at(started, 11)))


def _sessions(db, stamp, bilan, consultant, first: date, *, done: int, planned: int = 0, minutes: int = 120,
              personal_done: int = 0, every: int = 7, today: date, confirm: str | None = "portal"):
    """Sessions from `first`; the done interviews signed from the portal, on paper, or (None) not yet."""
    day = first
    for i in range(done + planned):
        starts = at(day, 9 if i % 2 else 14)
        session = planning.schedule(db, bilan, starts_at=starts, duration_minutes=minutes, kind="interview",
                                    format=bilan.format if bilan.format != "mixte" else "distanciel",
                                    actor=consultant.name)
        stamp(bilan, min(starts - timedelta(days=6), at(today - timedelta(days=1), 17)))
        if i < done:
            planning.set_status(db, bilan, session, "done", actor=consultant.name,
                                now=starts + timedelta(minutes=minutes))
            stamp(bilan, starts + timedelta(minutes=minutes + 10))
            if confirm:
                db.flush()
                attendance = db.exec(select(Attendance).where(Attendance.session_id == session.id)).first()
                signed_at = starts + timedelta(minutes=minutes + 5)
                if confirm == "paper":
                    attendance_rule.record_paper(db, bilan, session, account_id=consultant.id, actor=consultant.name,
                                                 now=signed_at)
                else:
                    attendance_rule.confirm_from_portal(db, attendance, ip="203.0.113.24",
                                                        user_agent="Mozilla/5.0 Firefox/132.0", now=signed_at)
                stamp(bilan, signed_at)
            bilan.last_activity_at = starts + timedelta(minutes=minutes + 10)
        day = day + timedelta(days=every)
        if i + 1 == done and planned:
            day = max(day, today + timedelta(days=2))
    for j in range(personal_done):
        starts = at(first + timedelta(days=3 + 7 * j), 10)
        s = planning.schedule(db, bilan, starts_at=starts, duration_minutes=240, kind="personal_work",
                              format="distanciel", actor=consultant.name)
        planning.set_status(db, bilan, s, "done", actor=consultant.name, now=starts + timedelta(hours=4))
        stamp(bilan, starts + timedelta(hours=4))
    db.add(bilan)


SYNTHESIS = {
    "circumstances": ("Bilan engagé à l'initiative de la bénéficiaire, après douze ans comme assistante de gestion "
                      "dans une PME du bâtiment : besoin de renouveler son activité et d'en retrouver le sens."),
    "skills": ("Organisation et rigueur administrative, relation client, aisance avec les outils numériques ; "
               "goût confirmé pour la transmission, relevé dans les enquêtes métiers et les mises en situation."),
    "project": ("Devenir formatrice professionnelle d'adultes en bureautique. Étapes : titre professionnel FPA "
                "(2027), stage en organisme de formation, premières missions en portage."),
    "alternatives": "Conseillère en insertion professionnelle ; assistante pédagogique en CFA.",
    "action_plan": "Janvier : candidature au titre FPA. Mars : stage d'observation. Juin : premières vacations.",
    "recommendations": "Mobiliser le CPF restant pour le titre FPA ; rencontrer un CEP pour le financement.",
}


def _move(db, stamp, bilan, consultant, phase: str, moment: datetime):
    lifecycle.move_to(db, bilan, phase, actor=consultant.name)
    stamp(bilan, moment)


def _close(db, stamp, bilan, consultant, ended: date, *, cep: bool, kept: list[str], score: int | None):
    _move(db, stamp, bilan, consultant, "conclusion", at(ended - timedelta(days=14), 12))
    editing.save(db, bilan, SYNTHESIS, actor=consultant.name)
    editing.share(db, bilan, actor=consultant.name)
    stamp(bilan, at(ended - timedelta(days=5), 18))
    synthesis = editing.finalise(db, bilan, actor=consultant.name)
    editing.deliver(db, bilan, actor=consultant.name)
    synthesis.shared_at = at(ended - timedelta(days=5), 18)
    synthesis.finalised_at = synthesis.delivered_at = at(ended, 11)
    stamp(bilan, at(ended, 11))
    db.add(ActionItem(bilan_id=bilan.id, text="S'inscrire à la session d'information du titre FPA",
                      due_on=ended + timedelta(days=30)))
    closing.answer(db, bilan, synthesis_to_cep=cep, kept_documents=kept, actor="bénéficiaire",
                   written=closing.Written("portal", ip="203.0.113.24", user_agent="Mozilla/5.0 Firefox/132.0"))
    bilan.closing_answered_at = at(ended, 12)
    stamp(bilan, bilan.closing_answered_at)
    lifecycle.close(db, bilan, today=ended, at=at(ended, 17), actor=consultant.name)
    bilan.satisfaction_sent_at = at(ended, 17, 5)
    if score:
        answer = closing.record_satisfaction(db, bilan, score=score, would_recommend=score >= 4, actor="bénéficiaire")
        answer.answered_at = at(ended + timedelta(days=2), 20)
        db.add(answer)
        stamp(bilan, answer.answered_at)
    if cep:
        made = consent.record_disclosure_consent(db, bilan, recipient_kind="cep",
                                                 recipient_name="Conseil en évolution professionnelle — Apec Lyon",
                                                 recipient_email="cep.lyon@apec.example", method="portal",
                                                 ip="203.0.113.24", actor="bénéficiaire")
        made.given_at = at(ended, 12)
        stamp(bilan, made.given_at)
        # Sent for real: only then is the synthesis kept one year (R6313-7).
        sent = disclose(db, bilan, recipient_email="cep.lyon@apec.example", sent_by=consultant.id,
                        actor=consultant.name)
        sent.sent_at = at(ended, 16)
        closing.apply_retention(db, bilan)


def seed(db: Session, centre, ctx: dict) -> None:
    """Twelve beneficiaries and bilans in every state of DEMO.md, dates relative to ctx["today"]."""
    if db.exec(select(Bilan)).first() is not None:
        return  # idempotent
    today: date = ctx["today"]
    ctx.setdefault("bilans", {})
    ctx.setdefault("beneficiaries", {})
    stamp = Stamp(db)

    # Two prior interviews: one waiting, one turned into a quote.
    _open(db, ctx, stamp, "prior_waiting", "part_time", prior_on=today - timedelta(days=2), quote=False)
    _open(db, ctx, stamp, "prior_quoted", "consultant", prior_on=today - timedelta(days=6), price=216_000, fmt="mixte")

    # A CPF bilan just accepted: preliminary phase, consent given, needs analysis answered. Quoted three
    # weeks before the start: 11 business days even with May's public holidays (tenants/edof/clock.py).
    person, bilan, c = _open(db, ctx, stamp, "cpf_preliminary", "consultant", prior_on=today - timedelta(days=24))
    _start(db, stamp, bilan, c, today - timedelta(days=2))
    _sessions(db, stamp, bilan, c, today - timedelta(days=1), done=1, planned=1, today=today)
    send_link(db, centre, person, bilan, actor=c.name)

    # Employer-funded: the draft went to the employer 10 days ago, the employer transmitted it
    # to the employee from its own link 8 days ago: day 8 of 10 (R6313-8).
    person, bilan, c = _open(db, ctx, stamp, "employer_day8", "admin", prior_on=today - timedelta(days=14),
                             funding="employer_plan", employer="Transports Rhône-Alpes SA", price=195_000)
    agreement = drafting.draft_for(bilan, centre_name=centre.name)
    agreement.employer_email = "rh@transports-ra.example"
    drafting.send(db, bilan, agreement, centre=centre, now=at(today - timedelta(days=10), 10), actor=c.name)
    transmission.transmit(db, agreement, bilan, on=today - timedelta(days=8), method="employer_link",
                          now=at(today - timedelta(days=8), 11), actor=f"{agreement.employer_name} (employeur)")

    # Refused: the centre handed the draft to the employer, who says it gave it to the employee
    # 13 days ago; no signature in the 10 days, so it lapsed (silence means refusal, R6313-8),
    # through the one function the reminder job calls.
    _, bilan, c = _open(db, ctx, stamp, "refused_silence", "consultant", prior_on=today - timedelta(days=25),
                        funding="redeployment_leave", employer="Imprimerie Lumière SARL")
    agreement = drafting.draft_for(bilan, centre_name=centre.name)
    drafting.send(db, bilan, agreement, centre=centre, now=at(today - timedelta(days=16), 10), actor=c.name)
    transmission.transmit(db, agreement, bilan, on=today - timedelta(days=13), method="staff",
                          now=at(today - timedelta(days=12), 9), recorded_by=c.id, actor=c.name)
    signing.lapse_overdue(db, at(today - timedelta(days=2), 0, 5))

    # Three in investigation.
    for key, consultant_key, funding, minutes, done, planned, personal, weeks_ago in (
            ("investigation_public", "consultant", "cpf", 120, 4, 3, 1, 5),
            ("investigation_near_24h", "consultant", "cpf", 120, 7, 1, 1, 8),
            ("investigation_accommodations", "part_time", "agefiph", 60, 6, 6, 0, 6)):
        # The quote three weeks before the start: EDOF's 11 business days have passed.
        person, bilan, c = _open(db, ctx, stamp, key, consultant_key, prior_on=today - timedelta(weeks=weeks_ago + 3),
                                 funding=funding, interview=max(16 * 60, (done + planned) * minutes),
                                 personal=8 * 60 if key != "investigation_accommodations" else 6 * 60)
        started = today - timedelta(weeks=weeks_ago)
        _start(db, stamp, bilan, c, started)
        _move(db, stamp, bilan, c, "investigation", at(started + timedelta(days=8), 12))
        _sessions(db, stamp, bilan, c, started + timedelta(days=1), done=done, planned=planned, minutes=minutes,
                  personal_done=personal, every=6, today=today,
                  confirm=None if key == "investigation_public" else "portal")  # one with attendance to sign
        db.add(ActionItem(bilan_id=bilan.id, text="Mener deux enquêtes métiers auprès de professionnels",
                          due_on=today + timedelta(days=10)))
    # Near 24 h: a personal-work session brings it to 24 h scheduled.
    bilan = db.get(Bilan, ctx["bilans"]["investigation_near_24h"])
    planning.schedule(db, bilan, starts_at=at(today + timedelta(days=4), 10), duration_minutes=240,
                      kind="personal_work", format="distanciel", actor=people.consultant(ctx, "consultant").name)
    stamp(bilan, at(today - timedelta(days=1), 17))

    # One in conclusion, synthesis draft missing a legal section.
    person, bilan, c = _open(db, ctx, stamp, "conclusion_draft", "admin", prior_on=today - timedelta(weeks=12),
                             funding="personal", price=150_000)
    started = today - timedelta(weeks=10)
    _start(db, stamp, bilan, c, started, portal=False)
    _move(db, stamp, bilan, c, "investigation", at(started + timedelta(days=10), 12))
    _sessions(db, stamp, bilan, c, started + timedelta(days=2), done=7, planned=1, personal_done=2, every=9,
              today=today, confirm="paper")  # paper consent and paper attendance sheets, recorded by the consultant
    _move(db, stamp, bilan, c, "conclusion", at(today - timedelta(days=4), 12))
    editing.save(db, bilan, {**SYNTHESIS, "skills": "", "circumstances": SYNTHESIS["circumstances"].replace(
        "assistante de gestion dans une PME du bâtiment", "artisan menuisier installé à son compte")}, actor=c.name)

    # Closed: last week, six months ago, over a year ago.
    for key, consultant_key, ended, cep, kept, score in (
            ("closed_last_week", "consultant", today - timedelta(days=7), False, ["logbook"], 5),
            ("closed_six_months", "part_time", today - relativedelta(months=6), True, [], 4),
            ("closed_over_a_year", "admin", today - timedelta(days=420), False, [], 5)):
        started = ended - timedelta(weeks=10)
        person, bilan, c = _open(db, ctx, stamp, key, consultant_key, prior_on=started - timedelta(weeks=3))
        _start(db, stamp, bilan, c, started)
        _move(db, stamp, bilan, c, "investigation", at(started + timedelta(days=10), 12))
        _sessions(db, stamp, bilan, c, started + timedelta(days=1), done=8, personal_done=2, every=8, today=ended)
        _close(db, stamp, bilan, c, ended, cep=cep, kept=kept, score=score)
    db.flush()
