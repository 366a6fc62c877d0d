"""The beneficiary's questionnaires on the portal home."""
from __future__ import annotations

from flask import url_for

from saas.i18n import date_fr, plural, plural_word
from tenants.portal.items import PortalItem
from tenants.questionnaires import answers as store
from tenants.questionnaires import definition as spec
from tenants.questionnaires import queries, respondents


def _answers_of_invited(answered: int, invited: int) -> str:
    """"2 réponses sur 3 personnes invitées", with real plurals."""
    return f"{plural(answered, 'réponse')} sur {plural(invited, 'personne')} {plural_word(invited, 'invitée')}"


def portal_items(db, visitor) -> list[PortalItem]:
    """One item per questionnaire of this bilan (and one per released result)."""
    found = []
    for order, row in enumerate(r for r in queries.rows_for_beneficiary(db, visitor.beneficiary_id)
                                if r.assignment.bilan_id == visitor.bilan_id):
        a, q = row.assignment, row.questionnaire
        if q.is_360:
            answered, invited = respondents.counts(db, a.id)
            found.append(PortalItem(title=q.title, status=_answers_of_invited(answered, invited),
                                    url=url_for("portal_questionnaires.respondents", assignment_id=a.id),
                                    progress=None, order=20 + order, done=a.submitted_at is not None))
        else:
            status = row.status + (f" — avant le {date_fr(a.due_on)}"
                                   if a.due_on and not a.submitted_at else "")
            # Counted ("3 sur 12"), and the link resumes at the first unanswered question.
            counts = None if a.submitted_at else spec.answered(q.definition, store.answers_of(db, a.id))
            found.append(PortalItem(title=q.title, status=status,
                                    url=url_for("portal_questionnaires.resume" if counts else
                                                "portal_questionnaires.fill", assignment_id=a.id),
                                    progress=counts, order=20 + order, done=a.submitted_at is not None))
        if a.released_at is not None and a.scores:
            found.append(PortalItem(title=f"Mes résultats : {q.title}", status="Disponibles (code envoyé par e-mail)",
                                    url=url_for("portal_questionnaires.results", assignment_id=a.id), order=10))
    return found
