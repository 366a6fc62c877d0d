"""The two satisfaction surveys (Qualiopi indicator 30) as the results page and the audit show them.

At the end: the closing page of the beneficiary portal (tenants/bilans/portal_forms.py:ClosingForm), a
score and "would recommend", stored as `Satisfaction`. At 6 months ("à froid"): the library questionnaire
`satisfaction_6_mois`, given with the follow-up interview's stage (tenants/bilans/follow_up.py). Both
ask about the service only, and are kept four years as proofs (tenants/retention/scopes.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from tenants.bilans import follow_up
from tenants.bilans.portal_forms import ClosingForm


@dataclass(frozen=True)
class Survey:
    title: str
    when: str
    questions: list[str]


def surveys(db: Session) -> list[Survey]:
    """Both surveys with their questions, as the beneficiary reads them."""
    from tenants.questionnaires import definition as spec
    from tenants.questionnaires.queries import by_library_slug

    end = Survey("Satisfaction à la fin du bilan", "envoyé avec le certificat, à la clôture",
                 [ClosingForm.score.args[0], ClosingForm.recommend.args[0]])
    cold = by_library_slug(db, follow_up.COLD_SATISFACTION)
    later = Survey("Satisfaction à 6 mois (à froid)", "proposé avec l'entretien de suivi",
                   [found.question["label"] for found in spec.questions(cold.definition)] if cold else [])
    return [end, later]
