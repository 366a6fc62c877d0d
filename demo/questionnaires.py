"""The demo's questionnaires answered, in progress, overdue; a 360° at 2 of 3; a satisfaction survey.

Picks, by their state, the bilans demo.bilans seeded (ctx["bilans"]) and goes
through tenants.questionnaires' own functions:
assign (the email with the personal link lands in instance/mail/), save
answers, submit (scores), release, invite 360° respondents.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlmodel import Session, select

from tenants.beneficiaries.models import Beneficiary
from tenants.bilans.models import Bilan
from tenants.questionnaires import assignments, queries, respondents
from tenants.questionnaires.answers import save_answer
from tenants.questionnaires.models import Assignment, Questionnaire


def _bilans(db: Session, ctx: dict) -> list[Bilan]:
    """The bilans demo.bilans seeded, in its order."""
    return [db.get(Bilan, bilan_id) for bilan_id in ctx["bilans"].values()]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _give(db, centre, bilan, slug, ctx, *, days_ago: int,
          due_in: int | None = None) -> tuple[Assignment, Questionnaire]:
    today = ctx["today"]
    questionnaire = queries.by_library_slug(db, slug)
    sent_on = today - timedelta(days=days_ago)
    due = sent_on + timedelta(days=due_in) if due_in is not None else None
    with current_app.test_request_context("/"):
        assignment = assignments.assign(db, centre, bilan, questionnaire, by=bilan.consultant_id, due_on=due,
                                        today=sent_on)
    # The demo happened over the last weeks: date the sending accordingly.
    assignment.assigned_at = assignment.sent_at = _at(sent_on)
    db.add(assignment)
    return assignment, questionnaire


def _answer(db, assignment, questionnaire, answers: dict, *, submit: bool, signed: str | None = None) -> None:
    for question_id, value in answers.items():
        save_answer(db, assignment, questionnaire, question_id, value)
    db.flush()
    if submit:
        missing = assignments.submit(db, assignment, questionnaire, signed_name=signed)
        if missing:
            raise RuntimeError(f"demo answers miss {[m.question['id'] for m in missing]}")


INTERESTS = {"R": 2, "I": 4, "A": 3, "S": 5, "E": 3, "C": 2}
SKILLS = {"communication": {"ecrit": 3, "oral": 2, "ecoute": 4}, "organisation": {"priorites": 3, "planifier": 3,
          "delais": 4}, "relation": {"equipe": 4, "conflits": 3, "animer": 2},
          "resolution": {"analyser": 3, "solutions": 3, "numerique": 2}}
VALUES = ["utilite", "equilibre", "relations", "autonomie", "securite", "reconnaissance", "creativite", "remuneration"]


def _interests_answers(questionnaire) -> dict:
    answers = {}
    for section in questionnaire.definition["sections"]:
        for question in section["questions"]:
            answers[question["id"]] = {row["id"]: INTERESTS[row["dimension"]] for row in question["rows"]}
    return answers


def seed(db: Session, centre, ctx: dict) -> None:
    """Questionnaires for the CPF, investigation and recently closed bilans of the demo."""
    bilans = _bilans(db, ctx)
    if db.exec(select(Assignment.id)).first() is not None:
        return  # already seeded
    today = ctx["today"]
    cpf = next((b for b in bilans if b.funding == "cpf" and b.phase == "preliminary" and b.is_open
                and b.status == "active"), None)
    investigation = [b for b in bilans if b.phase == "investigation" and b.status == "active"][:3]
    closed_recently = next((b for b in bilans if b.status == "completed" and b.ended_at is not None
                            and 0 <= (today - b.ended_at.date()).days <= 14), None)

    if cpf is not None:  # CDC/DGEFP guide: needs analysis filled and signed
        person = db.get(Beneficiary, cpf.beneficiary_id)
        a, q = _give(db, centre, cpf, "analyse_demande", ctx, days_ago=6)
        _answer(db, a, q, {"origine": "moi", "volontaire": "oui",
                           "motif": "Après douze ans en comptabilité, "
                                    "je veux un métier plus tourné vers les personnes.",
                           "objectifs": ["reconversion", "formation"], "statut": "salarie",
                           "poste": "Comptable fournisseurs", "anciennete": 4, "satisfaction_poste": 2,
                           "format": "mixte", "disponibilites": ["matin", "soir"], "amenagements": "non"},
                submit=True, signed=person.name if person else "Bénéficiaire")

    for n, bilan in enumerate(investigation):
        a, q = _give(db, centre, bilan, "interets_professionnels", ctx, days_ago=30 - n)
        _answer(db, a, q, _interests_answers(q), submit=True)
        if n == 0:
            assignments.release(db, a, bilan.consultant_id)
            a, q = _give(db, centre, bilan, "auto_evaluation_competences", ctx, days_ago=20, due_in=10)
            _answer(db, a, q, SKILLS, submit=True)
            a, q = _give(db, centre, bilan, "retour_360", ctx, days_ago=12)
            people = [("Nadia Benali", "nadia.benali@example.org", "responsable"),
                      ("Thomas Girard", "thomas.girard@example.org", "collegue"),
                      ("Inès Moreau", "ines.moreau@example.org", "proche")]
            found = []
            with current_app.test_request_context("/"):
                for name, email, relation in people:
                    found.append(respondents.add_respondent(db, centre, a, name=name, email=email,
                                                            relationship=relation))
            db.flush()
            texts = ["Sait mettre les gens à l'aise et explique avec patience.",
                     "Très fiable dans l'organisation des dossiers."]
            for respondent, text, level in zip(found[:2], texts, (5, 4), strict=True):
                respondents.submit_respondent(db, respondent, {
                    "qualites": {"ecoute": level, "organise": 4, "initiative": 3, "explique": level, "adapte": 4},
                    "force": text})
        elif n == 1:  # in progress
            a, q = _give(db, centre, bilan, "valeurs_motivations", ctx, days_ago=5, due_in=14)
            _answer(db, a, q, {"motivation": "Voir concrètement à quoi sert mon travail."}, submit=False)
            a, q = _give(db, centre, bilan, "recit_professionnel", ctx, days_ago=4, due_in=10)
            _answer(db, a, q, {"etapes": "CAP cuisine, puis quinze ans en restauration collective."}, submit=False)
        else:  # overdue, untouched
            _give(db, centre, bilan, "auto_evaluation_competences", ctx, days_ago=16, due_in=9)
            a, q = _give(db, centre, bilan, "valeurs_motivations", ctx, days_ago=15)
            _answer(db, a, q, {"classement": VALUES}, submit=True)

    if closed_recently is not None:  # Qualiopi 30
        a, q = _give(db, centre, closed_recently, "satisfaction_fin_bilan", ctx, days_ago=6)
        _answer(db, a, q, {"global": 5, "criteres": {"ecoute": 5, "outils": 4, "rythme": 4, "synthese": 5},
                           "recommande": "oui",
                           "ameliorer": "Un peu plus de temps sur les enquêtes métiers."}, submit=True)
